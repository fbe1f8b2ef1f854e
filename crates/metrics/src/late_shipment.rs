//! Late shipment rate (SPEC §3): MFN orders first confirmed after their latest
//! ship date (or still unconfirmed past it) ÷ MFN orders not cancelled, by
//! latest-ship date. An order whose shipping is unknown (its source cannot tell
//! when it shipped) is in neither; it is counted as lacking shipment data.

use sellerhealth_domain::{Calendar, Day, FulfillmentChannel, Instant, OrderRecord};

use crate::counters::Counter;
use crate::order_facts::{cancellation_before_shipment, cancelled_by, first_confirmation, shipping_known};
#[cfg(test)]
use crate::timeline::Tally;
use crate::timeline::{Emitter, just_after};

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

/// The late shipment counters, in the order of [`amounts`].
const COUNTERS: [Counter; 3] = [Counter::ShipmentDataMissing, Counter::ShipmentsDue, Counter::LateShipments];

/// The order on its latest-ship day: due (and late, once it is) unless
/// cancelled before shipment; lacking shipment data instead while its
/// shipping is unknown.
fn amounts(record: &OrderRecord, t: Instant) -> [i64; 3] {
    let order = &record.order;
    if order.fulfillment_channel != FulfillmentChannel::Mfn || t < order.purchased_at || cancelled_by(record, t) {
        [0, 0, 0]
    } else if !shipping_known(record, t) {
        [1, 0, 0]
    } else {
        [0, 1, i64::from(is_late(record, t))]
    }
}

/// Emits the order's late shipment changes.
pub(crate) fn changes(
    emitter: &mut Emitter,
    record: &OrderRecord,
    calendar: Calendar,
    out: &mut impl FnMut(Counter, Day, Instant, i64),
) {
    emitter.emit_fixed(
        calendar,
        COUNTERS,
        |days| days.day_of(record.order.latest_ship_at),
        |t| times(record, t),
        |t, _| amounts(record, t),
        out,
    );
}

/// The order's late shipment counts at `t`, as a tally.
#[cfg(test)]
pub(crate) fn tally(record: &OrderRecord, t: Instant, tally: &mut Tally) {
    let day = tally.day_of(record.order.latest_ship_at);
    tally.add_each(COUNTERS, day, amounts(record, t));
}
