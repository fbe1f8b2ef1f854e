//! Calendar days and metric windows (SPEC §2).

use chrono::{DateTime, Days, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
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
    END_OF_RANGE
}

/// [`end_of_range`], worked out once: every instant read is checked against it.
const END_OF_RANGE: Instant = match DateTime::<Utc>::from_timestamp(END_OF_RANGE_SECONDS, 0) {
    Some(end) => end,
    None => DateTime::<Utc>::MAX_UTC,
};

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

/// [`DateTime::from_timestamp`] (seconds and nanoseconds since 1970), the
/// date of each day remembered per thread: every instant read from a file
/// or the wire is made here, a data set's fall on a few hundred days, and
/// working out a date from a count of days took about 60 instructions
/// (1.8% of a batch run's).
///
/// ```
/// use sellerhealth_domain::time::from_unix;
/// assert_eq!(from_unix(1_777_888_800, 5).map(|at| at.to_rfc3339()), Some("2026-05-04T10:00:00.000000005+00:00".into()));
/// assert_eq!(from_unix(0, 2_000_000_000), None);
/// ```
#[inline]
pub fn from_unix(seconds: i64, nanos: u32) -> Option<Instant> {
    let day_seconds = i64::from(DAY_SECONDS);
    let (days, second) = (seconds.div_euclid(day_seconds), seconds.rem_euclid(day_seconds));
    let date = DATES.with(|dates| {
        let slot = dates.get(days.rem_euclid(DATE_SLOTS as i64) as usize);
        if let Some(slot) = slot
            && let (known, date) = slot.get()
            && known == days
        {
            return Some(date);
        }
        let date = DateTime::from_timestamp(days.checked_mul(day_seconds)?, 0)?.date_naive();
        if let Some(slot) = slot {
            slot.set((days, date));
        }
        Some(date)
    })?;
    let time = NaiveTime::from_num_seconds_from_midnight_opt(u32::try_from(second).ok()?, nanos)?;
    Some(date.and_time(time).and_utc())
}

/// Days [`DATES`] remembers (a power of two): more than a data set spans.
const DATE_SLOTS: usize = 1024;

thread_local! {
    /// (days since 1970, the date) by the days modulo [`DATE_SLOTS`]; a slot
    /// not yet filled holds a count no instant has.
    static DATES: [std::cell::Cell<(i64, NaiveDate)>; DATE_SLOTS] =
        const { [const { std::cell::Cell::new((i64::MIN, NaiveDate::MIN)) }; DATE_SLOTS] };
}

/// A calendar day: the unit metrics attribute facts to, in the calendar of
/// the fact's marketplace ([`Calendar`]).
pub type Day = NaiveDate;

/// The UTC calendar day of an instant (the edge's checks and UTC marketplaces;
/// metrics ask a marketplace's [`Calendar`]).
pub fn day_of(at: Instant) -> Day {
    // The date as held: `date_naive` adds the offset, zero, with carries.
    at.naive_utc().date()
}

/// The last nanosecond of a day's time.
const LAST_NANOSECOND: NaiveTime = match NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

/// Years within which a marketplace's calendar follows its time zone; outside
/// them (only instants that bypassed the edge's check lie there) it is UTC,
/// so the conversions never leave chrono's range.
const ZONED_YEARS: std::ops::RangeInclusive<i32> = 1900..=2300;

/// The calendar of a marketplace: the IANA time zone whose local days its
/// metrics count in (issue 17). Windows, attribution days, warnings,
/// deadlines and history are days of this calendar; a day lasts from its
/// local midnight to the next, 23 or 25 hours on daylight-saving days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Calendar(Tz);

impl Default for Calendar {
    fn default() -> Self {
        Calendar::UTC
    }
}

impl Calendar {
    /// UTC days.
    pub const UTC: Calendar = Calendar(Tz::UTC);

    /// The calendar of the IANA time zone `name` (`Asia/Tokyo`), if it is one.
    pub fn named(name: &str) -> Option<Calendar> {
        name.parse::<Tz>().ok().map(Calendar)
    }

    /// The zone's IANA name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The local calendar day of an instant.
    ///
    /// Asked for millions of times in a batch, so a zone's days recently
    /// asked for are remembered per thread (only days without a clock change).
    pub fn day_of(self, at: Instant) -> Day {
        if self.0 == Tz::UTC {
            return day_of(at);
        }
        DAY_CACHE.with(|cache| match cache.try_borrow_mut() {
            Ok(mut cache) => cache.day_of(self, at),
            // Never borrowed twice (nothing in a lookup asks again), but no panic if it were.
            Err(_) => self.day_of_uncached(at),
        })
    }

    /// [`Calendar::day_of`] from the zone's rules, remembering nothing.
    fn day_of_uncached(self, at: Instant) -> Day {
        if self.0 == Tz::UTC || !ZONED_YEARS.contains(&chrono::Datelike::year(&day_of(at))) {
            return day_of(at);
        }
        at.with_timezone(&self.0).date_naive()
    }

    /// The first instant of a local day: its midnight, or where the clocks
    /// jump over midnight, the first instant that exists (a day's time is
    /// never before its start).
    pub fn start_of(self, day: Day) -> Instant {
        if self.0 == Tz::UTC || !ZONED_YEARS.contains(&chrono::Datelike::year(&day)) {
            return day.and_time(NaiveTime::MIN).and_utc();
        }
        let midnight = day.and_time(NaiveTime::MIN);
        // Clocks jump forward by at most a few hours: the first local minute
        // that exists after midnight is where the day begins.
        (0..=24 * 60)
            .filter_map(|minutes| {
                let local = midnight.checked_add_signed(Duration::minutes(minutes))?;
                self.0.from_local_datetime(&local).earliest()
            })
            .next()
            .map_or_else(|| midnight.and_utc(), |at| at.with_timezone(&Utc))
    }

    /// The last instant of a local day (a daily figure is the figure as of
    /// this instant): the nanosecond before the next day starts. For
    /// [`Day::MAX`](NaiveDate::MAX), [`DateTime::<Utc>::MAX_UTC`].
    pub fn end_of(self, day: Day) -> Instant {
        match day.succ_opt() {
            Some(next) if self.0 != Tz::UTC && ZONED_YEARS.contains(&chrono::Datelike::year(&day)) => {
                shift(self.start_of(next), Duration::nanoseconds(-1))
            }
            _ => day.and_time(LAST_NANOSECOND).and_utc(),
        }
    }

    /// The zone's offset from UTC in seconds (east positive) all through the
    /// UTC day `utc_day`, when it is the same from the day's first instant to
    /// its last; `None` on a day the clocks change, and outside the years the
    /// zone is followed in (where days are UTC's). Remembered per thread, as
    /// [`Calendar::day_of`] remembers it: with [`local_day`], what a caller
    /// asking the days of many instants on a few days keeps for itself.
    ///
    /// ```
    /// use sellerhealth_domain::Calendar;
    /// let london = Calendar::named("Europe/London").unwrap();
    /// let day = |s: &str| s.parse().unwrap();
    /// assert_eq!(london.offset_through(day("2026-07-01")), Some(3600));
    /// assert_eq!(london.offset_through(day("2026-03-29")), None); // clocks go forward at 01:00 UTC
    /// assert_eq!(Calendar::UTC.offset_through(day("2026-03-29")), Some(0));
    /// ```
    pub fn offset_through(self, utc_day: Day) -> Option<i32> {
        if self.0 == Tz::UTC {
            return Some(0);
        }
        DAY_CACHE.with(|cache| match cache.try_borrow_mut() {
            Ok(mut cache) => cache.offset(self, utc_day),
            // Never borrowed twice (nothing in a lookup asks again), but no panic if it were.
            Err(_) => self.uniform_offset(utc_day),
        })
    }

    /// The zone's offset from UTC at `at`, in seconds (east positive).
    pub fn offset_seconds(self, at: Instant) -> i32 {
        self.0.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc()
    }
}

/// Local days a thread recently looked up, by UTC day: (zone, UTC day, the
/// zone's offset in seconds all through that UTC day). A UTC day is
/// remembered only when the zone's offset is the same from its first
/// instant to its last, so an instant's local day is its UTC day moved by
/// that offset (a UTC day with a clock change is computed every time).
/// Indexed by the UTC day and the zone: an instant's UTC day and time of
/// day are fields of it, where its seconds since 1970 were a computation.
struct DayCache {
    slots: [Option<CachedOffset>; DAY_CACHE_SLOTS],
}

/// A remembered UTC day: (zone, the day, the zone's offset through it).
type CachedOffset = (Tz, Day, i32);

/// Slots of [`DayCache`] (a power of two): more than the days a batch's facts span.
const DAY_CACHE_SLOTS: usize = 1024;

/// Masks a key to a slot of [`DayCache`].
const DAY_CACHE_MASK: u32 = DAY_CACHE_SLOTS as u32 - 1;

/// Seconds in a day without a leap second.
const DAY_SECONDS: i32 = 86_400;

thread_local! {
    static DAY_CACHE: std::cell::RefCell<DayCache> =
        const { std::cell::RefCell::new(DayCache { slots: [None; DAY_CACHE_SLOTS] }) };
}

impl DayCache {
    fn day_of(&mut self, calendar: Calendar, at: Instant) -> Day {
        // The UTC date as it is held (`date_naive` adds the offset, zero, with carries).
        let utc_day = at.naive_utc().date();
        match self.offset(calendar, utc_day).and_then(|offset| local_day(at, offset)) {
            Some(day) => day,
            None => calendar.day_of_uncached(at),
        }
    }

    /// [`Calendar::offset_through`], remembered in the day's slot.
    fn offset(&mut self, calendar: Calendar, utc_day: Day) -> Option<i32> {
        use chrono::Datelike;
        // A day's year and day of the year, the zone apart, so the days of
        // two marketplaces do not evict each other.
        let key = (utc_day.year().cast_unsigned() << 9 | utc_day.ordinal())
            .wrapping_add(u32::from(calendar.0 as u16).wrapping_mul(131));
        let Some(slot) = self.slots.get_mut((key & DAY_CACHE_MASK) as usize) else {
            return calendar.uniform_offset(utc_day);
        };
        match *slot {
            Some((zone, day, offset)) if zone == calendar.0 && day == utc_day => Some(offset),
            _ => {
                let offset = calendar.uniform_offset(utc_day)?;
                *slot = Some((calendar.0, utc_day, offset));
                Some(offset)
            }
        }
    }
}

/// The local day of `at` in a zone `offset` seconds east of UTC all through
/// `at`'s UTC day (as [`Calendar::offset_through`] gives it): that UTC day,
/// or the one before or after. `None` only at the ends of chrono's range.
#[inline]
pub fn local_day(at: Instant, offset: i32) -> Option<Day> {
    use chrono::Timelike;
    // The UTC date and time as they are held (`Timelike` on a `DateTime`
    // adds its offset, zero, with carries).
    let utc = at.naive_utc();
    // Below a day's seconds plus an offset's (under a day): no overflow.
    let local_seconds = utc.time().num_seconds_from_midnight().cast_signed().saturating_add(offset);
    if local_seconds >= DAY_SECONDS {
        utc.date().succ_opt()
    } else if local_seconds < 0 {
        utc.date().pred_opt()
    } else {
        Some(utc.date())
    }
}

impl Calendar {
    /// The zone's offset all through the UTC day `day`, when it is the same
    /// from its first instant to its last and the day lies in
    /// [`ZONED_YEARS`] (outside them, days are UTC's).
    fn uniform_offset(self, day: Day) -> Option<i32> {
        if !ZONED_YEARS.contains(&chrono::Datelike::year(&day)) {
            return None;
        }
        let start = day.and_time(NaiveTime::MIN).and_utc();
        let last = day.and_time(LAST_NANOSECOND).and_utc();
        let offset = self.offset_seconds(start);
        (offset == self.offset_seconds(last)).then_some(offset)
    }
}

impl Serialize for Calendar {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Calendar {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Calendar::named(&name).ok_or_else(|| {
            serde::de::Error::custom(format!("{name:?} is not an IANA time zone (such as \"Asia/Tokyo\" or \"UTC\")"))
        })
    }
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

    #[test]
    fn a_local_day_is_the_utc_day_moved_by_the_offset_at_either_end_of_it() {
        let at = |s: &str| -> Instant { s.parse().unwrap() };
        let day = |s: &str| -> Day { s.parse().unwrap() };
        // London in summer (+1 h), Los Angeles in summer (-7 h).
        assert_eq!(local_day(at("2026-07-01T22:59:59Z"), 3600), Some(day("2026-07-01")));
        assert_eq!(local_day(at("2026-07-01T23:00:00Z"), 3600), Some(day("2026-07-02")));
        assert_eq!(local_day(at("2026-07-01T06:59:59.999999999Z"), -25_200), Some(day("2026-06-30")));
        assert_eq!(local_day(at("2026-07-01T07:00:00Z"), -25_200), Some(day("2026-07-01")));
        assert_eq!(local_day(at("2026-07-01T07:00:00Z"), 0), Some(day("2026-07-01")));
        // No day after the last, or before the first.
        assert_eq!(local_day(DateTime::<Utc>::MAX_UTC, 3600), None);
        assert_eq!(local_day(DateTime::<Utc>::MIN_UTC, -3600), None);
        let london = Calendar::named("Europe/London").unwrap();
        for utc_day in ["2026-01-15", "2026-07-01", "2026-03-29", "2026-10-25", "1899-06-01"] {
            let offset = london.offset_through(day(utc_day));
            // Remembered or not, the same answer as the zone's rules.
            assert_eq!(offset, london.uniform_offset(day(utc_day)), "{utc_day}");
            assert_eq!(london.offset_through(day(utc_day)), offset, "{utc_day}");
        }
        assert_eq!(london.offset_through(day("2026-01-15")), Some(0));
        assert_eq!(london.offset_through(day("2026-10-25")), None);
        // Before the years a zone is followed in, days are UTC's: no offset to give.
        assert_eq!(london.offset_through(day("1899-06-01")), None);
    }

    #[test]
    fn instants_from_unix_are_chronos_whichever_days_were_read_before() {
        let seconds = [
            0,
            1,
            86_399,
            86_400,
            -1,
            -86_400,
            -86_401,
            1_777_888_800,
            1_777_888_800 + 86_400 * DATE_SLOTS as i64,
            7_258_118_399,
            i64::MAX,
            i64::MIN,
            8_210_266_876_799,
            8_210_266_876_800,
        ];
        // Twice over, so the second pass reads remembered days (and days
        // DATE_SLOTS apart share a slot); nanoseconds, leap ones too, as chrono has them.
        for _ in 0..2 {
            for s in seconds {
                for nanos in [0, 1, 999_999_999, 1_000_000_000, 1_999_999_999, 2_000_000_000] {
                    assert_eq!(from_unix(s, nanos), DateTime::from_timestamp(s, nanos), "{s} {nanos}");
                }
            }
        }
    }

    /// The zones of the cache test: whole-hour and half-hour daylight saving,
    /// clocks changed at midnight (Santiago), offsets of :30 and :45.
    const ODD_ZONES: [&str; 9] = [
        "America/Los_Angeles",
        "Europe/London",
        "Asia/Tokyo",
        "America/Santiago",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "Pacific/Chatham",
        "America/St_Johns",
        "UTC",
    ];

    #[test]
    fn remembered_days_are_the_zones_days() {
        let calendars: Vec<Calendar> = ODD_ZONES.iter().map(|name| Calendar::named(name).expect("zone")).collect();
        let from = d(2025, 6, 1).and_hms_opt(0, 0, 0).expect("time").and_utc().timestamp();
        // Instants in a scrambled order (a linear congruential sequence), zones
        // interleaved: what a batch of two marketplaces' orders asks.
        let mut state: u64 = 1;
        for _ in 0..200_000 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let seconds = i64::try_from((state >> 20) % (730 * 86_400)).expect("small");
            let nanos = u32::try_from(state % 1_000_000_000).expect("small");
            let at = DateTime::<Utc>::from_timestamp(from + seconds, nanos).expect("instant");
            let calendar = calendars[usize::try_from(state >> 60).expect("small") % calendars.len()];
            assert_eq!(calendar.day_of(at), calendar.day_of_uncached(at), "{} at {at}", calendar.name());
        }
        // Each day's first instant and the nanoseconds around it, zones interleaved.
        for day in (0..365).map(|n| shift_days(d(2026, 1, 1), n)) {
            for calendar in &calendars {
                let start = calendar.start_of(day);
                for at in [start - Duration::nanoseconds(1), start, start + Duration::nanoseconds(1)] {
                    assert_eq!(calendar.day_of(at), calendar.day_of_uncached(at), "{} at {at}", calendar.name());
                }
            }
        }
        // Every minute, and the nanosecond before it, around each clock change of 2026.
        for calendar in calendars {
            for day in (0..365).map(|n| shift_days(d(2026, 1, 1), n)) {
                let (start, after) = (calendar.start_of(day), calendar.start_of(shift_days(day, 2)));
                if calendar.offset_seconds(start) == calendar.offset_seconds(after) {
                    continue;
                }
                for minute in 0..2 * 24 * 60 {
                    let at = start + Duration::minutes(minute);
                    for at in [at, at - Duration::nanoseconds(1)] {
                        assert_eq!(calendar.day_of(at), calendar.day_of_uncached(at), "{} at {at}", calendar.name());
                    }
                }
            }
        }
    }

    #[test]
    fn days_with_a_clock_change_are_not_remembered() {
        let la = Calendar::named("America/Los_Angeles").expect("zone");
        // Clocks change at 10:00 UTC in March and at 09:00 UTC in November.
        assert_eq!(la.uniform_offset(d(2026, 3, 8)), None);
        assert_eq!(la.uniform_offset(d(2026, 11, 1)), None);
        assert_eq!(la.uniform_offset(d(2026, 6, 1)), Some(-7 * 3600));
        assert_eq!(la.uniform_offset(d(2026, 12, 1)), Some(-8 * 3600));
        let lord_howe = Calendar::named("Australia/Lord_Howe").expect("zone");
        assert_eq!(lord_howe.uniform_offset(d(2026, 4, 4)), None, "half an hour back at 02:00 local");
        assert_eq!(Calendar::UTC.uniform_offset(d(2301, 1, 1)), None, "outside the zoned years");
    }

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

    fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> Instant {
        d(y, m, day).and_hms_opt(h, min, 0).expect("time").and_utc()
    }

    #[test]
    fn utc_days_at_the_ends_of_chrono_have_bounds() {
        // Issue 13: end_of(day) computed the next day's midnight and overflowed.
        let utc = Calendar::UTC;
        assert_eq!(utc.end_of(NaiveDate::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(utc.start_of(NaiveDate::MIN), DateTime::<Utc>::MIN_UTC);
        let second_day = NaiveDate::MIN.succ_opt().expect("day");
        assert_eq!(utc.end_of(NaiveDate::MIN), utc.start_of(second_day) - Duration::nanoseconds(1));
        assert_eq!(utc.end_of(d(2026, 5, 8)), at(2026, 5, 9, 0, 0) - Duration::nanoseconds(1));
        // A zoned calendar is UTC far outside the supported range: no overflow either.
        let tokyo = Calendar::named("Asia/Tokyo").expect("zone");
        assert_eq!(tokyo.end_of(NaiveDate::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(tokyo.start_of(NaiveDate::MIN), DateTime::<Utc>::MIN_UTC);
        assert_eq!(tokyo.day_of(DateTime::<Utc>::MAX_UTC), NaiveDate::MAX);
        assert_eq!(tokyo.day_of(DateTime::<Utc>::MIN_UTC), NaiveDate::MIN);
    }

    #[test]
    fn a_local_day_runs_from_local_midnight_to_local_midnight() {
        // Tokyo is UTC+9 all year: 1 May 08:00 in Tokyo is 30 April 23:00 UTC.
        let tokyo = Calendar::named("Asia/Tokyo").expect("zone");
        assert_eq!(tokyo.day_of(at(2026, 4, 30, 23, 0)), d(2026, 5, 1));
        assert_eq!(Calendar::UTC.day_of(at(2026, 4, 30, 23, 0)), d(2026, 4, 30));
        assert_eq!(tokyo.start_of(d(2026, 5, 1)), at(2026, 4, 30, 15, 0));
        assert_eq!(tokyo.end_of(d(2026, 5, 1)), at(2026, 5, 1, 15, 0) - Duration::nanoseconds(1));
        // Los Angeles is UTC−7 in summer: 1 May 03:00 UTC is still 30 April there.
        let la = Calendar::named("America/Los_Angeles").expect("zone");
        assert_eq!(la.day_of(at(2026, 5, 1, 3, 0)), d(2026, 4, 30));
        assert_eq!(la.day_of(at(2026, 5, 1, 7, 0)), d(2026, 5, 1));
        assert_eq!(la.offset_seconds(at(2026, 5, 1, 7, 0)), -7 * 3600);
    }

    #[test]
    fn daylight_saving_days_last_23_and_25_hours() {
        let la = Calendar::named("America/Los_Angeles").expect("zone");
        let hours = |day: Day| (la.end_of(day) + Duration::nanoseconds(1) - la.start_of(day)).num_hours();
        // 2026-03-08: clocks go from 02:00 PST to 03:00 PDT; 2026-11-01: from 02:00 PDT back to 01:00 PST.
        assert_eq!(hours(d(2026, 3, 8)), 23);
        assert_eq!(hours(d(2026, 11, 1)), 25);
        assert_eq!(hours(d(2026, 3, 9)), 24);
        assert_eq!(la.start_of(d(2026, 3, 8)), at(2026, 3, 8, 8, 0)); // midnight PST = 08:00 UTC
        assert_eq!(la.start_of(d(2026, 3, 9)), at(2026, 3, 9, 7, 0)); // midnight PDT = 07:00 UTC
        // 2026-03-08 23:30 PDT is 06:30 UTC on the 9th, still the 8th there.
        assert_eq!(la.day_of(at(2026, 3, 9, 6, 30)), d(2026, 3, 8));
        // Where midnight itself is skipped (Santiago, 2026-09-06: 00:00 → 01:00),
        // the day starts at the first instant that exists, 01:00 local.
        let santiago = Calendar::named("America/Santiago").expect("zone");
        assert_eq!(santiago.start_of(d(2026, 9, 6)), at(2026, 9, 6, 4, 0));
        assert_eq!(santiago.day_of(at(2026, 9, 6, 4, 0)), d(2026, 9, 6));
        assert_eq!(santiago.day_of(at(2026, 9, 6, 4, 0) - Duration::nanoseconds(1)), d(2026, 9, 5));
    }

    #[test]
    fn calendars_are_named_by_iana_zones() {
        assert_eq!(Calendar::named("Asia/Tokyo").map(Calendar::name), Some("Asia/Tokyo"));
        assert_eq!(Calendar::named("Asia/Tokio"), None);
        let json = serde_json::to_string(&Calendar::named("Europe/London")).expect("json");
        assert_eq!(json, "\"Europe/London\"");
        let error = serde_json::from_str::<Calendar>("\"Mars/Olympus\"").expect_err("not a zone");
        assert!(error.to_string().contains("\"Mars/Olympus\" is not an IANA time zone"), "{error}");
    }
}
