//! Conversions between the wire contract (`sellerhealth_proto::v1`) and the domain.
//!
//! Incoming messages are checked for shape here (required fields present, enums
//! known); the rules of SPEC §1 are the domain's. Field paths in errors are
//! relative to the event (`seller_feedback.left_at`), as in the domain.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use prost_types::Timestamp;
use sellerhealth_domain as domain;
use sellerhealth_domain::{DayRange, DomainError, Instant};
use sellerhealth_metrics as metrics;
use sellerhealth_proto::v1 as pb;
use tonic::Status;

use crate::status;

type Field<T> = Result<T, DomainError>;

/// An optional wire timestamp as an instant.
pub fn instant(field: &str, value: Option<&Timestamp>) -> Field<Option<Instant>> {
    value
        .map(|t| {
            // chrono reads nanos of 1e9 and more as a leap second; a Timestamp never has them.
            let nanos = u32::try_from(t.nanos)
                .ok()
                .filter(|n| *n <= 999_999_999)
                .ok_or_else(|| DomainError::invalid(field, "nanos must be 0 to 999,999,999"))?;
            let at = DateTime::<Utc>::from_timestamp(t.seconds, nanos).ok_or_else(|| {
                DomainError::invalid(
                    field,
                    format!("outside the supported range {}", sellerhealth_domain::time::RANGE_TEXT),
                )
            })?;
            sellerhealth_domain::time::check_instant(field, at)
        })
        .transpose()
}

fn required(field: &str, value: Option<&Timestamp>) -> Field<Instant> {
    instant(field, value)?.ok_or_else(|| DomainError::invalid(field, "required"))
}

/// The wire timestamp of an instant.
pub fn timestamp(at: Instant) -> Timestamp {
    Timestamp { seconds: at.timestamp(), nanos: i32::try_from(at.timestamp_subsec_nanos()).unwrap_or(0) }
}

/// The wire date of a day.
pub fn date(day: NaiveDate) -> pb::Date {
    pb::Date { year: day.year(), month: day.month() as i32, day: day.day() as i32 }
}

fn date_range(days: DayRange) -> pb::DateRange {
    pb::DateRange { start: Some(date(days.start)), end: Some(date(days.end)) }
}

fn count(field: &str, value: i32) -> Field<u32> {
    u32::try_from(value).map_err(|_| DomainError::invalid(field, format!("must not be negative, got {value}")))
}

fn optional_id(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

fn known<E>(field: &str, value: i32, parsed: Result<E, prost::UnknownEnumValue>) -> Field<E> {
    parsed.map_err(|_| DomainError::invalid(field, format!("unknown value {value}")))
}

/// A wire event as a domain event; errors name the field relative to the event.
pub fn event(event: &pb::Event) -> Field<domain::Event> {
    let Some(wire) = &event.fact else {
        return Err(DomainError::invalid("fact", "an event needs exactly one fact"));
    };
    let fact = fact(wire).map_err(|e| e.within(fact_kind(wire)))?;
    Ok(domain::Event { event_id: event.event_id.clone(), seller_id: event.seller_id.clone(), fact })
}

/// A wire fact as a domain fact; errors name the field relative to the fact.
fn fact(fact: &pb::event::Fact) -> Field<domain::Fact> {
    use pb::event::Fact as F;
    match fact {
        F::Order(o) => order(o).map(domain::Fact::Order),
        F::ShipmentConfirmed(s) => Ok(domain::Fact::ShipmentConfirmed(domain::ShipmentConfirmed {
            shipment_id: s.shipment_id.clone(),
            order_id: s.order_id.clone(),
            confirmed_at: required("confirmed_at", s.confirmed_at.as_ref())?,
            carrier: s.carrier.clone(),
            tracking_number: s.tracking_number.clone(),
            units: count("units", s.units)?,
            carrier_data_unknown: s.carrier_data_unknown,
            whole_order: s.whole_order,
        })),
        F::CarrierScan(c) => Ok(domain::Fact::CarrierScan(domain::CarrierScan {
            tracking_number: c.tracking_number.clone(),
            first_scan_at: instant("first_scan_at", c.first_scan_at.as_ref())?,
            delivered_at: instant("delivered_at", c.delivered_at.as_ref())?,
        })),
        F::Cancellation(c) => Ok(domain::Fact::Cancellation(domain::Cancellation {
            order_id: c.order_id.clone(),
            cancelled_at: required("cancelled_at", c.cancelled_at.as_ref())?,
            initiator: match known("initiator", c.initiator, pb::CancellationInitiator::try_from(c.initiator))? {
                pb::CancellationInitiator::Seller => domain::CancellationInitiator::Seller,
                pb::CancellationInitiator::Buyer => domain::CancellationInitiator::Buyer,
                pb::CancellationInitiator::SystemUnshipped => domain::CancellationInitiator::SystemUnshipped,
                pb::CancellationInitiator::Unknown => domain::CancellationInitiator::Unknown,
                pb::CancellationInitiator::Unspecified => {
                    return Err(DomainError::invalid("initiator", "required"));
                }
            },
            reason: c.reason.clone(),
        })),
        F::SellerFeedback(f) => Ok(domain::Fact::SellerFeedback(domain::SellerFeedback {
            order_id: f.order_id.clone(),
            left_at: required("left_at", f.left_at.as_ref())?,
            stars: f.stars,
            comment: f.comment.clone(),
            fulfillment_related: f.fulfillment_related,
        })),
        F::FeedbackUpdate(u) => Ok(domain::Fact::FeedbackUpdate(domain::FeedbackUpdate {
            order_id: u.order_id.clone(),
            updated_at: required("updated_at", u.updated_at.as_ref())?,
            action: match known("action", u.action, pb::FeedbackAction::try_from(u.action))? {
                pb::FeedbackAction::SellerResponse => domain::FeedbackAction::SellerResponse,
                pb::FeedbackAction::Removed => domain::FeedbackAction::Removed,
                pb::FeedbackAction::StruckThrough => domain::FeedbackAction::StruckThrough,
                pb::FeedbackAction::Unspecified => {
                    return Err(DomainError::invalid("action", "required"));
                }
            },
            response_text: u.response_text.clone(),
        })),
        F::AtozClaim(c) => Ok(domain::Fact::AtozClaim(domain::AtozClaim {
            claim_id: c.claim_id.clone(),
            order_id: c.order_id.clone(),
            filed_at: required("filed_at", c.filed_at.as_ref())?,
            outcome: match known("outcome", c.outcome, pb::ClaimOutcome::try_from(c.outcome))? {
                pb::ClaimOutcome::Pending => domain::ClaimOutcome::Pending,
                pb::ClaimOutcome::Granted => domain::ClaimOutcome::Granted,
                pb::ClaimOutcome::Denied => domain::ClaimOutcome::Denied,
                pb::ClaimOutcome::Withdrawn => domain::ClaimOutcome::Withdrawn,
                pb::ClaimOutcome::Unspecified => return Err(DomainError::invalid("outcome", "required")),
            },
            decided_at: instant("decided_at", c.decided_at.as_ref())?,
        })),
        F::Chargeback(c) => Ok(domain::Fact::Chargeback(domain::Chargeback {
            chargeback_id: c.chargeback_id.clone(),
            order_id: c.order_id.clone(),
            received_at: required("received_at", c.received_at.as_ref())?,
            service_related: c.service_related,
        })),
        F::BuyerMessage(m) => Ok(domain::Fact::BuyerMessage(domain::BuyerMessage {
            message_id: m.message_id.clone(),
            marketplace_id: m.marketplace_id.clone(),
            order_id: optional_id(&m.order_id),
            received_at: required("received_at", m.received_at.as_ref())?,
            first_replied_at: instant("first_replied_at", m.first_replied_at.as_ref())?,
        })),
        F::ReturnRequest(r) => Ok(domain::Fact::ReturnRequest(domain::ReturnRequest {
            return_id: r.return_id.clone(),
            order_id: r.order_id.clone(),
            requested_at: required("requested_at", r.requested_at.as_ref())?,
            responded_at: instant("responded_at", r.responded_at.as_ref())?,
            outcome: match known("outcome", r.outcome, pb::ReturnOutcome::try_from(r.outcome))? {
                pb::ReturnOutcome::Pending => domain::ReturnOutcome::Pending,
                pb::ReturnOutcome::Authorized => domain::ReturnOutcome::Authorized,
                pb::ReturnOutcome::RejectedValid => domain::ReturnOutcome::RejectedValid,
                pb::ReturnOutcome::RejectedInvalid => domain::ReturnOutcome::RejectedInvalid,
                pb::ReturnOutcome::Unspecified => {
                    return Err(DomainError::invalid("outcome", "required"));
                }
            },
            negative_return_feedback: r.negative_return_feedback,
            handled_by_marketplace: r.handled_by_marketplace,
            response_time_unknown: r.response_time_unknown,
        })),
        F::Refund(r) => Ok(domain::Fact::Refund(domain::Refund {
            refund_id: r.refund_id.clone(),
            order_id: r.order_id.clone(),
            refunded_at: required("refunded_at", r.refunded_at.as_ref())?,
            amount: r.amount.as_ref().map(|m| domain::Money {
                currency_code: m.currency_code.clone(),
                units: m.units,
                nanos: m.nanos,
            }),
        })),
        F::Invoice(i) => Ok(domain::Fact::Invoice(domain::Invoice {
            order_id: i.order_id.clone(),
            uploaded_at: required("uploaded_at", i.uploaded_at.as_ref())?,
        })),
        F::CustomerServiceSurvey(s) => Ok(domain::Fact::CustomerServiceSurvey(domain::CustomerServiceSurvey {
            survey_id: s.survey_id.clone(),
            order_id: s.order_id.clone(),
            responded_at: required("responded_at", s.responded_at.as_ref())?,
            satisfied: s.satisfied,
        })),
        F::PolicyViolation(v) => Ok(domain::Fact::PolicyViolation(domain::PolicyViolation {
            violation_id: v.violation_id.clone(),
            marketplace_id: v.marketplace_id.clone(),
            category: policy_category(v.category)?,
            severity: match known("severity", v.severity, pb::ViolationSeverity::try_from(v.severity))? {
                pb::ViolationSeverity::Low => domain::ViolationSeverity::Low,
                pb::ViolationSeverity::Medium => domain::ViolationSeverity::Medium,
                pb::ViolationSeverity::High => domain::ViolationSeverity::High,
                pb::ViolationSeverity::Critical => domain::ViolationSeverity::Critical,
                pb::ViolationSeverity::Unspecified => {
                    return Err(DomainError::invalid("severity", "required"));
                }
            },
            occurred_at: required("occurred_at", v.occurred_at.as_ref())?,
            resolved_at: instant("resolved_at", v.resolved_at.as_ref())?,
            description: v.description.clone(),
        })),
        F::ProductReview(r) => Ok(domain::Fact::ProductReview(domain::ProductReview {
            review_id: r.review_id.clone(),
            marketplace_id: r.marketplace_id.clone(),
            asin: r.asin.clone(),
            reviewer_id: r.reviewer_id.clone(),
            stars: r.stars,
            reviewed_at: required("reviewed_at", r.reviewed_at.as_ref())?,
            verified_purchase: r.verified_purchase,
            helpful_votes: count("helpful_votes", r.helpful_votes)?,
            title: r.title.clone(),
            body: r.body.clone(),
        })),
        F::ProductReviewRemoval(r) => Ok(domain::Fact::ProductReviewRemoval(domain::ProductReviewRemoval {
            review_id: r.review_id.clone(),
            removed_at: required("removed_at", r.removed_at.as_ref())?,
        })),
    }
}

fn fact_kind(fact: &pb::event::Fact) -> &'static str {
    use pb::event::Fact as F;
    match fact {
        F::Order(_) => "order",
        F::ShipmentConfirmed(_) => "shipment_confirmed",
        F::CarrierScan(_) => "carrier_scan",
        F::Cancellation(_) => "cancellation",
        F::SellerFeedback(_) => "seller_feedback",
        F::FeedbackUpdate(_) => "feedback_update",
        F::AtozClaim(_) => "atoz_claim",
        F::Chargeback(_) => "chargeback",
        F::BuyerMessage(_) => "buyer_message",
        F::ReturnRequest(_) => "return_request",
        F::Refund(_) => "refund",
        F::Invoice(_) => "invoice",
        F::CustomerServiceSurvey(_) => "customer_service_survey",
        F::PolicyViolation(_) => "policy_violation",
        F::ProductReview(_) => "product_review",
        F::ProductReviewRemoval(_) => "product_review_removal",
    }
}

fn order(o: &pb::Order) -> Field<domain::Order> {
    Ok(domain::Order {
        order_id: o.order_id.clone(),
        marketplace_id: o.marketplace_id.clone(),
        purchased_at: required("purchased_at", o.purchased_at.as_ref())?,
        fulfillment_channel: channel_from_wire("fulfillment_channel", o.fulfillment_channel)?,
        latest_ship_at: required("latest_ship_at", o.latest_ship_at.as_ref())?,
        promised_delivery_earliest_at: instant(
            "promised_delivery_earliest_at",
            o.promised_delivery_earliest_at.as_ref(),
        )?,
        promised_delivery_latest_at: instant("promised_delivery_latest_at", o.promised_delivery_latest_at.as_ref())?,
        units: count("units", o.units)?,
        business_order: o.business_order,
        shipping_unknown: o.shipping_unknown,
    })
}

fn channel_from_wire(field: &str, value: i32) -> Field<domain::FulfillmentChannel> {
    match known(field, value, pb::FulfillmentChannel::try_from(value))? {
        pb::FulfillmentChannel::Mfn => Ok(domain::FulfillmentChannel::Mfn),
        pb::FulfillmentChannel::Afn => Ok(domain::FulfillmentChannel::Afn),
        pb::FulfillmentChannel::Unspecified => Err(DomainError::invalid(field, "required (MFN or AFN)")),
    }
}

fn policy_category(value: i32) -> Field<domain::PolicyCategory> {
    use domain::PolicyCategory as D;
    use pb::PolicyCategory as P;
    Ok(match known("category", value, P::try_from(value))? {
        P::ListingPolicyViolations => D::ListingPolicyViolations,
        P::ProductAuthenticityCustomerComplaints => D::ProductAuthenticityCustomerComplaints,
        P::ProductConditionCustomerComplaints => D::ProductConditionCustomerComplaints,
        P::ProductSafetyCustomerComplaints => D::ProductSafetyCustomerComplaints,
        P::ReceivedIntellectualPropertyComplaints => D::ReceivedIntellectualPropertyComplaints,
        P::RestrictedProductPolicyViolations => D::RestrictedProductPolicyViolations,
        P::SuspectedIntellectualPropertyViolations => D::SuspectedIntellectualPropertyViolations,
        P::FoodAndProductSafetyIssues => D::FoodAndProductSafetyIssues,
        P::CustomerProductReviewsPolicyViolations => D::CustomerProductReviewsPolicyViolations,
        P::OtherPolicyViolations => D::OtherPolicyViolations,
        P::DocumentRequests => D::DocumentRequests,
        P::Unspecified => return Err(DomainError::invalid("category", "required")),
    })
}

/// The events of a request, each converted; errors name `events[i].…`.
pub fn events(events: &[pb::Event]) -> Result<Vec<domain::Event>, Status> {
    events
        .iter()
        .enumerate()
        .map(|(i, e)| event(e).map_err(|err| status::from_domain(err.within(&format!("events[{i}]")))))
        .collect()
}

/// The instant a report is evaluated at: the request's, or now.
pub fn as_of(value: Option<&Timestamp>, now: Instant) -> Result<Instant, Status> {
    let as_of = instant("as_of", value).map_err(status::from_domain)?.unwrap_or(now);
    Ok(as_of)
}

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

/// A required wire date as a day.
pub fn day(field: &str, value: Option<&pb::Date>) -> Result<NaiveDate, Status> {
    let date = value.ok_or_else(|| status::invalid(field, "required"))?;
    let month = u32::try_from(date.month).ok();
    let day = u32::try_from(date.day).ok();
    let day = month.zip(day).and_then(|(m, d)| NaiveDate::from_ymd_opt(date.year, m, d)).ok_or_else(|| {
        status::invalid(field, format!("{}-{}-{} is not a calendar date", date.year, date.month, date.day))
    })?;
    sellerhealth_domain::time::check_day(field, day).map_err(status::from_domain)
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
