//! Instants and days, between the wire's `Timestamp` and `Date` and the domain's.
//!
//! Every instant and day from the wire is checked once here, against the
//! supported range (`sellerhealth_domain::time`); the error names the field.

use chrono::{Datelike, NaiveDate};
use prost_types::Timestamp;
use sellerhealth_domain::time::{RANGE_TEXT, check_day, check_instant, from_unix};
use sellerhealth_domain::{DayRange, DomainError, Instant};
use sellerhealth_proto::v1 as pb;

/// An optional wire timestamp as an instant; `field` names it in the error.
pub fn instant(field: &str, value: Option<&Timestamp>) -> Result<Option<Instant>, DomainError> {
    value
        .map(|t| {
            // chrono reads nanos of 1e9 and more as a leap second; a Timestamp never has them.
            let nanos = u32::try_from(t.nanos)
                .ok()
                .filter(|n| *n <= 999_999_999)
                .ok_or_else(|| DomainError::invalid(field, "nanos must be 0 to 999,999,999"))?;
            let at = from_unix(t.seconds, nanos)
                .ok_or_else(|| DomainError::invalid(field, format!("outside the supported range {RANGE_TEXT}")))?;
            check_instant(field, at)
        })
        .transpose()
}

/// A wire timestamp that must be there.
pub(crate) fn required(field: &str, value: Option<&Timestamp>) -> Result<Instant, DomainError> {
    instant(field, value)?.ok_or_else(|| DomainError::invalid(field, "required"))
}

/// The instant a report is evaluated at: the request's, or `now`.
pub fn as_of(value: Option<&Timestamp>, now: Instant) -> Result<Instant, DomainError> {
    Ok(instant("as_of", value)?.unwrap_or(now))
}

/// The wire timestamp of an instant.
pub fn timestamp(at: Instant) -> Timestamp {
    Timestamp { seconds: at.timestamp(), nanos: i32::try_from(at.timestamp_subsec_nanos()).unwrap_or(0) }
}

/// A required wire date as a day.
pub fn day(field: &str, value: Option<&pb::Date>) -> Result<NaiveDate, DomainError> {
    let date = value.ok_or_else(|| DomainError::invalid(field, "required"))?;
    let month = u32::try_from(date.month).ok();
    let day = u32::try_from(date.day).ok();
    let day = month.zip(day).and_then(|(m, d)| NaiveDate::from_ymd_opt(date.year, m, d)).ok_or_else(|| {
        DomainError::invalid(field, format!("{}-{}-{} is not a calendar date", date.year, date.month, date.day))
    })?;
    check_day(field, day)
}

/// The wire date of a day.
pub fn date(day: NaiveDate) -> pb::Date {
    pb::Date { year: day.year(), month: day.month() as i32, day: day.day() as i32 }
}

/// The wire range of a span of days.
pub(crate) fn date_range(days: DayRange) -> pb::DateRange {
    pb::DateRange { start: Some(date(days.start)), end: Some(date(days.end)) }
}
