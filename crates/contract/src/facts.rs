//! Wire events as domain events. Incoming messages are checked for shape here
//! (required fields present, enums known); the rules of SPEC §1 are the
//! domain's. Field paths in errors are relative to the event
//! (`seller_feedback.left_at`), as in the domain; [`events`] puts `events[i].`
//! in front.

use sellerhealth_domain as domain;
use sellerhealth_domain::{DomainError, FactKind};
use sellerhealth_proto::v1 as pb;

use crate::time::{instant, required};

type Field<T> = Result<T, DomainError>;

fn count(field: &str, value: i32) -> Field<u32> {
    u32::try_from(value).map_err(|_| DomainError::invalid(field, format!("must not be negative, got {value}")))
}

fn optional_id(value: String) -> Option<domain::Id> {
    (!value.is_empty()).then(|| value.into())
}

fn known<E>(field: &str, value: i32, parsed: Result<E, prost::UnknownEnumValue>) -> Field<E> {
    parsed.map_err(|_| DomainError::invalid(field, format!("unknown value {value}")))
}

/// A wire event as a domain event; errors name the field relative to the event.
pub fn event(event: &pb::Event) -> Field<domain::Event> {
    into_event(event.clone())
}

/// [`event`] of an event no longer needed on the wire: its strings move into
/// the domain event instead of being copied (a batch of protobuf events
/// allocated each of them twice).
pub fn into_event(event: pb::Event) -> Field<domain::Event> {
    let Some(wire) = event.fact else {
        return Err(DomainError::invalid("fact", "an event needs exactly one fact"));
    };
    let kind = fact_kind(&wire);
    let fact = fact(wire).map_err(|e| e.within(kind))?;
    Ok(domain::Event { event_id: event.event_id, seller_id: event.seller_id, fact })
}

/// A wire fact as a domain fact; errors name the field relative to the fact.
fn fact(fact: pb::event::Fact) -> Field<domain::Fact> {
    use pb::event::Fact as F;
    match fact {
        F::Order(o) => order(o).map(domain::Fact::Order),
        F::ShipmentConfirmed(s) => Ok(domain::Fact::ShipmentConfirmed(domain::ShipmentConfirmed {
            shipment_id: s.shipment_id.into(),
            order_id: s.order_id.into(),
            confirmed_at: required("confirmed_at", s.confirmed_at.as_ref())?,
            carrier: s.carrier,
            tracking_number: s.tracking_number.into(),
            units: count("units", s.units)?,
            carrier_data_unknown: s.carrier_data_unknown,
            whole_order: s.whole_order,
        })),
        F::CarrierScan(c) => Ok(domain::Fact::CarrierScan(domain::CarrierScan {
            tracking_number: c.tracking_number.into(),
            first_scan_at: instant("first_scan_at", c.first_scan_at.as_ref())?,
            delivered_at: instant("delivered_at", c.delivered_at.as_ref())?,
        })),
        F::Cancellation(c) => Ok(domain::Fact::Cancellation(domain::Cancellation {
            order_id: c.order_id.into(),
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
            reason: c.reason,
        })),
        F::SellerFeedback(f) => Ok(domain::Fact::SellerFeedback(domain::SellerFeedback {
            order_id: f.order_id.into(),
            left_at: required("left_at", f.left_at.as_ref())?,
            stars: f.stars,
            comment: f.comment,
            fulfillment_related: f.fulfillment_related,
        })),
        F::FeedbackUpdate(u) => Ok(domain::Fact::FeedbackUpdate(domain::FeedbackUpdate {
            order_id: u.order_id.into(),
            updated_at: required("updated_at", u.updated_at.as_ref())?,
            action: match known("action", u.action, pb::FeedbackAction::try_from(u.action))? {
                pb::FeedbackAction::SellerResponse => domain::FeedbackAction::SellerResponse,
                pb::FeedbackAction::Removed => domain::FeedbackAction::Removed,
                pb::FeedbackAction::StruckThrough => domain::FeedbackAction::StruckThrough,
                pb::FeedbackAction::Unspecified => {
                    return Err(DomainError::invalid("action", "required"));
                }
            },
            response_text: u.response_text,
        })),
        F::AtozClaim(c) => Ok(domain::Fact::AtozClaim(domain::AtozClaim {
            claim_id: c.claim_id.into(),
            order_id: c.order_id.into(),
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
            chargeback_id: c.chargeback_id.into(),
            order_id: c.order_id.into(),
            received_at: required("received_at", c.received_at.as_ref())?,
            service_related: c.service_related,
        })),
        F::BuyerMessage(m) => Ok(domain::Fact::BuyerMessage(domain::BuyerMessage {
            message_id: m.message_id.into(),
            marketplace_id: m.marketplace_id.into(),
            order_id: optional_id(m.order_id),
            received_at: required("received_at", m.received_at.as_ref())?,
            first_replied_at: instant("first_replied_at", m.first_replied_at.as_ref())?,
        })),
        F::ReturnRequest(r) => Ok(domain::Fact::ReturnRequest(domain::ReturnRequest {
            return_id: r.return_id.into(),
            order_id: r.order_id.into(),
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
            refund_id: r.refund_id.into(),
            order_id: r.order_id.into(),
            refunded_at: required("refunded_at", r.refunded_at.as_ref())?,
            amount: r.amount.map(|m| domain::Money { currency_code: m.currency_code, units: m.units, nanos: m.nanos }),
        })),
        F::Invoice(i) => Ok(domain::Fact::Invoice(domain::Invoice {
            order_id: i.order_id.into(),
            uploaded_at: required("uploaded_at", i.uploaded_at.as_ref())?,
        })),
        F::CustomerServiceSurvey(s) => Ok(domain::Fact::CustomerServiceSurvey(domain::CustomerServiceSurvey {
            survey_id: s.survey_id.into(),
            order_id: s.order_id.into(),
            responded_at: required("responded_at", s.responded_at.as_ref())?,
            satisfied: s.satisfied,
        })),
        F::PolicyViolation(v) => Ok(domain::Fact::PolicyViolation(domain::PolicyViolation {
            violation_id: v.violation_id.into(),
            marketplace_id: v.marketplace_id.into(),
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
            description: v.description,
        })),
        F::ProductReview(r) => Ok(domain::Fact::ProductReview(domain::ProductReview {
            review_id: r.review_id.into(),
            marketplace_id: r.marketplace_id.into(),
            asin: r.asin.into(),
            reviewer_id: r.reviewer_id.into(),
            stars: r.stars,
            reviewed_at: required("reviewed_at", r.reviewed_at.as_ref())?,
            verified_purchase: r.verified_purchase,
            helpful_votes: count("helpful_votes", r.helpful_votes)?,
            title: r.title,
            body: r.body,
        })),
        F::ProductReviewRemoval(r) => Ok(domain::Fact::ProductReviewRemoval(domain::ProductReviewRemoval {
            review_id: r.review_id.into(),
            removed_at: required("removed_at", r.removed_at.as_ref())?,
        })),
    }
}

/// The kind of a wire fact: the oneof's fields are the domain's kinds.
pub fn fact_kind(fact: &pb::event::Fact) -> FactKind {
    use pb::event::Fact as F;
    match fact {
        F::Order(_) => FactKind::Order,
        F::ShipmentConfirmed(_) => FactKind::ShipmentConfirmed,
        F::CarrierScan(_) => FactKind::CarrierScan,
        F::Cancellation(_) => FactKind::Cancellation,
        F::SellerFeedback(_) => FactKind::SellerFeedback,
        F::FeedbackUpdate(_) => FactKind::FeedbackUpdate,
        F::AtozClaim(_) => FactKind::AtozClaim,
        F::Chargeback(_) => FactKind::Chargeback,
        F::BuyerMessage(_) => FactKind::BuyerMessage,
        F::ReturnRequest(_) => FactKind::ReturnRequest,
        F::Refund(_) => FactKind::Refund,
        F::Invoice(_) => FactKind::Invoice,
        F::CustomerServiceSurvey(_) => FactKind::CustomerServiceSurvey,
        F::PolicyViolation(_) => FactKind::PolicyViolation,
        F::ProductReview(_) => FactKind::ProductReview,
        F::ProductReviewRemoval(_) => FactKind::ProductReviewRemoval,
    }
}

fn order(o: pb::Order) -> Field<domain::Order> {
    Ok(domain::Order {
        order_id: o.order_id.into(),
        marketplace_id: o.marketplace_id.into(),
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
pub fn events(events: &[pb::Event]) -> Field<Vec<domain::Event>> {
    events.iter().enumerate().map(|(i, e)| event(e).map_err(|err| err.within(format!("events[{i}]")))).collect()
}

#[cfg(test)]
mod tests {
    use prost_reflect::{DescriptorPool, DynamicMessage, Value};
    use sellerhealth_domain::FactKind;
    use sellerhealth_proto::v1 as pb;

    use super::fact_kind;

    /// Each field of the contract's `Event.fact` oneof is the name of its kind,
    /// and every kind has one.
    #[test]
    fn the_oneof_fields_are_the_fact_kinds_names() {
        let pool = DescriptorPool::decode(sellerhealth_proto::FILE_DESCRIPTOR_SET).unwrap();
        let descriptor = pool.get_message_by_name("sellerhealth.v1.Event").unwrap();
        let oneof = descriptor.oneofs().find(|o| o.name() == "fact").unwrap();
        let mut kinds = Vec::new();
        for field in oneof.fields() {
            let mut message = DynamicMessage::new(descriptor.clone());
            let inner = field.kind().as_message().cloned().unwrap();
            message.set_field(&field, Value::Message(DynamicMessage::new(inner)));
            let event: pb::Event = message.transcode_to().unwrap();
            let kind = fact_kind(event.fact.as_ref().unwrap());
            assert_eq!(kind.as_str(), field.name());
            kinds.push(kind);
        }
        assert_eq!(kinds, FactKind::ALL);
    }
}
