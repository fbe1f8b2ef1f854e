//! Turns "what a subject counts at instant t" into contributions.
//!
//! Each metric describes a subject (an order, a message, a return) by a pure
//! function from an instant to the counters it adds to at that instant, and the
//! instants where that can change. [`emit`] evaluates the function at each change
//! instant and emits the difference from the previous one, so summing the
//! contributions effective at or before T reproduces the function at T exactly.

use chrono::Duration;
use sellerhealth_domain::time::shift;
use sellerhealth_domain::{Calendar, Day, Instant};

use crate::counters::Counter;

/// The counters a subject adds to at one instant: (counter, attribution day) → amount,
/// with the calendar of the subject's marketplace its days are counted in.
/// A subject touches a dozen counters at most, so a list beats a map here.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    amounts: Vec<((Counter, Day), i64)>,
    calendar: Calendar,
    days: DayMemo,
}

/// The days of the last few instants looked up: the metrics ask the days of
/// the same few instants of an order (its purchase, promised delivery,
/// confirmations) at every change instant, in turn.
#[derive(Debug, Clone)]
pub(crate) struct DayMemo {
    /// (instant, its day); an entry not yet filled holds [`UNASKED`].
    entries: [std::cell::Cell<(Instant, Day)>; DAY_MEMO_ENTRIES],
    /// The entry the next new instant replaces.
    next: std::cell::Cell<usize>,
}

/// Instants [`DayMemo`] remembers: more than an order's distinct instants a
/// tally asks the day of.
const DAY_MEMO_ENTRIES: usize = 4;

/// What an empty entry of [`DayMemo`] holds: the first instant chrono has and
/// its day, which is its day in every calendar (before a zone's years, days
/// are UTC's), so an entry needs no "empty" flag to check.
const UNASKED: (Instant, Day) = (Instant::MIN_UTC, Day::MIN);

impl Default for DayMemo {
    fn default() -> Self {
        DayMemo { entries: std::array::from_fn(|_| std::cell::Cell::new(UNASKED)), next: std::cell::Cell::new(0) }
    }
}

impl DayMemo {
    /// The day of `at` in `calendar`, which must be the same at every call
    /// since the last [`DayMemo::clear`].
    pub(crate) fn day_of(&self, calendar: Calendar, at: Instant) -> Day {
        for entry in &self.entries {
            let (known, day) = entry.get();
            if known == at {
                return day;
            }
        }
        let day = calendar.day_of(at);
        let next = self.next.get();
        if let Some(entry) = self.entries.get(next) {
            entry.set((at, day));
        }
        self.next.set(next.checked_add(1).filter(|n| *n < DAY_MEMO_ENTRIES).unwrap_or(0));
        day
    }

    /// Forgets every day: they were another calendar's.
    fn clear(&self) {
        self.entries.iter().for_each(|entry| entry.set(UNASKED));
    }
}

impl Tally {
    /// The day of `at` in the subject's calendar: how instants become attribution days.
    pub fn day_of(&self, at: Instant) -> Day {
        self.days.day_of(self.calendar, at)
    }

    /// The calendar of the subject's marketplace.
    pub fn calendar(&self) -> Calendar {
        self.calendar
    }

    /// Adds `amount` to `counter` of `day`.
    pub fn add(&mut self, counter: Counter, day: Day, amount: i64) {
        if amount == 0 {
            return;
        }
        match self.amounts.iter_mut().find(|(key, _)| *key == (counter, day)) {
            // Amounts are counts of one subject (a few units, seconds of one
            // reply): saturating only matters for nonsense input, and beats a panic.
            Some((_, total)) => *total = total.saturating_add(amount),
            None => self.amounts.push(((counter, day), amount)),
        }
    }

    /// Adds 1 to `counter` of `day`.
    pub fn count(&mut self, counter: Counter, day: Day) {
        self.add(counter, day, 1);
    }

    /// Adds each of `amounts` to the counter at its position in `counters`,
    /// all of the day of `on`: a metric [`Emitter::emit_fixed`] emits, as a
    /// tally.
    #[cfg(test)]
    pub(crate) fn add_each<const N: usize>(&mut self, counters: [Counter; N], on: Instant, amounts: [i64; N]) {
        let day = self.day_of(on);
        for (counter, amount) in counters.into_iter().zip(amounts) {
            self.add(counter, day, amount);
        }
    }
}

/// The amount of `key` in a tally's amounts, if it has one.
fn amount_of(amounts: &[((Counter, Day), i64)], key: (Counter, Day)) -> Option<i64> {
    amounts.iter().find(|(k, _)| *k == key).map(|(_, amount)| *amount)
}

/// The instant just after `at`: a deadline passes "after" its instant, so a state
/// that holds once `at` is over is effective from here. `at` itself at the end of
/// chrono's range (see [`shift`]).
pub fn just_after(at: Instant) -> Instant {
    shift(at, Duration::nanoseconds(1))
}

/// Emits the contributions of a subject whose tally at `t` is `tally_at(t)`, given
/// every instant where the tally may change (any order, duplicates allowed):
/// `out(counter, day, at, delta)` for each change, in order of `at`.
pub fn emit(
    calendar: Calendar,
    times: Vec<Instant>,
    tally_at: impl FnMut(Instant, &mut Tally),
    out: &mut impl FnMut(Counter, Day, Instant, i64),
) {
    let mut emitter = Emitter::default();
    emitter.emit(calendar, |all| *all = times, tally_at, out);
}

/// [`emit`] with its buffers kept for the next subject: evaluating many
/// subjects (a whole book) allocates them once.
#[derive(Debug, Default)]
pub struct Emitter {
    times: Vec<Instant>,
    /// The amounts of the instant before.
    previous: Vec<((Counter, Day), i64)>,
    /// The tally being asked, its remembered days kept from instant to instant.
    current: Tally,
    /// The keys of [`Emitter::emit_keyed`]'s subject.
    keys: Vec<(Counter, Day)>,
    /// Their amounts at the instant before.
    keyed_before: Vec<i64>,
    /// Their amounts at the instant asked.
    keyed_now: Vec<i64>,
}

impl Emitter {
    /// Emits the contributions of a subject of the marketplace whose
    /// calendar is `calendar` and whose tally at `t` is `tally_at(t)`; `times`
    /// lists every instant where the tally may change (any order, duplicates
    /// allowed) into the vector it is given.
    pub fn emit(
        &mut self,
        calendar: Calendar,
        times: impl FnOnce(&mut Vec<Instant>),
        mut tally_at: impl FnMut(Instant, &mut Tally),
        out: &mut impl FnMut(Counter, Day, Instant, i64),
    ) {
        if !self.start(calendar, times) {
            return;
        }
        self.previous.clear();
        for &t in &self.times {
            self.current.amounts.clear();
            tally_at(t, &mut self.current);
            self.current.amounts.sort_unstable_by_key(|(key, _)| *key);
            for &((counter, day), amount) in &self.current.amounts {
                let before = amount_of(&self.previous, (counter, day)).unwrap_or(0);
                if amount != before {
                    out(counter, day, t, amount.saturating_sub(before));
                }
            }
            for &((counter, day), before) in &self.previous {
                if amount_of(&self.current.amounts, (counter, day)).is_none() {
                    out(counter, day, t, before.saturating_neg());
                }
            }
            std::mem::swap(&mut self.previous, &mut self.current.amounts);
        }
    }

    /// [`Emitter::emit`] for a subject that counts towards `N` counters known
    /// before any instant is asked, all on the day of its instant `on`: its
    /// amounts at `t` are `amounts_at(t, days)`, by position in `counters`
    /// (`days` gives the local day of an instant). Most of an order's metrics
    /// are of this shape; comparing two arrays by position spares building,
    /// sorting and searching a tally at every instant.
    pub fn emit_fixed<const N: usize>(
        &mut self,
        calendar: Calendar,
        counters: [Counter; N],
        on: Instant,
        times: impl FnOnce(&mut Vec<Instant>),
        mut amounts_at: impl FnMut(Instant, &Tally) -> [i64; N],
        out: &mut impl FnMut(Counter, Day, Instant, i64),
    ) {
        if !self.start(calendar, times) {
            return;
        }
        let day = self.current.day_of(on);
        let mut before = [0_i64; N];
        for &t in &self.times {
            let now = amounts_at(t, &self.current);
            for ((counter, amount), before) in counters.iter().zip(now).zip(&mut before) {
                if amount != *before {
                    out(*counter, day, t, amount.saturating_sub(*before));
                    *before = amount;
                }
            }
        }
    }

    /// Lists a subject's change instants in order, once each, and counts
    /// days in `calendar`; false if there are none.
    fn start(&mut self, calendar: Calendar, times: impl FnOnce(&mut Vec<Instant>)) -> bool {
        self.times.clear();
        times(&mut self.times);
        if self.times.is_empty() {
            return false;
        }
        self.times.sort_unstable();
        self.times.dedup();
        self.use_calendar(calendar);
        true
    }

    /// [`Emitter::emit`] for a subject whose (counter, attribution day)
    /// keys are all known before any instant is asked: `keys(days, out)`
    /// lists them, and `amounts_at(t, days, amounts)` writes its amounts at
    /// `t` by position among them, into amounts all zero. The days of
    /// instants are `days.day_of`.
    pub fn emit_keyed(
        &mut self,
        calendar: Calendar,
        keys: impl FnOnce(&Tally, &mut Vec<(Counter, Day)>),
        times: impl FnOnce(&mut Vec<Instant>),
        mut amounts_at: impl FnMut(Instant, &Tally, &mut [i64]),
        out: &mut impl FnMut(Counter, Day, Instant, i64),
    ) {
        if !self.start(calendar, times) {
            return;
        }
        self.keys.clear();
        keys(&self.current, &mut self.keys);
        self.keyed_before.clear();
        self.keyed_before.resize(self.keys.len(), 0);
        for &t in &self.times {
            self.keyed_now.clear();
            self.keyed_now.resize(self.keys.len(), 0);
            amounts_at(t, &self.current, &mut self.keyed_now);
            for ((&(counter, day), &amount), before) in
                self.keys.iter().zip(&self.keyed_now).zip(&mut self.keyed_before)
            {
                if amount != *before {
                    out(counter, day, t, amount.saturating_sub(*before));
                    *before = amount;
                }
            }
        }
    }

    /// Counts days in `calendar` from here on, forgetting another's.
    fn use_calendar(&mut self, calendar: Calendar) {
        if self.current.calendar != calendar {
            self.current.calendar = calendar;
            self.current.days.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn a_tally_gives_each_instant_its_local_day_however_many_it_remembers() {
        let calendar = Calendar::named("America/Los_Angeles").unwrap();
        let tally = Tally { calendar, ..Tally::default() };
        // 06:30 UTC is the evening before in Los Angeles (UTC-7 in summer),
        // 08:30 UTC the same morning: six instants, more than the memo holds.
        let at = |day, hour| Utc.with_ymd_and_hms(2026, 7, day, hour, 30, 0).unwrap();
        let instants = [at(1, 6), at(1, 8), at(2, 6), at(2, 8), at(3, 6), at(3, 8)];
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, if d == 30 { 6 } else { 7 }, d).unwrap();
        let expected = [day(30), day(1), day(1), day(2), day(2), day(3)];
        // An entry never filled answers for the first instant, and rightly.
        assert_eq!(tally.day_of(UNASKED.0), calendar.day_of(UNASKED.0));
        assert_eq!(UNASKED.1, calendar.day_of(UNASKED.0));
        for _ in 0..3 {
            for (at, expected) in instants.iter().zip(expected) {
                assert_eq!(tally.day_of(*at), expected, "{at}");
            }
            // Asked backwards, each instant still finds its own day.
            for (at, expected) in instants.iter().zip(expected).rev() {
                assert_eq!(tally.day_of(*at), expected, "{at}");
            }
        }
    }
}
