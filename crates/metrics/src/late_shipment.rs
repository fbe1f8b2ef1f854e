//! Late shipment rate (SPEC §3): MFN orders first confirmed after their latest
//! ship date (or still unconfirmed past it) ÷ MFN orders not cancelled, by
//! latest-ship date. An order whose shipping is unknown (its source cannot tell
//! when it shipped) is in neither; it is counted as lacking shipment data.

use sellerhealth_domain::{FulfillmentChannel, Instant, OrderRecord};

use crate::counters::Counter;
use crate::order_facts::Shipping;
use crate::timeline::just_after;

/// Instants where the order's shipping counters may change: its purchase,
/// its latest ship date passing, its cancellation before shipment and its
/// first confirmation (a superset of [`shipping_times`]).
#[cfg(test)]
pub(crate) fn times(record: &OrderRecord, out: &mut Vec<Instant>) {
    let shipping = Shipping::of(record);
    out.push(record.order.purchased_at);
    out.push(just_after(record.order.latest_ship_at));
    out.extend(shipping.cancelled.map(|(at, _)| at));
    out.extend(shipping.first_confirmation);
}

/// Instants where the order's shipping counters may change, its shipping
/// worked out: its latest ship date passing only when it is not confirmed
/// by then; none for an AFN order, which counts in none of them.
pub(crate) fn shipping_times(record: &OrderRecord, shipping: &Shipping, out: &mut Vec<Instant>) {
    if record.order.fulfillment_channel != FulfillmentChannel::Mfn {
        return;
    }
    out.push(record.order.purchased_at);
    if shipping.late(Instant::MAX_UTC) {
        out.push(just_after(record.order.latest_ship_at));
    }
    out.extend(shipping.cancelled.map(|(at, _)| at));
    // An order of unknown shipping becomes known at its first confirmation.
    out.extend(shipping.first_confirmation);
}

/// Whether the order is late at `t`: its latest ship date has passed without a
/// confirmation by then.
pub fn is_late(record: &OrderRecord, t: Instant) -> bool {
    Shipping::of(record).late(t)
}

/// The late shipment counters, in the order of [`amounts`].
pub(crate) const COUNTERS: [Counter; 3] = [Counter::ShipmentDataMissing, Counter::ShipmentsDue, Counter::LateShipments];

/// The order on its latest-ship day: due (and late, once it is) unless
/// cancelled before shipment; lacking shipment data instead while its
/// shipping is unknown.
pub(crate) fn amounts(record: &OrderRecord, shipping: &Shipping, t: Instant) -> [i64; 3] {
    let order = &record.order;
    if order.fulfillment_channel != FulfillmentChannel::Mfn || t < order.purchased_at || shipping.cancelled_by(t) {
        [0, 0, 0]
    } else if !shipping.known(t) {
        [1, 0, 0]
    } else {
        [0, 1, i64::from(shipping.late(t))]
    }
}
