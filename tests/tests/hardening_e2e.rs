//! Issue 13: no request can exhaust the server, no input can panic it. One test
//! per defect found, against the real binary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{Server, at, date, free_port, ts};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_client::AccountHealthServiceClient;
use sellerhealth_proto::v1::event::Fact;
use sellerhealth_proto::v1::feedback_service_client::FeedbackServiceClient;
use sellerhealth_proto::v1::ingest_service_client::IngestServiceClient;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

const RANGE: &str = "outside the supported range 1970-01-01T00:00:00Z to 2199-12-31T23:59:59.999999999Z";

fn report_request(seller: &str) -> pb::GetAccountHealthRequest {
    pb::GetAccountHealthRequest { seller_id: seller.into(), marketplace_id: "US".into(), as_of: None }
}

fn history_request(metrics: Vec<i32>, to: pb::Date) -> pb::GetMetricHistoryRequest {
    pb::GetMetricHistoryRequest {
        seller_id: "s".into(),
        marketplace_id: "US".into(),
        from: Some(date(2026, 5, 1)),
        to: Some(to),
        metrics,
    }
}

async fn health(server: &Server) -> i32 {
    let mut health = HealthClient::new(server.channel().await);
    health.check(HealthCheckRequest { service: String::new() }).await.unwrap().into_inner().status
}

/// Defect 1: a small request listing one metric 10,000 times is refused at once,
/// and a metric asked for three times is computed once.
#[tokio::test]
async fn metric_histories_are_bounded_and_de_duplicated() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let mut ingest = IngestServiceClient::new(server.channel().await);
    let order = common::order("s", "US", "o1", at(2026, 5, 1, 10), pb::FulfillmentChannel::Mfn);
    ingest.ingest_events(pb::IngestEventsRequest { events: vec![order] }).await.unwrap();
    let mut client = AccountHealthServiceClient::new(server.channel().await);

    let late = pb::Metric::LateShipmentRate10d as i32;
    let error = client.get_metric_history(history_request(vec![late; 10_000], date(2026, 5, 3))).await.unwrap_err();
    assert_eq!((error.code(), error.message()), (Code::InvalidArgument, "metrics: at most 64 entries"));

    let answer = client.get_metric_history(history_request(vec![late; 3], date(2026, 5, 3))).await.unwrap();
    let histories = answer.into_inner().histories;
    assert_eq!(histories.len(), 1);
    assert_eq!(histories[0].metric, late);
    // 05-01, 05-02, 05-03: the order's latest ship day is 05-03 (10:00); unshipped
    // at the end of that day, it is late then.
    let days: Vec<_> = histories[0].days.iter().map(|d| (d.numerator, d.denominator)).collect();
    assert_eq!(days, [(0, 0), (0, 0), (1, 1)]);
    server.stop().await;
}

/// Defect 2: a read token cannot open a bulk stream, and idle streams are closed,
/// so they cannot hold every slot; health is answered meanwhile.
#[tokio::test]
async fn idle_streams_are_closed_and_read_tokens_cannot_open_one() {
    let data = tempfile::tempdir().unwrap();
    let tokens = data.path().join("tokens.json");
    std::fs::write(
        &tokens,
        r#"{"tokens": [
            {"name": "dash", "token": "read-token-0123456789", "role": "read", "sellers": "*"},
            {"name": "bot", "token": "write-token-0123456789", "role": "write", "sellers": "*"}
        ]}"#,
    )
    .unwrap();
    let server = Server::start_with(
        data.path(),
        &["--tokens", tokens.to_str().unwrap(), "--max-in-flight", "2", "--stream-idle-timeout", "1"],
    )
    .await;
    let channel = server.channel().await;
    let with_token = |token: &'static str| {
        move |mut request: tonic::Request<()>| {
            request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
            Ok(request)
        }
    };

    // A read token: refused when the stream opens, though it never sends.
    let (_quiet, nothing) = tokio::sync::mpsc::channel::<pb::StreamEventsRequest>(1);
    let mut reader = IngestServiceClient::with_interceptor(channel.clone(), with_token("read-token-0123456789"));
    let error = reader.stream_events(ReceiverStream::new(nothing)).await.unwrap_err();
    assert_eq!(error.code(), Code::PermissionDenied);
    assert_eq!(error.message(), "token \"dash\" has role Read; this call needs Write");

    // Two writer streams that never send hold both slots ...
    let mut idle = Vec::new();
    let mut senders = Vec::new();
    for _ in 0..2 {
        let (sender, receiver) = tokio::sync::mpsc::channel::<pb::StreamEventsRequest>(1);
        let mut writer = IngestServiceClient::with_interceptor(channel.clone(), with_token("write-token-0123456789"));
        idle.push(tokio::spawn(async move { writer.stream_events(ReceiverStream::new(receiver)).await }));
        senders.push(sender);
    }
    // ... health is still answered, outside the bound ...
    assert_eq!(health(&server).await, ServingStatus::Serving as i32);
    // ... and each stream is closed after a second without a message.
    for stream in idle {
        let error = stream.await.unwrap().unwrap_err();
        assert_eq!(error.code(), Code::DeadlineExceeded);
        assert_eq!(
            error.message(),
            "no message for 1 s (--stream-idle-timeout); the stream is closed after 0 events \
             (0 accepted, 0 duplicates, 0 rejected), which stay stored"
        );
    }
    // The slots are free again: the seller is simply unknown.
    let mut reports = AccountHealthServiceClient::with_interceptor(channel, with_token("read-token-0123456789"));
    assert_eq!(reports.get_account_health(report_request("nobody")).await.unwrap_err().code(), Code::NotFound);
    drop(senders);
    server.stop().await;
}

/// Defects 3 and 7: instants and dates far from today, and nanos past a second,
/// are INVALID_ARGUMENT naming the field, never a panic.
#[tokio::test]
async fn instants_and_dates_outside_the_range_are_refused_by_field() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let mut client = AccountHealthServiceClient::new(server.channel().await);

    let earliest = prost_types::Timestamp { seconds: DateTime::<Utc>::MIN_UTC.timestamp(), nanos: 0 };
    let error = client
        .evaluate_account_health(pb::EvaluateAccountHealthRequest {
            seller_id: "s".into(),
            marketplace_id: "US".into(),
            as_of: Some(earliest),
            events: vec![],
            on_stored_facts: false,
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);
    assert_eq!(error.message(), format!("as_of: -262143-01-01 00:00:00 UTC is {RANGE}"));

    let error = client.get_metric_history(history_request(vec![], date(262_142, 12, 31))).await.unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (Code::InvalidArgument, format!("to: +262142-12-31 is {RANGE}").as_str())
    );

    let mut order = common::order("s", "US", "o1", at(2026, 5, 1, 10), pb::FulfillmentChannel::Mfn);
    if let Some(Fact::Order(o)) = &mut order.fact {
        o.latest_ship_at = Some(prost_types::Timestamp { seconds: DateTime::<Utc>::MAX_UTC.timestamp(), nanos: 0 });
    }
    let mut ingest = IngestServiceClient::new(server.channel().await);
    let error = ingest.ingest_events(pb::IngestEventsRequest { events: vec![order] }).await.unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);
    assert_eq!(error.message(), format!("events[0].order.latest_ship_at: +262142-12-31 23:59:59 UTC is {RANGE}"));

    let mut request = report_request("s");
    request.as_of = Some(prost_types::Timestamp { seconds: ts(at(2026, 5, 1, 0)).seconds, nanos: 1_500_000_000 });
    let error = client.get_account_health(request).await.unwrap_err();
    assert_eq!((error.code(), error.message()), (Code::InvalidArgument, "as_of: nanos must be 0 to 999,999,999"));
    server.stop().await;
}

/// Defect 4: watchers have their own bound, and one write re-evaluates a
/// watched seller once however many watch it (counted by the store's reads).
#[tokio::test]
async fn watchers_are_bounded_and_share_one_evaluation() {
    let data = tempfile::tempdir().unwrap();
    let metrics = format!("127.0.0.1:{}", free_port());
    let server = Server::start_with(data.path(), &["--max-watchers", "3", "--metrics-listen", &metrics]).await;
    let now = Utc::now();
    let purchased = now - chrono::Duration::days(20);
    let mut ingest = IngestServiceClient::new(server.channel().await);
    let order = common::order("w", "US", "o1", purchased, pb::FulfillmentChannel::Mfn);
    ingest.ingest_events(pb::IngestEventsRequest { events: vec![order] }).await.unwrap();

    let mut streams = Vec::new();
    for _ in 0..3 {
        let mut client = AccountHealthServiceClient::new(server.channel().await);
        let request = pb::WatchAccountHealthRequest { seller_id: "w".into(), marketplace_id: "US".into() };
        let mut stream = client.watch_account_health(request).await.unwrap().into_inner();
        let first = stream.message().await.unwrap().unwrap().report.unwrap();
        assert_eq!(first.order_defect_rate_mfn.unwrap().rate.unwrap().status, pb::MetricStatus::Good as i32);
        streams.push(stream);
    }
    let mut client = AccountHealthServiceClient::new(server.channel().await);
    let request = pb::WatchAccountHealthRequest { seller_id: "w".into(), marketplace_id: "US".into() };
    let error = client.watch_account_health(request.clone()).await.unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (Code::ResourceExhausted, "3 watchers open (--max-watchers); retry later")
    );

    let reads_before = store_reads(&metrics);
    let claim = common::event(
        "w",
        "claim:c1",
        Fact::AtozClaim(pb::AtozClaim {
            claim_id: "c1".into(),
            order_id: "o1".into(),
            filed_at: Some(ts(now - chrono::Duration::hours(1))),
            outcome: pb::ClaimOutcome::Pending as i32,
            decided_at: None,
        }),
    );
    ingest.ingest_events(pb::IngestEventsRequest { events: vec![claim] }).await.unwrap();
    for stream in &mut streams {
        let next = stream.message().await.unwrap().unwrap().report.unwrap();
        assert_eq!(next.order_defect_rate_mfn.unwrap().rate.unwrap().status, pb::MetricStatus::Bad as i32);
    }
    assert_eq!(store_reads(&metrics) - reads_before, 1, "three watchers, one evaluation");

    // A watcher that leaves gives its slot back.
    streams.pop();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        match client.watch_account_health(request.clone()).await {
            Ok(_) => break,
            Err(error) => assert_eq!(error.code(), Code::ResourceExhausted),
        }
        assert!(std::time::Instant::now() < deadline, "the slot was not given back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(streams);
    server.stop().await;
}

/// The store's read count, from the Prometheus page.
fn store_reads(addr: &str) -> u64 {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(stream, "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut page = String::new();
    stream.read_to_string(&mut page).unwrap();
    page.lines()
        .find_map(|line| line.strip_prefix("sellerhealth_store_seconds_count{operation=\"read\"} "))
        .map_or(0, |n| n.trim().parse().unwrap())
}

/// Defect 5: an id of any length is refused by its length, not echoed; lists
/// are bounded.
#[tokio::test]
async fn long_ids_are_refused_without_being_echoed() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let mut client = AccountHealthServiceClient::new(server.channel().await);
    let error = client.get_account_health(report_request(&"x".repeat(1 << 20))).await.unwrap_err();
    assert_eq!((error.code(), error.message()), (Code::InvalidArgument, "seller_id: longer than 128 bytes"));
    // A star filter is at most the five stars, not a list to scan per entry.
    let mut feedback = FeedbackServiceClient::new(server.channel().await);
    let request = pb::ListFeedbackRequest {
        seller_id: "s".into(),
        marketplace_id: "US".into(),
        stars: vec![1; 100_000],
        ..Default::default()
    };
    let error = feedback.list_feedback(request).await.unwrap_err();
    assert_eq!(
        (error.code(), error.message()),
        (Code::InvalidArgument, "stars: at most 5 values (each of 1 to 5 once)")
    );
    server.stop().await;
}

/// Defect 6: a connection with no call in flight is closed after the idle
/// timeout; a client that made calls before simply reconnects.
#[tokio::test]
async fn idle_connections_are_closed() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(data.path(), &["--connection-idle-timeout", "1"]).await;
    let mut silent = std::net::TcpStream::connect(&server.addr).unwrap();
    silent.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut buffer = [0u8; 64];
    // The server's HTTP/2 preface and settings may come first; then the end.
    loop {
        match silent.read(&mut buffer) {
            Ok(0) => break,
            Ok(_) => continue,
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(error) => panic!("the idle connection was not closed: {error}"),
        }
    }
    let mut client = AccountHealthServiceClient::new(server.channel().await);
    assert_eq!(client.get_account_health(report_request("s")).await.unwrap_err().code(), Code::NotFound);
    server.stop().await;
}

/// A message whose field 1 (`seller_id`, a string) comes as a number.
#[derive(Clone, PartialEq, prost::Message)]
struct Malformed {
    #[prost(uint64, tag = "1")]
    seller_id: u64,
}

/// Defect 10: a body that does not decode is the client's mistake.
#[tokio::test]
async fn malformed_messages_are_invalid_arguments() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let mut grpc = tonic::client::Grpc::new(server.channel().await);
    grpc.ready().await.unwrap();
    let path =
        tonic::codegen::http::uri::PathAndQuery::from_static("/sellerhealth.v1.AccountHealthService/GetAccountHealth");
    let codec = tonic_prost::ProstCodec::<Malformed, pb::GetAccountHealthResponse>::default();
    let error = grpc.unary(tonic::Request::new(Malformed { seller_id: 7 }), path, codec).await.unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);
    assert!(
        error.message().starts_with("the message is not a valid protobuf encoding: failed to decode Protobuf message:"),
        "{}",
        error.message()
    );
    server.stop().await;
}

/// A connection that waits a while before its first call is still served: only
/// a connection idle past the timeout is closed.
#[tokio::test]
async fn a_connection_may_wait_before_its_first_call() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let channel = server.channel().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut client = AccountHealthServiceClient::new(channel);
    assert_eq!(client.get_account_health(report_request("s")).await.unwrap_err().code(), Code::NotFound);
    server.stop().await;
}
