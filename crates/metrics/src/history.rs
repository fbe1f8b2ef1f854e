//! A metric's figures day by day, each day as of its last instant.

use sellerhealth_domain::{Day, Instant, Policy};

use crate::counters::CounterSource;
use crate::rate::{Metric, MetricStatus, RateSpec};
use crate::response;

/// Longest range one history call covers.
pub const MAX_HISTORY_DAYS: i64 = 400;

/// One metric's figures as of the end of one day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricDay {
    /// The day.
    pub day: Day,
    /// Numerator (for contact response time: answered within the SLA).
    pub numerator: i64,
    /// Denominator (for contact response time: answered plus overdue).
    pub denominator: i64,
    /// The rate, `None` without data.
    pub rate: Option<f64>,
    /// Status against the target.
    pub status: MetricStatus,
}

/// Every metric a history can be asked for under `policy`: the rates, then each
/// contact response window.
pub fn history_metrics(policy: &Policy) -> Vec<Metric> {
    let rates = RateSpec::all(policy).into_iter().map(|s| s.metric);
    let contact = policy.contact_response.windows_days.iter().map(|&w| Metric::ContactResponseTime { window_days: w });
    rates.chain(contact).collect()
}

/// `metric`'s figures for each day of `from..=to` (days of the marketplace's
/// calendar), with the facts known at `now`
/// (a day after `now` is evaluated as of `now`). `None` for a metric without a
/// daily rate (the AHR) or unknown to the policy.
pub fn history(
    source: &impl CounterSource,
    policy: &Policy,
    marketplace_id: &str,
    metric: Metric,
    from: Day,
    to: Day,
    now: Instant,
) -> Option<Vec<MetricDay>> {
    let days = std::iter::successors(Some(from), Day::succ_opt).take_while(|d| *d <= to);
    let calendar = policy.calendar(marketplace_id);
    if let Metric::ContactResponseTime { window_days } = metric {
        if !policy.contact_response.windows_days.contains(&window_days) {
            return None;
        }
        return Some(
            days.map(|day| {
                let c = response::evaluate(source, policy, marketplace_id, window_days, calendar.end_of(day).min(now));
                MetricDay {
                    day,
                    numerator: c.on_time,
                    denominator: c.on_time.saturating_add(c.late),
                    rate: c.rate,
                    status: c.status,
                }
            })
            .collect(),
        );
    }
    let spec = RateSpec::all(policy).into_iter().find(|s| s.metric == metric)?;
    let counts = spec.daily_counts(source, calendar, marketplace_id, from, to, now);
    Some(
        days.zip(counts)
            .map(|(day, (numerator, denominator))| {
                let rate = (denominator > 0).then(|| numerator as f64 / denominator as f64);
                MetricDay { day, numerator, denominator, rate, status: spec.status(numerator, denominator) }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, Utc};
    use sellerhealth_domain::time::shift_days;

    use super::*;
    use crate::counters::ContributionSet;

    fn empty_days(days: &[MetricDay]) -> Vec<(Day, i64, i64, Option<f64>, MetricStatus)> {
        days.iter().map(|d| (d.day, d.numerator, d.denominator, d.rate, d.status)).collect()
    }

    #[test]
    fn history_runs_to_the_last_day_of_chrono_and_from_its_first() {
        // Issue 13: a history to chrono's last day stepped past it and panicked.
        let (policy, source) = (Policy::amazon(), ContributionSet::default());
        let none = |day| (day, 0, 0, None, MetricStatus::None);
        let max = NaiveDate::MAX;
        let (two_before, one_before) = (shift_days(max, -2), shift_days(max, -1));
        for metric in [Metric::OrderDefectRateMfn, Metric::ContactResponseTime { window_days: 90 }] {
            let days = history(&source, &policy, "US", metric, two_before, max, DateTime::<Utc>::MAX_UTC);
            assert_eq!(empty_days(&days.expect("a daily metric")), vec![none(two_before), none(one_before), none(max)]);
            let min = NaiveDate::MIN;
            let days = history(&source, &policy, "US", metric, min, shift_days(min, 1), DateTime::<Utc>::MIN_UTC);
            assert_eq!(empty_days(&days.expect("a daily metric")), vec![none(min), none(shift_days(min, 1))]);
        }
    }
}
