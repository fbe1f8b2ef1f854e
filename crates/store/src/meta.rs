//! What the store records about itself: the policy parameters its counters
//! were built with, checked when it opens.

use sellerhealth_metrics::counter_parameters;

use crate::Store;
use crate::db::{Backend, REBUILD_LOCK};
use crate::error::StoreError;

impl Store {
    /// Compares the parameters the stored counters were built with against
    /// the policy's; records them for a store without any. A log kept from
    /// before they were recorded is taken as built under the current profile
    /// (logged: rebuild if its classification changed since).
    pub(crate) async fn check_counter_parameters(&self) -> Result<(), StoreError> {
        let wanted = counter_parameters(&self.policy);
        let stored: Option<(String,)> =
            sqlx::query_as("SELECT value FROM store_meta WHERE name = 'counter_parameters'")
                .fetch_optional(&self.pool)
                .await?;
        match stored {
            Some((stored,)) if stored == wanted => Ok(()),
            Some((stored,)) => Err(StoreError::Config(format!(
                "the stored counters were built with {stored}, but the policy profile {:?} has {wanted}: \
                 rebuild them under this profile (servers stopped: sellerhealth-server rebuild --policy FILE \
                 --database-url URL), or start with the profile they were built with",
                self.policy.name
            ))),
            None => {
                let (sellers,): (i64,) =
                    sqlx::query_as("SELECT count(*) FROM seller_versions").fetch_one(&self.pool).await?;
                if sellers > 0 {
                    tracing::warn!(
                        parameters = %wanted,
                        "the counters' policy parameters were not recorded yet; taking them as the current \
                         profile's (run rebuild if the profile's classification changed since they were built)"
                    );
                }
                self.record_counter_parameters().await
            }
        }
    }

    /// Rebuilds every counter from the event log when a migration emptied them
    /// (a new stored form: the `counters_to_rebuild` mark), before the store
    /// serves. On PostgreSQL replicas starting together take turns, and the
    /// later ones find the mark gone.
    pub(crate) async fn rebuild_if_marked(&self) -> Result<(), StoreError> {
        let turn = if self.backend == Backend::Postgres {
            let mut tx = self.pool.begin().await?;
            // pg_advisory_xact_lock returns void, which the Any driver cannot decode.
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS locked")
                .bind(REBUILD_LOCK)
                .execute(&mut *tx)
                .await?;
            Some(tx)
        } else {
            None
        };
        let mark: Option<(String,)> = sqlx::query_as("SELECT value FROM store_meta WHERE name = 'counters_to_rebuild'")
            .fetch_optional(&self.pool)
            .await?;
        if let Some((why,)) = mark {
            tracing::warn!(reason = %why, "rebuilding every counter from the event log before serving");
            let started = std::time::Instant::now();
            let summary = self
                .rebuild(|seller, so_far| {
                    if so_far.sellers.is_multiple_of(1000) {
                        tracing::info!(sellers = so_far.sellers, last = seller, "rebuilding counters");
                    }
                })
                .await?;
            tracing::info!(
                sellers = summary.sellers,
                events = summary.events,
                seconds = started.elapsed().as_secs_f64(),
                "rebuilt the counters"
            );
        }
        if let Some(tx) = turn {
            tx.rollback().await?;
        }
        Ok(())
    }

    pub(crate) async fn record_counter_parameters(&self) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO store_meta (name, value) VALUES ('counter_parameters', $1) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(counter_parameters(&self.policy))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
