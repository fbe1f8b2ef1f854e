//! Warnings, account status and demotion risk (SPEC §4), from each penalised
//! metric's status on past days.

use sellerhealth_domain::time::shift_days;
use sellerhealth_domain::{Calendar, Day, DayRange, Instant, Policy};

use crate::counters::CounterSource;
use crate::policy_compliance::{AccountHealthRating, AhrBand};
use crate::rate::{Metric, MetricStatus, RateSpec};

/// How many days back warnings are listed: the report shows each warning open
/// on one of these days. One that began earlier is traced back to the first day
/// of its unbroken BAD run, however long ago that was (SPEC §4).
pub const WARNING_LOOKBACK_DAYS: i64 = 120;

/// The first day of the warnings' look-back as of `as_of`.
pub fn lookback_start(as_of: Instant, calendar: Calendar) -> Day {
    shift_days(calendar.day_of(as_of), 1 - WARNING_LOOKBACK_DAYS)
}

/// A warning on a penalised metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Warning {
    /// Metric warned about.
    pub metric: Metric,
    /// First day it was BAD.
    pub opened_on: Day,
    /// `opened_on` + the policy's deadline days.
    pub deadline: Day,
    /// First day it was no longer BAD; `None` while open.
    pub closed_on: Option<Day>,
    /// Open on the evaluation day.
    pub open: bool,
    /// Open after its deadline.
    pub past_deadline: bool,
    /// Days BAD in this warning (up to the evaluation day while open).
    pub days_bad: i64,
}

/// Overall account status per marketplace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    /// Every penalised metric GOOD or NONE and AHR ≥ 200.
    Healthy,
    /// A penalised metric BAD, or AHR 100–199.
    AtRisk,
    /// AHR < 100, or a warning open past its deadline.
    Critical,
}

/// A metric's figures and status on `day`: as of the end of that day, or as of
/// `as_of` when that is earlier (days of `calendar`).
pub fn status_on(
    spec: &RateSpec,
    source: &impl CounterSource,
    calendar: Calendar,
    marketplace_id: &str,
    day: Day,
    as_of: Instant,
) -> (i64, i64, MetricStatus) {
    let at = calendar.end_of(day).min(as_of);
    let (numerator, denominator) = spec.counts(source, marketplace_id, spec.days(day), at);
    (numerator, denominator, spec.status(numerator, denominator))
}

/// Every warning of the penalised metrics within the lookback, oldest first per
/// metric, from each metric's daily figures computed in one pass
/// ([`RateSpec::daily_counts`]). A warning closes on the first day the metric is no longer BAD (GOOD, or
/// NONE: no data is not a failure).
pub fn warnings(
    specs: &[RateSpec],
    source: &impl CounterSource,
    policy: &Policy,
    marketplace_id: &str,
    as_of: Instant,
) -> Vec<Warning> {
    let calendar = policy.calendar(marketplace_id);
    let today = calendar.day_of(as_of);
    let first = lookback_start(as_of, calendar);
    let mut out = Vec::new();
    for spec in specs.iter().filter(|s| s.target.penalised) {
        let mut opened: Option<Day> = None;
        let days = std::iter::successors(Some(first), Day::succ_opt).take_while(|d| *d <= today);
        let counts = spec.daily_counts(source, calendar, marketplace_id, first, today, as_of);
        for (day, (numerator, denominator)) in days.zip(counts) {
            let bad = spec.status(numerator, denominator) == MetricStatus::Bad;
            match (bad, opened) {
                (true, None) if day == first => {
                    opened = Some(run_start(spec, source, calendar, marketplace_id, first, as_of));
                }
                (true, None) => opened = Some(day),
                (false, Some(start)) => {
                    out.push(warning(spec.metric, policy, start, Some(day), today));
                    opened = None;
                }
                _ => {}
            }
        }
        if let Some(start) = opened {
            out.push(warning(spec.metric, policy, start, None, today));
        }
    }
    out
}

/// The first day of the unbroken BAD run that `bad_day` is in. The status of
/// a day is that of the last change day at or before it
/// ([`RateSpec::change_days`]), so the run is traced back change day by change
/// day, as far as it goes: before the first there are no facts, and no status.
fn run_start(
    spec: &RateSpec,
    source: &impl CounterSource,
    calendar: Calendar,
    marketplace_id: &str,
    bad_day: Day,
    as_of: Instant,
) -> Day {
    let changes = spec.change_days(source, marketplace_id);
    let mut start = bad_day;
    for &day in changes.range(..bad_day).rev() {
        if status_on(spec, source, calendar, marketplace_id, day, as_of).2 != MetricStatus::Bad {
            break;
        }
        start = day;
    }
    start
}

fn warning(metric: Metric, policy: &Policy, opened_on: Day, closed_on: Option<Day>, today: Day) -> Warning {
    let deadline = shift_days(opened_on, i64::from(policy.warning_deadline_days));
    let last_bad = closed_on.map_or(today, |c| shift_days(c, -1));
    let open = closed_on.is_none();
    Warning {
        metric,
        opened_on,
        deadline,
        closed_on,
        open,
        past_deadline: open && today > deadline,
        days_bad: DayRange { start: opened_on, end: last_bad }.len_days(),
    }
}

/// The account status from the penalised metrics' statuses now, the open
/// warnings and the AHR.
pub fn account_status(
    penalised_statuses: impl IntoIterator<Item = MetricStatus>,
    warnings: &[Warning],
    ahr: &AccountHealthRating,
) -> AccountStatus {
    if ahr.band == AhrBand::Critical || warnings.iter().any(|w| w.past_deadline) {
        AccountStatus::Critical
    } else if ahr.band == AhrBand::AtRisk || penalised_statuses.into_iter().any(|s| s == MetricStatus::Bad) {
        AccountStatus::AtRisk
    } else {
        AccountStatus::Healthy
    }
}

/// Whether a penalised metric has been BAD continuously for more than the
/// policy's demotion days.
pub fn demotion_risk(warnings: &[Warning], policy: &Policy) -> bool {
    warnings.iter().any(|w| w.open && w.days_bad > i64::from(policy.demotion_after_days))
}
