//! The shipment confirmation file a merchant uploads to Seller Central
//! (Orders › Upload order related files; the `Flat.File.ShippingConfirm`
//! template, feed `POST_FLAT_FILE_FULFILLMENT_DATA`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::event::Fact;

use super::{END_OF_DAY, FileError, Parsed, field, instant_or_day, quantity_of, read_table, timestamp};

/// One shipment folded from its item rows: the order and tracking number they share.
struct ShipmentRows {
    line: usize,
    /// The `ship-date` as written, which every row of the shipment must repeat.
    ship_date: String,
    shipment: pb::ShipmentConfirmed,
}

/// Reads the shipment confirmation file (tab-separated, or comma-separated as
/// a spreadsheet saves it; one row per order item shipped) into one
/// `ShipmentConfirmed` per order and tracking number.
///
/// - `ship-date` is a day (`2026-05-03`, as the template asks) or an ISO 8601
///   date and time; a bare day counts as its end, 23:59:59 UTC, so a shipment on
///   an order's last ship day is in time (`import orders` puts the latest ship
///   date at the end of a day too).
/// - The file holds no carrier scans, so every tracked shipment is sent with
///   `carrier_data_unknown`: it counts in neither valid tracking nor the
///   delivery rates until a carrier scan of its tracking number arrives.
/// - A row without a `tracking-number` (or `NULL`, the template's word for
///   none) is an untracked shipment, known never to be scanned: it counts as a
///   shipment without valid tracking. Its tracking number is
///   `untracked:{order-id}:{ship-date}`.
/// - `quantity` is summed over the shipment's rows; a row that leaves it empty
///   (the template allows it for a whole order) makes the shipment a
///   `whole_order` one: every unit of the order not in its earlier shipments.
/// - The carrier is `carrier-code`, or `carrier-name` when the code is `Other`.
///
/// Event ids are `shipment:{order-id}:{tracking number}`, so importing the file
/// again stores nothing new.
pub fn parse_shipment_confirmations(text: &str, seller_id: &str) -> Result<Parsed, FileError> {
    let mut parsed = Parsed::default();
    let (header, rows) = read_table(text)?;
    let order_id = header.require("order-id")?;
    let ship_date = header.require("ship-date")?;
    let quantity = header.optional("quantity");
    let carrier_code = header.optional("carrier-code");
    let carrier_name = header.optional("carrier-name");
    let tracking_number = header.optional("tracking-number");

    let mut shipments: Vec<ShipmentRows> = Vec::new();
    let mut position: HashMap<(String, String), usize> = HashMap::new();
    for (number, row) in &rows {
        let Some(record) = parsed.row(*number, row) else { continue };
        let (number, field) = (*number, |i: usize| field(record, i));
        let order = field(order_id);
        if order.is_empty() {
            parsed.reject(number, "order-id is empty");
            continue;
        }
        let date = field(ship_date);
        let confirmed_at: DateTime<Utc> = match instant_or_day("ship-date", date, END_OF_DAY) {
            Ok(at) => at,
            Err(reason) => {
                parsed.reject(number, reason);
                continue;
            }
        };
        // None: the row leaves the count to the order (a whole-order shipment).
        let units = match quantity.map(field).filter(|q| !q.is_empty()).map(quantity_of) {
            None => None,
            Some(Ok(0)) => {
                parsed.reject(number, "quantity 0: a shipment holds at least one unit");
                continue;
            }
            Some(Ok(units)) => Some(units),
            Some(Err(reason)) => {
                parsed.reject(number, reason);
                continue;
            }
        };
        let tracking = tracking_number.map(field).filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("null"));
        let tracking = tracking.map_or_else(|| format!("untracked:{order}:{date}"), str::to_owned);
        let key = (order.to_owned(), tracking.clone());
        if let Some(known) = position.get(&key).and_then(|&at| shipments.get_mut(at)) {
            if known.ship_date != date {
                parsed.reject(
                    number,
                    format!("order {order} tracking number {tracking} differs from line {} in ship-date", known.line),
                );
                continue;
            }
            let shipment = &mut known.shipment;
            match units {
                None => (shipment.whole_order, shipment.units) = (true, 0),
                Some(_) if shipment.whole_order => {}
                Some(units) => match shipment.units.checked_add(units) {
                    Some(total) => shipment.units = total,
                    None => parsed.reject(
                        number,
                        format!(
                            "quantity {units} would take the shipment past {} units ({} from the lines before)",
                            i32::MAX,
                            shipment.units
                        ),
                    ),
                },
            }
            continue;
        }
        let code = carrier_code.map(field).unwrap_or_default();
        let carrier = if code.is_empty() || code.eq_ignore_ascii_case("other") {
            carrier_name.map(field).filter(|name| !name.is_empty()).unwrap_or(code)
        } else {
            code
        };
        let untracked = tracking.starts_with("untracked:");
        position.insert(key, shipments.len());
        shipments.push(ShipmentRows {
            line: number,
            ship_date: date.to_owned(),
            shipment: pb::ShipmentConfirmed {
                shipment_id: tracking.clone(),
                order_id: order.to_owned(),
                confirmed_at: Some(timestamp(confirmed_at)),
                carrier: carrier.to_owned(),
                tracking_number: tracking,
                units: units.unwrap_or(0),
                // Untracked: known never to be scanned, so no data is missing.
                carrier_data_unknown: !untracked,
                whole_order: units.is_none(),
            },
        });
    }
    let (mut tracked, mut untracked, mut whole) = (0_usize, 0_usize, 0_usize);
    for ShipmentRows { line, shipment, .. } in shipments {
        if shipment.carrier_data_unknown {
            tracked = tracked.saturating_add(1);
        } else {
            untracked = untracked.saturating_add(1);
        }
        if shipment.whole_order {
            whole = whole.saturating_add(1);
        }
        let event_id = format!("shipment:{}:{}", shipment.order_id, shipment.tracking_number);
        parsed.events.push((
            line,
            pb::Event { event_id, seller_id: seller_id.to_owned(), fact: Some(Fact::ShipmentConfirmed(shipment)) },
        ));
    }
    parsed.note_count(
        tracked,
        "1 tracked shipment without carrier scans (the file has none): it counts in neither valid tracking nor the \
         delivery rates until CarrierScan facts arrive (import events)",
        "{n} tracked shipments without carrier scans (the file has none): they count in neither valid tracking nor \
         the delivery rates until CarrierScan facts arrive (import events)",
    );
    parsed.note_count(
        untracked,
        "1 shipment without a tracking number: it counts as a shipment without valid tracking",
        "{n} shipments without a tracking number: they count as shipments without valid tracking",
    );
    parsed.note_count(
        whole,
        "1 shipment without a quantity: it holds the units of its order not in earlier shipments",
        "{n} shipments without a quantity: each holds the units of its order not in earlier shipments",
    );
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::files::testing::*;

    const HEADER: &str =
        "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method\n";

    /// (event id, units, whole order, carrier data unknown, carrier, confirmed at).
    fn shipments(parsed: &Parsed) -> Vec<(&str, i32, bool, bool, &str, i64)> {
        parsed
            .events
            .iter()
            .map(|(_, e)| {
                let Some(Fact::ShipmentConfirmed(s)) = &e.fact else { panic!("{e:?}") };
                let at = s.confirmed_at.as_ref().unwrap().seconds;
                (e.event_id.as_str(), s.units, s.whole_order, s.carrier_data_unknown, s.carrier.as_str(), at)
            })
            .collect()
    }

    #[test]
    fn rows_of_one_tracking_number_are_one_shipment_and_nothing_is_invented() {
        let file = format!(
            "{HEADER}\
             111-1\t01\t1\t2026-05-03\tUPS\t\t1Z1\tGround\n\
             111-1\t02\t2\t2026-05-03\tUPS\t\t1Z1\tGround\n\
             111-1\t03\t1\t2026-05-04\tUPS\t\t1Z2\tGround\n\
             111-2\t\t\t2026-05-03T10:00:00-05:00\tOther\tLocal Courier\tNULL\t\n\
             111-3\t05\t\t2026-05-03\tOther\t\tT3\t\n\
             111-3\t06\t4\t2026-05-03\tOther\t\tT3\t\n\
             111-4\t07\t0\t2026-05-03\tUPS\t\tT4\t\n\
             111-4\t08\t1\t05/03/2026\tUPS\t\tT4\t\n\
             \t09\t1\t2026-05-03\tUPS\t\tT5\t\n\
             111-1\t04\t1\t2026-05-05\tUPS\t\t1Z1\tGround\n"
        );
        let parsed = parse_shipment_confirmations(&file, "s").unwrap();
        assert_eq!(parsed.rows, 10);
        // 2026-05-03T23:59:59Z, 2026-05-04T23:59:59Z and 2026-05-03T15:00:00Z.
        let (may3, may4, may3_15h) = (1_777_852_799, 1_777_939_199, 1_777_820_400);
        assert_eq!(
            shipments(&parsed),
            [
                ("shipment:111-1:1Z1", 3, false, true, "UPS", may3),
                ("shipment:111-1:1Z2", 1, false, true, "UPS", may4),
                // No tracking number (NULL): untracked, known never to be scanned.
                ("shipment:111-2:untracked:111-2:2026-05-03T10:00:00-05:00", 0, true, false, "Local Courier", may3_15h),
                // One row without a quantity makes the whole shipment uncounted.
                ("shipment:111-3:T3", 0, true, true, "Other", may3),
            ]
        );
        assert_eq!(
            reasons(&parsed),
            [
                (8, "quantity 0: a shipment holds at least one unit"),
                (
                    9,
                    "ship-date \"05/03/2026\" is not a date (2026-05-01) or a date and time (2026-05-01T09:12:00+00:00)"
                ),
                (10, "order-id is empty"),
                (11, "order 111-1 tracking number 1Z1 differs from line 2 in ship-date"),
            ]
        );
        assert_eq!(
            parsed.notes,
            [
                "3 tracked shipments without carrier scans (the file has none): they count in neither valid tracking \
                 nor the delivery rates until CarrierScan facts arrive (import events)",
                "1 shipment without a tracking number: it counts as a shipment without valid tracking",
                "2 shipments without a quantity: each holds the units of its order not in earlier shipments",
            ]
        );
    }

    #[test]
    fn the_comma_separated_copy_reads_the_same_and_the_header_needs_order_id_and_ship_date() {
        let tsv = format!("{HEADER}111-1\t01\t1\t2026-05-03\tUPS\t\t1Z1\tGround\n");
        let csv = "order-id,order-item-id,quantity,ship-date,carrier-code,carrier-name,tracking-number,ship-method\r\n\
                   111-1,01,1,2026-05-03,UPS,,1Z1,\"Ground, 3-5 days\"\r\n";
        let (a, b) =
            (parse_shipment_confirmations(&tsv, "s").unwrap(), parse_shipment_confirmations(csv, "s").unwrap());
        assert_eq!(a.events, b.events);
        assert_eq!(
            parse_shipment_confirmations("order-id\tquantity\n", "s").unwrap_err(),
            FileError::MissingColumn("ship-date")
        );
    }
}
