//! Amazon's GET_V2_SELLER_PERFORMANCE_REPORT beside ours, metric by metric.
//!
//! Both sides are read by the same tolerant reader, since real reports vary:
//! `preFulfillmentCancellationRate` or `prefulfillmentCancelRate`,
//! `warningStates` or `warningState`, components left out when zero.

use serde_json::Value;

use crate::files::{Decoded, decode};

/// Reads Amazon's report from a file's bytes (any encoding [`decode`] reads):
/// the JSON and how its bytes were read, or why it is not JSON.
pub fn read_report(bytes: &[u8]) -> Result<(Value, Decoded), String> {
    let decoded = decode(bytes);
    let value: Value = serde_json::from_str(&decoded.text).map_err(|e| format!("not JSON (read as {decoded}): {e}"))?;
    check_shape(&value)?;
    Ok((value, decoded))
}

/// Refuses a document that is not a GET_V2_SELLER_PERFORMANCE_REPORT: an object
/// with a `performanceMetrics` list. A wrapped document (`{"payload": …}`) or an
/// empty `[]` would otherwise compare as every figure missing.
fn check_shape(value: &Value) -> Result<(), String> {
    let Some(object) = value.as_object() else {
        let found = match value {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Null => "null",
            Value::Object(_) => "an object",
        };
        return Err(format!("expected the report document (a JSON object with performanceMetrics), found {found}"));
    };
    match object.get("performanceMetrics") {
        Some(Value::Array(list)) if !list.is_empty() => Ok(()),
        Some(Value::Array(_)) => Err("the report's performanceMetrics list is empty".to_owned()),
        Some(_) => Err("the report's performanceMetrics is not a list".to_owned()),
        None => {
            let keys: Vec<&str> = object.keys().map(String::as_str).take(10).collect();
            Err(format!(
                "no performanceMetrics in the document (its keys: {}); give the report document \
                 of GET_V2_SELLER_PERFORMANCE_REPORT itself, not a wrapper around it",
                if keys.is_empty() { "none".to_owned() } else { keys.join(", ") }
            ))
        }
    }
}

/// One figure of one metric on both sides.
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

/// The performance metrics object for `marketplace` (or the first one when none is named).
fn metrics_of<'a>(report: &'a Value, marketplace: Option<&str>) -> Option<&'a Value> {
    let list = report.get("performanceMetrics")?.as_array()?;
    match marketplace {
        Some(id) => list.iter().find(|m| m.get("marketplaceId").and_then(Value::as_str) == Some(id)),
        None => list.first(),
    }
}

/// The marketplaces a report has metrics for.
fn marketplaces(report: &Value) -> Vec<&str> {
    let list = report.get("performanceMetrics").and_then(Value::as_array);
    list.into_iter().flatten().filter_map(|m| m.get("marketplaceId").and_then(Value::as_str)).collect()
}

/// The first of `names` present in `object`.
fn either<'a>(object: &'a Value, names: &[&str]) -> Option<&'a Value> {
    names.iter().find_map(|name| object.get(*name))
}

/// A number at `path` inside a metric (a `{"count": n}` object counts as n); a
/// component Amazon leaves out when zero reads as zero. `None` when the report
/// has no such metric at all.
fn number(metric: Option<&Value>, path: &[&str]) -> Option<f64> {
    let mut at = metric?;
    for key in path {
        match at.get(*key) {
            Some(next) => at = next,
            None => return Some(0.0),
        }
    }
    at.as_f64().or_else(|| at.get("count").and_then(Value::as_f64))
}

/// The figures compared: (label, metric names in the schema's variants, path
/// to the figure inside the metric).
const FIGURES: &[(&str, &[&str], &[&str])] = &[
    ("orderDefectRate.mfn rate", &["orderDefectRate"], &["mfn", "rate"]),
    ("orderDefectRate.mfn orders", &["orderDefectRate"], &["mfn", "orderCount"]),
    ("orderDefectRate.mfn defects", &["orderDefectRate"], &["mfn", "orderWithDefects"]),
    ("orderDefectRate.mfn claims", &["orderDefectRate"], &["mfn", "claims"]),
    ("orderDefectRate.mfn chargebacks", &["orderDefectRate"], &["mfn", "chargebacks"]),
    ("orderDefectRate.mfn negative feedback", &["orderDefectRate"], &["mfn", "negativeFeedback"]),
    ("orderDefectRate.afn rate", &["orderDefectRate"], &["afn", "rate"]),
    ("orderDefectRate.afn orders", &["orderDefectRate"], &["afn", "orderCount"]),
    ("orderDefectRate.afn defects", &["orderDefectRate"], &["afn", "orderWithDefects"]),
    ("cancellation rate", &["preFulfillmentCancellationRate", "prefulfillmentCancelRate"], &["rate"]),
    ("cancellations", &["preFulfillmentCancellationRate", "prefulfillmentCancelRate"], &["cancellationCount"]),
    ("late shipment rate", &["lateShipmentRate"], &["rate"]),
    ("late shipments", &["lateShipmentRate"], &["lateShipmentCount"]),
    ("valid tracking rate", &["validTrackingRate"], &["rate"]),
    ("shipments with valid tracking", &["validTrackingRate"], &["validTrackingCount"]),
    ("on-time delivery rate", &["onTimeDeliveryRate"], &["rate"]),
    ("invoice defect rate", &["invoiceDefectRate"], &["rate"]),
    ("Account Health Rating", &["accountHealthRating"], &["ahrScore"]),
];

/// Reads one report's figures, in [`FIGURES`] order; `None` where the report has
/// no such metric.
fn figures(report: &Value, marketplace: Option<&str>) -> Vec<Option<f64>> {
    let metrics = metrics_of(report, marketplace);
    FIGURES
        .iter()
        .map(|(_, names, path)| {
            let metric = metrics.and_then(|m| either(m, names));
            number(metric, path)
        })
        .chain(std::iter::once(metrics.map(|m| {
            either(m, &["warningStates", "warningState"])
                .map(|w| w.as_array().map_or(1, Vec::len) as f64)
                .unwrap_or(0.0)
        })))
        .collect()
}

/// Amazon's and our figures side by side; an error when Amazon's report has no
/// metrics for `marketplace` (never another marketplace's in their place).
pub fn compare(amazon: &Value, ours: &Value, marketplace: Option<&str>) -> Result<Vec<Line>, String> {
    if let Some(id) = marketplace.filter(|_| metrics_of(amazon, marketplace).is_none()) {
        let present = marketplaces(amazon);
        let present = if present.is_empty() { "none named".to_owned() } else { present.join(", ") };
        return Err(format!("Amazon's report has no metrics for marketplace {id} (it has: {present})"));
    }
    let labels = FIGURES.iter().map(|(label, ..)| *label).chain(["open warnings"]);
    Ok(labels
        .zip(figures(amazon, marketplace))
        .zip(figures(ours, marketplace))
        .map(|((figure, amazon), ours)| Line { figure: figure.to_owned(), amazon, ours })
        .collect())
}

/// The comparison as a table; rates as percentages, counts as whole numbers.
pub fn render(lines: &[Line]) -> String {
    let show = |figure: &str, value: Option<f64>| match value {
        None => "—".to_owned(),
        Some(v) if figure.ends_with("rate") => format!("{:.2}%", v * 100.0),
        Some(v) => format!("{v}"),
    };
    let mut rows = vec![["figure".to_owned(), "Amazon".to_owned(), "ours".to_owned(), "difference".to_owned()]];
    for line in lines {
        let difference = match line.difference() {
            None => "—".to_owned(),
            Some(d) if line.figure.ends_with("rate") => format!("{:+.2} pp", d * 100.0),
            Some(d) => format!("{d:+}"),
        };
        rows.push([line.figure.clone(), show(&line.figure, line.amazon), show(&line.figure, line.ours), difference]);
    }
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

    use serde_json::json;

    use super::*;

    #[test]
    fn schema_variants_and_missing_zero_components_are_read() {
        let amazon = json!({ "performanceMetrics": [{
            "marketplaceId": "ATVPDKIKX0DER",
            "orderDefectRate": { "mfn": { "rate": 0.01, "orderCount": 200, "orderWithDefects": { "count": 2 },
                                          "negativeFeedback": { "count": 2 } } },
            "prefulfillmentCancelRate": { "rate": 0.02, "cancellationCount": 4 },
            "warningState": { "warningType": "orderDefectRate" },
        }]});
        let ours = json!({ "performanceMetrics": [{
            "marketplaceId": "ATVPDKIKX0DER",
            "orderDefectRate": { "mfn": { "rate": 0.015, "orderCount": 200, "orderWithDefects": { "count": 3 },
                                          "claims": { "count": 1 }, "negativeFeedback": { "count": 2 } } },
            "preFulfillmentCancellationRate": { "rate": 0.02, "cancellationCount": 4 },
            "warningStates": [],
        }]});
        let lines = compare(&amazon, &ours, Some("ATVPDKIKX0DER")).unwrap();
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
        let amazon = json!({ "performanceMetrics": [
            { "marketplaceId": "A1F83G8C2ARO7P", "lateShipmentRate": { "rate": 0.5 } },
            { "marketplaceId": "A1PA6795UKMFR9", "lateShipmentRate": { "rate": 0.25 } },
        ]});
        let ours = json!({ "performanceMetrics": [{ "marketplaceId": "ATVPDKIKX0DER" }] });
        assert_eq!(
            compare(&amazon, &ours, Some("ATVPDKIKX0DER")).unwrap_err(),
            "Amazon's report has no metrics for marketplace ATVPDKIKX0DER (it has: A1F83G8C2ARO7P, A1PA6795UKMFR9)"
        );
        // The marketplace asked for, not the first one.
        let lines = compare(&amazon, &ours, Some("A1PA6795UKMFR9")).unwrap();
        let late = lines.iter().find(|l| l.figure == "late shipment rate").unwrap();
        assert_eq!(late.amazon, Some(0.25));
    }
}
