//! Valid tracking rate, on-time delivery rate and unit on-time delivery rate
//! (SPEC §3), all for MFN shipments.

use sellerhealth_domain::{FulfillmentChannel, Instant, OrderRecord};

use crate::counters::Counter;
use crate::order_facts::{cancelled_by, carrier_data_known, scans, shipment_units, shipping_known};
use crate::timeline::Tally;

/// Instants where the order's tracking and delivery counters may change.
pub(crate) fn times(record: &OrderRecord, out: &mut Vec<Instant>) {
    out.push(record.order.purchased_at);
    out.extend(record.shipments.iter().map(|s| s.confirmed_at));
    out.extend(record.scans.iter().flat_map(|s| s.first_scan_at.into_iter().chain(s.delivered_at)));
    out.extend(record.cancellations.iter().map(|c| c.cancelled_at));
}

/// Counts shipments, valid tracking, tracked and on-time deliveries, and units.
pub(crate) fn tally(record: &OrderRecord, t: Instant, tally: &mut Tally) {
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
