//! The one place domain and store errors become gRPC status codes.
//!
//! Refusals the caller can act on keep their message; database failures are
//! logged in full and answered with a generic UNAVAILABLE/INTERNAL, never leaked.

use std::borrow::Cow;

use sellerhealth_domain::DomainError;
use sellerhealth_store::StoreError;
use tonic::{Code, Status};

/// Longest text of input echoed in an answer or a log line, in bytes.
pub const MAX_ECHO_BYTES: usize = 200;

/// `text` cut to at most [`MAX_ECHO_BYTES`] (with `…` when cut): error texts
/// and logs never echo unbounded input.
pub fn cut(text: &str) -> Cow<'_, str> {
    truncate(text, MAX_ECHO_BYTES)
}

/// `text` cut to at most `max` bytes on a character boundary, `…` marking a cut.
fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    Cow::Owned(format!("{}…", text.get(..end).unwrap_or_default()))
}

/// Longest message of an error answer, in bytes: a message built from several
/// echoes stays far below the header size limits of gRPC clients.
const MAX_MESSAGE_BYTES: usize = 1024;

/// Maps a refusal of the input to its gRPC status.
pub fn from_domain(error: DomainError) -> Status {
    let bounded = |message: String| truncate(&message, MAX_MESSAGE_BYTES).into_owned();
    match error {
        DomainError::InvalidArgument { field, reason } => {
            Status::invalid_argument(bounded(format!("{field}: {reason}")))
        }
        DomainError::AlreadyExists(message) => Status::already_exists(bounded(message)),
        DomainError::FailedPrecondition(message) => Status::failed_precondition(bounded(message)),
        DomainError::NotFound(message) => Status::not_found(bounded(message)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_are_cut_on_a_character_boundary() {
        assert_eq!(cut("seller-1"), "seller-1");
        let long = format!("{}é{}", "a".repeat(199), "b".repeat(1 << 20));
        // Byte 200 falls inside "é" (bytes 199 and 200): the cut keeps 199 bytes.
        assert_eq!(cut(&long), format!("{}…", "a".repeat(199)));
        let status = from_domain(DomainError::NotFound("x".repeat(5000)));
        assert_eq!(status.message(), format!("{}…", "x".repeat(1024)));
    }
}
