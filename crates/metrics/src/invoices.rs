//! Invoice defect rate (SPEC §3): business orders whose invoice is missing or was
//! uploaded more than one business day after shipment ÷ business orders.

use sellerhealth_domain::{Calendar, Day, Instant, OrderRecord};

use crate::counters::Counter;
use crate::order_facts::{business_days_after, first_confirmation};
use crate::timeline::Emitter;
#[cfg(test)]
use crate::timeline::Tally;

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
const COUNTERS: [Counter; 4] =
    [Counter::BusinessOrders, Counter::InvoiceDefects, Counter::LateInvoices, Counter::MissingInvoices];

/// A business order on its purchase day, and its invoice defect once the
/// deadline passed without an upload before it (days of `calendar`).
fn amounts(record: &OrderRecord, calendar: Calendar, t: Instant) -> [i64; 4] {
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

/// Emits the order's invoice changes (none unless it is a business order).
pub(crate) fn changes(
    emitter: &mut Emitter,
    record: &OrderRecord,
    calendar: Calendar,
    out: &mut impl FnMut(Counter, Day, Instant, i64),
) {
    emitter.emit_fixed(
        calendar,
        COUNTERS,
        |days| days.day_of(record.order.purchased_at),
        |t| times(record, calendar, t),
        |t, _| amounts(record, calendar, t),
        out,
    );
}

/// The order's invoice counts at `t`, as a tally.
#[cfg(test)]
pub(crate) fn tally(record: &OrderRecord, t: Instant, tally: &mut Tally) {
    let day = tally.day_of(record.order.purchased_at);
    tally.add_each(COUNTERS, day, amounts(record, tally.calendar(), t));
}
