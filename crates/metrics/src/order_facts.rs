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
pub fn scans(record: &OrderRecord, shipment: &ShipmentConfirmed) -> (Option<Instant>, Option<Instant>) {
    let of_shipment = || record.scans.iter().filter(|s| s.tracking_number == shipment.tracking_number);
    let first_scan = of_shipment().filter_map(|s| s.first_scan_at).min();
    let delivered = of_shipment().filter_map(|s| s.delivered_at).min();
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
