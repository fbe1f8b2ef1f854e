//! Marketplace-local days (issue 17): a fact counts on its marketplace's
//! calendar day, windows are that calendar's days, and daylight-saving days
//! are 23 or 25 hours long. Figures worked by hand; every report also asks the
//! 7-day pre-fulfilment cancel rate, whose denominator is the MFN orders by
//! purchase day.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use sellerhealth_domain::*;
use sellerhealth_metrics::evaluate_book;

/// Japan: Asia/Tokyo, UTC+9 all year.
const JP: &str = "A1VC38T7YXB528";
/// The United States: America/Los_Angeles, UTC−8 (PST), UTC−7 (PDT) from 8 March 2026.
const US: &str = "ATVPDKIKX0DER";

fn utc(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, min, 0).unwrap()
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// A book of MFN orders, one per (marketplace, purchase instant).
fn book(orders: &[(&str, DateTime<Utc>)]) -> SellerBook {
    let mut book = SellerBook::new("s");
    for (n, (marketplace, purchased_at)) in orders.iter().enumerate() {
        let order = Order {
            order_id: format!("o{n}").into(),
            marketplace_id: (*marketplace).into(),
            purchased_at: *purchased_at,
            fulfillment_channel: FulfillmentChannel::Mfn,
            latest_ship_at: *purchased_at + Duration::days(2),
            promised_delivery_earliest_at: None,
            promised_delivery_latest_at: None,
            units: 1,
            business_order: false,
            shipping_unknown: false,
        };
        let event = Event { event_id: format!("e{n}"), seller_id: "s".into(), fact: Fact::Order(order) };
        book.apply(&event, utc(12, 31, 0, 0), &Policy::amazon()).unwrap();
    }
    book
}

/// The cancel rate's window and denominator as of `as_of` in `marketplace`.
fn cancel_window(book: &SellerBook, marketplace: &str, as_of: DateTime<Utc>) -> (NaiveDate, NaiveDate, i64) {
    let rate = evaluate_book(book, &Policy::amazon(), marketplace, as_of).pre_fulfillment_cancel_rate;
    (rate.days.start, rate.days.end, rate.denominator)
}

#[test]
fn an_order_near_local_midnight_counts_on_its_local_day_east_and_west_of_utc() {
    // +09:00: 04-30 14:30 UTC is 23:30 on 04-30 in Tokyo, 15:30 UTC is 00:30 on 05-01.
    let tokyo = book(&[(JP, utc(4, 30, 14, 30)), (JP, utc(4, 30, 15, 30))]);
    // As of 05-07 14:00 UTC (23:00 in Tokyo): the 7 days are 05-01..05-07 there;
    // only the second order is in them (both are 04-30 in UTC).
    assert_eq!(cancel_window(&tokyo, JP, utc(5, 7, 14, 0)), (day(5, 1), day(5, 7), 1));
    // −08:00: 01-16 07:30 UTC is 23:30 on 01-15 in Los Angeles, 08:30 UTC is 00:30 on 01-16.
    let la = book(&[(US, utc(1, 16, 7, 30)), (US, utc(1, 16, 8, 30))]);
    // As of 01-22 20:00 UTC (12:00 there): 01-16..01-22 holds the second only.
    assert_eq!(cancel_window(&la, US, utc(1, 22, 20, 0)), (day(1, 16), day(1, 22), 1));
}

#[test]
fn a_window_across_the_spring_forward_counts_the_23_hour_day() {
    // Los Angeles, 2026-03-08: 02:00 PST becomes 03:00 PDT, a day of 23 hours.
    let orders = book(&[
        (US, utc(3, 6, 7, 30)),  // 23:30 PST 03-05
        (US, utc(3, 6, 8, 30)),  // 00:30 PST 03-06
        (US, utc(3, 8, 9, 30)),  // 01:30 PST 03-08
        (US, utc(3, 8, 10, 30)), // 03:30 PDT 03-08 (02:30 never happened)
        (US, utc(3, 13, 6, 30)), // 23:30 PDT 03-12
    ]);
    // As of 03-13 07:30 UTC, 00:30 PDT on 03-13: the 7 days are 03-07..03-13,
    // which hold the two orders of 03-08 and the one of 03-12. A fixed UTC−8
    // would have made it 23:30 on 03-12 and counted 03-06..03-12, four orders.
    assert_eq!(cancel_window(&orders, US, utc(3, 13, 7, 30)), (day(3, 7), day(3, 13), 3));
    // An hour earlier it is still 03-12 there: 03-06..03-12, four orders.
    assert_eq!(cancel_window(&orders, US, utc(3, 13, 6, 45)), (day(3, 6), day(3, 12), 4));
}

#[test]
fn the_same_instants_give_different_windows_in_two_marketplaces_of_one_seller() {
    // 05-01 10:00 UTC: 19:00 on 05-01 in Tokyo, 03:00 on 05-01 in Los Angeles.
    // 05-01 16:00 UTC: 01:00 on 05-02 in Tokyo, 09:00 on 05-01 in Los Angeles.
    let orders = [utc(5, 1, 10, 0), utc(5, 1, 16, 0)];
    let both = book(&[(JP, orders[0]), (JP, orders[1]), (US, orders[0]), (US, orders[1])]);
    // As of 05-07 16:30 UTC: 01:30 on 05-08 in Tokyo (05-02..05-08: the second
    // order), 09:30 on 05-07 in Los Angeles (05-01..05-07: both).
    let as_of = utc(5, 7, 16, 30);
    assert_eq!(cancel_window(&both, JP, as_of), (day(5, 2), day(5, 8), 1));
    assert_eq!(cancel_window(&both, US, as_of), (day(5, 1), day(5, 7), 2));
}

#[test]
fn a_warning_opens_and_a_deadline_falls_on_local_days() {
    // One MFN order in Tokyo bought 05-01 00:30 JST (04-30 15:30 UTC), due
    // 05-03 00:30 JST, never shipped: late from then, so the 10-day late
    // shipment rate is BAD from 05-03 Tokyo time (05-02 in UTC).
    let orders = book(&[(JP, utc(4, 30, 15, 30))]);
    let report = evaluate_book(&orders, &Policy::amazon(), JP, utc(5, 10, 0, 0));
    let warning = report.warnings.iter().find(|w| w.metric == sellerhealth_metrics::Metric::LateShipmentRate10d);
    let warning = warning.unwrap();
    assert_eq!((warning.opened_on, warning.deadline), (day(5, 3), day(7, 2)));
}
