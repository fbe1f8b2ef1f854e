//! The order defect rate end to end: the real server binary, a scenario worked out
//! by hand from SPEC §2–3, two `as_of` dates, bad input, and a restart.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{Server, at, ts};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_client::AccountHealthServiceClient;
use sellerhealth_proto::v1::event::Fact;
use sellerhealth_proto::v1::ingest_service_client::IngestServiceClient;
use tonic::Code;

const SELLER: &str = "seller-e2e";
const MARKETPLACE: &str = "ATVPDKIKX0DER";

/// Purchase instant of the k-th order day: 2026-04-01 + k days, 10:00 UTC.
fn day(k: i64) -> DateTime<Utc> {
    at(2026, 4, 1, 10) + Duration::days(k)
}

fn event(id: impl Into<String>, fact: Fact) -> pb::Event {
    common::event(SELLER, id, fact)
}

fn order(id: &str, purchased_at: DateTime<Utc>, channel: pb::FulfillmentChannel) -> pb::Event {
    common::order(SELLER, MARKETPLACE, id, purchased_at, channel)
}

fn feedback(order_id: &str, left_at: DateTime<Utc>, stars: i32, fulfillment_related: bool) -> pb::Event {
    common::feedback(SELLER, order_id, left_at, stars, fulfillment_related)
}

fn claim(order_id: &str, filed: DateTime<Utc>, outcome: pb::ClaimOutcome, decided: Option<DateTime<Utc>>) -> pb::Event {
    event(
        format!("claim:{order_id}"),
        Fact::AtozClaim(pb::AtozClaim {
            claim_id: format!("claim-{order_id}"),
            order_id: order_id.into(),
            filed_at: Some(ts(filed)),
            outcome: outcome as i32,
            decided_at: decided.map(ts),
        }),
    )
}

fn chargeback(order_id: &str, received: DateTime<Utc>, service_related: bool) -> pb::Event {
    event(
        format!("chargeback:{order_id}"),
        Fact::Chargeback(pb::Chargeback {
            chargeback_id: format!("cb-{order_id}"),
            order_id: order_id.into(),
            received_at: Some(ts(received)),
            service_related,
        }),
    )
}

fn removal(order_id: &str, updated_at: DateTime<Utc>) -> pb::Event {
    event(
        format!("removal:{order_id}"),
        Fact::FeedbackUpdate(pb::FeedbackUpdate {
            order_id: order_id.into(),
            updated_at: Some(ts(updated_at)),
            action: pb::FeedbackAction::Removed as i32,
            response_text: String::new(),
        }),
    )
}

/// 300 orders: two MFN a day (`M{k}a`, `M{k}b`) and one AFN a day (`A{k}`) for the
/// 100 days k = 0..99 from 2026-04-01 (2026-04-01 .. 2026-07-09), with defects:
///
/// | # | order (purchase day) | facts | defect? |
/// |---|---|---|---|
/// | 1 | M20a (04-21) | 1★ 04-25, claim GRANTED 04-28→05-05, service chargeback 05-10 | once, 3 components |
/// | 2 | M30a (05-01) | claim DENIED 05-05→05-12 | no (after 05-12) |
/// | 3 | M40a (05-11) | fraud chargeback 05-15 | no |
/// | 4 | M50a (05-21) | 2★ 05-25 | yes |
/// | 5 | M60a (05-31) | claim PENDING 06-05 | yes |
/// | 6 | M70b (06-10) | 1★ 07-20 (40 days later) | from 07-20 |
/// | 7 | M10a (04-11) | 1★ 04-15 | outside both windows |
/// | 8 | M90a (06-30) | 1★ 07-02 | yes |
/// | 9 | M35a (05-06) | 1★ 05-08, removed 05-20 | no (after 05-20) |
/// | 10 | A30 (05-01) | claim GRANTED 05-10→05-15 | yes |
/// | 11 | A55 (05-26) | 1★ fulfilment-related (AFN: struck) | no |
/// | 12 | A60 (05-31) | 2★ 06-03 | yes |
/// | 13 | A80 (06-20) | service chargeback 06-25 | yes |
fn scenario() -> Vec<pb::Event> {
    use pb::ClaimOutcome::{Denied, Granted, Pending};
    use pb::FulfillmentChannel::{Afn, Mfn};
    let mut events = Vec::new();
    for k in 0..100 {
        events.push(order(&format!("M{k}a"), day(k), Mfn));
        events.push(order(&format!("M{k}b"), day(k) + Duration::hours(3), Mfn));
        events.push(order(&format!("A{k}"), day(k), Afn));
    }
    events.extend([
        feedback("M20a", at(2026, 4, 25, 12), 1, false),
        claim("M20a", at(2026, 4, 28, 12), Granted, Some(at(2026, 5, 5, 12))),
        chargeback("M20a", at(2026, 5, 10, 12), true),
        claim("M30a", at(2026, 5, 5, 12), Denied, Some(at(2026, 5, 12, 12))),
        chargeback("M40a", at(2026, 5, 15, 12), false),
        feedback("M50a", at(2026, 5, 25, 12), 2, false),
        claim("M60a", at(2026, 6, 5, 12), Pending, None),
        feedback("M70b", at(2026, 7, 20, 12), 1, false),
        feedback("M10a", at(2026, 4, 15, 12), 1, false),
        feedback("M90a", at(2026, 7, 2, 12), 1, false),
        feedback("M35a", at(2026, 5, 8, 12), 1, false),
        removal("M35a", at(2026, 5, 20, 12)),
        claim("A30", at(2026, 5, 10, 12), Granted, Some(at(2026, 5, 15, 12))),
        feedback("A55", at(2026, 5, 28, 12), 1, true),
        feedback("A60", at(2026, 6, 3, 12), 2, false),
        chargeback("A80", at(2026, 6, 25, 12), true),
    ]);
    events
}

/// Expected ODR of one channel: (defective, orders, negative feedback, claims, chargebacks, window).
struct Expected {
    defective: i64,
    orders: i64,
    negative_feedback: i64,
    claims: i64,
    chargebacks: i64,
    start: (i32, i32, i32),
    end: (i32, i32, i32),
}

fn check(odr: &pb::OrderDefectRate, channel: pb::FulfillmentChannel, want: &Expected) {
    assert_eq!(odr.fulfillment_channel, channel as i32);
    let rate = odr.rate.as_ref().unwrap();
    assert_eq!((rate.numerator, rate.denominator), (want.defective, want.orders), "{channel:?} counts");
    assert_eq!(
        (odr.negative_feedback_count, odr.atoz_claim_count, odr.chargeback_count),
        (want.negative_feedback, want.claims, want.chargebacks),
        "{channel:?} components"
    );
    assert_eq!(rate.rate, Some(want.defective as f64 / want.orders as f64));
    assert_eq!(rate.status, pb::MetricStatus::Bad as i32);
    assert_eq!(rate.target_value, 0.01);
    assert_eq!(rate.target_condition, pb::TargetCondition::LessThan as i32);
    assert_eq!((rate.window_days, rate.lag_days), (60, 14));
    let range = rate.reporting_date_range.as_ref().unwrap();
    let date = |d: &Option<pb::Date>| d.as_ref().map(|d| (d.year, d.month, d.day)).unwrap();
    assert_eq!((date(&range.start), date(&range.end)), (want.start, want.end));
}

/// As of 2026-06-30 12:00 the window is purchase days 04-18 .. 06-16 (k = 17..=76):
/// MFN 2×60 = 120 orders, defective #1 #4 #5 = 3 (#6's feedback is not left yet,
/// #2 denied, #3 fraud, #9 removed); components: feedback #1 #4 = 2, claims #1 #5 = 2,
/// chargebacks #1 = 1. AFN 60 orders, defective #10 #12 = 2 (#11 struck); feedback 1,
/// claims 1, chargebacks 0.
fn check_june(report: &pb::AccountHealthReport) {
    let june = |d| (2026, 6, d);
    let mfn = Expected {
        defective: 3,
        orders: 120,
        negative_feedback: 2,
        claims: 2,
        chargebacks: 1,
        start: (2026, 4, 18),
        end: june(16),
    };
    check(report.order_defect_rate_mfn.as_ref().unwrap(), pb::FulfillmentChannel::Mfn, &mfn);
    let afn = Expected { defective: 2, orders: 60, negative_feedback: 1, claims: 1, chargebacks: 0, ..mfn };
    check(report.order_defect_rate_afn.as_ref().unwrap(), pb::FulfillmentChannel::Afn, &afn);
}

/// As of 2026-07-31 12:00 the window is purchase days 05-19 .. 07-17 (k = 48..=99,
/// the last order day being 07-09): MFN 2×52 = 104 orders, defective #4 #5 #6 #8 = 4;
/// feedback #4 #6 #8 = 3, claims #5 = 1, chargebacks 0. AFN 52 orders, defective
/// #12 #13 = 2; feedback 1, claims 0, chargebacks 1.
fn check_july(report: &pb::AccountHealthReport) {
    let mfn = Expected {
        defective: 4,
        orders: 104,
        negative_feedback: 3,
        claims: 1,
        chargebacks: 0,
        start: (2026, 5, 19),
        end: (2026, 7, 17),
    };
    check(report.order_defect_rate_mfn.as_ref().unwrap(), pb::FulfillmentChannel::Mfn, &mfn);
    let afn = Expected { defective: 2, orders: 52, negative_feedback: 1, claims: 0, chargebacks: 1, ..mfn };
    check(report.order_defect_rate_afn.as_ref().unwrap(), pb::FulfillmentChannel::Afn, &afn);
}

async fn report(server: &Server, as_of: DateTime<Utc>) -> pb::AccountHealthReport {
    let mut client = AccountHealthServiceClient::new(server.channel().await);
    let request = pb::GetAccountHealthRequest {
        seller_id: SELLER.into(),
        marketplace_id: MARKETPLACE.into(),
        as_of: Some(ts(as_of)),
    };
    client.get_account_health(request).await.unwrap().into_inner().report.unwrap()
}

#[tokio::test]
async fn odr_matches_hand_computed_figures_across_dates_and_restarts() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let mut ingest = IngestServiceClient::new(server.channel().await);

    let events = scenario();
    assert_eq!(events.len(), 316);
    // Two batches, the second resending the first batch's last event: a duplicate.
    let (first, second) = events.split_at(200);
    let reply = ingest.ingest_events(pb::IngestEventsRequest { events: first.to_vec() }).await.unwrap();
    assert_eq!((reply.get_ref().accepted, reply.get_ref().duplicates), (200, 0));
    let mut resend = vec![first[199].clone()];
    resend.extend_from_slice(second);
    let reply = ingest.ingest_events(pb::IngestEventsRequest { events: resend }).await.unwrap();
    assert_eq!((reply.get_ref().accepted, reply.get_ref().duplicates), (116, 1));

    let june = at(2026, 6, 30, 12);
    let july = at(2026, 7, 31, 12);
    check_june(&report(&server, june).await);
    check_july(&report(&server, july).await);
    // Time travel is repeatable.
    check_june(&report(&server, june).await);

    // A different payload under a used event id is ALREADY_EXISTS.
    let mut changed = events[0].clone();
    if let Some(Fact::Order(o)) = &mut changed.fact {
        o.units = 5;
    }
    let err = ingest.ingest_events(pb::IngestEventsRequest { events: vec![changed] }).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists, "{err:?}");

    // A batch with one bad event stores nothing: the good new order in it is absent.
    let good = order("M-late", day(60), pb::FulfillmentChannel::Mfn);
    let bad = feedback("M61a", at(2026, 6, 5, 0), 7, false);
    let err = ingest.ingest_events(pb::IngestEventsRequest { events: vec![good.clone(), bad] }).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert_eq!(err.message(), "events[1].seller_feedback.stars: must be 1 to 5, got 7");
    check_june(&report(&server, june).await);

    server.stop().await;
    let server = Server::start(data.path()).await;
    check_june(&report(&server, june).await);
    check_july(&report(&server, july).await);
    // After the restart the good order of the refused batch is still new, and the
    // old events are still known (duplicates).
    let mut ingest = IngestServiceClient::new(server.channel().await);
    let reply = ingest.ingest_events(pb::IngestEventsRequest { events: vec![events[0].clone(), good] }).await.unwrap();
    assert_eq!((reply.get_ref().accepted, reply.get_ref().duplicates), (1, 1));
}

#[tokio::test]
async fn bad_input_names_the_field() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let mut ingest = IngestServiceClient::new(server.channel().await);
    let base = order("o1", day(0), pb::FulfillmentChannel::Mfn);

    let refused = |events: Vec<pb::Event>| {
        let mut client = ingest.clone();
        async move { client.ingest_events(pb::IngestEventsRequest { events }).await.unwrap_err() }
    };
    let mut empty_id = base.clone();
    empty_id.event_id.clear();
    let err = refused(vec![empty_id]).await;
    assert_eq!((err.code(), err.message()), (Code::InvalidArgument, "events[0].event_id: must not be empty"));

    let err = refused(vec![chargeback("nope", day(1), true)]).await;
    assert_eq!(
        (err.code(), err.message()),
        (Code::InvalidArgument, "events[0].chargeback.order_id: unknown order \"nope\"")
    );

    let err = refused(vec![base.clone(), feedback("o1", day(0) - Duration::hours(1), 5, false)]).await;
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().starts_with("events[1].seller_feedback.left_at: "), "{}", err.message());

    let mut unset = base.clone();
    if let Some(Fact::Order(o)) = &mut unset.fact {
        o.purchased_at = None;
    }
    let err = refused(vec![unset]).await;
    assert_eq!(err.message(), "events[0].order.purchased_at: required");

    let future = Utc::now() + Duration::days(3);
    let err = refused(vec![order("o-future", future, pb::FulfillmentChannel::Mfn)]).await;
    assert!(err.message().starts_with("events[0].order.purchased_at: "), "{}", err.message());
    assert!(err.message().ends_with("is more than 24 hours in the future"), "{}", err.message());

    // Feedback after the 90th day after the purchase day is FAILED_PRECONDITION
    // (by calendar day of the marketplace, Los Angeles: any time on day 90 is in
    // time). Bought 04-01 03:00 there; day 91 is 07-01, from 07:00 UTC (PDT).
    let day_91 = at(2026, 7, 1, 7);
    let err = refused(vec![base.clone(), feedback("o1", day_91, 5, false)]).await;
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");

    // Nothing of the refused batches was stored: the seller is still unknown.
    let mut health = AccountHealthServiceClient::new(server.channel().await);
    let err = health
        .get_account_health(pb::GetAccountHealthRequest {
            seller_id: SELLER.into(),
            marketplace_id: MARKETPLACE.into(),
            as_of: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);

    // Day 90 itself is accepted.
    let reply = ingest
        .ingest_events(pb::IngestEventsRequest { events: vec![base, feedback("o1", day(90), 5, false)] })
        .await
        .unwrap();
    assert_eq!(reply.get_ref().accepted, 2);
}

#[tokio::test]
async fn evaluate_inline_gives_the_stored_figures() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let mut health = AccountHealthServiceClient::new(server.channel().await);
    let reply = health
        .evaluate_account_health(pb::EvaluateAccountHealthRequest {
            seller_id: SELLER.into(),
            marketplace_id: MARKETPLACE.into(),
            as_of: Some(ts(at(2026, 6, 30, 12))),
            events: scenario(),
            on_stored_facts: false,
        })
        .await
        .unwrap();
    check_june(reply.get_ref().report.as_ref().unwrap());
}

#[tokio::test]
async fn bulk_stream_counts_accepted_duplicates_and_rejects() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let mut ingest = IngestServiceClient::new(server.channel().await);
    let events = scenario();
    let mut bad = feedback("M1a", day(1) + Duration::days(1), 0, false);
    bad.event_id = "bad-stars".into();
    // Chunks: the first 150 events; then the rest with one bad event and one resend.
    let mut tail = events[150..].to_vec();
    tail.insert(10, bad);
    tail.push(events[0].clone());
    let chunks =
        vec![pb::StreamEventsRequest { events: events[..150].to_vec() }, pb::StreamEventsRequest { events: tail }];
    let reply = ingest.stream_events(tokio_stream::iter(chunks)).await.unwrap().into_inner();
    assert_eq!((reply.accepted, reply.duplicates, reply.rejected), (316, 1, 1));
    assert_eq!(reply.rejections.len(), 1);
    let rejection = &reply.rejections[0];
    assert_eq!(rejection.index, 160);
    assert_eq!(rejection.event_id, "bad-stars");
    assert_eq!(rejection.field, "seller_feedback.stars");
    assert_eq!(rejection.reason, "must be 1 to 5, got 0");
    check_june(&report(&server, at(2026, 6, 30, 12)).await);
}
