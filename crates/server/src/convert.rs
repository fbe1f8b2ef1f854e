//! The contract's conversions ([`sellerhealth_contract`]) as the services use
//! them: those that read a request answer a refusal as its gRPC status
//! ([`crate::status`]), the rest are the contract crate's own.

use chrono::NaiveDate;
use prost_types::Timestamp;
use sellerhealth_domain::{self as domain, Instant};
use sellerhealth_proto::v1 as pb;
use tonic::Status;

use crate::status;

pub use sellerhealth_contract::{
    event, feedback_entry, feedback_summary, metric_from_wire, metric_history, report, review_entry, review_summary,
    seller_rating,
};

/// The events of a request, each converted; errors name `events[i].…`.
pub fn events(events: &[pb::Event]) -> Result<Vec<domain::Event>, Status> {
    sellerhealth_contract::events(events).map_err(status::from_domain)
}

/// The instant a report is evaluated at: the request's, or now.
pub fn as_of(value: Option<&Timestamp>, now: Instant) -> Result<Instant, Status> {
    sellerhealth_contract::as_of(value, now).map_err(status::from_domain)
}

/// A required wire date as a day.
pub fn day(field: &str, value: Option<&pb::Date>) -> Result<NaiveDate, Status> {
    sellerhealth_contract::day(field, value).map_err(status::from_domain)
}
