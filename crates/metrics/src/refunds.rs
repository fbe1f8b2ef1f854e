//! Refund rate (SPEC §3): orders with a refund or concession ÷ orders.

use sellerhealth_domain::{Calendar, Day, Instant, OrderRecord};

use crate::counters::Counter;
use crate::timeline::Emitter;
#[cfg(test)]
use crate::timeline::Tally;

/// Instants where the order's refund counter may change.
pub(crate) fn times(record: &OrderRecord, out: &mut Vec<Instant>) {
    out.extend(record.refunds.iter().map(|r| r.refunded_at));
}

/// Whether the order had a refund or concession by `t`.
pub fn refunded_by(record: &OrderRecord, t: Instant) -> bool {
    record.refunds.iter().any(|r| r.refunded_at <= t)
}

/// Emits the order's refund change, if it has one: counted on its purchase
/// day once it was refunded.
pub(crate) fn changes(
    emitter: &mut Emitter,
    record: &OrderRecord,
    calendar: Calendar,
    out: &mut impl FnMut(Counter, Day, Instant, i64),
) {
    emitter.emit_fixed(
        calendar,
        [Counter::RefundedOrders(record.order.fulfillment_channel)],
        |days| days.day_of(record.order.purchased_at),
        |t| times(record, t),
        |t, _| [i64::from(refunded_by(record, t))],
        out,
    );
}

/// Counts the order as refunded once it was, as a tally.
#[cfg(test)]
pub(crate) fn tally(record: &OrderRecord, t: Instant, tally: &mut Tally) {
    let order = &record.order;
    let day = tally.day_of(order.purchased_at);
    tally.add_each([Counter::RefundedOrders(order.fulfillment_channel)], day, [i64::from(refunded_by(record, t))]);
}
