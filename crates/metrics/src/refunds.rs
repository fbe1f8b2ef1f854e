//! Refund rate (SPEC §3): orders with a refund or concession ÷ orders.

use sellerhealth_domain::{Instant, OrderRecord};

/// Instants where the order's refund counter may change.
pub(crate) fn times(record: &OrderRecord, out: &mut Vec<Instant>) {
    out.extend(record.refunds.iter().map(|r| r.refunded_at));
}

/// Whether the order had a refund or concession by `t`.
pub fn refunded_by(record: &OrderRecord, t: Instant) -> bool {
    record.refunds.iter().any(|r| r.refunded_at <= t)
}
