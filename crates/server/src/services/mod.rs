//! The gRPC services, one module each.

pub mod account_health;
pub mod feedback;
pub mod ingest;
pub mod reviews;

use tonic::Status;

use crate::status;

/// Checks a required id in a request.
pub(crate) fn required_id<'a>(field: &str, value: &'a str) -> Result<&'a str, Status> {
    if value.trim().is_empty() {
        return Err(status::invalid(field, "must not be empty"));
    }
    Ok(value)
}
