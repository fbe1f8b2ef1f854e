//! Order defect rate (SPEC §3): orders with at least one defect ÷ orders, by
//! purchase date, per fulfilment channel, with its three components.

use std::collections::BTreeMap;

use sellerhealth_domain::{ClaimOutcome, FeedbackAction, FulfillmentChannel, Instant, OrderRecord, SellerFeedback};

use crate::counters::{Counter, CounterSource};
use crate::rate::RateMetric;

/// The ODR of one channel with its components.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderDefectRate {
    /// Channel reported.
    pub channel: FulfillmentChannel,
    /// Defective orders ÷ orders.
    pub rate: RateMetric,
    /// Orders with negative feedback that counts.
    pub negative_feedback: i64,
    /// Orders with an A-to-z claim not denied.
    pub atoz_claims: i64,
    /// Orders with a service chargeback.
    pub service_chargebacks: i64,
}

/// The ODR of `channel` with its components, around the already evaluated `rate`.
pub fn with_components(
    source: &impl CounterSource,
    marketplace_id: &str,
    channel: FulfillmentChannel,
    rate: RateMetric,
    as_of: Instant,
) -> OrderDefectRate {
    let total = |counter| source.total(marketplace_id, counter, rate.days, as_of);
    OrderDefectRate {
        channel,
        negative_feedback: total(Counter::NegativeFeedback(channel)),
        atoz_claims: total(Counter::AtozClaims(channel)),
        service_chargebacks: total(Counter::ServiceChargebacks(channel)),
        rate,
    }
}

/// Instants where the order's ODR counters may change.
pub(crate) fn times(record: &OrderRecord, out: &mut Vec<Instant>) {
    out.push(record.order.purchased_at);
    out.extend(record.feedback.iter().map(|f| f.left_at));
    out.extend(record.feedback_updates.iter().map(|u| u.updated_at));
    out.extend(record.claims.iter().flat_map(|c| std::iter::once(c.filed_at).chain(c.decided_at)));
    out.extend(record.chargebacks.iter().map(|c| c.received_at));
}

/// The ODR counters of an order of `channel`, in the order of [`amounts`].
pub(crate) fn counters(channel: FulfillmentChannel) -> [Counter; 5] {
    [
        Counter::Orders(channel),
        Counter::NegativeFeedback(channel),
        Counter::AtozClaims(channel),
        Counter::ServiceChargebacks(channel),
        Counter::DefectiveOrders(channel),
    ]
}

/// What the order counts towards the ODR at `t`, on its purchase day: itself,
/// and each defect it has.
pub(crate) fn amounts(record: &OrderRecord, t: Instant) -> [i64; 5] {
    if t < record.order.purchased_at {
        return [0; 5];
    }
    let negative = has_negative_feedback(record, t);
    let claim = has_open_claim(record, t);
    let chargeback = has_service_chargeback(record, t);
    [true, negative, claim, chargeback, negative || claim || chargeback].map(i64::from)
}

/// Whether the order has at least one defect at `t`.
pub fn is_defective(record: &OrderRecord, t: Instant) -> bool {
    has_negative_feedback(record, t) || has_open_claim(record, t) || has_service_chargeback(record, t)
}

/// The feedback shown on the order at `t`: the newest left by then.
pub fn current_feedback(record: &OrderRecord, t: Instant) -> Option<&SellerFeedback> {
    // Later arrivals win ties, so `max_by_key` (last maximum) is the right pick.
    record.feedback.iter().filter(|f| f.left_at <= t).max_by_key(|f| f.left_at)
}

/// Whether the feedback current at `t` was removed or struck through by `t`
/// (explicitly, or automatically: fulfilment feedback on an AFN order).
pub fn feedback_excluded(record: &OrderRecord, feedback: &SellerFeedback, t: Instant) -> bool {
    if record.order.fulfillment_channel == FulfillmentChannel::Afn && feedback.fulfillment_related {
        return true;
    }
    record.feedback_updates.iter().any(|u| {
        matches!(u.action, FeedbackAction::Removed | FeedbackAction::StruckThrough)
            && feedback.left_at <= u.updated_at
            && u.updated_at <= t
    })
}

/// Negative (1–2 stars) feedback that counts, current at `t`.
pub fn has_negative_feedback(record: &OrderRecord, t: Instant) -> bool {
    current_feedback(record, t).is_some_and(|f| f.stars <= 2 && !feedback_excluded(record, f, t))
}

/// A claim decision: when, and the outcome.
type Decision = (Instant, ClaimOutcome);

/// An A-to-z claim filed by `t` whose outcome at `t` is anything but DENIED.
pub fn has_open_claim(record: &OrderRecord, t: Instant) -> bool {
    if record.claims.is_empty() {
        return false;
    }
    // claim id → (filed by t, latest decision by t)
    let mut claims: BTreeMap<&str, (bool, Option<Decision>)> = BTreeMap::new();
    for claim in &record.claims {
        let entry = claims.entry(&claim.claim_id).or_insert((false, None));
        entry.0 |= claim.filed_at <= t;
        if let Some(decided) = claim.decided_at.filter(|d| *d <= t) {
            // The latest decision by `t` holds; later arrivals win ties.
            if entry.1.is_none_or(|(at, _)| at <= decided) {
                entry.1 = Some((decided, claim.outcome));
            }
        }
    }
    claims.values().any(|(filed, decision)| *filed && !matches!(decision, Some((_, ClaimOutcome::Denied))))
}

/// A service (not fraud) chargeback received by `t`.
pub fn has_service_chargeback(record: &OrderRecord, t: Instant) -> bool {
    record.chargebacks.iter().any(|c| c.service_related && c.received_at <= t)
}
