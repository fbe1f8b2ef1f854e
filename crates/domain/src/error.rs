//! Why a fact or a request was refused.

use thiserror::Error;

/// A refusal the caller can act on; the server maps each variant to one gRPC code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// The input breaks a rule of SPEC §1; `field` is the path in the request.
    #[error("{field}: {reason}")]
    InvalidArgument {
        /// Path of the offending field, e.g. `events[3].seller_feedback.stars`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The event id was used before for a different payload, or the subject exists.
    #[error("{0}")]
    AlreadyExists(String),
    /// The input is well-formed but not allowed in the current state (e.g. late feedback).
    #[error("{0}")]
    FailedPrecondition(String),
    /// Nothing is known under the given key.
    #[error("{0}")]
    NotFound(String),
}

impl DomainError {
    /// An `InvalidArgument` for `field`.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        DomainError::InvalidArgument { field: field.into(), reason: reason.into() }
    }

    /// The same error with `prefix.` put in front of its field path, so nested checks
    /// can name the field relative to themselves and callers add where it sits.
    pub fn within(self, prefix: impl AsRef<str>) -> Self {
        match self {
            DomainError::InvalidArgument { field, reason } => {
                DomainError::InvalidArgument { field: format!("{}.{field}", prefix.as_ref()), reason }
            }
            other => other,
        }
    }
}
