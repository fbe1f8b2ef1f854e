//! Pre-fulfilment cancel rate (SPEC §3): MFN orders cancelled by the seller (or
//! auto-cancelled for an unconfirmed shipment) before shipment ÷ MFN orders.

use sellerhealth_domain::{CancellationInitiator, FulfillmentChannel, Instant, OrderRecord};

use crate::counters::Counter;
use crate::order_facts::cancellation_before_shipment;
use crate::timeline::Tally;

/// Instants where the order's cancel counter may change.
pub(crate) fn times(record: &OrderRecord, out: &mut Vec<Instant>) {
    out.extend(record.cancellations.iter().map(|c| c.cancelled_at));
}

/// Counts the order as seller-cancelled once such a cancellation happened by `t`.
pub(crate) fn tally(record: &OrderRecord, t: Instant, tally: &mut Tally) {
    if record.order.fulfillment_channel != FulfillmentChannel::Mfn {
        return;
    }
    let Some(cancellation) = cancellation_before_shipment(record) else { return };
    let sellers_fault =
        matches!(cancellation.initiator, CancellationInitiator::Seller | CancellationInitiator::SystemUnshipped);
    if sellers_fault && cancellation.cancelled_at <= t {
        tally.count(Counter::SellerCancelledOrders, tally.day_of(record.order.purchased_at));
    }
}
