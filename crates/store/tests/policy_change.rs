//! Counters built under one classification are never served under another
//! (issue 15): a store opened with a profile whose reply SLA differs from the
//! one its counters were built with refuses, saying what to do; after a
//! rebuild under the new profile it opens, and its figures are the new
//! profile's.

#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use sellerhealth_domain::*;
use sellerhealth_metrics::evaluate_book;
use sellerhealth_store::{Store, StoreError};

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, day, hour, 0, 0).unwrap()
}

/// Four buyer messages, answered after 10, 20, 30 and 40 hours.
fn messages() -> Vec<Event> {
    (0..4_i64)
        .map(|n| Event {
            event_id: format!("m{n}"),
            seller_id: "s".into(),
            fact: Fact::BuyerMessage(BuyerMessage {
                message_id: format!("m{n}").into(),
                marketplace_id: "US".into(),
                order_id: None,
                received_at: at(10, 9),
                first_replied_at: Some(at(10, 9) + Duration::hours(10 * (n + 1))),
            }),
        })
        .collect()
}

fn with_sla(hours: u32) -> Policy {
    let mut policy = Policy::amazon();
    policy.contact_response.sla_hours = hours;
    policy
}

/// (answered within the SLA, messages) of the 30-day contact response figure as of 06-20.
async fn on_time(store: &Store) -> (i64, i64) {
    let report = common::report(store, "s", "US", at(20, 0)).await.unwrap();
    let window = report.contact_response_times.iter().find(|c| c.window_days == 30).unwrap();
    (window.on_time, window.on_time + window.late + window.pending)
}

#[tokio::test]
async fn a_store_refuses_counters_built_under_another_reply_sla_until_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("policy.db").display());
    let store = Store::open(&url, with_sla(24)).await.unwrap();
    store.ingest_batch(&messages(), at(15, 0)).await.unwrap();
    // 24 hours: the replies after 10 and 20 hours are on time.
    assert_eq!(on_time(&store).await, (2, 4));
    drop(store);

    let refused = Store::open(&url, with_sla(36)).await.err().unwrap();
    assert!(matches!(refused, StoreError::Config(_)), "{refused}");
    let message = refused.to_string();
    assert!(message.contains("built with contact_response.sla_hours=24 return_response_hours=48"), "{message}");
    assert!(message.contains("has contact_response.sla_hours=36 return_response_hours=48"), "{message}");
    assert!(message.contains("sellerhealth-server rebuild --policy FILE"), "{message}");

    let store = Store::open_to_rebuild(&url, with_sla(36)).await.unwrap();
    store.rebuild(|_, _| {}).await.unwrap();
    drop(store);
    let store = Store::open(&url, with_sla(36)).await.unwrap();
    // 36 hours: 10, 20 and 30 on time; as the stateless path counts them.
    assert_eq!(on_time(&store).await, (3, 4));
    let mut book = SellerBook::new("s");
    for event in messages() {
        book.apply(&event, at(15, 0), &with_sla(36)).unwrap();
    }
    let stateless = evaluate_book(&book, &with_sla(36), "US", at(20, 0));
    assert_eq!(
        common::report(&store, "s", "US", at(20, 0)).await.unwrap().contact_response_times,
        stateless.contact_response_times
    );
    drop(store);
    // And now the old profile is the one refused.
    assert!(matches!(Store::open(&url, with_sla(24)).await, Err(StoreError::Config(_))));
}
