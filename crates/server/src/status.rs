//! The one place domain and store errors become gRPC status codes.
//!
//! Refusals the caller can act on keep their message; database failures are
//! logged in full and answered with a generic UNAVAILABLE/INTERNAL, never leaked.

use sellerhealth_domain::DomainError;
use sellerhealth_store::StoreError;
use tonic::{Code, Status};

/// Maps a refusal of the input to its gRPC status.
pub fn from_domain(error: DomainError) -> Status {
    match error {
        DomainError::InvalidArgument { field, reason } => Status::invalid_argument(format!("{field}: {reason}")),
        DomainError::AlreadyExists(message) => Status::already_exists(message),
        DomainError::FailedPrecondition(message) => Status::failed_precondition(message),
        DomainError::NotFound(message) => Status::not_found(message),
    }
}

/// Maps a store failure to its gRPC status.
pub fn from_store(error: StoreError) -> Status {
    match error {
        StoreError::Domain(error) => from_domain(error),
        StoreError::Database(error) => {
            tracing::error!(%error, "database failure");
            Status::new(Code::Unavailable, "the database is unavailable; retry later")
        }
        StoreError::Config(message) | StoreError::Corrupt(message) => {
            tracing::error!(%message, "store failure");
            Status::internal("internal storage error")
        }
    }
}

/// An INVALID_ARGUMENT for a request field.
pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Status {
    from_domain(DomainError::invalid(field, reason))
}
