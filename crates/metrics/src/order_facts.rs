//! Derived facts about one order that several metrics share.

use chrono::{Datelike, Weekday};
use sellerhealth_domain::{Cancellation, CancellationInitiator, Day, Instant, OrderRecord, ShipmentConfirmed};

/// What the shipping metrics, the fulfilled count and the seller rating ask
/// of an order at every change instant, worked out once per order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shipping {
    /// The first shipment confirmation.
    pub(crate) first_confirmation: Option<Instant>,
    /// The cancellation before shipment, if any: when, and by whom.
    pub(crate) cancelled: Option<(Instant, CancellationInitiator)>,
    /// Whether the order's source cannot tell when it shipped.
    shipping_unknown: bool,
    /// The order's latest ship date.
    latest_ship_at: Instant,
}

impl Shipping {
    /// The shipping of `record`.
    pub(crate) fn of(record: &OrderRecord) -> Shipping {
        Shipping {
            first_confirmation: first_confirmation(record),
            cancelled: cancellation_before_shipment(record).map(|c| (c.cancelled_at, c.initiator)),
            shipping_unknown: record.order.shipping_unknown,
            latest_ship_at: record.order.latest_ship_at,
        }
    }

    /// [`shipping_known`] at `t`.
    pub(crate) fn known(&self, t: Instant) -> bool {
        !self.shipping_unknown || self.first_confirmation.is_some_and(|c| c <= t)
    }

    /// [`cancelled_by`] `t`.
    pub(crate) fn cancelled_by(&self, t: Instant) -> bool {
        self.cancelled.is_some_and(|(at, _)| at <= t)
    }

    /// Whether the order is late at `t`: its latest ship date has passed
    /// without a confirmation by then.
    pub(crate) fn late(&self, t: Instant) -> bool {
        let due = self.latest_ship_at;
        t > due && self.first_confirmation.is_none_or(|shipped| shipped > due)
    }
}

/// The first shipment confirmation of the order.
pub fn first_confirmation(record: &OrderRecord) -> Option<Instant> {
    record.shipments.iter().map(|s| s.confirmed_at).min()
}

/// Whether the order's shipping is known at `t`: its source reports shipments
/// (the default), or a shipment confirmation for it came by `t`. An order whose
/// shipping is unknown counts in no shipping metric.
pub fn shipping_known(record: &OrderRecord, t: Instant) -> bool {
    Shipping::of(record).known(t)
}

/// The cancellation that took effect before any shipment (pre-fulfilment), if any.
pub fn cancellation_before_shipment(record: &OrderRecord) -> Option<&Cancellation> {
    let shipped = first_confirmation(record);
    record.cancellations.iter().filter(|c| shipped.is_none_or(|s| c.cancelled_at < s)).min_by_key(|c| c.cancelled_at)
}

/// Whether the order was cancelled before shipment by `t`.
pub fn cancelled_by(record: &OrderRecord, t: Instant) -> bool {
    Shipping::of(record).cancelled_by(t)
}

/// The first carrier scan and the first delivery scan of a shipment's tracking number.
///
/// One pass over the order's scans, each tracking number compared once:
/// asked for every shipment of every order twice (its deliveries and its
/// seller rating), two passes took 0.4% of a batch run's instructions more.
pub fn scans(record: &OrderRecord, shipment: &ShipmentConfirmed) -> (Option<Instant>, Option<Instant>) {
    let earliest = |known: Option<Instant>, at: Option<Instant>| match (known, at) {
        (Some(known), Some(at)) => Some(known.min(at)),
        (known, at) => known.or(at),
    };
    let (mut first_scan, mut delivered) = (None, None);
    for scan in record.scans.iter().filter(|s| s.tracking_number == shipment.tracking_number) {
        first_scan = earliest(first_scan, scan.first_scan_at);
        delivered = earliest(delivered, scan.delivered_at);
    }
    (first_scan, delivered)
}

/// Whether the shipment's carrier data is known at `t`: its source reports
/// carrier scans (the default), or a scan of its tracking number came by `t`
/// (a scan counts from its earliest instant). A shipment whose carrier data is
/// unknown counts in no tracking or delivery metric.
pub fn carrier_data_known(record: &OrderRecord, shipment: &ShipmentConfirmed, t: Instant) -> bool {
    !shipment.carrier_data_unknown
        || record
            .scans
            .iter()
            .filter(|s| s.tracking_number == shipment.tracking_number)
            .filter_map(|s| s.first_scan_at.into_iter().chain(s.delivered_at).min())
            .any(|at| at <= t)
}

/// The units a shipment holds: its own count, or for a whole-order shipment
/// the order's units less those of the shipments confirmed before it.
pub fn shipment_units(record: &OrderRecord, shipment: &ShipmentConfirmed) -> u32 {
    if !shipment.whole_order {
        return shipment.units;
    }
    let earlier = record
        .shipments
        .iter()
        .filter(|s| s.confirmed_at < shipment.confirmed_at && !s.whole_order)
        .map(|s| s.units)
        .fold(0, u32::saturating_add);
    record.order.units.saturating_sub(earlier)
}

/// Whether `day` is Monday to Friday.
pub fn is_business_day(day: Day) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The `n`-th business day after `day` (n ≥ 1), or the last day chrono knows
/// ([`Day::MAX`](chrono::NaiveDate::MAX)) when that lies past it.
pub fn business_days_after(day: Day, n: u32) -> Day {
    let Some(skipped) = n.checked_sub(1) else { return day };
    let mut business_days = std::iter::successors(day.succ_opt(), Day::succ_opt).filter(|d| is_business_day(*d));
    usize::try_from(skipped).ok().and_then(|k| business_days.nth(k)).unwrap_or(Day::MAX)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn a_shipments_scans_are_the_earliest_of_its_own_numbers_scans() {
        use chrono::{TimeZone, Utc};
        use sellerhealth_domain::{CarrierScan, Fact, FulfillmentChannel, Order, SellerBook};
        let at = |h: u32| Utc.with_ymd_and_hms(2026, 5, 1, h, 0, 0).single().expect("instant");
        let mut book = SellerBook::new("s");
        let order = Order {
            order_id: "o".into(),
            marketplace_id: "US".into(),
            purchased_at: at(1),
            fulfillment_channel: FulfillmentChannel::Mfn,
            latest_ship_at: at(2),
            promised_delivery_earliest_at: None,
            promised_delivery_latest_at: None,
            units: 2,
            business_order: false,
            shipping_unknown: false,
        };
        let shipment = |tracking: &str| ShipmentConfirmed {
            shipment_id: format!("s-{tracking}").into(),
            order_id: "o".into(),
            confirmed_at: at(3),
            carrier: String::new(),
            tracking_number: tracking.into(),
            units: 1,
            carrier_data_unknown: false,
            whole_order: false,
        };
        let scan = |tracking: &str, first: Option<u32>, delivered: Option<u32>| {
            Fact::CarrierScan(CarrierScan {
                tracking_number: tracking.into(),
                first_scan_at: first.map(at),
                delivered_at: delivered.map(at),
            })
        };
        let facts = [
            Fact::Order(order),
            Fact::ShipmentConfirmed(shipment("A")),
            Fact::ShipmentConfirmed(shipment("B")),
            Fact::ShipmentConfirmed(shipment("C")),
            // A: first scans at 9 and 6 (one with no delivery), deliveries at 20 and 18.
            scan("A", Some(9), Some(20)),
            scan("A", Some(6), None),
            scan("B", None, Some(22)),
            scan("A", None, Some(18)),
            // B's scan at 5 is B's alone; C has none.
            scan("B", Some(5), None),
        ];
        for (n, fact) in facts.iter().enumerate() {
            book.restore(&format!("e{n}"), fact);
        }
        let record = book.order("o").expect("order");
        let of = |tracking: &str| scans(record, &shipment(tracking));
        assert_eq!(of("A"), (Some(at(6)), Some(at(18))));
        assert_eq!(of("B"), (Some(at(5)), Some(at(22))));
        assert_eq!(of("C"), (None, None));
    }

    #[test]
    fn business_days_at_the_ends_of_chrono_saturate() {
        let friday = NaiveDate::from_ymd_opt(2026, 5, 8).expect("date");
        assert_eq!(business_days_after(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(business_days_after(friday, 0), friday);
        assert_eq!(business_days_after(friday, 5), NaiveDate::from_ymd_opt(2026, 5, 15).expect("date"));
    }

    #[test]
    fn business_days_skip_weekends() {
        let friday = NaiveDate::from_ymd_opt(2026, 5, 8).expect("date");
        assert_eq!(business_days_after(friday, 1), NaiveDate::from_ymd_opt(2026, 5, 11).expect("date"));
        assert_eq!(business_days_after(friday, 2), NaiveDate::from_ymd_opt(2026, 5, 12).expect("date"));
        let wednesday = NaiveDate::from_ymd_opt(2026, 5, 6).expect("date");
        assert_eq!(business_days_after(wednesday, 3), NaiveDate::from_ymd_opt(2026, 5, 11).expect("date"));
    }
}
