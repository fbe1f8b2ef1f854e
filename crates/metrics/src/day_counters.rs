//! [`DayCounters`]: a seller's counters in one marketplace as of an instant,
//! summed by day, whichever path they come from.

use std::collections::BTreeMap;

use chrono::Datelike;

use foldhash::HashMap;

use sellerhealth_domain::time::shift_days;
use sellerhealth_domain::{Calendar, Day, DayRange, Instant};

use crate::counters::{Counter, CounterSource};
use crate::timeline::DayMemo;

/// One seller's counters in one marketplace, as of an instant: the
/// [`CounterSource`] every report is evaluated from — the store's (rows read
/// back from its tables), the stateless path's and batch evaluation's (summed
/// from a book's changes by [`DayCounters::from_changes`]).
///
/// Changes are summed per (counter, attribution day, effective day), except
/// those effective on the instant's own day, kept with their instants, so a
/// figure as of that instant is exact to the nanosecond. Exact as of the
/// loaded instant and as of the last instant of any earlier day (how daily
/// figures ask). A window sum as of the loaded instant (how a report asks) is
/// two binary searches in running totals; as of the end of an earlier day
/// (warnings and history ask through [`CounterSource::changes`] in one pass
/// instead) it scans the window's rows. Another marketplace's counters are
/// zero: none are loaded.
#[derive(Debug, Default)]
pub struct DayCounters {
    /// The marketplace loaded.
    marketplace_id: String,
    /// Its calendar: days are its local days.
    calendar: Calendar,
    /// The evaluation instant's day: rows are summed up to the day before it.
    base_day: Option<Day>,
    /// The start of `base_day`.
    base_start: Option<Instant>,
    /// The latest instant of a change loaded from `base_day`.
    latest_today: Option<Instant>,
    /// (attribution day, effective day, total), sorted by attribution day.
    rows: HashMap<Counter, Vec<(Day, Day, i64)>>,
    /// Contributions effective on `base_day`: (attribution day, instant, delta).
    today: HashMap<Counter, Vec<(Day, Instant, i64)>>,
    /// Attribution days ascending, each with the sum of every loaded change of
    /// that day and the days before.
    running: HashMap<Counter, Vec<(Day, i64)>>,
}

impl DayCounters {
    /// The marketplace whose counters these are.
    pub fn marketplace_id(&self) -> &str {
        &self.marketplace_id
    }

    /// Every change of the book's `marketplace_id` effective by `as_of`, given
    /// one at a time to [`DayCountersBuilder::add`].
    pub fn from_changes(marketplace_id: &str, calendar: Calendar, as_of: Instant) -> DayCountersBuilder {
        DayCountersBuilder {
            marketplace_id: marketplace_id.to_owned(),
            calendar,
            as_of,
            base_start: calendar.start_of(calendar.day_of(as_of)),
            near: std::iter::repeat_with(Default::default).take(NEAR_SLOTS).collect(),
            days: HashMap::default(),
            today: Vec::new(),
            effective_days: DayMemo::default(),
            last_effective: None,
        }
    }

    /// Counters of `marketplace_id` (days of `calendar`) as of `as_of` from
    /// `rows` (counter, attribution day, effective day, total), effective
    /// before `as_of`'s day, and `today`'s changes (counter, attribution day,
    /// instant, delta), effective on `as_of`'s day up to `as_of`.
    pub fn new(
        marketplace_id: &str,
        calendar: Calendar,
        as_of: Instant,
        rows: Vec<(Counter, Day, Day, i64)>,
        today: Vec<(Counter, Day, Instant, i64)>,
    ) -> Self {
        let base_day = calendar.day_of(as_of);
        let mut out = DayCounters {
            marketplace_id: marketplace_id.to_owned(),
            calendar,
            base_day: Some(base_day),
            base_start: Some(calendar.start_of(base_day)),
            ..Default::default()
        };
        let mut by_day: HashMap<Counter, BTreeMap<Day, i64>> = HashMap::default();
        for (counter, day, eff_day, total) in rows {
            out.rows.entry(counter).or_default().push((day, eff_day, total));
            add(by_day.entry(counter).or_default().entry(day).or_default(), total);
        }
        for entries in out.rows.values_mut() {
            entries.sort_unstable();
        }
        for (counter, day, at, delta) in today {
            out.today.entry(counter).or_default().push((day, at, delta));
            add(by_day.entry(counter).or_default().entry(day).or_default(), delta);
            out.latest_today = out.latest_today.max(Some(at));
        }
        for (counter, days) in by_day {
            let mut sum = 0;
            let running = days
                .into_iter()
                .map(|(day, total)| {
                    add(&mut sum, total);
                    (day, sum)
                })
                .collect();
            out.running.insert(counter, running);
        }
        out
    }

    /// The last effective day whose rows count as of `as_of`, and whether the
    /// changes of the loaded day count (those up to `as_of`).
    fn reach(&self, as_of: Instant) -> Option<(Day, bool)> {
        let (base_day, base_start) = (self.base_day?, self.base_start?);
        Some(if as_of >= base_start { (shift_days(base_day, -1), true) } else { (self.calendar.day_of(as_of), false) })
    }

    /// The sum of every loaded change of `counter` with an attribution day up to `day`.
    fn running_through(&self, counter: Counter, day: Day) -> i64 {
        let Some(running) = self.running.get(&counter) else { return 0 };
        let after = running.partition_point(|(d, _)| *d <= day);
        after.checked_sub(1).and_then(|last| running.get(last)).map_or(0, |(_, sum)| *sum)
    }
}

/// Sums of count deltas: saturating only matters for nonsense input.
fn add(sum: &mut i64, delta: i64) {
    *sum = sum.saturating_add(delta);
}

impl CounterSource for DayCounters {
    /// Exact for `as_of` on or after the start of the loaded day, and for the last
    /// instant of any earlier day (how daily figures are asked for).
    fn total(&self, marketplace_id: &str, counter: Counter, days: DayRange, as_of: Instant) -> i64 {
        if marketplace_id != self.marketplace_id || days.start > days.end {
            return 0;
        }
        let Some((through_eff, with_today)) = self.reach(as_of) else { return 0 };
        if with_today && self.latest_today.is_none_or(|latest| as_of >= latest) {
            // Every loaded change counts: the difference of two running totals.
            let before = self.running_through(counter, shift_days(days.start, -1));
            let through = self.running_through(counter, days.end);
            // At chrono's first day there is no day before: nothing lies before it.
            let before = if days.start == Day::MIN { 0 } else { before };
            return through.saturating_sub(before);
        }
        let mut sum: i64 = 0;
        if let Some(rows) = self.rows.get(&counter) {
            let first = rows.partition_point(|(day, _, _)| *day < days.start);
            for (_, _, total) in rows
                .get(first..)
                .unwrap_or_default()
                .iter()
                .take_while(|(day, _, _)| *day <= days.end)
                .filter(|(_, eff, _)| *eff <= through_eff)
            {
                add(&mut sum, *total);
            }
        }
        if with_today && let Some(today) = self.today.get(&counter) {
            for (_, _, delta) in today.iter().filter(|(day, at, _)| days.contains(*day) && *at <= as_of) {
                add(&mut sum, *delta);
            }
        }
        sum
    }

    fn change_days(&self, marketplace_id: &str, counter: Counter) -> Vec<(Day, Day)> {
        self.changes(marketplace_id, counter, Instant::MAX_UTC).into_iter().map(|(day, eff, _)| (day, eff)).collect()
    }

    fn changes(&self, marketplace_id: &str, counter: Counter, as_of: Instant) -> Vec<(Day, Day, i64)> {
        if marketplace_id != self.marketplace_id {
            return Vec::new();
        }
        let Some((through_eff, with_today)) = self.reach(as_of) else { return Vec::new() };
        let rows = self.rows.get(&counter).into_iter().flatten().filter(|(_, eff, _)| *eff <= through_eff).copied();
        let today = self
            .today
            .get(&counter)
            .into_iter()
            .flatten()
            .filter(|(_, at, _)| with_today && *at <= as_of)
            .map(|(day, at, delta)| (*day, self.calendar.day_of(*at), *delta));
        rows.chain(today).collect()
    }

    fn response_hours(&self, marketplace_id: &str, days: DayRange, as_of: Instant) -> Vec<(u32, i64)> {
        let mut hours: Vec<u32> = self
            .rows
            .keys()
            .chain(self.today.keys())
            .filter_map(|c| match c {
                Counter::ResponseHours(h) => Some(*h),
                _ => None,
            })
            .collect();
        hours.sort_unstable();
        hours.dedup();
        hours
            .into_iter()
            .map(|h| (h, self.total(marketplace_id, Counter::ResponseHours(h), days, as_of)))
            .filter(|(_, n)| *n != 0)
            .collect()
    }
}

/// Sums a book's changes into [`DayCounters`]: see [`DayCounters::from_changes`].
#[derive(Debug)]
pub struct DayCountersBuilder {
    marketplace_id: String,
    calendar: Calendar,
    as_of: Instant,
    base_start: Instant,
    /// The rows effective before `as_of`'s day, by attribution day
    /// ([`day_key`]): in the slot of the key's low bits ([`NEAR_SLOTS`]) if
    /// that slot is free or the day's, else in `days`. Changes fall on any of
    /// a few hundred days; a slot found by a mask costs a change less than a
    /// probe of a hashed table (0.9% of a batch run's instructions).
    near: Vec<(u32, DayRows)>,
    days: HashMap<u32, DayRows>,
    /// Changes effective on `as_of`'s day up to `as_of`.
    today: Vec<(Counter, Day, Instant, i64)>,
    /// The days of the instants changes are added at (the days they are
    /// effective on): a part's changes fall on a few hundred days.
    effective_days: DayMemo,
    /// The last instant a change was added at and its day: an order's
    /// metric adds its changes at one instant counter after counter.
    last_effective: Option<(Instant, Day)>,
}

/// One attribution day's rows: (counter, effective day) [`row_key`] → total.
///
/// A change is first only written down, and summed with the day's next
/// [`PENDING_CHANGES`] changes in one go. Orders come in any order of their
/// days, so each change went to a row of any day of the history, in one
/// table of every row larger than a core's cache: on 10,000,000 orders, two
/// thirds of the time summing changes was spent waiting for a row from
/// memory. Written down, a change goes to the end of its day's list, and the
/// list is summed into that day's few rows, both still in cache.
#[derive(Debug, Default)]
struct DayRows {
    pending: Vec<(u64, i64)>,
    totals: HashMap<u64, i64>,
}

/// How many changes of a day [`DayRows`] writes down before summing them.
const PENDING_CHANGES: usize = 256;

impl DayRows {
    fn add(&mut self, key: u64, delta: i64) {
        if self.pending.capacity() == 0 {
            self.pending.reserve_exact(PENDING_CHANGES);
        }
        self.pending.push((key, delta));
        if self.pending.len() >= PENDING_CHANGES {
            self.sum_pending();
        }
    }

    fn sum_pending(&mut self) {
        for (key, delta) in self.pending.drain(..) {
            add(self.totals.entry(key).or_default(), delta);
        }
    }

    /// Every row's total, the pending changes summed.
    fn into_totals(mut self) -> HashMap<u64, i64> {
        self.sum_pending();
        self.totals
    }
}

/// Slots of [`DayCountersBuilder`]'s attribution days, a power of two: the
/// low ten bits of a [`day_key`] are the day of the year and the year's
/// parity, so the days of any two years running each have a slot.
const NEAR_SLOTS: usize = 1024;

/// A row's key within its attribution day, hashed and compared in one step:
/// the counter's stable code above the effective day's [`day_key`].
fn row_key(counter: Counter, effective: Day) -> u64 {
    (u64::from(counter.code()) << 32) | u64::from(day_key(effective))
}

/// A day as 32 bits: its year above its day of the year (1 to 366, nine
/// bits), so distinct days have distinct keys (days from the common era were
/// a computation each, 1% of a batch run).
fn day_key(day: Day) -> u32 {
    (day.year().cast_unsigned() << 9) | day.ordinal()
}

/// The day of a [`day_key`].
fn day_of_key(key: u32) -> Option<Day> {
    // The year back with its sign: an arithmetic shift of the 32 bits.
    Day::from_yo_opt(key.cast_signed() >> 9, key & 0x1ff)
}

/// The (counter, effective day) of a [`row_key`].
fn row_of_key(key: u64) -> Option<(Counter, Day)> {
    // Each part is the low 32 bits of its shift, as `row_key` put it there.
    Some((Counter::from_code((key >> 32) as u32)?, day_of_key(key as u32)?))
}

impl DayCountersBuilder {
    /// The marketplace summed.
    pub fn marketplace_id(&self) -> &str {
        &self.marketplace_id
    }

    /// Adds one change: from `at` on, `counter` of `day` changes by `delta`
    /// (left out when `at` is after the instant the counters are for).
    pub fn add(&mut self, counter: Counter, day: Day, at: Instant, delta: i64) {
        if at > self.as_of {
            return;
        }
        if at >= self.base_start {
            self.today.push((counter, day, at, delta));
        } else {
            let effective = match self.last_effective {
                Some((last, effective)) if last == at => effective,
                _ => {
                    let effective = self.effective_days.day_of(self.calendar, at);
                    self.last_effective = Some((at, effective));
                    effective
                }
            };
            self.rows_of(day_key(day)).add(row_key(counter, effective), delta);
        }
    }

    /// The rows of the attribution day `key` ([`day_key`], never 0: a day of
    /// the year is at least 1), where [`DayCountersBuilder::near`] says.
    #[inline(always)]
    fn rows_of(&mut self, key: u32) -> &mut DayRows {
        match self.near.get_mut(key as usize & (NEAR_SLOTS - 1)) {
            Some((held, rows)) if *held == key || *held == 0 => {
                *held = key;
                rows
            }
            _ => self.days.entry(key).or_default(),
        }
    }

    /// Every attribution day's rows, as (its [`day_key`], rows).
    fn into_days(self) -> impl Iterator<Item = (u32, DayRows)> {
        self.near.into_iter().filter(|(key, _)| *key != 0).chain(self.days)
    }

    /// Adds the changes `other` summed (counters of the same marketplace and
    /// instant): how parts of a book summed apart are put together.
    pub fn merge(&mut self, mut other: DayCountersBuilder) {
        self.today.append(&mut other.today);
        for (day, rows) in other.into_days() {
            let into = self.rows_of(day);
            for (key, total) in rows.into_totals() {
                into.add(key, total);
            }
        }
    }

    /// The counters summed.
    pub fn build(mut self) -> DayCounters {
        let (marketplace_id, calendar, as_of) = (std::mem::take(&mut self.marketplace_id), self.calendar, self.as_of);
        let today = std::mem::take(&mut self.today);
        let mut rows = Vec::new();
        for (day, day_rows) in self.into_days() {
            let Some(day) = day_of_key(day) else { continue };
            for (key, total) in day_rows.into_totals().into_iter().filter(|(_, total)| *total != 0) {
                if let Some((counter, effective)) = row_of_key(key) {
                    rows.push((counter, day, effective, total));
                }
            }
        }
        DayCounters::new(&marketplace_id, calendar, as_of, rows, today)
    }
}

#[cfg(test)]
mod tests {
    use sellerhealth_domain::FulfillmentChannel;

    use super::*;
    use crate::ScoreClass;

    #[test]
    fn a_rows_key_unpacks_to_its_counter_and_days_at_the_ends_of_the_calendar() {
        let counters = [
            Counter::Orders(FulfillmentChannel::Afn),
            Counter::ResponseHours(0x00ff_ffff),
            Counter::OrderScore(ScoreClass::PerfectWithBonus),
            Counter::LateShipments,
        ];
        let days = [Day::MIN, Day::from_ymd_opt(1970, 1, 1).unwrap(), Day::from_ymd_opt(2026, 7, 1).unwrap(), Day::MAX];
        for day in days {
            assert_eq!(day_of_key(day_key(day)), Some(day));
            for counter in counters {
                assert_eq!(row_of_key(row_key(counter, day)), Some((counter, day)));
            }
        }
        // Distinct days, distinct keys, in the order of the days.
        let keys: Vec<i32> = days.iter().map(|day| day_key(*day).cast_signed()).collect();
        assert!(keys.is_sorted(), "{keys:?}");
        assert_ne!(row_key(Counter::LateShipments, Day::MIN), row_key(Counter::ShipmentsDue, Day::MIN));
    }

    #[test]
    fn days_two_years_apart_share_a_slot_and_keep_their_own_totals() {
        let day = |s: &str| -> Day { s.parse().unwrap() };
        let at = |s: &str| -> Instant { s.parse().unwrap() };
        let as_of = at("2026-12-01T00:00:00Z");
        let counter = Counter::LateShipments;
        // 5 January of 2024 and of 2026: the same day of the year, years of
        // the same parity, so the same slot; the later day goes to the table.
        assert_eq!(day_key(day("2024-01-05")) as usize % NEAR_SLOTS, day_key(day("2026-01-05")) as usize % NEAR_SLOTS);
        let changes = [
            ("2024-01-05", "2024-01-05T12:00:00Z", 2),
            ("2026-01-05", "2026-01-05T12:00:00Z", 3),
            ("2024-01-05", "2024-01-06T12:00:00Z", 4),
            ("2026-01-06", "2026-01-06T12:00:00Z", 5),
        ];
        let summed = |changes: &[(&str, &str, i64)]| {
            let mut builder = DayCounters::from_changes("M", Calendar::UTC, as_of);
            for (d, t, delta) in changes {
                builder.add(counter, day(d), at(t), *delta);
            }
            builder
        };
        let totals = |counters: &DayCounters| -> Vec<i64> {
            [
                ("2024-01-05", "2024-01-05"),
                ("2026-01-05", "2026-01-05"),
                ("2026-01-06", "2026-01-06"),
                ("2024-01-01", "2026-12-31"),
            ]
            .iter()
            .map(|(start, end)| counters.total("M", counter, DayRange { start: day(start), end: day(end) }, as_of))
            .collect()
        };
        assert_eq!(totals(&summed(&changes).build()), [6, 3, 5, 14]);
        // Summed in two parts and put together: the same.
        let (first, second) = changes.split_at(1);
        let mut merged = summed(first);
        merged.merge(summed(second));
        assert_eq!(totals(&merged.build()), [6, 3, 5, 14]);
        // As of 6 January 2024, noon: only the changes by then count, the
        // one at that very instant too (on as of's own day, kept with its instant).
        let early = at("2024-01-06T12:00:00Z");
        let mut builder = DayCounters::from_changes("M", Calendar::UTC, early);
        for (d, t, delta) in changes {
            builder.add(counter, day(d), at(t), delta);
        }
        let all = DayRange { start: day("2024-01-01"), end: day("2026-12-31") };
        assert_eq!(builder.build().total("M", counter, all, early), 6);
    }
}
