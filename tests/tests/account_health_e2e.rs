//! Account status, warnings, recovery, history and watch end to end against the
//! real server binary, on scenarios worked out by hand from SPEC §2–§4.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use common::{Server, at, date, feedback, order, ts};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_client::AccountHealthServiceClient;
use sellerhealth_proto::v1::ingest_service_client::IngestServiceClient;
use tonic::transport::Channel;

const MARKETPLACE: &str = "A1PA6795UKMFR9";

async fn ingest(channel: &Channel, events: Vec<pb::Event>) {
    let mut client = IngestServiceClient::new(channel.clone());
    client.ingest_events(pb::IngestEventsRequest { events }).await.unwrap();
}

async fn report(channel: &Channel, seller: &str, as_of: DateTime<Utc>) -> pb::AccountHealthReport {
    let mut client = AccountHealthServiceClient::new(channel.clone());
    let request = pb::GetAccountHealthRequest {
        seller_id: seller.into(),
        marketplace_id: MARKETPLACE.into(),
        as_of: Some(ts(as_of)),
    };
    client.get_account_health(request).await.unwrap().into_inner().report.unwrap()
}

fn odr_afn(report: &pb::AccountHealthReport) -> &pb::RateMetric {
    report.order_defect_rate_afn.as_ref().unwrap().rate.as_ref().unwrap()
}

fn days(rate: &pb::RateMetric) -> (i64, i64) {
    (rate.numerator, rate.denominator)
}

fn warning(report: &pb::AccountHealthReport) -> pb::Warning {
    let odr: Vec<_> =
        report.warnings.iter().filter(|w| w.metric == pb::Metric::OrderDefectRateAfn as i32).cloned().collect();
    assert_eq!(odr.len(), 1, "one ODR warning: {:?}", report.warnings);
    assert_eq!(report.warnings.len(), 1, "no other warning: {:?}", report.warnings);
    odr[0]
}

/// One AFN order a day from 2026-01-01 to 2026-06-30 (10:00 UTC); 1-star feedback
/// on the order of 02-10 (left 02-12) and on the order of 04-01 (left 04-03).
///
/// The ODR on day x covers purchase days [x−73, x−14]. The 02-10 defect is inside
/// for x in 02-24 ..= 04-24, the 04-01 one for x in 04-15 ..= 06-13: BAD without a
/// break from 02-24 to 06-13, GOOD from 06-14. The warning opens 02-24 with its
/// deadline 60 days later, 04-25; from 04-26 it is open past its deadline.
fn scenario(seller: &str) -> Vec<pb::Event> {
    let mut events: Vec<pb::Event> = (0..181)
        .map(|k| {
            let purchased = at(2026, 1, 1, 10) + Duration::days(k);
            order(
                seller,
                MARKETPLACE,
                &format!("A{}", purchased.format("%m%d")),
                purchased,
                pb::FulfillmentChannel::Afn,
            )
        })
        .collect();
    events.push(feedback(seller, "A0210", at(2026, 2, 12, 9), 1, false));
    events.push(feedback(seller, "A0401", at(2026, 4, 3, 9), 1, false));
    events
}

#[tokio::test]
async fn status_goes_healthy_at_risk_critical_and_back_across_dates() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let channel = server.channel().await;
    let seller = "seller-status";
    ingest(&channel, scenario(seller)).await;

    // 02-20: window [2025-12-09, 02-06] holds orders 01-01..02-06 = 37, no defect.
    let feb20 = report(&channel, seller, at(2026, 2, 20, 12)).await;
    assert_eq!(feb20.account_status, pb::AccountStatus::Healthy as i32);
    assert_eq!(days(odr_afn(&feb20)), (0, 37));
    assert!(feb20.warnings.is_empty());
    assert_eq!(feb20.account_health_rating.as_ref().unwrap().score, 200);

    // 03-01: window [2025-12-18, 02-15]: 46 orders, the 02-10 defect: 1/46, BAD.
    // Warning opened 02-24, deadline 04-25, BAD 02-24..03-01 = 6 days.
    // Recovery: 1/(46+n) < 1% ⇔ n > 54 ⇔ n = 55; with nothing new the 02-10 order
    // leaves the window when x−73 > 02-10, on 04-25.
    let mar1 = report(&channel, seller, at(2026, 3, 1, 12)).await;
    assert_eq!(mar1.account_status, pb::AccountStatus::AtRisk as i32);
    assert_eq!(days(odr_afn(&mar1)), (1, 46));
    assert_eq!(odr_afn(&mar1).status, pb::MetricStatus::Bad as i32);
    let recovery = odr_afn(&mar1).recovery.unwrap();
    assert_eq!(recovery.additional_defect_free_orders, 55);
    assert_eq!(recovery.back_within_target_on, Some(date(2026, 4, 25)));
    let w = warning(&mar1);
    assert_eq!((w.opened_on, w.deadline), (Some(date(2026, 2, 24)), Some(date(2026, 4, 25))));
    assert!(w.open && !w.past_deadline && w.closed_on.is_none());
    assert_eq!(w.days_bad, 6);
    assert!(!mar1.demotion_risk);

    // 05-01: window [02-17, 04-17]: 60 orders, the 04-01 defect: 1/60. The warning
    // of 02-24 never closed (the 04-01 defect entered on 04-15, before the 02-10 one
    // left on 04-25): past its 04-25 deadline, so CRITICAL. BAD 02-24..05-01 =
    // 5 + 31 + 30 + 1 = 67 days: demotion risk. Recovery: 1/(60+n) < 1% ⇔ n = 41;
    // the 04-01 order leaves on 06-14.
    let may1 = report(&channel, seller, at(2026, 5, 1, 12)).await;
    assert_eq!(may1.account_status, pb::AccountStatus::Critical as i32);
    assert_eq!(days(odr_afn(&may1)), (1, 60));
    let w = warning(&may1);
    assert_eq!(w.opened_on, Some(date(2026, 2, 24)));
    assert!(w.open && w.past_deadline);
    assert_eq!(w.days_bad, 67);
    assert!(may1.demotion_risk);
    let recovery = odr_afn(&may1).recovery.unwrap();
    assert_eq!(recovery.additional_defect_free_orders, 41);
    assert_eq!(recovery.back_within_target_on, Some(date(2026, 6, 14)));

    // 06-20: window [04-08, 06-06]: 60 orders, no defect: HEALTHY. The warning
    // closed on 06-14 after 02-24..06-13 = 5 + 31 + 30 + 31 + 13 = 110 BAD days.
    let jun20 = report(&channel, seller, at(2026, 6, 20, 12)).await;
    assert_eq!(jun20.account_status, pb::AccountStatus::Healthy as i32);
    assert_eq!(days(odr_afn(&jun20)), (0, 60));
    assert!(odr_afn(&jun20).recovery.is_none());
    let w = warning(&jun20);
    assert_eq!((w.opened_on, w.closed_on), (Some(date(2026, 2, 24)), Some(date(2026, 6, 14))));
    assert!(!w.open && !w.past_deadline);
    assert_eq!(w.days_bad, 110);
    assert!(!jun20.demotion_risk);

    // The daily history around the opening day: 02-23 covers orders 01-01..02-09
    // (40, no defect), 02-24 adds 02-10 (1/41), 02-25 adds 02-11 (1/42).
    let mut client = AccountHealthServiceClient::new(channel.clone());
    let history = client
        .get_metric_history(pb::GetMetricHistoryRequest {
            seller_id: seller.into(),
            marketplace_id: MARKETPLACE.into(),
            metrics: vec![pb::Metric::OrderDefectRateAfn as i32],
            from: Some(date(2026, 2, 23)),
            to: Some(date(2026, 2, 25)),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(history.histories.len(), 1);
    let got: Vec<_> =
        history.histories[0].days.iter().map(|d| (d.date.unwrap().day, d.numerator, d.denominator, d.status)).collect();
    let (good, bad) = (pb::MetricStatus::Good as i32, pb::MetricStatus::Bad as i32);
    assert_eq!(got, vec![(23, 0, 40, good), (24, 1, 41, bad), (25, 1, 42, bad)]);

    let err = client
        .get_metric_history(pb::GetMetricHistoryRequest {
            seller_id: seller.into(),
            marketplace_id: MARKETPLACE.into(),
            metrics: vec![pb::Metric::AccountHealthRating as i32],
            from: Some(date(2026, 2, 23)),
            to: Some(date(2026, 2, 25)),
        })
        .await
        .unwrap_err();
    assert_eq!(err.message(), "metrics[0]: not a metric with a daily rate");
}

/// The next watch message, within 10 seconds.
async fn next(stream: &mut tonic::Streaming<pb::WatchAccountHealthResponse>) -> pb::WatchAccountHealthResponse {
    tokio::time::timeout(StdDuration::from_secs(10), stream.message()).await.unwrap().unwrap().unwrap()
}

#[tokio::test]
async fn watch_sends_the_report_then_each_status_change() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let channel = server.channel().await;
    let seller = "seller-watch";
    // 200 AFN orders purchased 30 days ago, inside today's ODR window, one with
    // negative feedback: 1/200 = 0.5%, GOOD.
    let purchased = Utc::now() - Duration::days(30);
    let orders: Vec<_> = (0..200)
        .map(|n| order(seller, MARKETPLACE, &format!("W{n}"), purchased, pb::FulfillmentChannel::Afn))
        .collect();
    ingest(&channel, orders).await;
    ingest(&channel, vec![feedback(seller, "W0", purchased + Duration::days(1), 1, false)]).await;

    let mut client = AccountHealthServiceClient::new(channel.clone());
    let mut stream = client
        .watch_account_health(pb::WatchAccountHealthRequest {
            seller_id: seller.into(),
            marketplace_id: MARKETPLACE.into(),
        })
        .await
        .unwrap()
        .into_inner();
    let first = next(&mut stream).await.report.unwrap();
    assert_eq!(first.account_status, pb::AccountStatus::Healthy as i32);
    assert_eq!(days(odr_afn(&first)), (1, 200));

    // A second defect: 2/200 = 1%, not below 1%: BAD, AT_RISK.
    ingest(&channel, vec![feedback(seller, "W1", purchased + Duration::days(1), 2, false)]).await;
    let second = next(&mut stream).await.report.unwrap();
    assert_eq!(second.account_status, pb::AccountStatus::AtRisk as i32);
    assert_eq!(days(odr_afn(&second)), (2, 200));
    assert_eq!(odr_afn(&second).status, pb::MetricStatus::Bad as i32);

    // An ingest that changes no status sends nothing: a 5-star feedback.
    ingest(&channel, vec![feedback(seller, "W2", purchased + Duration::days(1), 5, false)]).await;
    // One more order makes 2/201 < 1%: GOOD again, HEALTHY; this is the next message.
    ingest(&channel, vec![order(seller, MARKETPLACE, "W200", purchased, pb::FulfillmentChannel::Afn)]).await;
    let third = next(&mut stream).await.report.unwrap();
    assert_eq!(third.account_status, pb::AccountStatus::Healthy as i32);
    assert_eq!(days(odr_afn(&third)), (2, 201));
}
