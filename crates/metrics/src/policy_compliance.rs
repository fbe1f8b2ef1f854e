//! Policy compliance and the Account Health Rating (SPEC §6).

use std::collections::BTreeMap;

use sellerhealth_domain::{
    Day, DayRange, FulfillmentChannel, Instant, OrderRecord, Policy, PolicyCategory, PolicyViolation,
    ViolationSeverity, versions,
};

use crate::counters::{Counter, CounterSource};
use crate::order_facts::{Shipping, first_confirmation};
use crate::rate::MetricStatus;
use crate::timeline::emit;

/// Every category, in the SP-API report's order.
pub const CATEGORIES: [PolicyCategory; 11] = PolicyCategory::ALL;

/// AHR every seller starts from.
pub const AHR_BASE: i64 = 200;
/// AHR ceiling.
pub const AHR_MAX: i64 = 1000;
/// Points gained per [`AHR_ORDERS_PER_STEP`] fulfilled orders.
pub const AHR_POINTS_PER_STEP: i64 = 4;
/// Fulfilled orders per step of points.
pub const AHR_ORDERS_PER_STEP: i64 = 200;

/// Violations of one category in the window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CategoryCount {
    /// Category.
    pub category: PolicyCategory,
    /// Violations that occurred in the window (resolved ones included).
    pub count: i64,
    /// GOOD when the count is 0 (target 0, EQUALS), else BAD.
    pub status: MetricStatus,
}

/// Policy compliance over the policy window.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyCompliance {
    /// Days counted, by violation date.
    pub days: DayRange,
    /// One entry per category.
    pub categories: Vec<CategoryCount>,
}

/// The AHR bands of SPEC §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AhrBand {
    /// 200–1000.
    Healthy,
    /// 100–199.
    AtRisk,
    /// 0–99.
    Critical,
}

/// The Account Health Rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountHealthRating {
    /// 0–1000.
    pub score: i64,
    /// Band of the score.
    pub band: AhrBand,
}

/// Each violation counts on its occurrence day from its occurrence on. Facts
/// with one `violation_id` are versions of one violation (its resolution sent
/// later): it counts once, as the version standing at each instant says.
pub(crate) fn changes(
    violations: &[PolicyViolation],
    policy: &Policy,
    out: &mut impl FnMut(&str, Counter, Day, Instant, i64),
) {
    for violation in versions::subjects(violations) {
        let Some(marketplace_id) = violation.first().map(|v| v.marketplace_id.as_str()) else { continue };
        emit(
            policy.calendar(marketplace_id),
            versions::change_instants(violation.iter().copied()),
            |t, tally| {
                if let Some(standing) = versions::standing_of(&violation, t).filter(|v| v.occurred_at <= t) {
                    tally.count(Counter::Violations(standing.category), tally.day_of(standing.occurred_at));
                }
            },
            &mut |counter, day, at, delta| out(marketplace_id, counter, day, at, delta),
        );
    }
}

/// Instants where the order's fulfilled counter may change.
pub(crate) fn times(record: &OrderRecord, out: &mut Vec<Instant>) {
    out.push(record.order.purchased_at);
    out.extend(first_confirmation(record));
    out.extend(record.cancellations.iter().map(|c| c.cancelled_at));
}

/// Whether the order counts as fulfilled at `t`: shipped (AFN: placed) and
/// not cancelled.
pub(crate) fn fulfilled(record: &OrderRecord, shipping: &Shipping, t: Instant) -> bool {
    let order = &record.order;
    if t < order.purchased_at || shipping.cancelled_by(t) {
        return false;
    }
    match order.fulfillment_channel {
        FulfillmentChannel::Afn => true,
        FulfillmentChannel::Mfn => shipping.first_confirmation.is_some_and(|s| s <= t),
    }
}

/// Violation counts per category over the policy window.
pub fn evaluate(
    source: &impl CounterSource,
    policy: &Policy,
    marketplace_id: &str,
    as_of: Instant,
) -> PolicyCompliance {
    let days = DayRange::ending_before(policy.calendar(marketplace_id).day_of(as_of), policy.policy_window_days, 0);
    let categories = CATEGORIES
        .iter()
        .map(|&category| {
            let count = source.total(marketplace_id, Counter::Violations(category), days, as_of);
            let status = if count == 0 { MetricStatus::Good } else { MetricStatus::Bad };
            CategoryCount { category, count, status }
        })
        .collect();
    PolicyCompliance { days, categories }
}

fn severity_points(severity: ViolationSeverity) -> f64 {
    match severity {
        ViolationSeverity::Low => 20.0,
        ViolationSeverity::Medium => 50.0,
        ViolationSeverity::High => 100.0,
        ViolationSeverity::Critical => 200.0,
    }
}

/// The AHR as of `as_of` (SPEC §6, an approximation: Amazon publishes no table):
/// 200, plus 4 per 200 orders fulfilled in the window (at most 1000), minus each
/// unresolved violation of the window at its severity × 1.5^(n−1), n being its rank
/// in its category (resolved ones counted), never below 0.
pub fn account_health_rating(
    source: &impl CounterSource,
    violations: &[PolicyViolation],
    policy: &Policy,
    marketplace_id: &str,
    as_of: Instant,
) -> AccountHealthRating {
    let calendar = policy.calendar(marketplace_id);
    let days = DayRange::ending_before(calendar.day_of(as_of), policy.policy_window_days, 0);
    let fulfilled = source.total(marketplace_id, Counter::FulfilledOrders, days, as_of);
    // A count of orders: saturating only matters for nonsense input.
    let earned =
        AHR_POINTS_PER_STEP.saturating_mul(fulfilled / AHR_ORDERS_PER_STEP).saturating_add(AHR_BASE).min(AHR_MAX);
    let mut by_category: BTreeMap<PolicyCategory, Vec<&PolicyViolation>> = BTreeMap::new();
    // One violation per id: the version standing as of `as_of` (its resolution
    // counts from its own instant).
    for violation in versions::standing(violations, as_of).into_iter().filter(|v| {
        v.marketplace_id == marketplace_id && v.occurred_at <= as_of && days.contains(calendar.day_of(v.occurred_at))
    }) {
        by_category.entry(violation.category).or_default().push(violation);
    }
    let mut deducted = 0.0;
    for list in by_category.values_mut() {
        list.sort_by_key(|v| v.occurred_at);
        for (rank, violation) in list.iter().enumerate() {
            let unresolved = violation.resolved_at.is_none_or(|r| r > as_of);
            if unresolved {
                deducted += severity_points(violation.severity) * 1.5_f64.powi(rank as i32);
            }
        }
    }
    // Half away from zero, as every rounding in SPEC.
    let score = (earned as f64 - deducted).round().max(0.0) as i64;
    let band = match score {
        s if s >= 200 => AhrBand::Healthy,
        s if s >= 100 => AhrBand::AtRisk,
        _ => AhrBand::Critical,
    };
    AccountHealthRating { score, band }
}
