//! The table of figures: for each seller and marketplace, the 41 figures the
//! batch benchmark compares with DuckDB and SQLite (`crates/bench`), tab-separated
//! after the seller and marketplace ids. `sellerhealth batch --format table`
//! prints it under [`header`].

use sellerhealth_metrics::{AccountHealthReport, Metric, RateMetric};

/// The names of the figures, in the order of a row after seller and marketplace.
pub const FIGURE_NAMES: [&str; 41] = [
    "odr_mfn_defective",
    "odr_mfn_orders",
    "odr_mfn_negative_feedback",
    "odr_mfn_atoz_claims",
    "odr_mfn_service_chargebacks",
    "odr_afn_defective",
    "odr_afn_orders",
    "odr_afn_negative_feedback",
    "odr_afn_atoz_claims",
    "odr_afn_service_chargebacks",
    "cancel_seller_cancelled",
    "cancel_mfn_orders",
    "lsr10_late",
    "lsr10_due",
    "lsr30_late",
    "lsr30_due",
    "vtr_valid",
    "vtr_confirmed",
    "otdr_on_time",
    "otdr_tracked",
    "uotdr_units_on_time",
    "uotdr_units",
    "rdr_dissatisfied",
    "rdr_requests",
    "refund_refunded",
    "refund_orders",
    "crt7_on_time",
    "crt7_late",
    "crt7_pending",
    "crt7_average_hours",
    "crt7_p90_hours",
    "crt30_on_time",
    "crt30_late",
    "crt30_pending",
    "crt30_average_hours",
    "crt30_p90_hours",
    "crt90_on_time",
    "crt90_late",
    "crt90_pending",
    "crt90_average_hours",
    "crt90_p90_hours",
];

/// Rates the table leaves out: the SQL peers do not compute them (the generated
/// data has no surveys or invoices).
const PEERLESS: [Metric; 2] = [Metric::CustomerServiceDissatisfactionRate, Metric::InvoiceDefectRate];

/// A rate's numerator and denominator.
fn counts(rate: &RateMetric) -> [String; 2] {
    [rate.numerator.to_string(), rate.denominator.to_string()]
}

/// The figures of one report, as the SQL peers print them: tab-separated, the
/// average response hours to 9 decimals, an absent figure empty.
pub fn report_row(report: &AccountHealthReport) -> String {
    let mut fields = vec![report.seller_id.clone(), report.marketplace_id.clone()];
    for odr in [&report.order_defect_rate_mfn, &report.order_defect_rate_afn] {
        fields.extend(counts(&odr.rate));
        fields.extend([odr.negative_feedback, odr.atoz_claims, odr.service_chargebacks].map(|n| n.to_string()));
    }
    // The ODRs are above, with their components; the peers compute every other rate but the PEERLESS.
    for rate in report.rates().into_iter().skip(2).filter(|r| !PEERLESS.contains(&r.metric)) {
        fields.extend(counts(rate));
    }
    for contact in &report.contact_response_times {
        fields.extend([contact.on_time, contact.late, contact.pending].map(|n| n.to_string()));
        fields.push(contact.average_response_hours.map(|h| format!("{h:.9}")).unwrap_or_default());
        fields.push(contact.p90_response_hours.map(|h| h.to_string()).unwrap_or_default());
    }
    fields.join("\t")
}

/// The table's header line: `seller_id`, `marketplace_id` and the [`FIGURE_NAMES`], tab-separated.
pub fn header() -> String {
    ["seller_id", "marketplace_id"].iter().chain(&FIGURE_NAMES).copied().collect::<Vec<_>>().join("\t")
}
