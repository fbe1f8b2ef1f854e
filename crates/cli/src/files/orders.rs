//! Seller Central's All Orders report (`GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL`).

use std::collections::HashMap;

use chrono::{DateTime, Days, Utc};
use sellerhealth_domain::time::check_instant;
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::event::Fact;

use super::{FileError, Parsed, field, instant, marketplace_of_sales_channel, quantity_of, read_table, timestamp};

/// The most handling days `--handling-days` takes: a latest ship date a month
/// after purchase is already far beyond any marketplace's handling time.
pub const MAX_HANDLING_DAYS: u32 = 30;

/// One order folded from its item rows.
struct OrderRows {
    line: usize,
    order: pb::Order,
    /// The first row's `order-status`.
    status: String,
    /// When the order was cancelled, if its `order-status` says so.
    cancelled_at: Option<DateTime<Utc>>,
    /// Units of every row, cancelled items included.
    all_units: i32,
}

/// Whether an `order-status` or `item-status` says cancelled (Seller Central
/// writes "Cancelled"; "Canceled" is read the same).
fn is_cancelled(status: &str) -> bool {
    status.eq_ignore_ascii_case("cancelled") || status.eq_ignore_ascii_case("canceled")
}

/// `sales-channel` of a multi-channel fulfilment order: shipped from the seller's
/// Amazon inventory for a sale elsewhere; it does not count toward account health.
fn is_multi_channel(sales_channel: &str) -> bool {
    sales_channel.eq_ignore_ascii_case("non-amazon")
}

/// Reads Seller Central's order report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL,
/// tab-separated, one row per order item) into one `Order` event per order, and a
/// `Cancellation` for each order whose `order-status` is Cancelled.
///
/// What the file cannot say is not invented (docs/RULES.md, "Seller Central's
/// order report"):
/// - it has no ship dates, so a merchant-fulfilled order is sent with
///   `shipping_unknown`: it counts in no shipping metric until a shipment
///   confirmation for it arrives;
/// - it does not say who cancelled, so a cancellation has initiator UNKNOWN (not
///   the seller's), dated by `last-updated-date` (the purchase time when that is
///   missing, unreadable or earlier);
/// - it carries no latest ship date: that is the end (23:59:59 in the marketplace's time zone) of the day
///   `handling_days` after the purchase day (the command line takes 0 to
///   [`MAX_HANDLING_DAYS`]; any number is safe here: a latest ship date past the
///   supported range rejects the line). A shipment confirmed on that day is in
///   time, as a bare ship date of the shipment confirmation file is read as the
///   end of its day too.
///
/// Rows of `sales-channel` "Non-Amazon" (multi-channel fulfilment) are skipped
/// and counted in a note. The marketplace comes from `sales-channel` unless
/// `marketplace` is given. Units are summed over the order's rows whose
/// `item-status` is not Cancelled (a cancelled order keeps the units of all its
/// rows, at least 1: Seller Central writes quantity 0 on them); a negative or
/// non-numeric quantity, or one that would take the order past 2,147,483,647
/// units, rejects its line. Event ids are `order:{id}` and `cancellation:{id}`,
/// so importing the file again stores nothing new.
pub fn parse_order_report(
    text: &str,
    seller_id: &str,
    marketplace: Option<&str>,
    handling_days: u32,
) -> Result<Parsed, FileError> {
    let mut parsed = Parsed::default();
    let (header, rows) = read_table(text)?;
    let order_id = header.require("amazon-order-id")?;
    let purchase_date = header.require("purchase-date")?;
    let channel = header.require("fulfillment-channel")?;
    let sales_channel = header.require("sales-channel")?;
    let quantity = header.require("quantity")?;
    let business = header.optional("is-business-order");
    let order_status = header.optional("order-status");
    let item_status = header.optional("item-status");
    let last_updated = header.optional("last-updated-date");
    let mut orders: Vec<OrderRows> = Vec::new();
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut multi_channel_rows: usize = 0;
    for (number, row) in &rows {
        let Some(record) = parsed.row(*number, row) else { continue };
        let (number, field) = (*number, |i: usize| field(record, i));
        let id = field(order_id);
        if id.is_empty() {
            parsed.reject(number, "amazon-order-id is empty");
            continue;
        }
        if is_multi_channel(field(sales_channel)) {
            multi_channel_rows = multi_channel_rows.saturating_add(1);
            continue;
        }
        let purchased_at = match instant("purchase-date", field(purchase_date)) {
            Ok(at) => at,
            Err(reason) => {
                parsed.reject(number, reason);
                continue;
            }
        };
        let fulfillment_channel = match field(channel) {
            "Amazon" => pb::FulfillmentChannel::Afn,
            "Merchant" => pb::FulfillmentChannel::Mfn,
            other => {
                parsed.reject(number, format!("fulfillment-channel {other:?} is neither Amazon nor Merchant"));
                continue;
            }
        };
        let marketplace_id = match marketplace.or_else(|| marketplace_of_sales_channel(field(sales_channel))) {
            Some(m) => m.to_owned(),
            None => {
                parsed.reject(
                    number,
                    format!("sales-channel {:?} is not a known marketplace (give --marketplace)", field(sales_channel)),
                );
                continue;
            }
        };
        let latest_ship_at = match latest_ship_at(purchased_at, handling_days, &marketplace_id) {
            Some(at) => at,
            None => {
                parsed.reject(
                    number,
                    format!(
                        "purchase-date {purchased_at} plus {handling_days} handling days is past the supported range \
                         {}",
                        sellerhealth_domain::time::RANGE_TEXT
                    ),
                );
                continue;
            }
        };
        let units = match quantity_of(field(quantity)) {
            Ok(units) => units,
            Err(reason) => {
                parsed.reject(number, reason);
                continue;
            }
        };
        let status = order_status.map(field).unwrap_or_default();
        // A cancelled item of a live order is not part of what ships.
        let live_units = if item_status.is_some_and(|i| is_cancelled(field(i))) { 0 } else { units };
        let business_order = business.is_some_and(|i| field(i).eq_ignore_ascii_case("true"));
        if let Some(known) = position.get(id).and_then(|&at| orders.get_mut(at)) {
            let first_line = known.line;
            if known.order.purchased_at != Some(timestamp(purchased_at))
                || known.order.fulfillment_channel != fulfillment_channel as i32
                || known.order.marketplace_id != marketplace_id
                || known.status != status
            {
                parsed.reject(
                    number,
                    format!(
                        "order {id} differs from line {first_line} in purchase-date, fulfillment-channel, \
                         sales-channel or order-status"
                    ),
                );
                continue;
            }
            match (known.order.units.checked_add(live_units), known.all_units.checked_add(units)) {
                (Some(live), Some(all)) => (known.order.units, known.all_units) = (live, all),
                _ => parsed.reject(
                    number,
                    format!(
                        "quantity {units} would take order {id} past {} units ({} from the lines before)",
                        i32::MAX,
                        known.all_units
                    ),
                ),
            }
            continue;
        }
        let cancelled_at = is_cancelled(status).then(|| {
            last_updated
                .and_then(|i| instant("last-updated-date", field(i)).ok())
                .filter(|at| *at >= purchased_at)
                .unwrap_or(purchased_at)
        });
        position.insert(id.to_owned(), orders.len());
        orders.push(OrderRows {
            line: number,
            order: pb::Order {
                order_id: id.to_owned(),
                marketplace_id,
                purchased_at: Some(timestamp(purchased_at)),
                fulfillment_channel: fulfillment_channel as i32,
                latest_ship_at: Some(timestamp(latest_ship_at)),
                promised_delivery_earliest_at: None,
                promised_delivery_latest_at: None,
                units: live_units,
                business_order,
                // The file has no ship dates: when (or whether) it shipped is unknown.
                shipping_unknown: fulfillment_channel == pb::FulfillmentChannel::Mfn,
            },
            status: status.to_owned(),
            cancelled_at,
            all_units: units,
        });
    }
    let (mut without_shipment_data, mut cancelled) = (0_usize, 0_usize);
    for OrderRows { line, mut order, cancelled_at, all_units, .. } in orders {
        let order_id = order.order_id.clone();
        if cancelled_at.is_some() {
            // Seller Central writes quantity 0 on a cancelled order's rows; the
            // contract needs at least one unit, and a cancelled order's units count nowhere.
            order.units = all_units.max(1);
            cancelled = cancelled.saturating_add(1);
        } else if order.shipping_unknown {
            without_shipment_data = without_shipment_data.saturating_add(1);
        }
        parsed.events.push((
            line,
            pb::Event {
                event_id: format!("order:{order_id}"),
                seller_id: seller_id.to_owned(),
                fact: Some(Fact::Order(order)),
            },
        ));
        if let Some(at) = cancelled_at {
            let cancellation = pb::Cancellation {
                order_id: order_id.clone(),
                cancelled_at: Some(timestamp(at)),
                initiator: pb::CancellationInitiator::Unknown as i32,
                reason: "order-status Cancelled in the order report".to_owned(),
            };
            parsed.events.push((
                line,
                pb::Event {
                    event_id: format!("cancellation:{order_id}"),
                    seller_id: seller_id.to_owned(),
                    fact: Some(Fact::Cancellation(cancellation)),
                },
            ));
        }
    }
    parsed.note_count(
        multi_channel_rows,
        "1 multi-channel fulfilment row (sales-channel Non-Amazon) skipped: it does not count toward account health",
        "{n} multi-channel fulfilment rows (sales-channel Non-Amazon) skipped: they do not count toward account health",
    );
    parsed.note_count(
        cancelled,
        "1 cancelled order: the file does not say who cancelled, so it does not count as the seller's cancellation",
        "{n} cancelled orders: the file does not say who cancelled, so none counts as the seller's cancellation",
    );
    parsed.note_count(
        without_shipment_data,
        "1 merchant-fulfilled order without shipment data (the order report has no ship dates): it counts in no \
         shipping metric — import the shipment confirmation file",
        "{n} merchant-fulfilled orders without shipment data (the order report has no ship dates): they count in no \
         shipping metric — import the shipment confirmation file",
    );
    Ok(parsed)
}

/// The end (23:59:59) of the day `handling_days` after the purchase day, days
/// of the marketplace's calendar in the built-in profile, if that lies in the
/// supported range.
fn latest_ship_at(purchased_at: DateTime<Utc>, handling_days: u32, marketplace_id: &str) -> Option<DateTime<Utc>> {
    let calendar = sellerhealth_domain::Policy::amazon().calendar(marketplace_id);
    let day = calendar.day_of(purchased_at).checked_add_days(Days::new(u64::from(handling_days)))?;
    let last_second = calendar.start_of(day.succ_opt()?).checked_sub_signed(chrono::Duration::seconds(1))?;
    check_instant("latest ship date", last_second).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]

    use super::*;
    use crate::files::testing::*;

    const ORDERS_HEADER: &str = "amazon-order-id\tpurchase-date\tfulfillment-channel\tsales-channel\tquantity\n";

    fn units(parsed: &Parsed) -> Vec<(&str, i32)> {
        parsed
            .events
            .iter()
            .map(|(_, event)| match &event.fact {
                Some(Fact::Order(order)) => (order.order_id.as_str(), order.units),
                other => panic!("not an order: {other:?}"),
            })
            .collect()
    }

    /// Issue 14: what the order report says is read, what it cannot say is not invented.
    #[test]
    fn order_status_item_status_and_multi_channel_rows_are_read() {
        let report = "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t\
                      sales-channel\titem-status\tquantity\n\
                      1\t2026-05-01T09:00:00Z\t2026-05-01T11:30:00Z\tCancelled\tMerchant\tAmazon.com\tCancelled\t0\n\
                      2\t2026-05-01T09:00:00Z\t2026-05-02T09:00:00Z\tShipped\tMerchant\tAmazon.com\tShipped\t2\n\
                      2\t2026-05-01T09:00:00Z\t2026-05-02T09:00:00Z\tShipped\tMerchant\tAmazon.com\tCancelled\t1\n\
                      3\t2026-05-01T09:00:00Z\t\tPending\tAmazon\tAmazon.com\tUnshipped\t1\n\
                      4\t2026-05-01T09:00:00Z\tnot a date\tCancelled\tAmazon\tAmazon.com\tCancelled\t0\n\
                      5\t2026-05-01T09:00:00Z\t\tShipped\tAmazon\tNon-Amazon\tShipped\t1\n\
                      2\t2026-05-01T09:00:00Z\t2026-05-02T09:00:00Z\tPending\tMerchant\tAmazon.com\tShipped\t1\n";
        let parsed = parse_order_report(report, "s", None, 2).unwrap();
        let at = |text: &str| Some(timestamp(DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)));
        let events: Vec<(&str, String)> = parsed
            .events
            .iter()
            .map(|(_, e)| {
                let what = match &e.fact {
                    Some(Fact::Order(o)) => format!("{} units, shipping unknown {}", o.units, o.shipping_unknown),
                    Some(Fact::Cancellation(c)) => {
                        assert_eq!(c.initiator, pb::CancellationInitiator::Unknown as i32);
                        let expected = if c.order_id == "1" { "2026-05-01T11:30:00Z" } else { "2026-05-01T09:00:00Z" };
                        assert_eq!(c.cancelled_at, at(expected));
                        "cancelled".to_owned()
                    }
                    other => panic!("{other:?}"),
                };
                (e.event_id.as_str(), what)
            })
            .collect();
        let expected = [
            // Quantity 0 on a cancelled order: 1 unit, the least the contract takes.
            ("order:1", "1 units, shipping unknown true"),
            ("cancellation:1", "cancelled"),
            // The cancelled item of a live order is not counted.
            ("order:2", "2 units, shipping unknown true"),
            ("order:3", "1 units, shipping unknown false"),
            // An unreadable last-updated-date: the purchase time.
            ("order:4", "1 units, shipping unknown false"),
            ("cancellation:4", "cancelled"),
        ];
        assert_eq!(events, expected.map(|(id, what)| (id, what.to_owned())));
        assert_eq!(parsed.rows, 7);
        assert_eq!(
            reasons(&parsed),
            [(8, "order 2 differs from line 3 in purchase-date, fulfillment-channel, sales-channel or order-status")]
        );
        assert_eq!(
            parsed.notes,
            [
                "1 multi-channel fulfilment row (sales-channel Non-Amazon) skipped: it does not count toward account \
                 health",
                "2 cancelled orders: the file does not say who cancelled, so none counts as the seller's cancellation",
                "1 merchant-fulfilled order without shipment data (the order report has no ship dates): it counts in \
                 no shipping metric — import the shipment confirmation file",
            ]
        );
    }

    /// Issue 13: 2147483647 + 2147483647 + 3 units was stored as 1 unit.
    #[test]
    fn quantities_that_would_wrap_past_i32_max_are_refused_by_line() {
        let report = format!(
            "{ORDERS_HEADER}\
             111-1\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t2147483647\n\
             111-1\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t2147483647\n\
             111-1\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t3\n\
             111-2\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t2\n\
             111-2\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t2147483645\n"
        );
        let parsed = parse_order_report(&report, "s", None, 2).unwrap();
        assert_eq!(parsed.rows, 5);
        assert_eq!(units(&parsed), [("111-1", 2_147_483_647), ("111-2", 2_147_483_647)]);
        assert_eq!(
            reasons(&parsed),
            [
                (
                    3,
                    "quantity 2147483647 would take order 111-1 past 2147483647 units (2147483647 from the lines before)"
                ),
                (4, "quantity 3 would take order 111-1 past 2147483647 units (2147483647 from the lines before)"),
            ]
        );
    }

    /// Issue 13: negative quantities were accepted (and subtracted).
    #[test]
    fn negative_and_non_numeric_quantities_are_refused_by_line() {
        let row = |quantity: &str| format!("111-1\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t{quantity}\n");
        let report =
            [ORDERS_HEADER, &row("2"), &row("-1"), &row("abc"), &row("1.5"), &row("2147483648"), &row("-0")].concat();
        let parsed = parse_order_report(&report, "s", None, 2).unwrap();
        assert_eq!(units(&parsed), [("111-1", 2)]);
        assert_eq!(
            reasons(&parsed),
            [
                (3, "quantity -1 is negative"),
                (4, "quantity \"abc\" is not a whole number"),
                (5, "quantity \"1.5\" is not a whole number"),
                (6, "quantity 2147483648 is more than 2147483647 units"),
            ]
        );
    }

    #[test]
    fn purchase_dates_and_latest_ship_dates_outside_the_range_are_refused_by_line() {
        let row = |at: &str| format!("111-{at}\t{at}\tMerchant\tAmazon.com\t1\n");
        let report = [
            ORDERS_HEADER,
            &row("1969-12-31T23:59:59Z"),
            &row("1970-01-01T00:00:00Z"),
            &row("2199-12-29T00:00:00Z"),
            &row("2199-12-30T00:00:00Z"),
            &row("9999-12-31T23:59:59-23:59"),
        ]
        .concat();
        let parsed = parse_order_report(&report, "s", None, 2).unwrap();
        assert_eq!(units(&parsed), [("111-1970-01-01T00:00:00Z", 1), ("111-2199-12-29T00:00:00Z", 1)]);
        assert_eq!(
            reasons(&parsed),
            [
                (2, format!("purchase-date: 1969-12-31 23:59:59 UTC is outside the supported range {RANGE}").as_str()),
                (
                    5,
                    format!(
                        "purchase-date 2199-12-30 00:00:00 UTC plus 2 handling days is past the supported range {RANGE}"
                    )
                    .as_str()
                ),
                (
                    6,
                    format!("purchase-date: +10000-01-01 23:58:59 UTC is outside the supported range {RANGE}").as_str()
                ),
            ]
        );
        // Any number of handling days is safe here (the command line allows 0 to 30).
        let parsed = parse_order_report(&report, "s", None, u32::MAX).unwrap();
        assert_eq!(parsed.events.len(), 0);
        assert_eq!(parsed.rejected.len(), 5);
    }

    #[test]
    fn the_latest_ship_date_ends_a_local_day_of_the_marketplace() {
        // 08:00 on 05-01 in Tokyo is 23:00 on 04-30 UTC: two handling days end
        // at 23:59:59 on 05-03 in Tokyo, 14:59:59 UTC (not 23:59:59 UTC on 05-02).
        let purchased_at = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 4, 30, 23, 0, 0).unwrap();
        let tokyo = latest_ship_at(purchased_at, 2, "A1VC38T7YXB528").unwrap();
        assert_eq!(tokyo.to_rfc3339(), "2026-05-03T14:59:59+00:00");
        // In Los Angeles (UTC−7 in May) it is 16:00 on 04-30: 23:59:59 on 05-02 there.
        let la = latest_ship_at(purchased_at, 2, "ATVPDKIKX0DER").unwrap();
        assert_eq!(la.to_rfc3339(), "2026-05-03T06:59:59+00:00");
    }
}
