//! Reports as wire messages: the account health report, metric histories and
//! the seller rating, with the enums they carry.

use sellerhealth_domain as domain;
use sellerhealth_metrics as metrics;
use sellerhealth_proto::v1 as pb;

use crate::time::{date, date_range, timestamp};

/// The wire enum of a metric.
pub fn metric(metric: metrics::Metric) -> pb::Metric {
    use metrics::Metric as M;
    match metric {
        M::OrderDefectRateMfn => pb::Metric::OrderDefectRateMfn,
        M::OrderDefectRateAfn => pb::Metric::OrderDefectRateAfn,
        M::PreFulfillmentCancelRate => pb::Metric::PreFulfillmentCancelRate,
        M::LateShipmentRate10d => pb::Metric::LateShipmentRate10d,
        M::LateShipmentRate30d => pb::Metric::LateShipmentRate30d,
        M::ValidTrackingRate => pb::Metric::ValidTrackingRate,
        M::OnTimeDeliveryRate => pb::Metric::OnTimeDeliveryRate,
        M::UnitOnTimeDeliveryRate => pb::Metric::UnitOnTimeDeliveryRate,
        M::ContactResponseTime { window_days: 7 } => pb::Metric::ContactResponseTime7d,
        M::ContactResponseTime { window_days: 30 } => pb::Metric::ContactResponseTime30d,
        M::ContactResponseTime { window_days: 90 } => pb::Metric::ContactResponseTime90d,
        // A profile with other windows has no wire name for them.
        M::ContactResponseTime { .. } => pb::Metric::Unspecified,
        M::ReturnDissatisfactionRate => pb::Metric::ReturnDissatisfactionRate,
        M::RefundRate => pb::Metric::RefundRate,
        M::CustomerServiceDissatisfactionRate => pb::Metric::CustomerServiceDissatisfactionRate,
        M::InvoiceDefectRate => pb::Metric::InvoiceDefectRate,
        M::AccountHealthRating => pb::Metric::AccountHealthRating,
    }
}

/// The metric a wire enum names; `None` for UNSPECIFIED and unknown values.
pub fn metric_from_wire(value: i32) -> Option<metrics::Metric> {
    use metrics::Metric as M;
    Some(match pb::Metric::try_from(value).ok()? {
        pb::Metric::Unspecified => return None,
        pb::Metric::OrderDefectRateMfn => M::OrderDefectRateMfn,
        pb::Metric::OrderDefectRateAfn => M::OrderDefectRateAfn,
        pb::Metric::PreFulfillmentCancelRate => M::PreFulfillmentCancelRate,
        pb::Metric::LateShipmentRate10d => M::LateShipmentRate10d,
        pb::Metric::LateShipmentRate30d => M::LateShipmentRate30d,
        pb::Metric::ValidTrackingRate => M::ValidTrackingRate,
        pb::Metric::OnTimeDeliveryRate => M::OnTimeDeliveryRate,
        pb::Metric::UnitOnTimeDeliveryRate => M::UnitOnTimeDeliveryRate,
        pb::Metric::ContactResponseTime7d => M::ContactResponseTime { window_days: 7 },
        pb::Metric::ContactResponseTime30d => M::ContactResponseTime { window_days: 30 },
        pb::Metric::ContactResponseTime90d => M::ContactResponseTime { window_days: 90 },
        pb::Metric::ReturnDissatisfactionRate => M::ReturnDissatisfactionRate,
        pb::Metric::RefundRate => M::RefundRate,
        pb::Metric::CustomerServiceDissatisfactionRate => M::CustomerServiceDissatisfactionRate,
        pb::Metric::InvoiceDefectRate => M::InvoiceDefectRate,
        pb::Metric::AccountHealthRating => M::AccountHealthRating,
    })
}

/// The wire form of one metric's daily history.
pub fn metric_history(metric_id: metrics::Metric, days: &[metrics::MetricDay]) -> pb::MetricHistory {
    pb::MetricHistory {
        metric: metric(metric_id) as i32,
        days: days
            .iter()
            .map(|d| pb::MetricDay {
                date: Some(date(d.day)),
                numerator: d.numerator,
                denominator: d.denominator,
                rate: d.rate,
                status: metric_status(d.status) as i32,
            })
            .collect(),
    }
}

/// The wire enum of a status.
pub fn metric_status(status: metrics::MetricStatus) -> pb::MetricStatus {
    match status {
        metrics::MetricStatus::Good => pb::MetricStatus::Good,
        metrics::MetricStatus::Bad => pb::MetricStatus::Bad,
        metrics::MetricStatus::None => pb::MetricStatus::None,
    }
}

fn condition(condition: domain::TargetCondition) -> pb::TargetCondition {
    match condition {
        domain::TargetCondition::LessThan => pb::TargetCondition::LessThan,
        domain::TargetCondition::GreaterThan => pb::TargetCondition::GreaterThan,
        domain::TargetCondition::Equals => pb::TargetCondition::Equals,
    }
}

fn channel(channel: domain::FulfillmentChannel) -> pb::FulfillmentChannel {
    match channel {
        domain::FulfillmentChannel::Mfn => pb::FulfillmentChannel::Mfn,
        domain::FulfillmentChannel::Afn => pb::FulfillmentChannel::Afn,
    }
}

fn policy_category_to_wire(category: domain::PolicyCategory) -> pb::PolicyCategory {
    use domain::PolicyCategory as D;
    use pb::PolicyCategory as P;
    match category {
        D::ListingPolicyViolations => P::ListingPolicyViolations,
        D::ProductAuthenticityCustomerComplaints => P::ProductAuthenticityCustomerComplaints,
        D::ProductConditionCustomerComplaints => P::ProductConditionCustomerComplaints,
        D::ProductSafetyCustomerComplaints => P::ProductSafetyCustomerComplaints,
        D::ReceivedIntellectualPropertyComplaints => P::ReceivedIntellectualPropertyComplaints,
        D::RestrictedProductPolicyViolations => P::RestrictedProductPolicyViolations,
        D::SuspectedIntellectualPropertyViolations => P::SuspectedIntellectualPropertyViolations,
        D::FoodAndProductSafetyIssues => P::FoodAndProductSafetyIssues,
        D::CustomerProductReviewsPolicyViolations => P::CustomerProductReviewsPolicyViolations,
        D::OtherPolicyViolations => P::OtherPolicyViolations,
        D::DocumentRequests => P::DocumentRequests,
    }
}

fn rate_metric(rate: &metrics::RateMetric) -> pb::RateMetric {
    pb::RateMetric {
        metric: metric(rate.metric) as i32,
        reporting_date_range: Some(date_range(rate.days)),
        window_days: rate.window_days as i32,
        lag_days: rate.lag_days as i32,
        numerator: rate.numerator,
        denominator: rate.denominator,
        rate: rate.rate,
        target_value: rate.target,
        target_condition: condition(rate.condition) as i32,
        status: metric_status(rate.status) as i32,
        orders_without_shipment_data: rate.orders_without_shipment_data,
        shipments_without_carrier_data: rate.shipments_without_carrier_data,
        recovery: rate.recovery.map(|r| pb::Recovery {
            additional_defect_free_orders: r.additional_defect_free_orders.unwrap_or(-1),
            back_within_target_on: r.back_within_target_on.map(date),
        }),
    }
}

fn order_defect_rate(odr: &metrics::OrderDefectRate) -> pb::OrderDefectRate {
    pb::OrderDefectRate {
        fulfillment_channel: channel(odr.channel) as i32,
        rate: Some(rate_metric(&odr.rate)),
        negative_feedback_count: odr.negative_feedback,
        atoz_claim_count: odr.atoz_claims,
        chargeback_count: odr.service_chargebacks,
    }
}

fn contact_response_time(c: &metrics::ContactResponseTime) -> pb::ContactResponseTime {
    pb::ContactResponseTime {
        metric: metric(c.metric) as i32,
        reporting_date_range: Some(date_range(c.days)),
        window_days: c.window_days as i32,
        responded_within_sla: c.on_time,
        responded_late: c.late,
        pending: c.pending,
        rate: c.rate,
        average_response_hours: c.average_response_hours,
        p90_response_hours: c.p90_response_hours.map(|h| i32::try_from(h).unwrap_or(i32::MAX)),
        sla_hours: c.sla_hours as i32,
        target_value: c.target,
        target_condition: condition(c.condition) as i32,
        status: metric_status(c.status) as i32,
    }
}

fn account_status(status: metrics::AccountStatus) -> pb::AccountStatus {
    match status {
        metrics::AccountStatus::Healthy => pb::AccountStatus::Healthy,
        metrics::AccountStatus::AtRisk => pb::AccountStatus::AtRisk,
        metrics::AccountStatus::Critical => pb::AccountStatus::Critical,
    }
}

fn warning(w: &metrics::Warning) -> pb::Warning {
    pb::Warning {
        metric: metric(w.metric) as i32,
        opened_on: Some(date(w.opened_on)),
        deadline: Some(date(w.deadline)),
        closed_on: w.closed_on.map(date),
        open: w.open,
        past_deadline: w.past_deadline,
        days_bad: i32::try_from(w.days_bad).unwrap_or(i32::MAX),
    }
}

/// The wire form of a report.
pub fn report(report: &metrics::AccountHealthReport) -> pb::AccountHealthReport {
    let ahr = &report.account_health_rating;
    pb::AccountHealthReport {
        seller_id: report.seller_id.clone(),
        marketplace_id: report.marketplace_id.clone(),
        as_of: Some(timestamp(report.as_of)),
        policy_profile: report.policy_name.clone(),
        account_status: account_status(report.account_status) as i32,
        demotion_risk: report.demotion_risk,
        order_defect_rate_mfn: Some(order_defect_rate(&report.order_defect_rate_mfn)),
        order_defect_rate_afn: Some(order_defect_rate(&report.order_defect_rate_afn)),
        pre_fulfillment_cancel_rate: Some(rate_metric(&report.pre_fulfillment_cancel_rate)),
        late_shipment_rate_10d: Some(rate_metric(&report.late_shipment_rate_10d)),
        late_shipment_rate_30d: Some(rate_metric(&report.late_shipment_rate_30d)),
        valid_tracking_rate: Some(rate_metric(&report.valid_tracking_rate)),
        on_time_delivery_rate: Some(rate_metric(&report.on_time_delivery_rate)),
        unit_on_time_delivery_rate: Some(rate_metric(&report.unit_on_time_delivery_rate)),
        contact_response_times: report.contact_response_times.iter().map(contact_response_time).collect(),
        return_dissatisfaction_rate: Some(rate_metric(&report.return_dissatisfaction_rate)),
        refund_rate: Some(rate_metric(&report.refund_rate)),
        customer_service_dissatisfaction_rate: Some(rate_metric(&report.customer_service_dissatisfaction_rate)),
        invoice_defect_rate: Some(rate_metric(&report.invoice_defect_rate)),
        policy_compliance: Some(pb::PolicyCompliance {
            reporting_date_range: Some(date_range(report.policy_compliance.days)),
            categories: report
                .policy_compliance
                .categories
                .iter()
                .map(|c| pb::PolicyCategoryCount {
                    category: policy_category_to_wire(c.category) as i32,
                    count: c.count,
                    target_value: 0,
                    target_condition: pb::TargetCondition::Equals as i32,
                    status: metric_status(c.status) as i32,
                })
                .collect(),
        }),
        account_health_rating: Some(pb::AccountHealthRating {
            score: i32::try_from(ahr.score).unwrap_or(i32::MAX),
            band: match ahr.band {
                metrics::AhrBand::Healthy => pb::AccountHealthRatingBand::Healthy,
                metrics::AhrBand::AtRisk => pb::AccountHealthRatingBand::AtRisk,
                metrics::AhrBand::Critical => pb::AccountHealthRatingBand::Critical,
            } as i32,
        }),
        warnings: report.warnings.iter().map(warning).collect(),
    }
}

/// The wire form of a seller rating.
pub fn seller_rating(rating: &metrics::SellerRating) -> pb::GetSellerRatingResponse {
    use metrics::{RatingBand, ScoreClass};
    pb::GetSellerRatingResponse {
        rating: rating.rating(),
        raw_average: rating.raw_average,
        band: match rating.band {
            None => pb::SellerRatingBand::Unspecified,
            Some(RatingBand::Fair) => pb::SellerRatingBand::Fair,
            Some(RatingBand::Good) => pb::SellerRatingBand::Good,
            Some(RatingBand::VeryGood) => pb::SellerRatingBand::VeryGood,
            Some(RatingBand::Excellent) => pb::SellerRatingBand::Excellent,
        } as i32,
        order_count: rating.order_count,
        reporting_date_range: Some(date_range(rating.days)),
        score_classes: rating
            .classes
            .iter()
            .map(|&(class, orders)| pb::ScoreClassCount {
                score_class: match class {
                    ScoreClass::SevereDefect => pb::OrderScoreClass::SevereDefect,
                    ScoreClass::SellerCancelled => pb::OrderScoreClass::SellerCancelled,
                    ScoreClass::ServiceProblem => pb::OrderScoreClass::ServiceProblem,
                    ScoreClass::Perfect => pb::OrderScoreClass::Perfect,
                    ScoreClass::PerfectWithBonus => pb::OrderScoreClass::PerfectWithBonus,
                } as i32,
                score: class.score() as i32,
                orders,
            })
            .collect(),
    }
}
