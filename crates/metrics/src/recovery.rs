//! Recovery of a BAD rate (SPEC §4): how many more defect-free orders would bring it
//! within target now, and the first day it is back if nothing new arrives.

use sellerhealth_domain::{Calendar, Instant, TargetCondition};

use crate::counters::CounterSource;
use crate::rate::{MetricStatus, RateMetric, RateSpec, Recovery};

/// The metric as of `as_of`, with recovery figures when it is BAD; days are `calendar`'s.
pub fn evaluate(
    spec: &RateSpec,
    source: &impl CounterSource,
    calendar: Calendar,
    marketplace_id: &str,
    as_of: Instant,
) -> RateMetric {
    let mut metric = spec.evaluate_figures(source, calendar, marketplace_id, as_of);
    if metric.status == MetricStatus::Bad {
        let today = calendar.day_of(as_of);
        metric.recovery =
            Some(recovery(spec, source, marketplace_id, as_of, today, metric.numerator, metric.denominator));
    }
    metric
}

/// Recovery figures for a metric that is BAD as of `as_of` with these counts.
fn recovery(
    spec: &RateSpec,
    source: &impl CounterSource,
    marketplace_id: &str,
    as_of: Instant,
    today: sellerhealth_domain::Day,
    numerator: i64,
    denominator: i64,
) -> Recovery {
    // The window moves on with the facts known now: its figures change only on
    // the days facts enter or leave it, however far ahead their dates lie (a
    // promised delivery a week out enters the window a week from now).
    let changes = spec.change_days(source, marketplace_id);
    let back_within_target_on = changes.range(today..).copied().filter(|day| *day > today).find(|&day| {
        let (num, den) = spec.counts(source, marketplace_id, spec.days(day), as_of);
        spec.status(num, den) != MetricStatus::Bad
    });
    Recovery { additional_defect_free_orders: additional_good(spec, numerator, denominator), back_within_target_on }
}

/// The smallest n ≥ 0 such that adding n good items makes the rate meet its target.
fn additional_good(spec: &RateSpec, numerator: i64, denominator: i64) -> Option<i64> {
    let target = spec.target.target;
    let meets = |n: i64| {
        let (num, den) = match spec.target.condition {
            // Good items add to the denominator only for "less than" rates, and to
            // both sides for "greater than" (success) rates.
            TargetCondition::LessThan | TargetCondition::Equals => (numerator, denominator.saturating_add(n)),
            TargetCondition::GreaterThan => (numerator.saturating_add(n), denominator.saturating_add(n)),
        };
        spec.status(num, den) == MetricStatus::Good
    };
    let estimate = match spec.target.condition {
        TargetCondition::LessThan if target > 0.0 => numerator as f64 / target - denominator as f64,
        TargetCondition::GreaterThan if target < 1.0 => {
            (target * denominator as f64 - numerator as f64) / (1.0 - target)
        }
        _ => return None,
    };
    if !estimate.is_finite() || estimate > 1e15 {
        return None;
    }
    // Start from the closed form and correct its floating-point rounding with the
    // same comparison the status uses, so the answer and the status agree. The
    // estimate is at most 1e15, so n stays far from i64::MAX unless the counts
    // are nonsense, and then "no number would" is the honest answer.
    let mut n = estimate.floor().max(0.0) as i64;
    while !meets(n) {
        n = n.checked_add(1)?;
    }
    while let Some(fewer) = n.checked_sub(1).filter(|&fewer| fewer >= 0 && meets(fewer)) {
        n = fewer;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use sellerhealth_domain::Policy;

    use super::*;
    use crate::rate::Metric;

    fn spec(metric: Metric) -> RateSpec {
        RateSpec::all(&Policy::amazon()).into_iter().find(|s| s.metric == metric).expect("spec")
    }

    #[test]
    fn less_than_needs_the_denominator_past_defects_over_target() {
        // 3 defects in 120 orders, target < 1%: 3/(120+n) < 0.01 ⇔ 120+n > 300 ⇔ n = 181.
        assert_eq!(additional_good(&spec(Metric::OrderDefectRateMfn), 3, 120), Some(181));
        // 1 in 100 is exactly 1% (BAD): one more order makes 1/101 < 1%.
        assert_eq!(additional_good(&spec(Metric::OrderDefectRateMfn), 1, 100), Some(1));
    }

    #[test]
    fn greater_than_adds_successes_to_both_sides() {
        // 90 valid of 100, target > 95%: (90+n)/(100+n) > 0.95 ⇔ 90+n > 95+0.95n ⇔ n > 100 ⇔ n = 101.
        assert_eq!(additional_good(&spec(Metric::ValidTrackingRate), 90, 100), Some(101));
    }
}
