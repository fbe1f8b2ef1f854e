//! Calendar days and metric windows (SPEC §2).

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::facts::Instant;

/// Seconds from the Unix epoch to 2200-01-01T00:00:00Z, the first instant past
/// the supported range.
const END_OF_RANGE_SECONDS: i64 = 7_258_118_400;

/// The first instant the service accepts from outside: the Unix epoch.
///
/// Every instant and date that enters from the wire or a file is checked against
/// [`EARLIEST`]`..`[`end_of_range`] by [`check_instant`] or [`check_day`], in one
/// place. Inside it, every instant fits the store's nanosecond numbers (1970–2262)
/// with room for the longest look-ahead a policy allows (a window plus its lag,
/// under three years), and no date arithmetic of the metrics can leave chrono's
/// range (±262,000 years).
pub const EARLIEST: Instant = DateTime::<Utc>::UNIX_EPOCH;

/// The first instant past the supported range: 2200-01-01T00:00:00Z.
pub fn end_of_range() -> Instant {
    DateTime::<Utc>::from_timestamp(END_OF_RANGE_SECONDS, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The range in words, for error messages.
pub const RANGE_TEXT: &str = "1970-01-01T00:00:00Z to 2199-12-31T23:59:59.999999999Z";

/// `at` when it lies in the supported range (see [`EARLIEST`]), else
/// INVALID_ARGUMENT naming `field`.
pub fn check_instant(field: &str, at: Instant) -> Result<Instant, DomainError> {
    if at < EARLIEST || at >= end_of_range() {
        return Err(DomainError::invalid(field, format!("{at} is outside the supported range {RANGE_TEXT}")));
    }
    Ok(at)
}

/// `day` when it lies in the supported range (see [`EARLIEST`]), else
/// INVALID_ARGUMENT naming `field`.
pub fn check_day(field: &str, day: Day) -> Result<Day, DomainError> {
    if day < day_of(EARLIEST) || day >= day_of(end_of_range()) {
        return Err(DomainError::invalid(field, format!("{day} is outside the supported range {RANGE_TEXT}")));
    }
    Ok(day)
}

/// A calendar day (UTC): the unit metrics attribute facts to.
pub type Day = NaiveDate;

/// The UTC calendar day of an instant.
pub fn day_of(at: Instant) -> Day {
    at.date_naive()
}

/// `day` moved by `days` days (back when negative), saturating at chrono's ends,
/// [`NaiveDate::MIN`] and [`NaiveDate::MAX`] (about ±262,000 years).
///
/// With [`days_before`] and [`shift`], this is how `domain`, `metrics`, `ratings`
/// and `store` move days and instants (besides stepping with `succ_opt`). A day
/// or instant that passed [`check_day`] or [`check_instant`] moved by any window
/// or lag a policy allows stays far inside chrono's range, so the saturation only
/// ever applies to input that bypassed the edge, which then gets a meaningless
/// but well-defined answer instead of a panic.
pub fn shift_days(day: Day, days: i64) -> Day {
    if days >= 0 {
        day.checked_add_days(Days::new(days.unsigned_abs())).unwrap_or(NaiveDate::MAX)
    } else {
        days_before(day, days.unsigned_abs())
    }
}

/// `day` moved `days` days back, saturating at [`NaiveDate::MIN`]: [`shift_days`]
/// for a count that is unsigned.
pub fn days_before(day: Day, days: u64) -> Day {
    day.checked_sub_days(Days::new(days)).unwrap_or(NaiveDate::MIN)
}

/// `at` moved by `by` (back when negative), saturating at chrono's ends,
/// [`DateTime::<Utc>::MIN_UTC`] and [`DateTime::<Utc>::MAX_UTC`]. See [`shift_days`].
pub fn shift(at: Instant, by: Duration) -> Instant {
    let end = if by >= Duration::zero() { DateTime::<Utc>::MAX_UTC } else { DateTime::<Utc>::MIN_UTC };
    at.checked_add_signed(by).unwrap_or(end)
}

/// An inclusive range of calendar days, the "reporting date range" of a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DayRange {
    /// First day counted.
    pub start: Day,
    /// Last day counted.
    pub end: Day,
}

impl DayRange {
    /// The window of `window_days` days ending `lag_days` before `as_of_day`:
    /// `[D-L-N+1, D-L]`, saturating at [`NaiveDate::MIN`] (see [`shift_days`]);
    /// never panics, and `start <= end` always holds.
    pub fn ending_before(as_of_day: Day, window_days: u32, lag_days: u32) -> Self {
        let end = days_before(as_of_day, u64::from(lag_days));
        let start = days_before(end, u64::from(window_days.saturating_sub(1)));
        DayRange { start, end }
    }

    /// Whether `day` falls inside the range.
    pub fn contains(&self, day: Day) -> bool {
        self.start <= day && day <= self.end
    }

    /// Number of days covered.
    pub fn len_days(&self) -> i64 {
        // At most about 191 million days between chrono's ends: no overflow.
        self.end.signed_duration_since(self.start).num_days().saturating_add(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Day {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn odr_window_is_sixty_days_ending_fourteen_days_back() {
        let range = DayRange::ending_before(d(2026, 6, 30), 60, 14);
        assert_eq!(range.end, d(2026, 6, 16));
        assert_eq!(range.start, d(2026, 4, 18));
        assert_eq!(range.len_days(), 60);
        assert!(range.contains(d(2026, 4, 18)));
        assert!(range.contains(d(2026, 6, 16)));
        assert!(!range.contains(d(2026, 4, 17)));
        assert!(!range.contains(d(2026, 6, 17)));
    }

    #[test]
    fn the_supported_range_is_1970_to_2199() {
        let first = d(1970, 1, 1).and_hms_opt(0, 0, 0).expect("time").and_utc();
        assert_eq!(check_instant("at", first), Ok(first));
        let last = d(2199, 12, 31).and_hms_nano_opt(23, 59, 59, 999_999_999).expect("time").and_utc();
        assert_eq!(check_instant("at", last), Ok(last));
        let error = check_instant("as_of", first - Duration::nanoseconds(1)).expect_err("before 1970");
        assert_eq!(
            error.to_string(),
            "as_of: 1969-12-31 23:59:59.999999999 UTC is outside the supported range \
             1970-01-01T00:00:00Z to 2199-12-31T23:59:59.999999999Z"
        );
        assert!(check_instant("at", last + Duration::nanoseconds(1)).is_err());
        assert_eq!(check_day("from", d(2199, 12, 31)), Ok(d(2199, 12, 31)));
        assert!(check_day("from", d(2200, 1, 1)).is_err());
        assert!(check_day("to", d(1969, 12, 31)).is_err());
        assert!(check_day("to", NaiveDate::MIN).is_err());
    }

    #[test]
    fn windows_ending_before_saturate_at_the_ends_of_chrono() {
        // Issue 13: as_of in year −262143 minus a lag panicked here.
        assert_eq!(NaiveDate::MIN, d(-262_143, 1, 1));
        let range = DayRange::ending_before(NaiveDate::MIN, 60, 14);
        assert_eq!((range.start, range.end, range.len_days()), (NaiveDate::MIN, NaiveDate::MIN, 1));
        // The lag fits but the window does not: the start saturates, the end is exact.
        let range = DayRange::ending_before(d(-262_143, 1, 21), 60, 14);
        assert_eq!((range.start, range.end, range.len_days()), (NaiveDate::MIN, d(-262_143, 1, 7), 7));
        // More days than chrono has, from its last day.
        let range = DayRange::ending_before(NaiveDate::MAX, u32::MAX, u32::MAX);
        assert_eq!((range.start, range.end), (NaiveDate::MIN, NaiveDate::MIN));
        let range = DayRange::ending_before(NaiveDate::MAX, 7, 0);
        assert_eq!((range.start, range.end), (d(262_142, 12, 25), d(262_142, 12, 31)));
        assert_eq!(NaiveDate::MAX, d(262_142, 12, 31));
        // Every day chrono has, counted without overflow.
        assert_eq!(DayRange { start: NaiveDate::MIN, end: NaiveDate::MAX }.len_days(), 191_491_529);
    }

    #[test]
    fn shifts_saturate_at_the_ends_of_chrono() {
        assert_eq!(shift_days(d(2026, 3, 1), -1), d(2026, 2, 28));
        assert_eq!(shift_days(d(2026, 2, 28), 1), d(2026, 3, 1));
        assert_eq!(shift_days(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(shift_days(NaiveDate::MIN, -1), NaiveDate::MIN);
        assert_eq!(shift_days(NaiveDate::MIN, i64::MAX), NaiveDate::MAX);
        assert_eq!(shift_days(NaiveDate::MAX, i64::MIN), NaiveDate::MIN);
        assert_eq!(days_before(NaiveDate::MAX, u64::MAX), NaiveDate::MIN);
        assert_eq!(days_before(d(2026, 1, 1), 1), d(2025, 12, 31));
        let (min, max) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
        assert_eq!(shift(max, Duration::nanoseconds(1)), max);
        assert_eq!(shift(min, Duration::nanoseconds(-1)), min);
        assert_eq!(shift(min, Duration::MAX), max);
        assert_eq!(shift(max, Duration::MIN), min);
        let noon = d(2026, 3, 1).and_hms_opt(12, 0, 0).expect("time").and_utc();
        assert_eq!(shift(noon, Duration::hours(-13)), d(2026, 2, 28).and_hms_opt(23, 0, 0).expect("time").and_utc());
    }

    #[test]
    fn window_without_lag_ends_on_the_day() {
        let range = DayRange::ending_before(d(2026, 3, 7), 7, 0);
        assert_eq!((range.start, range.end), (d(2026, 3, 1), d(2026, 3, 7)));
    }
}
