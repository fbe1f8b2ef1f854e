//! Valid tracking rate, on-time delivery rate and unit on-time delivery rate
//! (SPEC §3), all for MFN shipments.

use sellerhealth_domain::{Calendar, Day, FulfillmentChannel, Instant, OrderRecord};

use crate::counters::Counter;
use crate::order_facts::{Shipping, scans, shipment_units};
#[cfg(test)]
use crate::order_facts::{cancelled_by, carrier_data_known, shipping_known};
use crate::timeline::{Emitter, Tally};

/// Instants where the order's tracking and delivery counters may change.
pub(crate) fn times(record: &OrderRecord, out: &mut Vec<Instant>) {
    out.push(record.order.purchased_at);
    out.extend(record.shipments.iter().map(|s| s.confirmed_at));
    out.extend(record.scans.iter().flat_map(|s| s.first_scan_at.into_iter().chain(s.delivered_at)));
    out.extend(record.cancellations.iter().map(|c| c.cancelled_at));
}

/// The counters of the order's promised delivery day, first among its keys.
const PROMISED: [Counter; 6] = [
    Counter::DeliveryCarrierDataMissing,
    Counter::TrackedDeliveries,
    Counter::OnTimeDeliveries,
    Counter::UnitsPromised,
    Counter::UnitsOnTime,
    Counter::DeliveryDataMissing,
];
/// Positions of [`PROMISED`]'s counters among the keys.
const CARRIER_MISSING_BY_PROMISE: usize = 0;
const TRACKED: usize = 1;
const ON_TIME: usize = 2;
const UNITS_PROMISED: usize = 3;
const UNITS_ON_TIME: usize = 4;
const DELIVERY_DATA_MISSING: usize = 5;

/// The counters of a shipment's confirmation day.
const CONFIRMED: [Counter; 3] = [Counter::CarrierDataMissing, Counter::ShipmentsConfirmed, Counter::ValidTracking];

/// One shipment as the delivery counters read it.
struct Shipment {
    confirmed_at: Instant,
    /// From when its carrier data is known (its source reports scans, or
    /// the first scan of its tracking number came); `None`: never.
    carrier_known_from: Option<Instant>,
    /// The first carrier scan and the first delivery scan of its tracking number.
    first_scan: Option<Instant>,
    delivered: Option<Instant>,
    units: u32,
    /// Where [`CONFIRMED`]'s counters of its confirmation day sit among the
    /// keys (set when the keys are listed).
    slots: std::cell::Cell<[usize; 3]>,
}

/// An order's delivery counters, its shipments' scans matched once: the
/// tally is asked at every change instant of the order.
pub(crate) struct Deliveries<'a> {
    record: &'a OrderRecord,
    promised: Option<Instant>,
    shipping: Shipping,
    shipments: Vec<Shipment>,
}

impl<'a> Deliveries<'a> {
    /// The delivery counters of `record`.
    pub(crate) fn new(record: &'a OrderRecord, shipping: Shipping) -> Deliveries<'a> {
        let shipments = record
            .shipments
            .iter()
            .map(|shipment| {
                let (first_scan, delivered) = scans(record, shipment);
                let carrier_known_from = if shipment.carrier_data_unknown {
                    let of_shipment = record.scans.iter().filter(|s| s.tracking_number == shipment.tracking_number);
                    of_shipment.filter_map(|s| s.first_scan_at.into_iter().chain(s.delivered_at).min()).min()
                } else {
                    Some(Instant::MIN_UTC)
                };
                Shipment {
                    confirmed_at: shipment.confirmed_at,
                    carrier_known_from,
                    first_scan,
                    delivered,
                    units: shipment_units(record, shipment),
                    slots: std::cell::Cell::new([0; 3]),
                }
            })
            .collect();
        Deliveries { record, promised: record.order.promised_delivery_latest_at, shipping, shipments }
    }

    /// The keys: [`PROMISED`] on the promised day (on no day the order
    /// counts in, without one), then [`CONFIRMED`] on each shipment's
    /// confirmation day, shipments confirmed on one day sharing theirs.
    fn keys(&self, days: &Tally, keys: &mut Vec<(Counter, Day)>) {
        let promised_day = self.promised.map_or(Day::MIN, |promised| days.day_of(promised));
        keys.extend(PROMISED.map(|counter| (counter, promised_day)));
        for (i, shipment) in self.shipments.iter().enumerate() {
            let day = days.day_of(shipment.confirmed_at);
            let earlier = self.shipments.get(..i).unwrap_or_default();
            let slots = match earlier.iter().find(|s| days.day_of(s.confirmed_at) == day) {
                Some(same_day) => same_day.slots.get(),
                None => CONFIRMED.map(|counter| {
                    keys.push((counter, day));
                    keys.len().saturating_sub(1)
                }),
            };
            shipment.slots.set(slots);
        }
    }

    /// What the order counts at `t`, by position among [`Deliveries::keys`]:
    /// shipments, valid tracking, tracked and on-time deliveries, and units.
    fn amounts(&self, t: Instant, days: &Tally, amounts: &mut [i64]) {
        let order = &self.record.order;
        if order.fulfillment_channel != FulfillmentChannel::Mfn || t < order.purchased_at {
            return;
        }
        let mut count = |slot: usize, amount: i64| {
            if let Some(total) = amounts.get_mut(slot) {
                *total = total.saturating_add(amount);
            }
        };
        let promised_day = self.promised.map(|promised| days.day_of(promised));
        let mut units_on_time: u32 = 0;
        let mut carrier_data_missing = false;
        for shipment in self.shipments.iter().filter(|s| s.confirmed_at <= t) {
            let [missing, confirmed, valid] = shipment.slots.get();
            if shipment.carrier_known_from.is_none_or(|known| known > t) {
                // In neither side of valid tracking nor of the delivery rates.
                carrier_data_missing = true;
                count(missing, 1);
                if promised_day.is_some() {
                    count(CARRIER_MISSING_BY_PROMISE, 1);
                }
                continue;
            }
            count(confirmed, 1);
            let delivered = shipment.delivered.filter(|d| *d <= t);
            let Some(first_scan) = shipment.first_scan.filter(|s| *s <= t) else { continue };
            count(valid, 1);
            let Some(promised_day) = promised_day else { continue };
            count(TRACKED, 1);
            // On time (SPEC §3): valid tracking, delivered by the promised day, and not
            // first scanned after its delivery (a parcel not tracked in time). The
            // units of such a shipment are the units delivered on time.
            if delivered.is_some_and(|d| first_scan <= d && days.day_of(d) <= promised_day) {
                count(ON_TIME, 1);
                units_on_time = units_on_time.saturating_add(shipment.units);
            }
        }
        if promised_day.is_none() || self.shipping.cancelled_by(t) {
            return;
        }
        if !self.shipping.known(t) {
            // Its units are in neither side of the unit on-time delivery rate.
            count(DELIVERY_DATA_MISSING, 1);
        } else if !carrier_data_missing {
            // The units of an order a shipment of which lacks carrier data are in
            // neither side either (the shipment is counted above).
            count(UNITS_PROMISED, i64::from(order.units));
            count(UNITS_ON_TIME, i64::from(units_on_time.min(order.units)));
        }
    }

    /// Emits the order's delivery changes.
    pub(crate) fn changes(
        &self,
        emitter: &mut Emitter,
        calendar: Calendar,
        out: &mut impl FnMut(Counter, Day, Instant, i64),
    ) {
        let record = self.record;
        if record.order.fulfillment_channel != FulfillmentChannel::Mfn {
            return;
        }
        emitter.emit_keyed(
            calendar,
            |days, keys| self.keys(days, keys),
            |t| times(record, t),
            |t, days, amounts| self.amounts(t, days, amounts),
            out,
        );
    }
}

/// Counts shipments, valid tracking, tracked and on-time deliveries, and
/// units, as a tally.
#[cfg(test)]
pub(crate) fn tally(record: &OrderRecord, t: Instant, tally: &mut Tally) {
    let deliveries = Deliveries::new(record, Shipping::of(record));
    let mut keys = Vec::new();
    deliveries.keys(tally, &mut keys);
    let mut amounts = vec![0; keys.len()];
    deliveries.amounts(t, tally, &mut amounts);
    for ((counter, day), amount) in keys.into_iter().zip(amounts) {
        tally.add(counter, day, amount);
    }
}

/// Counts shipments, valid tracking, tracked and on-time deliveries, and
/// units, as SPEC §3 words them, asking the record at `t` (the definition
/// [`Deliveries`] is held to).
#[cfg(test)]
pub(crate) fn tally_by_definition(record: &OrderRecord, t: Instant, tally: &mut Tally) {
    let order = &record.order;
    if order.fulfillment_channel != FulfillmentChannel::Mfn || t < order.purchased_at {
        return;
    }
    let promised_day = order.promised_delivery_latest_at.map(|promised| tally.day_of(promised));
    let mut units_on_time: u32 = 0;
    let mut carrier_data_missing = false;
    for shipment in record.shipments.iter().filter(|s| s.confirmed_at <= t) {
        let confirmed_day = tally.day_of(shipment.confirmed_at);
        if !carrier_data_known(record, shipment, t) {
            // In neither side of valid tracking nor of the delivery rates.
            carrier_data_missing = true;
            tally.count(Counter::CarrierDataMissing, confirmed_day);
            if let Some(promised_day) = promised_day {
                tally.count(Counter::DeliveryCarrierDataMissing, promised_day);
            }
            continue;
        }
        tally.count(Counter::ShipmentsConfirmed, confirmed_day);
        let (first_scan, delivered) = scans(record, shipment);
        let delivered = delivered.filter(|d| *d <= t);
        let Some(first_scan) = first_scan.filter(|s| *s <= t) else { continue };
        tally.count(Counter::ValidTracking, confirmed_day);
        let Some(promised_day) = promised_day else { continue };
        tally.count(Counter::TrackedDeliveries, promised_day);
        // On time (SPEC §3): valid tracking, delivered by the promised day, and not
        // first scanned after its delivery (a parcel not tracked in time). The
        // units of such a shipment are the units delivered on time.
        if delivered.is_some_and(|d| first_scan <= d && tally.day_of(d) <= promised_day) {
            tally.count(Counter::OnTimeDeliveries, promised_day);
            units_on_time = units_on_time.saturating_add(shipment_units(record, shipment));
        }
    }
    let Some(promised_day) = promised_day else { return };
    if cancelled_by(record, t) {
        return;
    }
    if !shipping_known(record, t) {
        // Its units are in neither side of the unit on-time delivery rate.
        tally.count(Counter::DeliveryDataMissing, promised_day);
    } else if !carrier_data_missing {
        // The units of an order a shipment of which lacks carrier data are in
        // neither side either (the shipment is counted above).
        tally.add(Counter::UnitsPromised, promised_day, i64::from(order.units));
        tally.add(Counter::UnitsOnTime, promised_day, i64::from(units_on_time.min(order.units)));
    }
}
