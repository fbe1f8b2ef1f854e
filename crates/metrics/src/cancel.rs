//! Pre-fulfilment cancel rate (SPEC §3): MFN orders cancelled by the seller (or
//! auto-cancelled for an unconfirmed shipment) before shipment ÷ MFN orders.

use sellerhealth_domain::{CancellationInitiator, FulfillmentChannel, Instant, OrderRecord};

use crate::order_facts::cancellation_before_shipment;

/// Instants where the order's cancel counter may change.
pub(crate) fn times(record: &OrderRecord, out: &mut Vec<Instant>) {
    out.extend(record.cancellations.iter().map(|c| c.cancelled_at));
}

/// The order as seller-cancelled on its purchase day, once such a
/// cancellation happened by `t`.
pub(crate) fn amounts(record: &OrderRecord, t: Instant) -> [i64; 1] {
    if record.order.fulfillment_channel != FulfillmentChannel::Mfn {
        return [0];
    }
    let Some(cancellation) = cancellation_before_shipment(record) else { return [0] };
    let sellers_fault =
        matches!(cancellation.initiator, CancellationInitiator::Seller | CancellationInitiator::SystemUnshipped);
    [i64::from(sellers_fault && cancellation.cancelled_at <= t)]
}
