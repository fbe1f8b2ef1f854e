//! Turns "what a subject counts at instant t" into contributions.
//!
//! Each metric describes a subject (an order, a message, a return) by a pure
//! function from an instant to the counters it adds to at that instant, and the
//! instants where that can change. [`emit`] evaluates the function at each change
//! instant and emits the difference from the previous one, so summing the
//! contributions effective at or before T reproduces the function at T exactly.

use chrono::Duration;
use sellerhealth_domain::time::{local_day, shift};
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

/// The zone's offsets through the UTC days looked up, by day of the year:
/// the metrics ask the days of an order's instants (its purchase, promised
/// delivery, confirmations, and the nanosecond after each deadline) at every
/// change instant, in turn, and a book's orders fall on a few hundred days.
/// Remembering the last four instants, the nanosecond after a deadline
/// missed where the deadline had hit, and an order's five or six days took
/// turns at four entries: 60% of the changes summed asked the zone's rules
/// again ([`Calendar::day_of`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct DayMemo {
    /// Two calendars' slots: a book's orders are of one or two
    /// marketplaces, asked in turn when of two.
    tables: [DayTable; 2],
    /// The table a third calendar takes over.
    next: std::cell::Cell<usize>,
}

/// One calendar's slots of a [`DayMemo`].
#[derive(Debug, Clone, Default)]
struct DayTable {
    /// The calendar whose offsets the slots hold; `None` until one is asked.
    calendar: std::cell::Cell<Option<Calendar>>,
    /// (UTC day, the zone's offset all through it) in the slot of the day
    /// of the year; a slot not yet filled holds [`UNASKED`]. Made when a
    /// calendar first takes the table: the store sums one order's changes
    /// with memos of their own, on every event, and those ask one calendar.
    slots: std::cell::OnceCell<Box<DaySlots>>,
}

/// A [`DayTable`]'s slots: (UTC day, the zone's offset all through it).
type DaySlots = [std::cell::Cell<(Day, i32)>; DAY_MEMO_SLOTS];

/// Slots of a [`DayTable`]: one per day of the year (its ordinal, 1 to
/// 366), a day taking over the slot of the same day a year before or after.
const DAY_MEMO_SLOTS: usize = 512;

/// What an empty slot of a [`DayTable`] holds: chrono's first day with no
/// offset, which is its offset in every calendar (before a zone's years,
/// days are UTC's), so a slot needs no "empty" flag to check.
const UNASKED: (Day, i32) = (Day::MIN, 0);

impl DayMemo {
    /// The day of `at` in `calendar`.
    pub(crate) fn day_of(&self, calendar: Calendar, at: Instant) -> Day {
        let utc_day = sellerhealth_domain::day_of(at);
        let table = self.table_of(calendar);
        let slots = table.and_then(|table| table.slots.get());
        let slot = slots.and_then(|slots| slots.get(chrono::Datelike::ordinal(&utc_day) as usize % DAY_MEMO_SLOTS));
        let offset = match slot.map(std::cell::Cell::get) {
            Some((day, offset)) if day == utc_day => offset,
            // A day the clocks change on has no one offset: the zone's rules answer.
            _ => match calendar.offset_through(utc_day) {
                Some(offset) => {
                    if let Some(slot) = slot {
                        slot.set((utc_day, offset));
                    }
                    offset
                }
                None => return calendar.day_of(at),
            },
        };
        local_day(at, offset).unwrap_or_else(|| calendar.day_of(at))
    }

    /// `calendar`'s table: the one holding it, else the next to take over, emptied.
    fn table_of(&self, calendar: Calendar) -> Option<&DayTable> {
        if let Some(table) = self.tables.iter().find(|table| table.calendar.get() == Some(calendar)) {
            return Some(table);
        }
        let next = self.next.get();
        self.next.set(next.checked_add(1).filter(|n| *n < self.tables.len()).unwrap_or(0));
        let table = self.tables.get(next)?;
        table.calendar.set(Some(calendar));
        match table.slots.get() {
            Some(slots) => slots.iter().for_each(|slot| slot.set(UNASKED)),
            None => {
                let _ = table.slots.set(Box::new(std::array::from_fn(|_| std::cell::Cell::new(UNASKED))));
            }
        }
        Some(table)
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
    /// A subject whose every change instant lies before this one is
    /// tallied once, at its last ([`Emitter::settle_before`]).
    settled_before: Option<Instant>,
    /// Whether a subject was tallied once, for [`Emitter::settled_any`].
    settled_any: bool,
}

impl Emitter {
    /// From here on, a subject whose every change instant lies before `at`
    /// is tallied once, at its last change instant, not at each (`None`:
    /// at each). Its changes then sum to the same amounts, all effective
    /// before `at`: for a reader that counts every change effective before
    /// `at` and none at an instant between them (a report whose every read
    /// is as of a day from `at` on), the same counters, for a tally instead
    /// of one per change instant.
    pub fn settle_before(&mut self, at: Option<Instant>) {
        self.settled_before = at;
    }

    /// Whether a subject was tallied once ([`Emitter::settle_before`]): if
    /// none was, every change came at its own instant.
    pub fn settled_any(&self) -> bool {
        self.settled_any
    }

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
        if self.settled_before.is_some() {
            self.settle();
        }
        self.current.calendar = calendar;
        true
    }

    /// Keeps the last change instant alone if every one lies before
    /// [`Emitter::settled_before`]. Out of line: [`Emitter::start`] is
    /// inlined into every metric of every order, and only a subject that may
    /// settle comes here.
    #[inline(never)]
    fn settle(&mut self) {
        if let (Some(settled), Some(&last)) = (self.settled_before, self.times.last())
            && last < settled
        {
            self.times.clear();
            self.times.push(last);
            self.settled_any = true;
        }
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
        // An entry never filled answers for chrono's first day, and rightly.
        assert_eq!(UNASKED.0, sellerhealth_domain::day_of(Instant::MIN_UTC));
        assert_eq!(tally.day_of(Instant::MIN_UTC), calendar.day_of(Instant::MIN_UTC));
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

    #[test]
    fn remembered_days_agree_with_the_zones_rules_across_clock_changes() {
        // Los Angeles and London change their clocks on 8 March, 29 March,
        // 25 October and 1 November 2026: every 7 min 13 s of the three days
        // around each, the nanosecond after too, and between them a day a
        // year on, which takes over the same day's slot. One memo asked in
        // turn for one zone, then for two (each its own table), then for
        // four (tables taken over at every ask).
        let zones = ["America/Los_Angeles", "Europe/London", "Asia/Tokyo", "UTC"].map(|z| Calendar::named(z).unwrap());
        for asked in [&zones[..1], &zones[..2], &zones[..]] {
            let memo = DayMemo::default();
            for (month, day) in [(3, 8), (3, 29), (10, 25), (11, 1)] {
                let start = Utc.with_ymd_and_hms(2026, month, day, 0, 0, 0).unwrap() - chrono::Duration::days(1);
                for step in 0..(3 * 24 * 60 / 7) {
                    let at = start + chrono::Duration::seconds(step * 433);
                    let year_on = at + chrono::Duration::days(365);
                    for at in [at, just_after(at), year_on, at - chrono::Duration::nanoseconds(1)] {
                        for calendar in asked {
                            assert_eq!(memo.day_of(*calendar, at), calendar.day_of(at), "{} {at}", calendar.name());
                        }
                    }
                }
            }
            // The ends of chrono's range, where a day has no day after or before.
            for at in [Instant::MIN_UTC, Instant::MAX_UTC] {
                for calendar in asked {
                    assert_eq!(memo.day_of(*calendar, at), calendar.day_of(at), "{} {at}", calendar.name());
                }
            }
        }
    }
}
