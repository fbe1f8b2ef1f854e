//! Figures from stored counters (`sellerhealth_server::figures`): the report
//! read from the days its metrics reach equals the stateless path's, also when
//! a warning is traced back past every day first read; and the report cache
//! never serves a report that no longer holds: not after a write (in this
//! store or in another process's store on the same database), and not past an
//! instant at which a stored fact takes effect later the same day.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use sellerhealth_domain::*;
use sellerhealth_metrics::{AccountHealthReport, Metric, evaluate_book};
use sellerhealth_server::figures::Figures;
use sellerhealth_store::Store;

const MARKETPLACE: &str = "US";

fn at(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, 0, 0).unwrap()
}

fn order(seller: &str, n: u32, purchased_at: DateTime<Utc>, latest_ship_at: DateTime<Utc>) -> Event {
    Event {
        event_id: format!("o{n}"),
        seller_id: seller.into(),
        fact: Fact::Order(Order {
            order_id: format!("order-{n}").into(),
            marketplace_id: MARKETPLACE.into(),
            purchased_at,
            fulfillment_channel: FulfillmentChannel::Mfn,
            latest_ship_at,
            promised_delivery_earliest_at: None,
            promised_delivery_latest_at: None,
            units: 1,
            business_order: false,
            shipping_unknown: false,
        }),
    }
}

fn negative_feedback(seller: &str, n: u32, left_at: DateTime<Utc>) -> Event {
    Event {
        event_id: format!("f{n}"),
        seller_id: seller.into(),
        fact: Fact::SellerFeedback(SellerFeedback {
            order_id: format!("order-{n}").into(),
            left_at,
            stars: 1,
            comment: String::new(),
            fulfillment_related: true,
        }),
    }
}

/// The stateless report of `events` as of `as_of`.
fn stateless(seller: &str, events: &[Event], as_of: DateTime<Utc>) -> sellerhealth_metrics::AccountHealthReport {
    let policy = Policy::amazon();
    let mut book = SellerBook::new(seller);
    for event in events {
        book.apply(event, as_of, &policy).unwrap();
    }
    let mut report = evaluate_book(&book, &policy, MARKETPLACE, as_of);
    report.seller_id = seller.into();
    report
}

async fn figures(url: &str) -> Figures {
    Figures::new(Arc::new(Store::open(url, Policy::amazon()).await.unwrap()))
}

async fn report(figures: &Figures, as_of: DateTime<Utc>) -> AccountHealthReport {
    figures.account_health("s", MARKETPLACE, as_of).await.unwrap().report
}

#[tokio::test]
async fn a_warning_older_than_every_day_first_read_is_traced_to_its_first_day() {
    let figures = figures("sqlite::memory:").await;
    // An MFN order every 5 days from 2024-01-01 09:00, to ship by 12:00 the next
    // day, never shipped: each is late from its ship-by instant on, so the 10-day
    // late shipment rate is BAD from 2024-01-02 (1 of 1) without a break.
    let first = Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap();
    let events: Vec<Event> = (0..150)
        .map(|n| {
            let purchased_at = first + Duration::days(5 * i64::from(n));
            order("s", n, purchased_at, purchased_at + Duration::hours(27))
        })
        .collect();
    figures.store().ingest_batch(&events, first + Duration::days(760)).await.unwrap();
    // As of 2026-01-20 the report reads from 485 days back (2024-09-23); the run began before.
    let as_of = Utc.with_ymd_and_hms(2026, 1, 20, 12, 0, 0).unwrap();
    let stored = report(&figures, as_of).await;
    let warning = stored.warnings.iter().find(|w| w.metric == Metric::LateShipmentRate10d).unwrap();
    assert_eq!(warning.opened_on, NaiveDate::from_ymd_opt(2024, 1, 2).unwrap());
    assert_eq!(warning.deadline, NaiveDate::from_ymd_opt(2024, 3, 2).unwrap());
    assert_eq!(stored, stateless("s", &events, as_of));
}

#[tokio::test]
async fn a_fact_taking_effect_later_the_same_day_is_not_hidden_by_an_earlier_report() {
    let figures = figures("sqlite::memory:").await;
    let store = figures.store();
    // Bought 05-01 09:00, to ship by 05-02 12:00, never shipped: late from 12:00 on.
    let events = [order("s", 1, at(5, 1, 9), at(5, 2, 12))];
    store.ingest_batch(&events, at(5, 1, 10)).await.unwrap();
    let counts = |r: &sellerhealth_metrics::AccountHealthReport| {
        (r.late_shipment_rate_10d.numerator, r.late_shipment_rate_10d.denominator)
    };
    let before = report(&figures, at(5, 2, 11)).await;
    assert_eq!(counts(&before), (0, 1));
    assert_eq!(before, stateless("s", &events, at(5, 2, 11)));
    // Asked again before noon: the same report, now as of 11:30.
    let again = report(&figures, at(5, 2, 11) + Duration::minutes(30)).await;
    assert_eq!(again.as_of, at(5, 2, 11) + Duration::minutes(30));
    assert_eq!(counts(&again), (0, 1));
    let after = report(&figures, at(5, 2, 13)).await;
    assert_eq!(counts(&after), (1, 1));
    assert_eq!(after, stateless("s", &events, at(5, 2, 13)));
    // And back: an earlier instant is not served from the later report.
    assert_eq!(report(&figures, at(5, 2, 11)).await, before);
}

#[tokio::test]
async fn a_write_is_in_the_next_report_from_this_store_and_from_another_on_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cache.db").display());
    let (reader, writer) = (figures(&url).await, figures(&url).await);
    let as_of = at(6, 30, 0);
    let mut events = vec![order("s", 1, at(5, 1, 9), at(5, 3, 0)), order("s", 2, at(5, 1, 9), at(5, 3, 0))];
    reader.store().ingest_batch(&events, at(5, 1, 10)).await.unwrap();
    let odr = |r: &sellerhealth_metrics::AccountHealthReport| {
        (r.order_defect_rate_mfn.rate.numerator, r.order_defect_rate_mfn.rate.denominator)
    };
    // ODR window as of 06-30: purchases 04-18 .. 06-16, both orders in it.
    assert_eq!(odr(&report(&reader, as_of).await), (0, 2));

    // A 1-star feedback through this store: 1 of 2.
    events.push(negative_feedback("s", 1, at(5, 10, 0)));
    reader.store().ingest_batch(&events[2..], at(5, 10, 1)).await.unwrap();
    assert_eq!(odr(&report(&reader, as_of).await), (1, 2));

    // Another on the other order, through the other store (another process's view of the file).
    events.push(negative_feedback("s", 2, at(5, 11, 0)));
    writer.store().ingest_batch(&events[3..], at(5, 11, 1)).await.unwrap();
    let last = report(&reader, as_of).await;
    assert_eq!(odr(&last), (2, 2));
    assert_eq!(last, stateless("s", &events, as_of));
}
