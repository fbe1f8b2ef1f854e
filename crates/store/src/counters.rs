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

/// The size of one stored record: `[counter code: u32][day: i32][value: i64]`,
/// little-endian (docs/DESIGN.md, "Counters on disk").
pub(crate) const RECORD_BYTES: usize = 16;

/// Packs records (counter, day number, value) into the stored binary form:
/// the `changes` of a contribution row (attribution day, delta) and the
/// `totals` of a counter row (effective day, total).
pub(crate) fn pack_records(records: impl IntoIterator<Item = (Counter, i64, i64)>) -> Vec<u8> {
    let mut out = Vec::new();
    for (counter, day, value) in records {
        // Day numbers of chrono's dates lie within ±96 million: an i32 holds them.
        let day = i32::try_from(day).unwrap_or(if day < 0 { i32::MIN } else { i32::MAX });
        out.extend_from_slice(&counter.code().to_le_bytes());
        out.extend_from_slice(&day.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    }
    out
}

/// Reads records written by [`pack_records`] back: (counter, day number, value).
pub(crate) fn unpack_records(bytes: &[u8]) -> impl Iterator<Item = Result<(Counter, i64, i64), StoreError>> + '_ {
    let ragged = (!bytes.len().is_multiple_of(RECORD_BYTES))
        .then(|| Err(StoreError::Corrupt(format!("stored counters of {} bytes, not whole records", bytes.len()))));
    bytes.chunks_exact(RECORD_BYTES).map(unpack_record).chain(ragged)
}

fn unpack_record(record: &[u8]) -> Result<(Counter, i64, i64), StoreError> {
    let (code, rest) = record.split_first_chunk::<4>().unwrap_or((&[0; 4], &[]));
    let (day, rest) = rest.split_first_chunk::<4>().unwrap_or((&[0; 4], &[]));
    let value = rest.first_chunk::<8>().copied().unwrap_or_default();
    let code = u32::from_le_bytes(*code);
    let counter =
        Counter::from_code(code).ok_or_else(|| StoreError::Corrupt(format!("unknown counter code {code:#010x}")))?;
    Ok((counter, i64::from(i32::from_le_bytes(*day)), i64::from_le_bytes(value)))
}

/// The totals of one attribution day: (counter, effective day) → total.
pub(crate) type DayTotals = BTreeMap<(Counter, i64), i64>;

/// A day's totals as stored: a record (counter, effective day, total) each;
/// zero totals are left out.
pub(crate) fn pack_totals(totals: &DayTotals) -> Vec<u8> {
    pack_records(
        totals.iter().filter(|(_, total)| **total != 0).map(|((counter, eff_day), total)| (*counter, *eff_day, *total)),
    )
}

/// One seller's counters in one marketplace, as of an instant.
///
/// A window sum as of the loaded instant (how a report asks) is two binary
/// searches in running totals; as of the end of an earlier day (warnings and
/// history ask through [`CounterSource::changes`] in one pass instead) it scans
/// the window's rows. Another marketplace's counters are zero: none are loaded.
#[derive(Debug, Default)]
pub struct StoredCounters {
    /// The marketplace loaded.
    marketplace_id: String,
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

impl StoredCounters {
    /// The marketplace whose counters these are.
    pub fn marketplace_id(&self) -> &str {
        &self.marketplace_id
    }

    pub(crate) fn new(
        marketplace_id: &str,
        as_of: Instant,
        rows: Vec<(Counter, Day, Day, i64)>,
        today: Vec<(Counter, Day, Instant, i64)>,
    ) -> Self {
        let base_day = day_of(as_of);
        let mut out = StoredCounters {
            marketplace_id: marketplace_id.to_owned(),
            base_day: Some(base_day),
            base_start: Some(start_of(base_day)),
            ..Default::default()
        };
        let mut by_day: HashMap<Counter, BTreeMap<Day, i64>> = HashMap::new();
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
        Some(if as_of >= base_start { (shift_days(base_day, -1), true) } else { (day_of(as_of), false) })
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

impl CounterSource for StoredCounters {
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
            .map(|(day, at, delta)| (*day, day_of(*at), *delta));
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

#[cfg(test)]
mod tests {
    use sellerhealth_domain::FulfillmentChannel;

    use super::*;

    #[test]
    fn records_are_sixteen_little_endian_bytes_and_read_back() {
        let records = [(Counter::Orders(FulfillmentChannel::Afn), 20_513, 3), (Counter::ResponseHours(17), -2, -1)];
        let packed = pack_records(records);
        assert_eq!(
            packed,
            [
                [0x01, 0, 0, 0x01].as_slice(), // code 0x0100_0001, little-endian
                &20_513_i32.to_le_bytes(),
                &3_i64.to_le_bytes(),
                &[0x11, 0, 0, 0x1e],
                &(-2_i32).to_le_bytes(),
                &(-1_i64).to_le_bytes(),
            ]
            .concat()
        );
        let read: Vec<_> = unpack_records(&packed).map(Result::unwrap).collect();
        assert_eq!(read, records);
    }

    proptest::proptest! {
        /// The decoder of what the database hands back: any bytes give one
        /// result per record started, never a panic.
        #[test]
        fn any_bytes_decode_to_records_or_corruption(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            let results = unpack_records(&bytes).count();
            proptest::prop_assert_eq!(results, bytes.len().div_ceil(RECORD_BYTES));
        }
    }

    #[test]
    fn a_ragged_or_unknown_record_is_corrupt_not_a_panic() {
        let mut packed = pack_records([(Counter::LateShipments, 1, 1)]);
        packed.push(0);
        let read: Vec<_> = unpack_records(&packed).collect();
        assert!(read[0].is_ok());
        assert!(
            matches!(&read[1], Err(StoreError::Corrupt(m)) if m == "stored counters of 17 bytes, not whole records")
        );
        let unknown = [0xff_u8; RECORD_BYTES];
        assert!(matches!(
            unpack_records(&unknown).next(),
            Some(Err(StoreError::Corrupt(m))) if m == "unknown counter code 0xffffffff"
        ));
    }
}
