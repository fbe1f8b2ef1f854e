//! Late shipment rate (SPEC §3): MFN orders first confirmed after their latest
//! ship date (or still unconfirmed past it) ÷ MFN orders not cancelled, by
//! latest-ship date. An order whose shipping is unknown (its source cannot tell
//! when it shipped) is in neither; it is counted as lacking shipment data.

use sellerhealth_domain::{FulfillmentChannel, Instant, OrderRecord};

use crate::counters::Counter;
use crate::order_facts::{cancellation_before_shipment, cancelled_by, first_confirmation, shipping_known};
use crate::timeline::{Tally, just_after};

/// Instants where the order's shipping counters may change.
pub(crate) fn times(record: &OrderRecord, out: &mut Vec<Instant>) {
    out.push(record.order.purchased_at);
    out.push(just_after(record.order.latest_ship_at));
    out.extend(cancellation_before_shipment(record).map(|c| c.cancelled_at));
    // An order of unknown shipping becomes known at its first confirmation.
    out.extend(first_confirmation(record));
}

/// Whether the order is late at `t`: its latest ship date has passed without a
/// confirmation by then.
pub fn is_late(record: &OrderRecord, t: Instant) -> bool {
    let due = record.order.latest_ship_at;
    t > due && first_confirmation(record).is_none_or(|shipped| shipped > due)
}

/// Counts the order as due (and late, once it is) unless cancelled before shipment;
/// as lacking shipment data instead while its shipping is unknown.
pub(crate) fn tally(record: &OrderRecord, t: Instant, tally: &mut Tally) {
    let order = &record.order;
    if order.fulfillment_channel != FulfillmentChannel::Mfn || t < order.purchased_at || cancelled_by(record, t) {
        return;
    }
    let day = tally.day_of(order.latest_ship_at);
    if !shipping_known(record, t) {
        tally.count(Counter::ShipmentDataMissing, day);
        return;
    }
    tally.count(Counter::ShipmentsDue, day);
    if is_late(record, t) {
        tally.count(Counter::LateShipments, day);
    }
}
