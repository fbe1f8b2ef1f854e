//! Counters read back from the database: the [`CounterSource`] of the stored path.
//!
//! Rows are summed per attribution day and effective day, so a report reads
//! O(days × counters) rows whatever the number of orders. Contributions effective
//! on the evaluation day itself are read with their exact instants, so an `as_of`
//! in the middle of a day is exact too.

use std::collections::{BTreeMap, HashMap};

use sellerhealth_domain::time::shift_days;
use sellerhealth_domain::{Day, DayRange, Instant, day_of};
use sellerhealth_metrics::order_facts::start_of;
use sellerhealth_metrics::{Counter, CounterSource};

use crate::error::StoreError;

/// Days since 1970-01-01: how days are stored.
pub(crate) fn day_number(day: Day) -> i64 {
    day.signed_duration_since(Day::default()).num_days()
}

/// The day of a stored day number (saturating at chrono's ends, see
/// [`shift_days`]: only a corrupt row lies that far out).
pub(crate) fn day_from_number(n: i64) -> Day {
    shift_days(Day::default(), n)
}

/// An instant as stored: nanoseconds since the epoch (1970–2262; validation
/// refuses anything outside).
pub(crate) fn instant_number(at: Instant) -> i64 {
    at.timestamp_nanos_opt().unwrap_or(if at.timestamp() < 0 { i64::MIN } else { i64::MAX })
}

/// A counter as stored.
pub(crate) fn counter_key(counter: Counter) -> String {
    counter.key()
}

/// A stored counter name read back.
pub(crate) fn counter_from_key(key: &str) -> Result<Counter, StoreError> {
    Counter::from_key(key).ok_or_else(|| StoreError::Corrupt(format!("unknown counter {key:?}")))
}

/// Packs lines "a b counter" (two numbers and a counter key, which has no
/// white space): the stored form of a subject's changes at one instant ("day
/// delta counter") and of a day's totals ("eff_day total counter").
pub(crate) fn pack_lines<'a>(lines: impl IntoIterator<Item = (i64, i64, &'a str)>) -> String {
    let lines: Vec<String> = lines.into_iter().map(|(a, b, counter)| format!("{a} {b} {counter}")).collect();
    lines.join("\n")
}

/// Reads text written by [`pack_lines`] back.
pub(crate) fn unpack_lines(text: &str) -> Result<Vec<(i64, i64, &str)>, StoreError> {
    text.lines()
        .map(|line| {
            let mut parts = line.splitn(3, ' ');
            let mut number = || parts.next().and_then(|n| n.parse::<i64>().ok());
            let (a, b) = (number(), number());
            match (a, b, parts.next()) {
                (Some(a), Some(b), Some(counter)) => Ok((a, b, counter)),
                _ => Err(StoreError::Corrupt(format!("stored counter line {line:?}"))),
            }
        })
        .collect()
}

/// The totals of one attribution day: (counter key, effective day) → total.
pub(crate) type DayTotals = BTreeMap<(String, i64), i64>;

/// A day's totals as stored: a line "eff_day total counter" each; zero totals
/// are left out.
pub(crate) fn pack_totals(totals: &DayTotals) -> String {
    pack_lines(
        totals
            .iter()
            .filter(|(_, total)| **total != 0)
            .map(|((counter, eff_day), total)| (*eff_day, *total, counter.as_str())),
    )
}

/// Reads the counters of several days sent as one text (a record "day totals"
/// each, separated by U+001E), keeping effective days before `before_eff`:
/// (counter, attribution day, effective day, total).
pub(crate) fn unpack_days(text: &str, before_eff: i64) -> Result<Vec<(Counter, Day, Day, i64)>, StoreError> {
    // A few dozen counter names recur in thousands of lines: parse each once.
    let mut names: HashMap<&str, Counter> = HashMap::new();
    let mut out = Vec::new();
    for record in text.split('\u{1e}').filter(|r| !r.is_empty()) {
        let (day, totals) = record.split_once(' ').unwrap_or((record, ""));
        let day: i64 = day.parse().map_err(|_| StoreError::Corrupt(format!("stored counter day {day:?}")))?;
        for (eff_day, total, name) in unpack_lines(totals)? {
            if eff_day >= before_eff {
                continue;
            }
            let counter = match names.get(name) {
                Some(counter) => *counter,
                None => *names.entry(name).or_insert(counter_from_key(name)?),
            };
            out.push((counter, day_from_number(day), day_from_number(eff_day), total));
        }
    }
    Ok(out)
}

/// One seller's counters in one marketplace, as of an instant.
#[derive(Debug, Default)]
pub struct StoredCounters {
    /// The evaluation instant's day: rows are summed up to the day before it.
    base_day: Option<Day>,
    /// The start of `base_day`.
    base_start: Option<Instant>,
    /// (attribution day, effective day, total), sorted by attribution day.
    rows: HashMap<Counter, Vec<(Day, Day, i64)>>,
    /// Contributions effective on `base_day`: (attribution day, instant, delta).
    today: HashMap<Counter, Vec<(Day, Instant, i64)>>,
}

impl StoredCounters {
    pub(crate) fn new(
        as_of: Instant,
        rows: Vec<(Counter, Day, Day, i64)>,
        today: Vec<(Counter, Day, Instant, i64)>,
    ) -> Self {
        let base_day = day_of(as_of);
        let mut out =
            StoredCounters { base_day: Some(base_day), base_start: Some(start_of(base_day)), ..Default::default() };
        for (counter, day, eff_day, total) in rows {
            out.rows.entry(counter).or_default().push((day, eff_day, total));
        }
        for entries in out.rows.values_mut() {
            entries.sort_unstable();
        }
        for (counter, day, at, delta) in today {
            out.today.entry(counter).or_default().push((day, at, delta));
        }
        out
    }
}

impl CounterSource for StoredCounters {
    /// Exact for `as_of` on or after the start of the loaded day, and for the last
    /// instant of any earlier day (how daily figures are asked for).
    fn total(&self, _marketplace_id: &str, counter: Counter, days: DayRange, as_of: Instant) -> i64 {
        let (Some(base_day), Some(base_start)) = (self.base_day, self.base_start) else { return 0 };
        let through_eff = if as_of >= base_start { shift_days(base_day, -1) } else { day_of(as_of) };
        // Sums of count deltas: saturating only matters for nonsense input.
        let mut sum: i64 = 0;
        if let Some(rows) = self.rows.get(&counter) {
            let first = rows.partition_point(|(day, _, _)| *day < days.start);
            sum = rows
                .get(first..)
                .unwrap_or_default()
                .iter()
                .take_while(|(day, _, _)| *day <= days.end)
                .filter(|(_, eff, _)| *eff <= through_eff)
                .map(|(_, _, total)| *total)
                .fold(sum, i64::saturating_add);
        }
        if as_of >= base_start
            && let Some(today) = self.today.get(&counter)
        {
            sum = today
                .iter()
                .filter(|(day, at, _)| days.contains(*day) && *at <= as_of)
                .map(|(_, _, delta)| *delta)
                .fold(sum, i64::saturating_add);
        }
        sum
    }

    fn change_days(&self, _marketplace_id: &str, counter: Counter) -> Vec<(Day, Day)> {
        let rows = self.rows.get(&counter).into_iter().flatten().map(|(day, eff, _)| (*day, *eff));
        let today = self.today.get(&counter).into_iter().flatten().map(|(day, at, _)| (*day, day_of(*at)));
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
