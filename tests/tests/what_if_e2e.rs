//! `EvaluateAccountHealth` with `on_stored_facts` (issue 18): hypothetical
//! facts on top of a seller's stored ones, nothing stored — the what-if of the
//! Account Health page. Figures worked out by hand from SPEC §2–§4 on the
//! README's scenario.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use chrono::{TimeZone, Utc};
use common::{Server, date, feedback, readme_facts, ts, what_if_orders};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_client::AccountHealthServiceClient;
use sellerhealth_proto::v1::event::Fact;
use sellerhealth_proto::v1::ingest_service_client::IngestServiceClient;
use tonic::Code;

const SELLER: &str = "seller-1";
const MARKET: &str = "ATVPDKIKX0DER";

/// The page's hypothetical orders purchased on 2026-06-16, the ODR window's last day.
fn hypothetical(good: usize, defective: usize) -> Vec<pb::Event> {
    what_if_orders(MARKET, (2026, 6, 16), good, defective)
}

/// The end of 2026-06-30, as the page asks for a picked day.
fn as_of() -> prost_types::Timestamp {
    ts(Utc.with_ymd_and_hms(2026, 6, 30, 23, 59, 59).unwrap())
}

fn what_if(events: Vec<pb::Event>, on_stored_facts: bool) -> pb::EvaluateAccountHealthRequest {
    pb::EvaluateAccountHealthRequest {
        seller_id: SELLER.into(),
        marketplace_id: MARKET.into(),
        as_of: Some(as_of()),
        events,
        on_stored_facts,
    }
}

fn odr(report: &pb::AccountHealthReport) -> &pb::RateMetric {
    report.order_defect_rate_mfn.as_ref().unwrap().rate.as_ref().unwrap()
}

#[tokio::test]
async fn what_if_adds_hypothetical_facts_to_the_stored_ones_and_stores_nothing() {
    let data = tempfile::tempdir().unwrap();
    // 300 events at most per call: 99 extra orders (297 events) fit, 101 do not.
    let server = Server::start_with(data.path(), &["--max-batch-events", "300"]).await;
    let channel = server.channel().await;
    let mut ingest = IngestServiceClient::new(channel.clone());
    let mut health = AccountHealthServiceClient::new(channel);
    ingest.ingest_events(pb::IngestEventsRequest { events: readme_facts(SELLER, MARKET) }).await.unwrap();

    let get =
        pb::GetAccountHealthRequest { seller_id: SELLER.into(), marketplace_id: MARKET.into(), as_of: Some(as_of()) };
    let stored = health.get_account_health(get.clone()).await.unwrap().into_inner().report.unwrap();
    // As of 06-30 the ODR counts purchases 04-18..06-16: order 2 of 2 is
    // defective, 50%, BAD; 99 more defect-free orders would make 1/101 < 1%.
    assert_eq!((odr(&stored).numerator, odr(&stored).denominator), (1, 2));
    assert_eq!(odr(&stored).recovery.as_ref().unwrap().additional_defect_free_orders, 99);
    assert_eq!(stored.account_status(), pb::AccountStatus::AtRisk);

    // Exactly the 99 the recovery names, purchased on the window's last day
    // (06-16): 1 of 101 = 0.0099 < 1%, GOOD. The orders enter the lagged window
    // on 06-30 itself, so the ODR warning opened 05-19 closes that day. They
    // shipped on time with valid tracking and arrived early: late shipment
    // (30 days) 0/99, valid tracking 99/99, on-time delivery 99/99. Nothing
    // penalised is BAD and the AHR stays 200 (99 fulfilled orders earn no
    // points: 4 per 200), so the account is HEALTHY again.
    let recovered =
        health.evaluate_account_health(what_if(hypothetical(99, 0), true)).await.unwrap().into_inner().report.unwrap();
    let rate = odr(&recovered);
    assert_eq!((rate.numerator, rate.denominator), (1, 101));
    assert_eq!(rate.rate, Some(1.0 / 101.0));
    assert_eq!(rate.status(), pb::MetricStatus::Good);
    assert!(rate.recovery.is_none());
    let late = recovered.late_shipment_rate_30d.as_ref().unwrap();
    assert_eq!((late.numerator, late.denominator, late.status()), (0, 99, pb::MetricStatus::Good));
    let tracking = recovered.valid_tracking_rate.as_ref().unwrap();
    assert_eq!((tracking.numerator, tracking.denominator, tracking.status()), (99, 99, pb::MetricStatus::Good));
    let on_time = recovered.on_time_delivery_rate.as_ref().unwrap();
    assert_eq!((on_time.numerator, on_time.denominator), (99, 99));
    assert_eq!(recovered.account_health_rating.as_ref().unwrap().score, 200);
    assert_eq!(recovered.account_status(), pb::AccountStatus::Healthy);
    assert!(!recovered.demotion_risk);
    let warning = recovered.warnings.iter().find(|w| w.metric() == pb::Metric::OrderDefectRateMfn).unwrap();
    assert_eq!(
        (warning.opened_on, warning.closed_on, warning.open),
        (Some(date(2026, 5, 19)), Some(date(2026, 6, 30)), false)
    );

    // One fewer: 1 of 100 = 1%, not below 1%: still BAD, one order short.
    let short =
        health.evaluate_account_health(what_if(hypothetical(98, 0), true)).await.unwrap().into_inner().report.unwrap();
    assert_eq!((odr(&short).numerator, odr(&short).denominator), (1, 100));
    assert_eq!(odr(&short).status(), pb::MetricStatus::Bad);
    assert_eq!(odr(&short).recovery.as_ref().unwrap().additional_defect_free_orders, 1);

    // One extra defect: 2 of 3, and 2/(3+n) < 1% first at n = 198. With nothing
    // new, the stored orders leave the window on 07-18 and the new one (06-16)
    // after 08-28 (the window of day D is D-73..D-14): back within target
    // (no data) on 08-29.
    let worse =
        health.evaluate_account_health(what_if(hypothetical(0, 1), true)).await.unwrap().into_inner().report.unwrap();
    assert_eq!((odr(&worse).numerator, odr(&worse).denominator), (2, 3));
    let recovery = odr(&worse).recovery.as_ref().unwrap();
    assert_eq!(
        (recovery.additional_defect_free_orders, recovery.back_within_target_on),
        (198, Some(date(2026, 8, 29)))
    );
    assert_eq!(worse.order_defect_rate_mfn.as_ref().unwrap().negative_feedback_count, 2);

    // A hypothetical fact about a stored order: a 1-star feedback on order 1
    // makes both orders defective.
    let on_stored_order = feedback("", "111-0000001", Utc.with_ymd_and_hms(2026, 5, 20, 9, 0, 0).unwrap(), 1, false);
    let both = health.evaluate_account_health(what_if(vec![on_stored_order.clone()], true)).await.unwrap();
    let both = both.into_inner().report.unwrap();
    assert_eq!((odr(&both).numerator, odr(&both).denominator, odr(&both).rate), (2, 2, Some(1.0)));
    // Without on_stored_facts the same feedback has no order to refer to.
    let alone = health.evaluate_account_health(what_if(vec![on_stored_order], false)).await.unwrap_err();
    assert_eq!(alone.code(), Code::InvalidArgument, "{alone:?}");
    assert!(alone.message().starts_with("events[0].seller_feedback.order_id"), "{}", alone.message());
    // And the 99 orders alone, as a fresh seller: 0 of 99.
    let fresh = health.evaluate_account_health(what_if(hypothetical(99, 0), false)).await.unwrap();
    let fresh = fresh.into_inner().report.unwrap();
    assert_eq!((odr(&fresh).numerator, odr(&fresh).denominator), (0, 99));

    // The limits of any call: the batch size, the ids already stored.
    let too_many = health.evaluate_account_health(what_if(hypothetical(101, 0), true)).await.unwrap_err();
    assert_eq!(too_many.code(), Code::InvalidArgument);
    assert_eq!(too_many.message(), "events: 303 events in one call; at most 300 (--max-batch-events): split the batch");
    let mut reused_id = hypothetical(1, 0).remove(0);
    reused_id.event_id = "o-1".into();
    let reused = health.evaluate_account_health(what_if(vec![reused_id], true)).await.unwrap_err();
    assert_eq!(reused.code(), Code::AlreadyExists, "{reused:?}");
    let mut known_order = hypothetical(1, 0).remove(0);
    if let Some(Fact::Order(order)) = &mut known_order.fact {
        order.order_id = "111-0000001".into();
    }
    let known = health.evaluate_account_health(what_if(vec![known_order], true)).await.unwrap_err();
    assert_eq!(known.code(), Code::AlreadyExists, "{known:?}");
    let unknown_seller = pb::EvaluateAccountHealthRequest { seller_id: "nobody".into(), ..what_if(vec![], true) };
    let unknown = health.evaluate_account_health(unknown_seller).await.unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound, "{unknown:?}");

    // Nothing was stored: the stored report is as before.
    let after = health.get_account_health(get.clone()).await.unwrap().into_inner().report.unwrap();
    assert_eq!(after, stored);

    // Stored for real, the same facts give the what-if's report, field for field.
    let events: Vec<pb::Event> = hypothetical(99, 0)
        .into_iter()
        .map(|mut e| {
            e.seller_id = SELLER.into();
            e
        })
        .collect();
    let accepted = ingest.ingest_events(pb::IngestEventsRequest { events }).await.unwrap().into_inner().accepted;
    assert_eq!(accepted, 297);
    let ingested = health.get_account_health(get).await.unwrap().into_inner().report.unwrap();
    assert_eq!(ingested, recovered);
    server.stop().await;
}
