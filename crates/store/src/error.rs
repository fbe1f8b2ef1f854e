//! Why a store operation failed.

use sellerhealth_domain::DomainError;
use thiserror::Error;

/// A store failure: either the input was refused, or the database failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The facts were refused; nothing was stored.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The database could not be reached or refused the statement.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The database URL or data directory is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// A stored row could not be read back; the log needs attention.
    #[error("corrupt event log: {0}")]
    Corrupt(String),
}
