//! Counters as stored: days and instants as numbers, and the 16-byte records
//! of `contributions.changes` and `counters.totals` (docs/DESIGN.md, "Counters
//! on disk"). Read back, they make a [`DayCounters`](sellerhealth_metrics::DayCounters).

use std::collections::BTreeMap;

use sellerhealth_domain::time::shift_days;
use sellerhealth_domain::{Day, Instant};
use sellerhealth_metrics::Counter;

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
