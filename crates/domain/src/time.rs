//! Calendar days and metric windows (SPEC §2).

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::facts::Instant;

/// A calendar day (UTC): the unit metrics attribute facts to.
pub type Day = NaiveDate;

/// The UTC calendar day of an instant.
pub fn day_of(at: Instant) -> Day {
    at.date_naive()
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
    /// `[D-L-N+1, D-L]`.
    pub fn ending_before(as_of_day: Day, window_days: u32, lag_days: u32) -> Self {
        let end = as_of_day - Duration::days(i64::from(lag_days));
        let start = end - Duration::days(i64::from(window_days.max(1)) - 1);
        DayRange { start, end }
    }

    /// Whether `day` falls inside the range.
    pub fn contains(&self, day: Day) -> bool {
        self.start <= day && day <= self.end
    }

    /// Number of days covered.
    pub fn len_days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
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
    fn window_without_lag_ends_on_the_day() {
        let range = DayRange::ending_before(d(2026, 3, 7), 7, 0);
        assert_eq!((range.start, range.end), (d(2026, 3, 1), d(2026, 3, 7)));
    }
}
