//! Carrying a version-1 event log into the current schema.

use sellerhealth_domain::Event;

use crate::db::Backend;
use crate::error::StoreError;
use crate::{Store, write};

impl Store {
    /// Moves the facts of a version-1 event log (kept aside as `events_v1` by
    /// migration 2) into the current log through the write path, which computes
    /// their subjects and counters, then drops the old table. Interrupted, it
    /// resumes on the next start: facts already carried are duplicates.
    pub(crate) async fn carry_over_version_1_log(&self) -> Result<(), StoreError> {
        const CHUNK: i64 = 1000;
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let old: Option<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'events_v1'")
                .fetch_optional(&self.pool)
                .await?;
        if old.is_none() {
            return Ok(());
        }
        let (mut after, mut carried) = (0_i64, 0_u64);
        loop {
            let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
                "SELECT seq, seller_id, event_id, payload FROM events_v1 WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(after)
            .bind(CHUNK)
            .fetch_all(&self.pool)
            .await?;
            let Some(&(last, ..)) = rows.last() else { break };
            after = last;
            let events = rows
                .into_iter()
                .map(|(_, seller_id, event_id, payload)| {
                    Ok(Event { event_id, seller_id, fact: write::parse_fact(&payload)? })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let outcomes = self.ingest_each(&events, chrono::Utc::now()).await?;
            if let Some((event, Err(error))) = events.iter().zip(&outcomes).find(|(_, o)| o.is_err()) {
                return Err(StoreError::Corrupt(format!(
                    "version-1 event {:?} of seller {:?} is refused by the current rules ({error}); \
                     events_v1 is kept",
                    event.event_id, event.seller_id
                )));
            }
            carried = carried.saturating_add(events.len() as u64);
        }
        sqlx::query("DROP TABLE events_v1").execute(&self.pool).await?;
        if carried > 0 {
            tracing::info!(events = carried, "carried the version-1 event log into the current schema");
        }
        Ok(())
    }
}
