//! Our report as the JSON document of SP-API's GET_V2_SELLER_PERFORMANCE_REPORT
//! (`accountHealthReport-2020-11-18.json`), and Amazon's document read back, so
//! the two can be compared field by field.
//!
//! One set of types ([`Document`] and its parts) writes the export and reads
//! Amazon's report: what we write is what we can read, and both follow Amazon's
//! schema (`schemas/reports/accountHealthReport-2020-11-18.json` of
//! amzn/selling-partner-api-models), against which `tests/sp_api_schema.rs`
//! checks our export. A document of the wrong shape is refused naming the place
//! and what is wrong:
//!
//! ```
//! use sellerhealth_metrics::sp_api;
//!
//! let text = r#"{"accountStatuses": [], "performanceMetrics": [{"marketplaceId": "US",
//!     "lateShipmentRate": {"orderCount": "12"}}]}"#;
//! let error = sp_api::from_str(text).unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     "performanceMetrics[0].lateShipmentRate.orderCount: invalid type: string \"12\", expected i64"
//! );
//! ```

mod document;

use sellerhealth_domain::{Calendar, TargetCondition};
use serde_json::Value;

pub use self::document::{
    AccountHealthRating, AccountStatus, AccountStatusEntry, CancellationRate, Component, Document, FulfillmentType,
    InvoiceDefectRate, LateShipmentRate, OnTimeDeliveryRate, OrderDefectRate, OrderDefectRates, PerformanceMetrics,
    PolicyViolations, ReportingDateRange, ReportingTime, Status, UnitOnTimeDeliveryRate, ValidTrackingRate,
    WarningState,
};
use crate::counters::{Counter, CounterSource};
use crate::odr;
use crate::policy_compliance::AhrBand;
use crate::rate::{Metric, RateMetric};
use crate::report::AccountHealthReport;
use crate::warnings;

/// Why a text is not a GET_V2_SELLER_PERFORMANCE_REPORT document, or could not
/// be written as one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not JSON at all.
    #[error("not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// JSON, but not the report document (a wrapper around it, a list, an
    /// empty `performanceMetrics`): what was found instead.
    #[error("{0}")]
    NotTheDocument(String),
    /// The document, but a part of it of the wrong shape.
    #[error("{path}: {message}")]
    Shape {
        /// Where, as `performanceMetrics[0].orderDefectRate.mfn.orderCount`
        /// (`document` for the top level).
        path: String,
        /// What is wrong there, as serde says it.
        message: String,
    },
    /// Writing the JSON failed (plain data: not expected to happen).
    #[error("writing the document: {0}")]
    Write(#[source] serde_json::Error),
}

/// Reads a document from JSON text: [`from_value`] after parsing.
pub fn from_str(text: &str) -> Result<Document, Error> {
    let value: Value = serde_json::from_str(text).map_err(Error::NotJson)?;
    from_value(&value)
}

/// Reads a document from parsed JSON. A wrapper around the document
/// (`{"payload": …}`), a list or an empty `performanceMetrics` is refused first,
/// saying so (it would otherwise compare as every figure missing); then every
/// part must have the schema's shape, with the tolerances listed on [`Document`]'s
/// module.
pub fn from_value(value: &Value) -> Result<Document, Error> {
    check_is_document(value)?;
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let path = if path == "." { "document".to_owned() } else { path };
        Error::Shape { path, message: error.into_inner().to_string() }
    })
}

/// An object with a non-empty `performanceMetrics` list, or what it is instead.
fn check_is_document(value: &Value) -> Result<(), Error> {
    let refuse = |what: String| Err(Error::NotTheDocument(what));
    let Some(object) = value.as_object() else {
        let found = match value {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Null => "null",
            Value::Object(_) => "an object",
        };
        return refuse(format!("expected the report document (a JSON object with performanceMetrics), found {found}"));
    };
    match object.get("performanceMetrics") {
        Some(Value::Array(list)) if !list.is_empty() => Ok(()),
        Some(Value::Array(_)) => refuse("the report's performanceMetrics list is empty".to_owned()),
        Some(_) => refuse("the report's performanceMetrics is not a list".to_owned()),
        None => {
            let keys: Vec<&str> = object.keys().map(String::as_str).take(10).collect();
            refuse(format!(
                "no performanceMetrics in the document (its keys: {}); give the report document \
                 of GET_V2_SELLER_PERFORMANCE_REPORT itself, not a wrapper around it",
                if keys.is_empty() { "none".to_owned() } else { keys.join(", ") }
            ))
        }
    }
}

impl Document {
    /// The document as JSON text.
    pub fn to_json(&self) -> Result<String, Error> {
        serde_json::to_string(self).map_err(Error::Write)
    }
}

/// The account status as the report spells it (SPEC §4).
pub fn account_status(status: warnings::AccountStatus) -> AccountStatus {
    match status {
        warnings::AccountStatus::Healthy => AccountStatus::Normal,
        warnings::AccountStatus::AtRisk => AccountStatus::AtRisk,
        warnings::AccountStatus::Critical => AccountStatus::Deactivated,
    }
}

/// The `ahrStatus` of a band: GREAT when healthy, else WARNED (the two values
/// the schema names; the score itself is in `ahrScore`).
pub fn ahr_status(band: AhrBand) -> &'static str {
    match band {
        AhrBand::Healthy => "GREAT",
        AhrBand::AtRisk | AhrBand::Critical => "WARNED",
    }
}

fn odr(odr: &odr::OrderDefectRate, fulfillment_type: FulfillmentType, calendar: Calendar) -> OrderDefectRate {
    let rate = &odr.rate;
    let component = |count| Component { count, status: Status::None };
    OrderDefectRate {
        reporting_date_range: ReportingDateRange::of_days(rate.days, calendar),
        order_count: rate.denominator,
        order_with_defects: Component { count: rate.numerator, status: rate.status.into() },
        claims: component(odr.atoz_claims),
        chargebacks: component(odr.service_chargebacks),
        negative_feedback: component(odr.negative_feedback),
        fulfillment_type,
        status: rate.status.into(),
        rate: rate.rate.unwrap_or(0.0),
        target_value: rate.target,
        target_condition: rate.condition,
    }
}

fn late_shipment(metric: &RateMetric, calendar: Calendar) -> LateShipmentRate {
    LateShipmentRate {
        reporting_date_range: ReportingDateRange::of_days(metric.days, calendar),
        order_count: metric.denominator,
        late_shipment_count: metric.numerator,
        status: metric.status.into(),
        rate: metric.rate.unwrap_or(0.0),
        target_value: metric.target,
        target_condition: metric.condition,
    }
}

/// `SomeName` → `someName`: the schema's spelling of our enum variants.
fn lower_camel(name: impl std::fmt::Debug) -> String {
    let debug = format!("{name:?}");
    let mut chars = debug.chars();
    chars.next().map(|c| c.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// The property name of the metric a warning is about.
fn metric_name(metric: Metric) -> String {
    match metric {
        Metric::OrderDefectRateMfn | Metric::OrderDefectRateAfn => "orderDefectRate".into(),
        Metric::PreFulfillmentCancelRate => "preFulfillmentCancellationRate".into(),
        Metric::LateShipmentRate10d | Metric::LateShipmentRate30d => "lateShipmentRate".into(),
        Metric::ValidTrackingRate => "validTrackingRate".into(),
        Metric::InvoiceDefectRate => "invoiceDefectRate".into(),
        other => lower_camel(other),
    }
}

/// One BAD state per metric property with an open warning, in the report's
/// order: the 10- and 30-day late shipment warnings are one `lateShipmentRate`,
/// the MFN and AFN order defect warnings one `orderDefectRate`.
fn warning_states(report: &AccountHealthReport) -> Vec<WarningState> {
    let mut states: Vec<WarningState> = Vec::new();
    for warning in report.warnings.iter().filter(|w| w.open) {
        let warning_type = metric_name(warning.metric);
        if !states.iter().any(|s| s.warning_type == warning_type) {
            states.push(WarningState { warning_type, status: Status::Bad });
        }
    }
    states
}

/// The report as the GET_V2_SELLER_PERFORMANCE_REPORT document. `counters` must
/// be the source the report was evaluated from (for the invoice split);
/// `calendar` the marketplace's, whose days the date ranges span. A rate
/// with no data is written as 0 with status NONE (the schema requires a rate).
pub fn document(report: &AccountHealthReport, counters: &impl CounterSource, calendar: Calendar) -> Document {
    let invoice = &report.invoice_defect_rate;
    let invoice_count = |counter| counters.total(&report.marketplace_id, counter, invoice.days, report.as_of);
    let component = |count| Component { count, status: Status::None };
    let policy_days = ReportingDateRange::of_days(report.policy_compliance.days, calendar);
    let cancel = &report.pre_fulfillment_cancel_rate;
    let tracking = &report.valid_tracking_rate;
    let on_time = &report.on_time_delivery_rate;
    let units = &report.unit_on_time_delivery_rate;
    let mut metrics = PerformanceMetrics {
        marketplace_id: report.marketplace_id.clone(),
        order_defect_rate: Some(OrderDefectRates {
            mfn: odr(&report.order_defect_rate_mfn, FulfillmentType::Mfn, calendar),
            afn: odr(&report.order_defect_rate_afn, FulfillmentType::Afn, calendar),
        }),
        pre_fulfillment_cancellation_rate: Some(CancellationRate {
            reporting_date_range: ReportingDateRange::of_days(cancel.days, calendar),
            order_count: cancel.denominator,
            cancellation_count: cancel.numerator,
            status: cancel.status.into(),
            rate: cancel.rate.unwrap_or(0.0),
            target_value: cancel.target,
            target_condition: cancel.condition,
        }),
        late_shipment_rate: Some(late_shipment(&report.late_shipment_rate_30d, calendar)),
        late_shipment_rate_list: Some(vec![
            late_shipment(&report.late_shipment_rate_10d, calendar),
            late_shipment(&report.late_shipment_rate_30d, calendar),
        ]),
        valid_tracking_rate: Some(ValidTrackingRate {
            reporting_date_range: ReportingDateRange::of_days(tracking.days, calendar),
            shipment_count: tracking.denominator,
            valid_tracking_count: tracking.numerator,
            status: tracking.status.into(),
            rate: tracking.rate.unwrap_or(0.0),
            target_value: tracking.target,
            target_condition: tracking.condition,
        }),
        on_time_delivery_rate: Some(OnTimeDeliveryRate {
            reporting_date_range: ReportingDateRange::of_days(on_time.days, calendar),
            shipment_count_with_valid_tracking: on_time.denominator,
            on_time_delivery_count: on_time.numerator,
            status: on_time.status.into(),
            rate: on_time.rate.unwrap_or(0.0),
            target_value: on_time.target,
            target_condition: on_time.condition,
        }),
        unit_on_time_delivery_rate: Some(UnitOnTimeDeliveryRate {
            reporting_date_range: ReportingDateRange::of_days(units.days, calendar),
            total_unit_count: units.denominator,
            unit_on_time_delivery_count: units.numerator,
            status: units.status.into(),
            rate: units.rate.unwrap_or(0.0),
            target_value: units.target,
            target_condition: units.condition,
        }),
        invoice_defect_rate: Some(InvoiceDefectRate {
            reporting_date_range: ReportingDateRange::of_days(invoice.days, calendar),
            order_count: invoice.denominator,
            invoice_defect: Component { count: invoice.numerator, status: invoice.status.into() },
            missing_invoice: component(invoice_count(Counter::MissingInvoices)),
            late_invoice: component(invoice_count(Counter::LateInvoices)),
            status: invoice.status.into(),
            rate: invoice.rate.unwrap_or(0.0),
            target_value: invoice.target,
            target_condition: invoice.condition,
        }),
        account_health_rating: Some(AccountHealthRating {
            ahr_status: ahr_status(report.account_health_rating.band).to_owned(),
            ahr_score: Some(report.account_health_rating.score),
            reporting_date_range: policy_days,
        }),
        warning_states: Some(warning_states(report)),
        ..PerformanceMetrics::default()
    };
    for category in &report.policy_compliance.categories {
        *metrics.category_mut(category.category) = Some(PolicyViolations {
            reporting_date_range: policy_days,
            defects_count: category.count,
            status: category.status.into(),
            target_value: 0.0,
            target_condition: TargetCondition::Equals,
        });
    }
    Document {
        account_statuses: vec![AccountStatusEntry {
            marketplace_id: report.marketplace_id.clone(),
            status: account_status(report.account_status),
        }],
        performance_metrics: vec![metrics],
    }
}

/// The report as GET_V2_SELLER_PERFORMANCE_REPORT JSON text (what
/// `GetSellerPerformanceReport` answers). `counters` as for [`document`].
pub fn to_json(
    report: &AccountHealthReport,
    counters: &impl CounterSource,
    calendar: Calendar,
) -> Result<String, Error> {
    document(report, counters, calendar).to_json()
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use sellerhealth_domain::*;
    use serde_json::json;

    use super::*;
    use crate::counters::ContributionSet;
    use crate::report::{contributions, evaluate};

    #[test]
    fn exports_the_schema_field_names_and_figures() {
        let policy = Policy::amazon();
        let now = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).single().expect("instant");
        let purchased_at = Utc.with_ymd_and_hms(2026, 5, 20, 9, 0, 0).single().expect("instant");
        let mut book = SellerBook::new("s");
        let mut add =
            |id: &str, fact| book.apply(&Event { event_id: id.into(), seller_id: "s".into(), fact }, now, &policy);
        for n in 0..4 {
            let order = Order {
                order_id: format!("o{n}").into(),
                marketplace_id: "US".into(),
                purchased_at,
                fulfillment_channel: FulfillmentChannel::Mfn,
                latest_ship_at: purchased_at + Duration::days(1),
                promised_delivery_earliest_at: None,
                promised_delivery_latest_at: None,
                units: 1,
                business_order: false,
                shipping_unknown: false,
            };
            add(&format!("o{n}"), Fact::Order(order)).expect("order");
        }
        let feedback = SellerFeedback {
            order_id: "o1".into(),
            left_at: purchased_at + Duration::days(3),
            stars: 1,
            comment: String::new(),
            fulfillment_related: false,
        };
        add("f", Fact::SellerFeedback(feedback)).expect("feedback");
        let counters = ContributionSet::new(contributions(&book, &policy));
        let report = evaluate(&counters, book.violations(), &policy, "s", "US", now);
        let json: Value =
            serde_json::from_str(&to_json(&report, &counters, Calendar::UTC).expect("json")).expect("parses");
        // ODR as of 07-01: purchase days 04-19..06-17 hold the 4 orders, 1 defective.
        // The orders were never shipped, so they are late too: AT_RISK.
        assert_eq!(json["accountStatuses"][0], json!({ "marketplaceId": "US", "status": "AT_RISK" }));
        let metrics = &json["performanceMetrics"][0];
        let mfn = &metrics["orderDefectRate"]["mfn"];
        assert_eq!(mfn["orderCount"], 4);
        assert_eq!(mfn["orderWithDefects"], json!({ "count": 1, "status": "BAD" }));
        assert_eq!(mfn["negativeFeedback"]["count"], 1);
        assert_eq!(mfn["rate"], 0.25);
        assert_eq!(
            mfn["reportingDateRange"],
            json!({ "reportingDateFrom": "2026-04-19T00:00Z", "reportingDateTo": "2026-06-17T23:59Z" })
        );
        assert_eq!(metrics["documentRequests"]["defectsCount"], 0);
        assert_eq!(metrics["accountHealthRating"]["ahrScore"], 200);
        assert_eq!(metrics["accountHealthRating"]["ahrStatus"], "GREAT");
        assert_eq!(metrics["lateShipmentRateList"].as_array().map(Vec::len), Some(2));
        // Late shipment, 30 days by ship-by day (06-02..07-01): the 05-21 ship-by
        // day is outside, so no data.
        assert_eq!(metrics["lateShipmentRate"]["status"], "NONE");
        assert_eq!(metrics["warningStates"][0], json!({ "warningType": "orderDefectRate", "status": "BAD" }));
        // What we write we read back, field for field.
        assert_eq!(from_value(&json).expect("reads"), document(&report, &counters, Calendar::UTC));
    }

    #[test]
    fn reporting_times_in_the_schemas_form_and_rfc_3339_are_read() {
        let time = |text: &str| ReportingTime::parse(text).map(|t| t.0.to_string());
        assert_eq!(time("2026-06-30T23:59Z").as_deref(), Some("2026-06-30 23:59:00"));
        assert_eq!(time("2026-06-30T23:59:59Z").as_deref(), Some("2026-06-30 23:59:59"));
        // An offset is taken to UTC.
        assert_eq!(time("2026-07-01T01:30:00+02:00").as_deref(), Some("2026-06-30 23:30:00"));
        assert_eq!(time("2026-06-30"), None);
        assert_eq!(time("June 30"), None);
        let range = |from: &str, to: &str| ReportingDateRange {
            reporting_date_from: ReportingTime::parse(from).expect("from"),
            reporting_date_to: ReportingTime::parse(to).expect("to"),
        };
        let june = range("2026-06-01T00:00Z", "2026-06-30T23:59:59Z");
        let utc = Calendar::UTC;
        assert_eq!((june.days_text(utc), june.day_count(utc)), ("2026-06-01..2026-06-30".to_owned(), 30));
        // The schema's example has a range that ends before it starts.
        assert_eq!(range("2020-11-21T00:00Z", "2020-11-19T23:59Z").day_count(utc), 0);
        // Los Angeles days (UTC−7 in summer) start at 07:00 UTC.
        let la = Calendar::named("America/Los_Angeles").expect("zone");
        let days = DayRange { start: "2026-06-01".parse().expect("day"), end: "2026-06-30".parse().expect("day") };
        let local = ReportingDateRange::of_days(days, la);
        assert_eq!(
            serde_json::to_value(local).expect("json"),
            json!({ "reportingDateFrom": "2026-06-01T07:00Z", "reportingDateTo": "2026-07-01T06:59Z" })
        );
        assert_eq!((local.days_text(la), local.day_count(la)), ("2026-06-01..2026-06-30".to_owned(), 30));
        assert_eq!(local.days_text(utc), "2026-06-01..2026-07-01");
    }

    #[test]
    fn the_one_count_typed_number_may_be_written_with_a_zero_fraction() {
        let document = |count: Value| {
            json!({ "accountStatuses": [], "performanceMetrics": [{ "marketplaceId": "US", "onTimeDeliveryRate": {
                "reportingDateRange": { "reportingDateFrom": "2026-06-01T00:00Z", "reportingDateTo": "2026-06-30T23:59Z" },
                "shipmentCountWithValidTracking": count, "onTimeDeliveryCount": 3, "status": "BAD", "rate": 0.42857,
                "targetValue": 0.97, "targetCondition": "GREATER_THAN" } }] })
        };
        let read = from_value(&document(json!(7.0))).expect("7.0");
        let on_time = read.performance_metrics[0].on_time_delivery_rate.as_ref().expect("metric");
        assert_eq!(on_time.shipment_count_with_valid_tracking, 7);
        assert_eq!(
            from_value(&document(json!(7.5))).expect_err("7.5").to_string(),
            "performanceMetrics[0].onTimeDeliveryRate.shipmentCountWithValidTracking: invalid value: floating point \
             `7.5`, expected a whole number"
        );
    }
}
