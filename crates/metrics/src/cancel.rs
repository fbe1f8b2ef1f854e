//! Pre-fulfilment cancel rate (SPEC §3): MFN orders cancelled by the seller (or
//! auto-cancelled for an unconfirmed shipment) before shipment ÷ MFN orders.

use sellerhealth_domain::{Calendar, CancellationInitiator, Day, FulfillmentChannel, Instant, OrderRecord};

use crate::counters::Counter;
use crate::order_facts::cancellation_before_shipment;
use crate::timeline::Emitter;
#[cfg(test)]
use crate::timeline::Tally;

/// Instants where the order's cancel counter may change.
pub(crate) fn times(record: &OrderRecord, out: &mut Vec<Instant>) {
    out.extend(record.cancellations.iter().map(|c| c.cancelled_at));
}

/// The order as seller-cancelled on its purchase day, once such a
/// cancellation happened by `t`.
fn amounts(record: &OrderRecord, t: Instant) -> [i64; 1] {
    if record.order.fulfillment_channel != FulfillmentChannel::Mfn {
        return [0];
    }
    let Some(cancellation) = cancellation_before_shipment(record) else { return [0] };
    let sellers_fault =
        matches!(cancellation.initiator, CancellationInitiator::Seller | CancellationInitiator::SystemUnshipped);
    [i64::from(sellers_fault && cancellation.cancelled_at <= t)]
}

/// Emits the order's cancel-rate change, if it has one.
pub(crate) fn changes(
    emitter: &mut Emitter,
    record: &OrderRecord,
    calendar: Calendar,
    out: &mut impl FnMut(Counter, Day, Instant, i64),
) {
    emitter.emit_fixed(
        calendar,
        [Counter::SellerCancelledOrders],
        |days| days.day_of(record.order.purchased_at),
        |t| times(record, t),
        |t, _| amounts(record, t),
        out,
    );
}

/// The order's cancel-rate count at `t`, as a tally.
#[cfg(test)]
pub(crate) fn tally(record: &OrderRecord, t: Instant, tally: &mut Tally) {
    let day = tally.day_of(record.order.purchased_at);
    tally.add_each([Counter::SellerCancelledOrders], day, amounts(record, t));
}
