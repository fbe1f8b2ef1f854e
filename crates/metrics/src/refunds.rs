//! Refund rate (SPEC §3): orders with a refund or concession ÷ orders.

use sellerhealth_domain::{Instant, OrderRecord};

use crate::counters::Counter;
use crate::timeline::Tally;

/// Instants where the order's refund counter may change.
pub(crate) fn times(record: &OrderRecord, out: &mut Vec<Instant>) {
    out.extend(record.refunds.iter().map(|r| r.refunded_at));
}

/// Whether the order had a refund or concession by `t`.
pub fn refunded_by(record: &OrderRecord, t: Instant) -> bool {
    record.refunds.iter().any(|r| r.refunded_at <= t)
}

/// Counts the order as refunded once it was.
pub(crate) fn tally(record: &OrderRecord, t: Instant, tally: &mut Tally) {
    if refunded_by(record, t) {
        let order = &record.order;
        tally.count(Counter::RefundedOrders(order.fulfillment_channel), tally.day_of(order.purchased_at));
    }
}
