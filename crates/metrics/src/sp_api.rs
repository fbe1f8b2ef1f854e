//! Export of a report as the JSON of SP-API's GET_V2_SELLER_PERFORMANCE_REPORT
//! (`accountHealthReport-2020-11-18.json`), so it can be compared field by field
//! with a real report. Field names are the schema's required property names; the
//! `lateShipmentRateList` and `ahrScore` extensions seen in real reports are added.

use sellerhealth_domain::{DayRange, TargetCondition};
use serde_json::{Value, json};

use crate::counters::{Counter, CounterSource};
use crate::odr::OrderDefectRate;
use crate::policy_compliance::AhrBand;
use crate::rate::{Metric, MetricStatus, RateMetric};
use crate::report::AccountHealthReport;
use crate::warnings::AccountStatus;

fn status(status: MetricStatus) -> &'static str {
    match status {
        MetricStatus::Good => "GOOD",
        MetricStatus::Bad => "BAD",
        MetricStatus::None => "NONE",
    }
}

fn condition(condition: TargetCondition) -> &'static str {
    match condition {
        TargetCondition::LessThan => "LESS_THAN",
        TargetCondition::GreaterThan => "GREATER_THAN",
        TargetCondition::Equals => "EQUALS",
    }
}

fn range(days: DayRange) -> Value {
    json!({
        "reportingDateFrom": format!("{}T00:00Z", days.start),
        "reportingDateTo": format!("{}T23:59Z", days.end),
    })
}

/// The fields every rate shares, plus `counts` (the metric's own count names).
fn rate(metric: &RateMetric, counts: Value) -> Value {
    let mut out = json!({
        "reportingDateRange": range(metric.days),
        "status": status(metric.status),
        "rate": metric.rate.unwrap_or(0.0),
        "targetValue": metric.target,
        "targetCondition": condition(metric.condition),
    });
    if let (Value::Object(out), Value::Object(counts)) = (&mut out, counts) {
        out.extend(counts);
    }
    out
}

fn component(count: i64) -> Value {
    json!({ "count": count, "status": "NONE" })
}

fn odr(odr: &OrderDefectRate, fulfillment_type: &str) -> Value {
    rate(
        &odr.rate,
        json!({
            "orderCount": odr.rate.denominator,
            "orderWithDefects": { "count": odr.rate.numerator, "status": status(odr.rate.status) },
            "claims": component(odr.atoz_claims),
            "chargebacks": component(odr.service_chargebacks),
            "negativeFeedback": component(odr.negative_feedback),
            "fulfillmentType": fulfillment_type,
        }),
    )
}

/// `SomeName` → `someName`: the schema's spelling of our enum variants.
fn lower_camel(name: impl std::fmt::Debug) -> String {
    let debug = format!("{name:?}");
    let mut chars = debug.chars();
    chars.next().map(|c| c.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}

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

/// The report as GET_V2_SELLER_PERFORMANCE_REPORT JSON. `counters` must be the
/// source the report was evaluated from (for the invoice split).
pub fn to_json(report: &AccountHealthReport, counters: &impl CounterSource) -> Value {
    let invoice = &report.invoice_defect_rate;
    let invoice_count = |counter| counters.total(&report.marketplace_id, counter, invoice.days, report.as_of);
    let mut metrics = json!({
        "marketplaceId": report.marketplace_id,
        "orderDefectRate": {
            "mfn": odr(&report.order_defect_rate_mfn, "mfn"),
            "afn": odr(&report.order_defect_rate_afn, "afn"),
        },
        "preFulfillmentCancellationRate": rate(
            &report.pre_fulfillment_cancel_rate,
            json!({ "orderCount": report.pre_fulfillment_cancel_rate.denominator,
                    "cancellationCount": report.pre_fulfillment_cancel_rate.numerator }),
        ),
        "lateShipmentRate": late_shipment(&report.late_shipment_rate_30d),
        "lateShipmentRateList": [late_shipment(&report.late_shipment_rate_10d), late_shipment(&report.late_shipment_rate_30d)],
        "validTrackingRate": rate(
            &report.valid_tracking_rate,
            json!({ "shipmentCount": report.valid_tracking_rate.denominator,
                    "validTrackingCount": report.valid_tracking_rate.numerator }),
        ),
        "onTimeDeliveryRate": rate(
            &report.on_time_delivery_rate,
            json!({ "shipmentCountWithValidTracking": report.on_time_delivery_rate.denominator,
                    "onTimeDeliveryCount": report.on_time_delivery_rate.numerator }),
        ),
        "unitOnTimeDeliveryRate": rate(
            &report.unit_on_time_delivery_rate,
            json!({ "totalUnitCount": report.unit_on_time_delivery_rate.denominator,
                    "unitOnTimeDeliveryCount": report.unit_on_time_delivery_rate.numerator }),
        ),
        "invoiceDefectRate": rate(
            invoice,
            json!({
                "orderCount": invoice.denominator,
                "invoiceDefect": { "count": invoice.numerator, "status": status(invoice.status) },
                "missingInvoice": component(invoice_count(Counter::MissingInvoices)),
                "lateInvoice": component(invoice_count(Counter::LateInvoices)),
            }),
        ),
        "accountHealthRating": {
            "ahrStatus": match report.account_health_rating.band {
                AhrBand::Healthy => "HEALTHY",
                AhrBand::AtRisk => "AT_RISK",
                AhrBand::Critical => "CRITICAL",
            },
            "ahrScore": report.account_health_rating.score,
            "reportingDateRange": range(report.policy_compliance.days),
        },
        "warningStates": report
            .warnings
            .iter()
            .filter(|w| w.open)
            .map(|w| json!({ "warningType": metric_name(w.metric), "status": "BAD" }))
            .collect::<Vec<_>>(),
    });
    if let Value::Object(object) = &mut metrics {
        for category in &report.policy_compliance.categories {
            object.insert(
                lower_camel(category.category),
                json!({
                    "reportingDateRange": range(report.policy_compliance.days),
                    "defectsCount": category.count,
                    "status": status(category.status),
                    "targetValue": 0,
                    "targetCondition": "EQUALS",
                }),
            );
        }
    }
    let account_status = match report.account_status {
        AccountStatus::Healthy => "NORMAL",
        AccountStatus::AtRisk => "AT_RISK",
        AccountStatus::Critical => "DEACTIVATED",
    };
    json!({
        "accountStatuses": [{ "marketplaceId": report.marketplace_id, "status": account_status }],
        "performanceMetrics": [metrics],
    })
}

fn late_shipment(metric: &RateMetric) -> Value {
    rate(metric, json!({ "orderCount": metric.denominator, "lateShipmentCount": metric.numerator }))
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use sellerhealth_domain::*;

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
                order_id: format!("o{n}"),
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
        let json = to_json(&report, &counters);
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
        assert_eq!(metrics["lateShipmentRateList"].as_array().map(Vec::len), Some(2));
        // Late shipment, 30 days by ship-by day (06-02..07-01): the 05-21 ship-by
        // day is outside, so no data.
        assert_eq!(metrics["lateShipmentRate"]["status"], "NONE");
        assert_eq!(metrics["warningStates"][0]["warningType"], "orderDefectRate");
    }
}
