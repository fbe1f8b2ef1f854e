//! Which attribution days a figure reads, so a reader of stored counters loads
//! exactly those: a report reads the longest window plus lag of any metric
//! and the warnings' look-back before that ([`report_first_day`]), a history
//! the same before its first day ([`history_first_day`]), the seller rating
//! its 365 days ([`rating_first_day`]). A report whose warning began before
//! its look-back needs every earlier day too
//! ([`AccountHealthReport::traced_past_lookback`](crate::AccountHealthReport::traced_past_lookback)).

use sellerhealth_domain::time::{days_before, shift_days};
use sellerhealth_domain::{Calendar, Day, Instant, Policy};

use crate::rate::RateSpec;
use crate::seller_rating::RATING_WINDOW_DAYS;
use crate::warnings::WARNING_LOOKBACK_DAYS;

/// The first attribution day a report of `marketplace_id` as of `as_of` reads.
pub fn report_first_day(as_of: Instant, policy: &Policy, marketplace_id: &str) -> Day {
    first_day_read(policy.calendar(marketplace_id).day_of(as_of), reach_days(policy))
}

/// The first attribution day a history of daily figures from `from` on reads.
pub fn history_first_day(from: Day, policy: &Policy) -> Day {
    days_before(from, reach_days(policy).unsigned_abs())
}

/// The first attribution day the seller rating of `calendar`'s marketplace as of `as_of` reads.
pub fn rating_first_day(as_of: Instant, calendar: Calendar) -> Day {
    days_before(calendar.day_of(as_of), u64::from(RATING_WINDOW_DAYS))
}

/// The longest a metric looks back from its evaluation day: window plus lag.
pub fn reach_days(policy: &Policy) -> i64 {
    let rates = RateSpec::all(policy)
        .into_iter()
        .map(|s| i64::from(s.target.window_days).saturating_add(i64::from(s.target.lag_days)));
    let contact = policy.contact_response.windows_days.iter().map(|w| i64::from(*w));
    rates.chain(contact).chain([i64::from(policy.policy_window_days), i64::from(RATING_WINDOW_DAYS)]).max().unwrap_or(0)
}

/// The first attribution day a report as of a day of `today` reads: the
/// warning lookback plus the longest reach of a metric before it, saturating
/// at chrono's first day (see [`shift_days`]).
fn first_day_read(today: Day, reach_days: i64) -> Day {
    shift_days(today, WARNING_LOOKBACK_DAYS.saturating_add(reach_days).saturating_neg())
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;

    #[test]
    fn the_first_day_read_saturates_at_the_first_day_of_chrono() {
        // Issue 13: as_of in year -262143 minus the lookback panicked here.
        assert_eq!(first_day_read(NaiveDate::MIN, 365), NaiveDate::MIN);
        assert_eq!(first_day_read(NaiveDate::MAX, i64::MAX), NaiveDate::MIN);
        assert_eq!(first_day_read(NaiveDate::MAX, 0), NaiveDate::from_ymd_opt(262_142, 9, 2).unwrap());
        // 120 lookback days and 365 of reach before 2026-07-01.
        let as_of = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        assert_eq!(first_day_read(as_of.date_naive(), 365), NaiveDate::from_ymd_opt(2025, 3, 3).unwrap());
        // As of 06:00 UTC on 07-01 it is still 06-30 in Los Angeles: a day earlier.
        let early = Utc.with_ymd_and_hms(2026, 7, 1, 6, 0, 0).unwrap();
        let policy = Policy::amazon();
        assert_eq!(report_first_day(early, &policy, "ATVPDKIKX0DER"), NaiveDate::from_ymd_opt(2025, 3, 2).unwrap());
        assert_eq!(report_first_day(early, &policy, "US"), NaiveDate::from_ymd_opt(2025, 3, 3).unwrap());
    }
}
