//! Invoice defect rate (SPEC §3): business orders whose invoice is missing or was
//! uploaded more than one business day after shipment ÷ business orders.

use sellerhealth_domain::{Calendar, Instant, OrderRecord};

use crate::counters::Counter;
use crate::order_facts::{business_days_after, first_confirmation};

/// The instant the invoice becomes late: the start of the second business day
/// after the shipment day (an upload up to the end of the first one is on
/// time), days of the order's marketplace's `calendar`.
pub fn invoice_deadline(record: &OrderRecord, calendar: Calendar) -> Option<Instant> {
    first_confirmation(record).map(|shipped| calendar.start_of(business_days_after(calendar.day_of(shipped), 2)))
}

/// Instants where the order's invoice counters may change.
pub(crate) fn times(record: &OrderRecord, calendar: Calendar, out: &mut Vec<Instant>) {
    if record.order.business_order {
        out.push(record.order.purchased_at);
        out.extend(invoice_deadline(record, calendar));
        out.extend(record.invoices.iter().map(|i| i.uploaded_at));
    }
}

/// The invoice counters, in the order of [`amounts`].
pub(crate) const COUNTERS: [Counter; 4] =
    [Counter::BusinessOrders, Counter::InvoiceDefects, Counter::LateInvoices, Counter::MissingInvoices];

/// A business order on its purchase day, and its invoice defect once the
/// deadline passed without an upload before it (days of `calendar`).
pub(crate) fn amounts(record: &OrderRecord, calendar: Calendar, t: Instant) -> [i64; 4] {
    let order = &record.order;
    if !order.business_order || t < order.purchased_at {
        return [0; 4];
    }
    let Some(deadline) = invoice_deadline(record, calendar) else { return [1, 0, 0, 0] };
    let uploaded_in_time = record.invoices.iter().any(|i| i.uploaded_at < deadline);
    if t >= deadline && !uploaded_in_time {
        let uploaded = record.invoices.iter().any(|i| i.uploaded_at <= t);
        [1, 1, i64::from(uploaded), i64::from(!uploaded)]
    } else {
        [1, 0, 0, 0]
    }
}
