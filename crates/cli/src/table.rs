//! The account health report as a table a person reads in a terminal.

use sellerhealth_proto::v1 as pb;

/// A metric's readable name.
pub fn metric_label(metric: pb::Metric) -> &'static str {
    use pb::Metric as M;
    match metric {
        M::OrderDefectRateMfn => "Order defect rate (MFN)",
        M::OrderDefectRateAfn => "Order defect rate (AFN)",
        M::PreFulfillmentCancelRate => "Cancellation rate",
        M::LateShipmentRate10d => "Late shipment rate (10 days)",
        M::LateShipmentRate30d => "Late shipment rate (30 days)",
        M::ValidTrackingRate => "Valid tracking rate",
        M::OnTimeDeliveryRate => "On-time delivery rate",
        M::UnitOnTimeDeliveryRate => "Unit on-time delivery rate",
        M::ContactResponseTime7d => "Contact response (7 days)",
        M::ContactResponseTime30d => "Contact response (30 days)",
        M::ContactResponseTime90d => "Contact response (90 days)",
        M::ReturnDissatisfactionRate => "Return dissatisfaction rate",
        M::RefundRate => "Refund rate",
        M::CustomerServiceDissatisfactionRate => "Customer service dissatisfaction",
        M::InvoiceDefectRate => "Invoice defect rate",
        _ => "Metric",
    }
}

/// `2026-05-01`.
pub fn date(date: Option<&pb::Date>) -> String {
    date.map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)).unwrap_or_default()
}

fn window(range: Option<&pb::DateRange>) -> String {
    range.map(|r| format!("{} .. {}", date(r.start.as_ref()), date(r.end.as_ref()))).unwrap_or_default()
}

/// The rate cell of a metric with nothing in its window: "0.00% (0/0)" would
/// read as a perfect score.
const NO_DATA: &str = "no data";

/// A ratio as a percentage with two decimals.
pub fn percent(ratio: f64) -> String {
    format!("{:.2}%", ratio * 100.0)
}

fn condition(condition: i32) -> &'static str {
    match pb::TargetCondition::try_from(condition) {
        Ok(pb::TargetCondition::LessThan) => "<",
        Ok(pb::TargetCondition::GreaterThan) => ">",
        Ok(pb::TargetCondition::Equals) => "=",
        _ => "?",
    }
}

/// A status word, coloured (green, red, dim) when `colour`.
pub fn status(status: i32, colour: bool) -> String {
    let (word, code) = match pb::MetricStatus::try_from(status) {
        Ok(pb::MetricStatus::Good) => ("GOOD", "32"),
        Ok(pb::MetricStatus::Bad) => ("BAD", "31;1"),
        _ => ("NONE", "2"),
    };
    paint(word, code, colour)
}

fn paint(text: &str, code: &str, colour: bool) -> String {
    if colour { format!("\u{1b}[{code}m{text}\u{1b}[0m") } else { text.to_owned() }
}

/// Characters of `text` a terminal shows (colour codes `ESC [ … m` take none).
fn visible_len(text: &str) -> usize {
    let mut in_code = false;
    text.chars()
        .filter(|&c| {
            if c == '\u{1b}' {
                in_code = true;
            }
            let shown = !in_code;
            if in_code && c == 'm' {
                in_code = false;
            }
            shown
        })
        .count()
}

/// Pads `text` to `width` visible characters.
fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(visible_len(text))))
}

/// The report as lines of text: a heading, one row per metric (metric, window,
/// rate with counts, target, status), the orders each shipping metric lacks data
/// for, then the rating and open warnings.
pub fn render(report: &pb::AccountHealthReport, colour: bool) -> String {
    let account = match pb::AccountStatus::try_from(report.account_status) {
        Ok(pb::AccountStatus::Healthy) => paint("HEALTHY", "32", colour),
        Ok(pb::AccountStatus::AtRisk) => paint("AT RISK", "33;1", colour),
        Ok(pb::AccountStatus::Critical) => paint("CRITICAL", "31;1", colour),
        _ => "UNKNOWN".to_owned(),
    };
    // In the marketplace's time zone (of the built-in profile), whose days the report counts.
    let calendar = sellerhealth_domain::Policy::amazon().calendar(&report.marketplace_id);
    let as_of = report
        .as_of
        .as_ref()
        .and_then(|t| chrono::DateTime::from_timestamp(t.seconds, 0))
        .map(|t| {
            let offset = chrono::Duration::seconds(i64::from(calendar.offset_seconds(t)));
            let local = sellerhealth_domain::time::shift(t, offset).naive_utc();
            format!("{} {}", local.format("%Y-%m-%d %H:%M"), calendar.name())
        })
        .unwrap_or_default();
    let mut rows: Vec<[String; 5]> = vec![["metric", "window", "rate", "target", "status"].map(str::to_owned)];
    for metric in report.rates() {
        let label = pb::Metric::try_from(metric.metric).map(metric_label).unwrap_or("Metric");
        rows.push([
            label.to_owned(),
            window(metric.reporting_date_range.as_ref()),
            match metric.rate {
                None => NO_DATA.to_owned(),
                Some(rate) => format!("{} ({}/{})", percent(rate), metric.numerator, metric.denominator),
            },
            format!("{} {}", condition(metric.target_condition), percent(metric.target_value)),
            status(metric.status, colour),
        ]);
    }
    for contact in &report.contact_response_times {
        let label = pb::Metric::try_from(contact.metric).map(metric_label).unwrap_or("Metric");
        let answered = contact.responded_within_sla.saturating_add(contact.responded_late);
        rows.push([
            label.to_owned(),
            window(contact.reporting_date_range.as_ref()),
            match contact.rate {
                None => NO_DATA.to_owned(),
                Some(rate) => format!(
                    "{} ({}/{} within {} h)",
                    percent(rate),
                    contact.responded_within_sla,
                    answered,
                    contact.sla_hours
                ),
            },
            format!("{} {}", condition(contact.target_condition), percent(contact.target_value)),
            status(contact.status, colour),
        ]);
    }
    let widths: Vec<usize> =
        (0..5).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|cell| visible_len(cell)).max().unwrap_or(0)).collect();
    let mut out =
        format!("Account health of {} in {} as of {as_of}: {account}\n\n", report.seller_id, report.marketplace_id);
    for row in &rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| pad(cell, *w)).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    // Orders and shipments a shipping metric leaves out for lack of data (issue
    // 14): a NONE or a small denominator is no all-clear when most are missing.
    let mut lacking = Vec::new();
    for m in report.rates() {
        let label = pb::Metric::try_from(m.metric).map(metric_label).unwrap_or("Metric");
        let (orders, shipments) = (m.orders_without_shipment_data, m.shipments_without_carrier_data);
        if orders > 0 {
            let noun = if orders == 1 { "order" } else { "orders" };
            lacking.push(format!(
                "{label}: {orders} {noun} without shipment data — import the shipment confirmation file\n"
            ));
        }
        if shipments > 0 {
            let noun = if shipments == 1 { "shipment" } else { "shipments" };
            lacking.push(format!(
                "{label}: {shipments} {noun} without carrier scans — send CarrierScan facts (import events)\n"
            ));
        }
    }
    if !lacking.is_empty() {
        out.push('\n');
        out.push_str(&lacking.concat());
    }
    if let Some(ahr) = &report.account_health_rating {
        out.push_str(&format!("\nAccount Health Rating: {}\n", ahr.score));
    }
    for warning in report.warnings.iter().filter(|w| w.open) {
        let label = pb::Metric::try_from(warning.metric).map(metric_label).unwrap_or("Metric");
        out.push_str(&format!(
            "Warning: {label} BAD since {}, fix by {}{}\n",
            date(warning.opened_on.as_ref()),
            date(warning.deadline.as_ref()),
            if warning.past_deadline { " (past the deadline)" } else { "" }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(numerator: i64, denominator: i64, rate: Option<f64>, status: pb::MetricStatus) -> pb::RateMetric {
        pb::RateMetric {
            metric: pb::Metric::RefundRate as i32,
            numerator,
            denominator,
            rate,
            target_value: 0.05,
            target_condition: pb::TargetCondition::LessThan as i32,
            status: status as i32,
            ..Default::default()
        }
    }

    #[test]
    fn a_metric_without_data_reads_no_data_not_zero_percent() {
        let mut report = pb::AccountHealthReport {
            refund_rate: Some(rate(0, 0, None, pb::MetricStatus::None)),
            contact_response_times: vec![pb::ContactResponseTime {
                metric: pb::Metric::ContactResponseTime7d as i32,
                sla_hours: 24,
                target_value: 0.9,
                target_condition: pb::TargetCondition::GreaterThan as i32,
                ..Default::default()
            }],
            ..Default::default()
        };
        let rows = |report: &pb::AccountHealthReport| -> Vec<String> {
            render(report, false)
                .lines()
                .skip(3)
                .take(2)
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect()
        };
        assert_eq!(
            rows(&report),
            ["Refund rate no data < 5.00% NONE", "Contact response (7 days) no data > 90.00% NONE"]
        );
        // One refunded order of forty: a figure, with its counts.
        report.refund_rate = Some(rate(1, 40, Some(0.025), pb::MetricStatus::Good));
        assert_eq!(rows(&report)[0], "Refund rate 2.50% (1/40) < 5.00% GOOD");
    }
}
