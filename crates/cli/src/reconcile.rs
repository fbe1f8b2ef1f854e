//! Amazon's GET_V2_SELLER_PERFORMANCE_REPORT beside ours, figure by figure.
//!
//! Both documents are read by one reader, [`sellerhealth_metrics::sp_api`]: the
//! types that write our export, following Amazon's schema. It takes the
//! variants real reports have (`prefulfillmentCancelRate`, `warningState`, a
//! `{count, status}` component left out when zero) and refuses any other wrong
//! shape, naming the place (`performanceMetrics[0].lateShipmentRate.status:
//! unknown variant ...`). Every figure is compared: the rates and counts, the
//! policy categories' counts and the AHR in one table; the account status, the
//! AHR status, the open warnings and each metric's reporting days, as text, in
//! another.

use sellerhealth_domain::{Calendar, Policy, PolicyCategory};
use sellerhealth_metrics::policy_compliance::CATEGORIES;
use sellerhealth_metrics::sp_api::{self, Document, LateShipmentRate, PerformanceMetrics, ReportingDateRange, Status};
use serde_json::Value;

use crate::files::{Decoded, decode};

/// Reads Amazon's report from a file's bytes (any encoding [`decode`] reads):
/// the document and how its bytes were read, or why it is not the document.
pub fn read_report(bytes: &[u8]) -> Result<(Document, Decoded), String> {
    let decoded = decode(bytes);
    let value: Value = serde_json::from_str(&decoded.text).map_err(|e| format!("not JSON (read as {decoded}): {e}"))?;
    let document = sp_api::from_value(&value).map_err(|e| e.to_string())?;
    Ok((document, decoded))
}

/// One number of one metric on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// What is compared, e.g. `orderDefectRate.mfn rate`.
    pub figure: String,
    /// Amazon's value, if the report has it.
    pub amazon: Option<f64>,
    /// Ours, if we have it.
    pub ours: Option<f64>,
}

impl Line {
    /// Ours minus Amazon's, when both are there.
    pub fn difference(&self) -> Option<f64> {
        Some(self.ours? - self.amazon?)
    }
}

/// One text figure on both sides: a status, or a metric's reporting days
/// (`2026-04-18..2026-06-16`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextLine {
    /// What is compared, e.g. `account status`.
    pub figure: String,
    /// Amazon's, if the report has it.
    pub amazon: Option<String>,
    /// Ours, if we have it.
    pub ours: Option<String>,
}

impl TextLine {
    /// Whether both say the same, when both are there.
    pub fn same(&self) -> Option<bool> {
        Some(self.amazon.as_ref()? == self.ours.as_ref()?)
    }
}

/// Both reports side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Statuses and reporting days.
    pub texts: Vec<TextLine>,
    /// Rates and counts.
    pub lines: Vec<Line>,
}

/// A number read from one marketplace's metrics; `None` where the metric is absent.
type Number = fn(&PerformanceMetrics) -> Option<f64>;

/// The numbers compared up to the late shipment rate (then come the windows
/// of `lateShipmentRateList`, then [`NUMBERS_AFTER`]).
const NUMBERS_BEFORE: &[(&str, Number)] = &[
    ("orderDefectRate.mfn rate", |m| Some(m.order_defect_rate.as_ref()?.mfn.rate)),
    ("orderDefectRate.mfn orders", |m| Some(m.order_defect_rate.as_ref()?.mfn.order_count as f64)),
    ("orderDefectRate.mfn defects", |m| Some(m.order_defect_rate.as_ref()?.mfn.order_with_defects.count as f64)),
    ("orderDefectRate.mfn claims", |m| Some(m.order_defect_rate.as_ref()?.mfn.claims.count as f64)),
    ("orderDefectRate.mfn chargebacks", |m| Some(m.order_defect_rate.as_ref()?.mfn.chargebacks.count as f64)),
    ("orderDefectRate.mfn negative feedback", |m| {
        Some(m.order_defect_rate.as_ref()?.mfn.negative_feedback.count as f64)
    }),
    ("orderDefectRate.afn rate", |m| Some(m.order_defect_rate.as_ref()?.afn.rate)),
    ("orderDefectRate.afn orders", |m| Some(m.order_defect_rate.as_ref()?.afn.order_count as f64)),
    ("orderDefectRate.afn defects", |m| Some(m.order_defect_rate.as_ref()?.afn.order_with_defects.count as f64)),
    ("orderDefectRate.afn claims", |m| Some(m.order_defect_rate.as_ref()?.afn.claims.count as f64)),
    ("orderDefectRate.afn chargebacks", |m| Some(m.order_defect_rate.as_ref()?.afn.chargebacks.count as f64)),
    ("orderDefectRate.afn negative feedback", |m| {
        Some(m.order_defect_rate.as_ref()?.afn.negative_feedback.count as f64)
    }),
    ("cancellation rate", |m| Some(m.pre_fulfillment_cancellation_rate.as_ref()?.rate)),
    ("cancellations", |m| Some(m.pre_fulfillment_cancellation_rate.as_ref()?.cancellation_count as f64)),
    ("orders (cancellation rate)", |m| Some(m.pre_fulfillment_cancellation_rate.as_ref()?.order_count as f64)),
    ("late shipment rate", |m| Some(m.late_shipment_rate.as_ref()?.rate)),
    ("late shipments", |m| Some(m.late_shipment_rate.as_ref()?.late_shipment_count as f64)),
    ("orders (late shipment rate)", |m| Some(m.late_shipment_rate.as_ref()?.order_count as f64)),
];

/// The numbers compared after the late shipment windows, before the policy
/// categories.
const NUMBERS_AFTER: &[(&str, Number)] = &[
    ("valid tracking rate", |m| Some(m.valid_tracking_rate.as_ref()?.rate)),
    ("shipments with valid tracking", |m| Some(m.valid_tracking_rate.as_ref()?.valid_tracking_count as f64)),
    ("shipments (valid tracking rate)", |m| Some(m.valid_tracking_rate.as_ref()?.shipment_count as f64)),
    ("on-time delivery rate", |m| Some(m.on_time_delivery_rate.as_ref()?.rate)),
    ("on-time deliveries", |m| Some(m.on_time_delivery_rate.as_ref()?.on_time_delivery_count as f64)),
    ("tracked shipments (on-time delivery)", |m| {
        Some(m.on_time_delivery_rate.as_ref()?.shipment_count_with_valid_tracking as f64)
    }),
    ("unit on-time delivery rate", |m| Some(m.unit_on_time_delivery_rate.as_ref()?.rate)),
    ("units on time", |m| Some(m.unit_on_time_delivery_rate.as_ref()?.unit_on_time_delivery_count as f64)),
    ("units (unit on-time delivery rate)", |m| Some(m.unit_on_time_delivery_rate.as_ref()?.total_unit_count as f64)),
    ("invoice defect rate", |m| Some(m.invoice_defect_rate.as_ref()?.rate)),
    ("invoice defects", |m| Some(m.invoice_defect_rate.as_ref()?.invoice_defect.count as f64)),
    ("missing invoices", |m| Some(m.invoice_defect_rate.as_ref()?.missing_invoice.count as f64)),
    ("late invoices", |m| Some(m.invoice_defect_rate.as_ref()?.late_invoice.count as f64)),
    ("orders (invoice defect rate)", |m| Some(m.invoice_defect_rate.as_ref()?.order_count as f64)),
];

/// A metric's reporting days, read from one marketplace's metrics.
type Days = fn(&PerformanceMetrics) -> Option<ReportingDateRange>;

/// The rate metrics whose reporting days are compared, up to the late shipment rate.
const DAYS_BEFORE: &[(&str, Days)] = &[
    ("orderDefectRate.mfn dates", |m| Some(m.order_defect_rate.as_ref()?.mfn.reporting_date_range)),
    ("orderDefectRate.afn dates", |m| Some(m.order_defect_rate.as_ref()?.afn.reporting_date_range)),
    ("cancellation rate dates", |m| Some(m.pre_fulfillment_cancellation_rate.as_ref()?.reporting_date_range)),
    ("late shipment rate dates", |m| Some(m.late_shipment_rate.as_ref()?.reporting_date_range)),
];

/// The rate metrics whose reporting days are compared, after the late shipment windows.
const DAYS_AFTER: &[(&str, Days)] = &[
    ("valid tracking rate dates", |m| Some(m.valid_tracking_rate.as_ref()?.reporting_date_range)),
    ("on-time delivery rate dates", |m| Some(m.on_time_delivery_rate.as_ref()?.reporting_date_range)),
    ("unit on-time delivery rate dates", |m| Some(m.unit_on_time_delivery_rate.as_ref()?.reporting_date_range)),
    ("invoice defect rate dates", |m| Some(m.invoice_defect_rate.as_ref()?.reporting_date_range)),
];

/// A policy category's name in the table (the property names are too long for it).
fn category_label(category: PolicyCategory) -> &'static str {
    match category {
        PolicyCategory::ListingPolicyViolations => "listing policy violations",
        PolicyCategory::ProductAuthenticityCustomerComplaints => "product authenticity complaints",
        PolicyCategory::ProductConditionCustomerComplaints => "product condition complaints",
        PolicyCategory::ProductSafetyCustomerComplaints => "product safety complaints",
        PolicyCategory::ReceivedIntellectualPropertyComplaints => "received IP complaints",
        PolicyCategory::RestrictedProductPolicyViolations => "restricted product violations",
        PolicyCategory::SuspectedIntellectualPropertyViolations => "suspected IP violations",
        PolicyCategory::FoodAndProductSafetyIssues => "food and product safety issues",
        PolicyCategory::CustomerProductReviewsPolicyViolations => "product review policy violations",
        PolicyCategory::OtherPolicyViolations => "other policy violations",
        PolicyCategory::DocumentRequests => "document requests",
    }
}

/// One side of the comparison: its document and the marketplace's metrics in it.
struct Side<'a> {
    document: &'a Document,
    metrics: Option<&'a PerformanceMetrics>,
    /// The marketplace's calendar in the built-in profile: reporting ranges
    /// are read as its days (the UTC instants of local days' starts and ends).
    calendar: Calendar,
}

impl<'a> Side<'a> {
    /// The metrics for `marketplace` (or the first ones when none is named).
    fn of(document: &'a Document, marketplace: Option<&str>) -> Self {
        let metrics = match marketplace {
            Some(id) => document.metrics_of(id),
            None => document.performance_metrics.first(),
        };
        let calendar = metrics.map_or(Calendar::UTC, |m| Policy::amazon().calendar(&m.marketplace_id));
        Side { document, metrics, calendar }
    }

    /// The `lateShipmentRateList` entry covering `days` days.
    fn late_window(&self, days: i64) -> Option<&'a LateShipmentRate> {
        let list = self.metrics?.late_shipment_rate_list.as_ref()?;
        list.iter().find(|entry| entry.reporting_date_range.day_count(self.calendar) == days)
    }

    /// The window lengths of its `lateShipmentRateList`.
    fn late_windows(&self) -> Vec<i64> {
        let list = self.metrics.and_then(|m| m.late_shipment_rate_list.as_ref());
        list.into_iter().flatten().map(|entry| entry.reporting_date_range.day_count(self.calendar)).collect()
    }

    /// The types of its warning states.
    fn warning_types(&self) -> Vec<&'a str> {
        let states = self.metrics.and_then(|m| m.warning_states.as_ref());
        states.into_iter().flatten().map(|state| state.warning_type.as_str()).collect()
    }

    /// Its numbers, in table order, with the late shipment `windows` of either side.
    fn numbers(&self, windows: &[i64]) -> Vec<(String, Option<f64>)> {
        let metrics = self.metrics;
        let read = |list: &[(&str, Number)]| -> Vec<(String, Option<f64>)> {
            list.iter().map(|(label, number)| ((*label).to_owned(), metrics.and_then(number))).collect()
        };
        let mut out = read(NUMBERS_BEFORE);
        for &days in windows {
            let entry = self.late_window(days);
            out.push((format!("{days}-day late shipment rate"), entry.map(|e| e.rate)));
            out.push((format!("{days}-day late shipments"), entry.map(|e| e.late_shipment_count as f64)));
            out.push((format!("orders ({days}-day late shipment rate)"), entry.map(|e| e.order_count as f64)));
        }
        out.extend(read(NUMBERS_AFTER));
        for category in CATEGORIES {
            let count = metrics.and_then(|m| m.category(category)).map(|c| c.defects_count as f64);
            out.push((category_label(category).to_owned(), count));
        }
        let score = metrics.and_then(|m| m.account_health_rating.as_ref()?.ahr_score);
        out.push(("Account Health Rating".to_owned(), score.map(|s| s as f64)));
        // Open warnings: the states of status BAD; unknown when the list is absent.
        let states = metrics.and_then(|m| m.warning_states.as_ref());
        let open = states.map(|states| states.iter().filter(|s| s.status == Status::Bad).count() as f64);
        out.push(("open warnings".to_owned(), open));
        out
    }

    /// Its text figures, in table order, for the late shipment `windows` and the
    /// `warning_types` of either side.
    fn texts(
        &self,
        marketplace: Option<&str>,
        windows: &[i64],
        warning_types: &[&str],
    ) -> Vec<(String, Option<String>)> {
        let metrics = self.metrics;
        let marketplace = marketplace.or(metrics.map(|m| m.marketplace_id.as_str()));
        let status = marketplace.and_then(|id| self.document.account_status_of(id)).map(|s| s.as_str().to_owned());
        let ahr = metrics.and_then(|m| Some(m.account_health_rating.as_ref()?.ahr_status.clone()));
        let mut out = vec![("account status".to_owned(), status), ("Account Health Rating status".to_owned(), ahr)];
        for &warning_type in warning_types {
            let states = metrics.and_then(|m| m.warning_states.as_ref());
            let open = states.map(|states| {
                let open = states.iter().any(|s| s.warning_type == warning_type && s.status == Status::Bad);
                if open { "open" } else { "not open" }.to_owned()
            });
            out.push((format!("warning {warning_type}"), open));
        }
        let days = |list: &[(&str, Days)]| -> Vec<(String, Option<String>)> {
            list.iter()
                .map(|(label, days)| ((*label).to_owned(), metrics.and_then(days).map(|d| d.days_text(self.calendar))))
                .collect()
        };
        out.extend(days(DAYS_BEFORE));
        for &window in windows {
            let range = self.late_window(window).map(|e| e.reporting_date_range.days_text(self.calendar));
            out.push((format!("{window}-day late shipment rate dates"), range));
        }
        out.extend(days(DAYS_AFTER));
        for category in CATEGORIES {
            let range =
                metrics.and_then(|m| m.category(category)).map(|c| c.reporting_date_range.days_text(self.calendar));
            out.push((format!("{} dates", category_label(category)), range));
        }
        let ahr_days =
            metrics.and_then(|m| Some(m.account_health_rating.as_ref()?.reporting_date_range.days_text(self.calendar)));
        out.push(("Account Health Rating dates".to_owned(), ahr_days));
        out
    }
}

/// Amazon's and our figures side by side; an error when Amazon's report has no
/// metrics for `marketplace` (never another marketplace's in their place).
pub fn compare(amazon: &Document, ours: &Document, marketplace: Option<&str>) -> Result<Comparison, String> {
    let (amazon, ours) = (Side::of(amazon, marketplace), Side::of(ours, marketplace));
    if let (Some(id), None) = (marketplace, amazon.metrics) {
        let present: Vec<&str> =
            amazon.document.performance_metrics.iter().map(|m| m.marketplace_id.as_str()).collect();
        let present = if present.is_empty() { "none named".to_owned() } else { present.join(", ") };
        return Err(format!("Amazon's report has no metrics for marketplace {id} (it has: {present})"));
    }
    let mut windows = amazon.late_windows();
    windows.extend(ours.late_windows());
    windows.sort_unstable();
    windows.dedup();
    let mut warning_types = amazon.warning_types();
    warning_types.extend(ours.warning_types());
    warning_types.sort_unstable();
    warning_types.dedup();
    let lines = amazon
        .numbers(&windows)
        .into_iter()
        .zip(ours.numbers(&windows))
        .map(|((figure, amazon), (_, ours))| Line { figure, amazon, ours })
        .collect();
    let texts = amazon
        .texts(marketplace, &windows, &warning_types)
        .into_iter()
        .zip(ours.texts(marketplace, &windows, &warning_types))
        .map(|((figure, amazon), (_, ours))| TextLine { figure, amazon, ours })
        .collect();
    Ok(Comparison { texts, lines })
}

/// The comparison as two tables: the text figures, each marked `same` or
/// `differs`, then the numbers, rates as percentages and counts as whole
/// numbers with their difference (ours minus Amazon's).
pub fn render(comparison: &Comparison) -> String {
    let header = || ["figure".to_owned(), "Amazon".to_owned(), "ours".to_owned(), "difference".to_owned()];
    let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "—".to_owned());
    let mut texts = vec![header()];
    for line in &comparison.texts {
        let marker = match line.same() {
            None => "—",
            Some(true) => "same",
            Some(false) => "differs",
        };
        texts.push([line.figure.clone(), text(&line.amazon), text(&line.ours), marker.to_owned()]);
    }
    let show = |figure: &str, value: Option<f64>| match value {
        None => "—".to_owned(),
        Some(v) if figure.ends_with("rate") => format!("{:.2}%", v * 100.0),
        Some(v) => format!("{v}"),
    };
    let mut numbers = vec![header()];
    for line in &comparison.lines {
        let difference = match line.difference() {
            None => "—".to_owned(),
            Some(d) if line.figure.ends_with("rate") => format!("{:+.2} pp", d * 100.0),
            Some(d) => format!("{d:+}"),
        };
        numbers.push([line.figure.clone(), show(&line.figure, line.amazon), show(&line.figure, line.ours), difference]);
    }
    let mut out = table(&texts);
    out.push('\n');
    out.push_str(&table(&numbers));
    out
}

/// Rows in columns as wide as their widest cell, two spaces apart.
fn table(rows: &[[String; 4]]) -> String {
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|cell| cell.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::{Value, json};

    use super::*;

    const M: &str = "ATVPDKIKX0DER";

    /// `fields` with a metric's required rest: reporting days, status, target.
    fn metric(fields: Value) -> Value {
        let mut metric = json!({
            "reportingDateRange": { "reportingDateFrom": "2026-04-18T07:00Z", "reportingDateTo": "2026-06-17T06:59Z" },
            "status": "GOOD", "rate": 0.0, "targetValue": 0.01, "targetCondition": "LESS_THAN",
        });
        metric.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        metric
    }

    fn odr(fields: Value) -> Value {
        let mut odr = json!({ "orderCount": 0, "fulfillmentType": "mfn" });
        odr.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        metric(odr)
    }

    fn document(value: Value) -> Document {
        sp_api::from_value(&value).unwrap()
    }

    #[test]
    fn schema_variants_and_missing_zero_components_are_read() {
        let amazon = document(json!({ "accountStatuses": [], "performanceMetrics": [{
            "marketplaceId": M,
            "orderDefectRate": {
                "mfn": odr(json!({ "rate": 0.01, "orderCount": 200, "orderWithDefects": { "count": 2, "status": "GOOD" },
                                   "negativeFeedback": { "count": 2, "status": "NONE" } })),
                "afn": odr(json!({ "fulfillmentType": "afn" })),
            },
            "prefulfillmentCancelRate": metric(json!({ "rate": 0.02, "orderCount": 200, "cancellationCount": 4 })),
            "warningState": { "warningType": "orderDefectRate", "status": "BAD" },
        }]}));
        let ours = document(json!({ "accountStatuses": [], "performanceMetrics": [{
            "marketplaceId": M,
            "orderDefectRate": {
                "mfn": odr(json!({ "rate": 0.015, "orderCount": 200, "orderWithDefects": { "count": 3, "status": "BAD" },
                                   "claims": { "count": 1, "status": "NONE" },
                                   "negativeFeedback": { "count": 2, "status": "NONE" } })),
                "afn": odr(json!({ "fulfillmentType": "afn" })),
            },
            "preFulfillmentCancellationRate": metric(json!({ "rate": 0.02, "orderCount": 200, "cancellationCount": 4 })),
            "warningStates": [],
        }]}));
        let lines = compare(&amazon, &ours, Some(M)).unwrap().lines;
        let find = |name: &str| lines.iter().find(|l| l.figure == name).unwrap().clone();
        assert_eq!(find("orderDefectRate.mfn claims").amazon, Some(0.0));
        assert_eq!(find("orderDefectRate.mfn claims").difference(), Some(1.0));
        assert_eq!(find("orderDefectRate.mfn defects").difference(), Some(1.0));
        assert_eq!(find("cancellations").amazon, Some(4.0));
        assert_eq!(find("cancellation rate").difference(), Some(0.0));
        assert_eq!(find("open warnings").amazon, Some(1.0));
        assert_eq!(find("open warnings").ours, Some(0.0));
        assert_eq!(find("late shipment rate").amazon, None);
    }

    /// Issue 14: a wrapped or empty document, and a marketplace the document
    /// does not hold, are refused, naming what is wrong.
    #[test]
    fn wrong_shapes_and_absent_marketplaces_are_refused() {
        let wrapped = br#"{"payload": {"performanceMetrics": []}}"#;
        assert_eq!(
            read_report(wrapped).unwrap_err(),
            "no performanceMetrics in the document (its keys: payload); give the report document \
             of GET_V2_SELLER_PERFORMANCE_REPORT itself, not a wrapper around it"
        );
        assert_eq!(
            read_report(b"[]").unwrap_err(),
            "expected the report document (a JSON object with performanceMetrics), found an array"
        );
        assert_eq!(
            read_report(br#"{"performanceMetrics": []}"#).unwrap_err(),
            "the report's performanceMetrics list is empty"
        );
        let late = |rate: f64| metric(json!({ "rate": rate, "orderCount": 4, "lateShipmentCount": 1 }));
        let amazon = document(json!({ "accountStatuses": [], "performanceMetrics": [
            { "marketplaceId": "A1F83G8C2ARO7P", "lateShipmentRate": late(0.5) },
            { "marketplaceId": "A1PA6795UKMFR9", "lateShipmentRate": late(0.25) },
        ]}));
        let ours = document(json!({ "accountStatuses": [], "performanceMetrics": [{ "marketplaceId": M }] }));
        assert_eq!(
            compare(&amazon, &ours, Some(M)).unwrap_err(),
            "Amazon's report has no metrics for marketplace ATVPDKIKX0DER (it has: A1F83G8C2ARO7P, A1PA6795UKMFR9)"
        );
        // The marketplace asked for, not the first one.
        let lines = compare(&amazon, &ours, Some("A1PA6795UKMFR9")).unwrap().lines;
        let late = lines.iter().find(|l| l.figure == "late shipment rate").unwrap();
        assert_eq!(late.amazon, Some(0.25));
    }

    /// Issue 14: a figure of the wrong type is refused naming its place, not
    /// read as a missing zero.
    #[test]
    fn a_wrong_shape_is_refused_naming_the_place() {
        let text = br#"{"accountStatuses": [], "performanceMetrics": [{"marketplaceId": "ATVPDKIKX0DER",
            "orderDefectRate": {"mfn": {"orderCount": "12"}}}]}"#;
        assert_eq!(
            read_report(text).unwrap_err(),
            "performanceMetrics[0].orderDefectRate.mfn.orderCount: invalid type: string \"12\", expected i64"
        );
        let status = br#"{"accountStatuses": [{"marketplaceId": "ATVPDKIKX0DER", "status": "GREAT"}],
            "performanceMetrics": [{"marketplaceId": "ATVPDKIKX0DER"}]}"#;
        assert_eq!(
            read_report(status).unwrap_err(),
            "accountStatuses[0].status: unknown variant `GREAT`, expected one of `NORMAL`, `AT_RISK`, `DEACTIVATED`, \
             `SUSPENDED`"
        );
    }

    /// Issue 14: the account status, the AHR status, the warnings and every
    /// metric's reporting days are compared as text; the policy categories,
    /// unit on-time delivery and every count as numbers.
    #[test]
    fn statuses_dates_and_every_count_are_compared() {
        let fixture = include_str!("../tests/fixtures/amazon-report.json");
        let (amazon, _) = read_report(fixture.as_bytes()).unwrap();
        let mut value: Value = serde_json::from_str(fixture).unwrap();
        let metrics = &mut value["performanceMetrics"][0];
        metrics["unitOnTimeDeliveryRate"]["reportingDateRange"]["reportingDateFrom"] = json!("2026-06-01T07:00:00Z");
        metrics["unitOnTimeDeliveryRate"]["totalUnitCount"] = json!(3);
        metrics["listingPolicyViolations"]["defectsCount"] = json!(2);
        metrics["accountHealthRating"] = json!({ "ahrStatus": "GREAT", "ahrScore": 200,
            "reportingDateRange": metrics["accountHealthRating"]["reportingDateRange"].clone() });
        metrics["warningStates"] = json!([{ "warningType": "lateShipmentRate", "status": "BAD" }]);
        value["accountStatuses"][0]["status"] = json!("NORMAL");
        let ours = document(value);
        let comparison = compare(&amazon, &ours, Some(M)).unwrap();
        let text = |name: &str| {
            let line = comparison.texts.iter().find(|l| l.figure == name).unwrap();
            (line.amazon.clone().unwrap(), line.ours.clone().unwrap(), line.same())
        };
        let owned = |a: &str, b: &str, same| (a.to_owned(), b.to_owned(), Some(same));
        assert_eq!(text("account status"), owned("AT_RISK", "NORMAL", false));
        assert_eq!(text("Account Health Rating status"), owned("WARNED", "GREAT", false));
        assert_eq!(text("warning orderDefectRate"), owned("open", "not open", false));
        assert_eq!(text("warning lateShipmentRate"), owned("not open", "open", false));
        assert_eq!(
            text("unit on-time delivery rate dates"),
            owned("2026-06-17..2026-06-30", "2026-06-01..2026-06-30", false)
        );
        assert_eq!(text("orderDefectRate.mfn dates"), owned("2026-04-18..2026-06-16", "2026-04-18..2026-06-16", true));
        assert_eq!(
            text("10-day late shipment rate dates"),
            owned("2026-06-21..2026-06-30", "2026-06-21..2026-06-30", true)
        );
        // Amazon's schema has no customerProductReviewsPolicyViolations: neither side here.
        let reviews = comparison.texts.iter().find(|l| l.figure == "product review policy violations dates").unwrap();
        assert_eq!((reviews.amazon.as_deref(), reviews.same()), (None, None));
        let number = |name: &str| {
            let line = comparison.lines.iter().find(|l| l.figure == name).unwrap();
            (line.amazon, line.ours, line.difference())
        };
        assert_eq!(number("units (unit on-time delivery rate)"), (Some(0.0), Some(3.0), Some(3.0)));
        assert_eq!(number("listing policy violations"), (Some(0.0), Some(2.0), Some(2.0)));
        assert_eq!(number("Account Health Rating"), (Some(190.0), Some(200.0), Some(10.0)));
        assert_eq!(number("orders (30-day late shipment rate)"), (Some(0.0), Some(0.0), Some(0.0)));
        let table = render(&comparison);
        assert!(table.contains(
            "\naccount status                          AT_RISK                 NORMAL                  differs\n"
        ));
        assert!(table.contains("\nlisting policy violations              0       2       +2\n"));
        // The text table, a blank line, the number table: each line once.
        assert_eq!(table.lines().count(), comparison.texts.len() + comparison.lines.len() + 3);
    }
}
