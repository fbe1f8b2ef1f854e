//! The write transaction: validation against the stored state, the append,
//! the version raise and the projection queue in one transaction, retried
//! when it loses a race with another writer. The counters follow in the
//! projector's transaction (`project`).

use std::time::Duration;

use sellerhealth_domain::validate::check_event;
use sellerhealth_domain::{Applied, DomainError, Event, Instant};

use crate::error::StoreError;
use crate::{Store, db, write};

/// Attempts of a transaction that lost a race with another writer.
const WRITE_ATTEMPTS: u32 = 8;

/// How many events of a batch were new and how many were already there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestCounts {
    /// Events stored now.
    pub accepted: u64,
    /// Events already stored with the same payload (no-ops).
    pub duplicates: u64,
}

impl Store {
    /// Stores `events` all-or-nothing: if any is refused, the error names it
    /// (`events[i].field`) and nothing is stored.
    pub async fn ingest_batch(&self, events: &[Event], now: Instant) -> Result<IngestCounts, StoreError> {
        let outcomes = self.write(events, now, true).await?;
        let duplicates = outcomes.iter().filter(|o| matches!(o, Ok(Applied::Duplicate))).count() as u64;
        let accepted = outcomes.iter().filter(|o| matches!(o, Ok(Applied::Accepted))).count() as u64;
        Ok(IngestCounts { accepted, duplicates })
    }

    /// Stores each acceptable event of `events` and reports every event's fate,
    /// for bulk loads where one bad event must not hold back the rest. Errors are
    /// relative to the event. Fails as a whole only if the database fails, and
    /// then stores nothing of `events`.
    pub async fn ingest_each(
        &self,
        events: &[Event],
        now: Instant,
    ) -> Result<Vec<Result<Applied, DomainError>>, StoreError> {
        self.write(events, now, false).await
    }

    pub(crate) async fn write(
        &self,
        events: &[Event],
        now: Instant,
        all_or_nothing: bool,
    ) -> Result<Vec<Result<Applied, DomainError>>, StoreError> {
        let started = std::time::Instant::now();
        let mut attempt = 1;
        let outcome = loop {
            match self.try_write(events, now, all_or_nothing).await {
                Err(StoreError::Database(error)) if db::is_retryable(&error) && attempt < WRITE_ATTEMPTS => {
                    tracing::debug!(%error, attempt, "write lost a race; retrying");
                    // attempt < WRITE_ATTEMPTS: neither can overflow.
                    tokio::time::sleep(Duration::from_millis(u64::from(attempt).saturating_mul(5))).await;
                    attempt = attempt.saturating_add(1);
                }
                other => break other,
            }
        };
        metrics::histogram!("sellerhealth_store_seconds", "operation" => "write")
            .record(started.elapsed().as_secs_f64());
        outcome
    }

    /// On SQLite, this process's turn to write (held until dropped); PostgreSQL
    /// takes concurrent writers, serialised per subject by row locks.
    pub(crate) async fn writer_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        self.projector.writer_turn().await
    }

    pub(crate) async fn try_write(
        &self,
        events: &[Event],
        now: Instant,
        all_or_nothing: bool,
    ) -> Result<Vec<Result<Applied, DomainError>>, StoreError> {
        let _writer = self.writer_turn().await;
        let mut tx = self.pool.begin().await?;
        let mut work = write::Work::new(self.backend);
        let mut outcomes = Vec::with_capacity(events.len());
        write::prefetch(&mut tx, self.backend, &mut work, events).await?;
        for (index, event) in events.iter().enumerate() {
            let outcome = match check_event(event, now) {
                Err(error) => Err(error),
                Ok(()) => {
                    write::load_own_subject(&mut tx, self.backend, &mut work, event).await?;
                    write::apply(&mut work, event, now, &self.policy)
                }
            };
            if all_or_nothing && let Err(error) = outcome {
                return Err(located(error, index).into());
            }
            outcomes.push(outcome);
        }
        if work.accepted() > 0 {
            write::append(&mut tx, &work, now).await?;
            let sellers = work.sellers();
            let versions =
                write::raise_versions(&mut tx, self.backend, &self.origin, sellers.iter().map(String::as_str)).await?;
            write::queue_projection(&mut tx, &work, &versions).await?;
            tx.commit().await?;
            self.projector.queued();
            for seller in sellers {
                // No receiver is not an error: nobody is watching.
                let _ = self.changes.send(seller);
            }
        }
        Ok(outcomes)
    }
}

/// Names the event of a batch an error came from.
fn located(error: DomainError, index: usize) -> DomainError {
    let at = format!("events[{index}]");
    match error {
        DomainError::InvalidArgument { .. } => error.within(&at),
        DomainError::AlreadyExists(m) => DomainError::AlreadyExists(format!("{at}: {m}")),
        DomainError::FailedPrecondition(m) => DomainError::FailedPrecondition(format!("{at}: {m}")),
        DomainError::NotFound(m) => DomainError::NotFound(format!("{at}: {m}")),
    }
}
