//! Fuzzing every RPC: requests generated from the contract's own descriptors
//! (every field of every request message, values drawn towards the edges:
//! extreme and near-today instants, ids shared between requests so facts meet
//! their orders, oversize strings, unknown enum numbers), their encodings
//! mutated at the byte level, decoded as the server decodes them and handed to
//! the real handlers over a real store. The bar is zero panics: any panic, in a
//! handler or in the work it hands to other threads, fails the run.
//!
//! A short pass runs with the test suite; `SELLERHEALTH_FUZZ_CASES=N` sets the
//! number of cases (README: a million in release mode), `SELLERHEALTH_FUZZ_SEED`
//! the seed (the run prints both, and a failing case's method and request).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;

use bytes::{Buf, BufMut};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use prost::Message as _;
use prost_reflect::{DescriptorPool, DynamicMessage, Kind, MessageDescriptor, Value};
use sellerhealth_domain::Policy;
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_server::AccountHealthService;
use sellerhealth_proto::v1::feedback_service_server::FeedbackService;
use sellerhealth_proto::v1::ingest_service_server::IngestService;
use sellerhealth_proto::v1::review_service_server::ReviewService;
use sellerhealth_server::InProcessServer;
use sellerhealth_server::auth::Authenticator;
use sellerhealth_server::services::{account_health, feedback, ingest, reviews};
use sellerhealth_store::Store;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::service::Interceptor;
use tonic::{Request, Status};

/// Panics anywhere in the process since the hook was set.
static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Cases of the short pass that runs with the test suite.
const DEFAULT_CASES: u64 = 20_000;

/// One case in this many also goes over the wire, through the codec, the
/// layers and, for bulk streams, as a client stream.
const WIRE_EVERY: u64 = 20;

/// Every unary or server-streaming request the services take, by method.
const METHODS: &[(&str, &str)] = &[
    ("IngestEvents", "sellerhealth.v1.IngestEventsRequest"),
    ("GetAccountHealth", "sellerhealth.v1.GetAccountHealthRequest"),
    ("EvaluateAccountHealth", "sellerhealth.v1.EvaluateAccountHealthRequest"),
    ("GetMetricHistory", "sellerhealth.v1.GetMetricHistoryRequest"),
    ("WatchAccountHealth", "sellerhealth.v1.WatchAccountHealthRequest"),
    ("GetSellerRating", "sellerhealth.v1.GetSellerRatingRequest"),
    ("EvaluateSellerRating", "sellerhealth.v1.EvaluateSellerRatingRequest"),
    ("GetSellerPerformanceReport", "sellerhealth.v1.GetSellerPerformanceReportRequest"),
    ("GetFeedbackSummary", "sellerhealth.v1.GetFeedbackSummaryRequest"),
    ("EvaluateFeedbackSummary", "sellerhealth.v1.EvaluateFeedbackSummaryRequest"),
    ("ListFeedback", "sellerhealth.v1.ListFeedbackRequest"),
    ("GetReviewSummary", "sellerhealth.v1.GetReviewSummaryRequest"),
    ("EvaluateReviewSummary", "sellerhealth.v1.EvaluateReviewSummaryRequest"),
    ("ListReviews", "sellerhealth.v1.ListReviewsRequest"),
];

/// SplitMix64: small, seeded, the same cases on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Ids shared across cases, so facts find their orders and reads their sellers.
const STRINGS: &[&str] = &["s", "US", "o1", "o2", "o3", "c1", "m1", "r1", "t1", "B00TEST", "", " ", "é\u{0}"];

/// A string for the field `name`: mostly the shared id such a field names.
fn string(rng: &mut Rng, name: &str) -> String {
    let usual = match name {
        "seller_id" => Some("s"),
        "marketplace_id" => Some("US"),
        "order_id" => Some(*rng.pick(&["o1", "o2", "o3"])),
        "asin" => Some("B00TEST"),
        _ => None,
    };
    if let Some(usual) = usual.filter(|_| rng.chance(85)) {
        return usual.to_owned();
    }
    match rng.below(10) {
        0 => "x".repeat(rng.below(300) as usize),
        1 => (0..rng.below(12)).map(|_| char::from_u32(rng.below(0x3000) as u32).unwrap_or('?')).collect(),
        _ => (*rng.pick(STRINGS)).to_owned(),
    }
}

/// Seconds since the epoch: mostly around 2026, sometimes at every edge.
fn seconds(rng: &mut Rng) -> i64 {
    const Y2026: i64 = 1_767_225_600;
    // chrono's first and last second, and the edges of the supported range.
    let (first, last) = (DateTime::<Utc>::MIN_UTC.timestamp(), DateTime::<Utc>::MAX_UTC.timestamp());
    match rng.below(10) {
        0 => *rng.pick(&[i64::MIN, i64::MAX, 0, -1, first, last, first + 86_400 * 400, last - 86_400, 7_258_118_400]),
        1 => rng.next() as i64,
        _ => Y2026 + rng.below(400 * 86_400) as i64,
    }
}

fn int32(rng: &mut Rng) -> i32 {
    match rng.below(6) {
        0 => *rng.pick(&[i32::MIN, i32::MAX, -1, 0, 1_500_000_000, 262_143]),
        1 => rng.next() as i32,
        _ => rng.below(40) as i32 - 5,
    }
}

fn int64(rng: &mut Rng) -> i64 {
    match rng.below(4) {
        0 => *rng.pick(&[i64::MIN, i64::MAX, -1, 0]),
        1 => rng.next() as i64,
        _ => rng.below(100) as i64,
    }
}

/// A value of a field of kind `kind` named `name`.
fn value(rng: &mut Rng, kind: &Kind, name: &str, depth: u32) -> Value {
    match kind {
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => Value::I32(int32(rng)),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => Value::I64(int64(rng)),
        Kind::Uint32 | Kind::Fixed32 => Value::U32(int32(rng) as u32),
        Kind::Uint64 | Kind::Fixed64 => Value::U64(int64(rng) as u64),
        Kind::Bool => Value::Bool(rng.chance(50)),
        Kind::Double => Value::F64(*rng.pick(&[0.0, -1.0, 1.5, f64::NAN, f64::INFINITY, f64::MAX])),
        Kind::Float => Value::F32(*rng.pick(&[0.0, -1.0, 1.5, f32::NAN, f32::INFINITY])),
        Kind::String => Value::String(string(rng, name)),
        Kind::Bytes => Value::Bytes((0..rng.below(8)).map(|_| rng.next() as u8).collect::<Vec<_>>().into()),
        Kind::Enum(descriptor) => {
            let numbers: Vec<i32> = descriptor.values().map(|v| v.number()).collect();
            Value::EnumNumber(if rng.chance(90) { *rng.pick(&numbers) } else { int32(rng) })
        }
        Kind::Message(descriptor) => Value::Message(message(rng, descriptor, depth + 1)),
    }
}

/// A message of type `descriptor` with random fields; a Timestamp mostly near today.
fn message(rng: &mut Rng, descriptor: &MessageDescriptor, depth: u32) -> DynamicMessage {
    let mut message = DynamicMessage::new(descriptor.clone());
    if descriptor.full_name() == "google.protobuf.Timestamp" {
        message.set_field_by_name("seconds", Value::I64(seconds(rng)));
        let nanos = if rng.chance(90) { rng.below(1_000_000_000) as i32 } else { int32(rng) };
        message.set_field_by_name("nanos", Value::I32(nanos));
        return message;
    }
    if descriptor.full_name() == "sellerhealth.v1.Date" {
        let year = match rng.below(4) {
            0 => *rng.pick(&[1969, 1970, 2199, 2200, -262_143, 262_142, 0]),
            1 => int32(rng),
            _ => 2026,
        };
        message.set_field_by_name("year", Value::I32(year));
        message
            .set_field_by_name("month", Value::I32(if rng.chance(90) { 1 + rng.below(12) as i32 } else { int32(rng) }));
        message
            .set_field_by_name("day", Value::I32(if rng.chance(90) { 1 + rng.below(28) as i32 } else { int32(rng) }));
        return message;
    }
    if depth > 6 {
        return message;
    }
    let oneof_choice: Vec<_> = descriptor.oneofs().map(|oneof| rng.below(oneof.fields().len() as u64)).collect();
    for field in descriptor.fields() {
        if let Some(oneof) = field.containing_oneof() {
            let position = descriptor.oneofs().position(|o| o.full_name() == oneof.full_name()).unwrap_or(0);
            let chosen = oneof.fields().nth(oneof_choice[position] as usize);
            if chosen.is_none_or(|f| f.number() != field.number()) {
                continue;
            }
        } else if !rng.chance(80) {
            continue;
        }
        if field.is_map() {
            continue;
        }
        let kind = field.kind();
        if field.is_list() {
            let n = if rng.chance(5) { rng.below(40) } else { rng.below(5) };
            let items = (0..n).map(|_| value(rng, &kind, field.name(), depth)).collect();
            message.set_field(&field, Value::List(items));
        } else {
            message.set_field(&field, value(rng, &kind, field.name(), depth));
        }
    }
    message
}

/// Byte-level damage, for the decoder: flips, cuts, insertions.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..=rng.below(3) {
        match rng.below(4) {
            0 if !bytes.is_empty() => {
                let i = rng.below(bytes.len() as u64) as usize;
                bytes[i] ^= 1 << rng.below(8);
            }
            1 => bytes.truncate(rng.below(bytes.len() as u64 + 1) as usize),
            2 => {
                let i = rng.below(bytes.len() as u64 + 1) as usize;
                bytes.insert(i, rng.next() as u8);
            }
            _ => bytes.extend((0..rng.below(16)).map(|_| rng.next() as u8)),
        }
    }
}

/// The handlers over one store, called as the server calls them.
struct Services {
    ingest: ingest::Ingest,
    health: account_health::AccountHealth,
    feedback: feedback::Feedback,
    reviews: reviews::Reviews,
}

/// `message` as a request carrying the grant of a server without tokens.
fn request<T>(message: T) -> Request<T> {
    let (metadata, extensions, ()) = Authenticator::new(None).call(Request::new(())).unwrap().into_parts();
    Request::from_parts(metadata, extensions, message)
}

/// Decodes `bytes` as `method`'s request and calls its handler; the answer
/// (OK or an error status) does not matter, only that there is one.
async fn call(services: &Services, method: &str, bytes: &[u8]) -> Result<(), Status> {
    fn decode<T: prost::Message + Default>(bytes: &[u8]) -> Result<T, Status> {
        T::decode(bytes).map_err(|e| Status::invalid_argument(e.to_string()))
    }
    match method {
        "IngestEvents" => services.ingest.ingest_events(request(decode(bytes)?)).await.map(drop),
        "GetAccountHealth" => services.health.get_account_health(request(decode(bytes)?)).await.map(drop),
        "EvaluateAccountHealth" => services.health.evaluate_account_health(request(decode(bytes)?)).await.map(drop),
        "GetMetricHistory" => services.health.get_metric_history(request(decode(bytes)?)).await.map(drop),
        "WatchAccountHealth" => {
            let mut stream = services.health.watch_account_health(request(decode(bytes)?)).await?.into_inner();
            // The first report, then the watcher leaves.
            tokio_stream::StreamExt::next(&mut stream).await.transpose().map(drop)
        }
        "GetSellerRating" => services.health.get_seller_rating(request(decode(bytes)?)).await.map(drop),
        "EvaluateSellerRating" => services.health.evaluate_seller_rating(request(decode(bytes)?)).await.map(drop),
        "GetSellerPerformanceReport" => {
            services.health.get_seller_performance_report(request(decode(bytes)?)).await.map(drop)
        }
        "GetFeedbackSummary" => services.feedback.get_feedback_summary(request(decode(bytes)?)).await.map(drop),
        "ListFeedback" => services.feedback.list_feedback(request(decode(bytes)?)).await.map(drop),
        "EvaluateFeedbackSummary" => {
            services.feedback.evaluate_feedback_summary(request(decode(bytes)?)).await.map(drop)
        }
        "GetReviewSummary" => services.reviews.get_review_summary(request(decode(bytes)?)).await.map(drop),
        "ListReviews" => services.reviews.list_reviews(request(decode(bytes)?)).await.map(drop),
        "EvaluateReviewSummary" => services.reviews.evaluate_review_summary(request(decode(bytes)?)).await.map(drop),
        other => panic!("no handler for {other}"),
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rpc_survives_generated_and_mangled_requests() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));
    let cases = env_number("SELLERHEALTH_FUZZ_CASES", DEFAULT_CASES);
    let seed = env_number("SELLERHEALTH_FUZZ_SEED", 13);
    let data = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", data.path().join("fuzz.db").display());
    let store = Arc::new(Store::open(&url, Policy::amazon()).await.unwrap());
    let services = Arc::new(Services {
        ingest: ingest::Ingest::new(Arc::clone(&store), 10_000, std::time::Duration::from_secs(30)),
        health: account_health::AccountHealth::new(
            Arc::new(sellerhealth_server::figures::Figures::new(Arc::clone(&store))),
            10_000,
            1_000,
        ),
        feedback: feedback::Feedback::new(Arc::clone(&store), 10_000),
        reviews: reviews::Reviews::new(Arc::clone(&store), 10_000),
    });
    // A known seller with orders, so reads get past NOT_FOUND to the evaluation.
    let purchased = prost_types::Timestamp { seconds: 1_767_225_600 + 100 * 86_400, nanos: 0 };
    let orders = (1..=3).map(|i| pb::Event {
        event_id: format!("seed-o{i}"),
        seller_id: "s".into(),
        fact: Some(pb::event::Fact::Order(pb::Order {
            order_id: format!("o{i}"),
            marketplace_id: "US".into(),
            purchased_at: Some(purchased),
            fulfillment_channel: pb::FulfillmentChannel::Mfn as i32,
            latest_ship_at: Some(prost_types::Timestamp { seconds: purchased.seconds + 86_400, nanos: 0 }),
            units: 2,
            ..Default::default()
        })),
    });
    let seed_request = pb::IngestEventsRequest { events: orders.collect() };
    call(&services, "IngestEvents", &seed_request.encode_to_vec()).await.unwrap();

    let pool = DescriptorPool::decode(sellerhealth_proto::FILE_DESCRIPTOR_SET).unwrap();
    let descriptors: Vec<(&str, MessageDescriptor)> = METHODS
        .iter()
        .map(|(method, name)| (*method, pool.get_message_by_name(name).unwrap_or_else(|| panic!("no {name}"))))
        .collect();
    let mut rng = Rng(seed);
    let started = std::time::Instant::now();
    let mut answered_ok = 0u64;
    for case in 0..cases {
        let (method, descriptor) = rng.pick(&descriptors);
        let mut bytes = message(&mut rng, descriptor, 0).encode_to_vec();
        if rng.chance(20) {
            mutate(&mut rng, &mut bytes);
        }
        let (services, method, shown) = (Arc::clone(&services), *method, bytes.clone());
        let answer = tokio::spawn(async move { call(&services, method, &bytes).await }).await;
        match answer {
            Ok(Ok(())) => answered_ok += 1,
            Ok(Err(_)) => {}
            Err(error) => panic!("case {case} (seed {seed}): {method} panicked: {error}; request bytes {shown:?}"),
        }
        assert_eq!(PANICS.load(Ordering::SeqCst), 0, "case {case} (seed {seed}): a panic in {method}: {shown:?}");
        if case > 0 && case % 100_000 == 0 {
            eprintln!("fuzz_rpc: {case} of {cases} cases, {:.0} s", started.elapsed().as_secs_f64());
        }
    }
    wire_pass(&mut rng, &descriptors, cases / WIRE_EVERY, seed).await;
    eprintln!(
        "fuzz_rpc: {cases} cases in process and {} over the wire (seed {seed}), {answered_ok} answered OK, \
         the rest refused, 0 panics, {:.1} s",
        cases / WIRE_EVERY,
        started.elapsed().as_secs_f64()
    );
    // The generated requests must reach the handlers' work, not only their checks.
    assert!(answered_ok * 20 >= cases, "only {answered_ok} of {cases} cases answered OK");
}

/// Request bytes sent as they are; answers read and dropped.
#[derive(Debug, Clone, Copy, Default)]
struct RawCodec;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = ();
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> RawCodec {
        RawCodec
    }

    fn decoder(&mut self) -> RawCodec {
        RawCodec
    }
}

impl Encoder for RawCodec {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        buf.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawCodec {
    type Item = ();
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<()>, Status> {
        buf.advance(buf.remaining());
        Ok(Some(()))
    }
}

/// `cases` requests over a real server's wire: every unary method, the watch
/// and the bulk stream (a few generated messages per stream).
async fn wire_pass(rng: &mut Rng, descriptors: &[(&str, MessageDescriptor)], cases: u64, seed: u64) {
    let data = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", data.path().join("wire.db").display());
    let server = InProcessServer::start(&url).await.unwrap();
    let mut grpc = tonic::client::Grpc::new(server.channel().await.unwrap());
    let pool = DescriptorPool::decode(sellerhealth_proto::FILE_DESCRIPTOR_SET).unwrap();
    let stream_request = pool.get_message_by_name("sellerhealth.v1.StreamEventsRequest").unwrap();
    let bytes_of = |rng: &mut Rng, descriptor: &MessageDescriptor| {
        let mut bytes = message(rng, descriptor, 0).encode_to_vec();
        if rng.chance(20) {
            mutate(rng, &mut bytes);
        }
        bytes
    };
    for case in 0..cases {
        grpc.ready().await.unwrap();
        let (method, descriptor) = rng.pick(descriptors);
        let service = match *method {
            "IngestEvents" => "IngestService",
            "GetFeedbackSummary" | "ListFeedback" | "EvaluateFeedbackSummary" => "FeedbackService",
            "GetReviewSummary" | "ListReviews" | "EvaluateReviewSummary" => "ReviewService",
            _ => "AccountHealthService",
        };
        if rng.chance(10) {
            let path = PathAndQuery::from_static("/sellerhealth.v1.IngestService/StreamEvents");
            let chunks: Vec<Vec<u8>> = (0..rng.below(4)).map(|_| bytes_of(rng, &stream_request)).collect();
            let _ = grpc.client_streaming(Request::new(tokio_stream::iter(chunks)), path, RawCodec).await;
        } else {
            let path = PathAndQuery::try_from(format!("/sellerhealth.v1.{service}/{method}")).unwrap();
            let bytes = bytes_of(rng, descriptor);
            if *method == "WatchAccountHealth" {
                if let Ok(answer) = grpc.server_streaming(Request::new(bytes), path, RawCodec).await {
                    let _ = answer.into_inner().message().await;
                }
            } else {
                let _ = grpc.unary(Request::new(bytes), path, RawCodec).await;
            }
        }
        assert_eq!(PANICS.load(Ordering::SeqCst), 0, "wire case {case} (seed {seed}): a panic in {method}");
    }
    server.stop().await.unwrap();
}
