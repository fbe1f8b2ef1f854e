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
/// The last day looked up is remembered: the metrics ask the day of the
/// same instant (the purchase) at every change instant of an order.
#[derive(Debug, Default, Clone)]
pub struct Tally(Vec<((Counter, Day), i64)>, Calendar, std::cell::Cell<Option<(Instant, Day)>>);

impl Tally {
    /// The day of `at` in the subject's calendar: how instants become attribution days.
    pub fn day_of(&self, at: Instant) -> Day {
        if let Some((last, day)) = self.2.get()
            && last == at
        {
            return day;
        }
        let day = self.1.day_of(at);
        self.2.set(Some((at, day)));
        day
    }

    /// The calendar of the subject's marketplace.
    pub fn calendar(&self) -> Calendar {
        self.1
    }

    /// Adds `amount` to `counter` of `day`.
    pub fn add(&mut self, counter: Counter, day: Day, amount: i64) {
        if amount == 0 {
            return;
        }
        match self.0.iter_mut().find(|(key, _)| *key == (counter, day)) {
            // Amounts are counts of one subject (a few units, seconds of one
            // reply): saturating only matters for nonsense input, and beats a panic.
            Some((_, total)) => *total = total.saturating_add(amount),
            None => self.0.push(((counter, day), amount)),
        }
    }

    fn get(&self, key: (Counter, Day)) -> Option<i64> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, amount)| *amount)
    }

    /// Adds 1 to `counter` of `day`.
    pub fn count(&mut self, counter: Counter, day: Day) {
        self.add(counter, day, 1);
    }
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
    previous: Tally,
    current: Tally,
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
        self.times.clear();
        times(&mut self.times);
        self.times.sort_unstable();
        self.times.dedup();
        self.previous.0.clear();
        if self.previous.1 != calendar {
            (self.previous.1, self.current.1) = (calendar, calendar);
            // Days remembered in another calendar are not this one's.
            self.previous.2.set(None);
            self.current.2.set(None);
        }
        for &t in &self.times {
            self.current.0.clear();
            tally_at(t, &mut self.current);
            self.current.0.sort_unstable_by_key(|(key, _)| *key);
            for &((counter, day), amount) in &self.current.0 {
                let before = self.previous.get((counter, day)).unwrap_or(0);
                if amount != before {
                    out(counter, day, t, amount.saturating_sub(before));
                }
            }
            for &((counter, day), before) in &self.previous.0 {
                if self.current.get((counter, day)).is_none() {
                    out(counter, day, t, before.saturating_neg());
                }
            }
            std::mem::swap(&mut self.previous, &mut self.current);
        }
    }
}
