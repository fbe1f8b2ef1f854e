//! Recomputing every contribution and counter from the event log.

use sellerhealth_domain::Day;
use sellerhealth_metrics::{Counter, subject_contributions};

use crate::error::StoreError;
use crate::{Store, counters, project, write};

/// What a rebuild did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RebuildSummary {
    /// Sellers rebuilt.
    pub sellers: u64,
    /// Events read.
    pub events: u64,
    /// Counter totals written (one per counter, attribution day and effective day).
    pub counter_totals: u64,
}

impl Store {
    /// Recomputes every contribution and counter from the event log, seller by
    /// seller, each in one transaction (which also empties the seller's
    /// projection queue), under this store's policy, and records its
    /// [`counter_parameters`](sellerhealth_metrics::counter_parameters) (an
    /// interrupted rebuild leaves the old ones, so the store still refuses to
    /// open until one finishes), and clears a migration's request for a
    /// rebuild. Run it with writers stopped.
    pub async fn rebuild(&self, mut progress: impl FnMut(&str, RebuildSummary)) -> Result<RebuildSummary, StoreError> {
        let sellers: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT seller_id FROM events ORDER BY seller_id").fetch_all(&self.pool).await?;
        let mut summary = RebuildSummary::default();
        for (seller,) in sellers {
            let book = self.book(&seller).await?;
            let mut rows = Vec::new();
            let mut totals = std::collections::HashMap::new();
            for subject in book.subjects() {
                for c in subject_contributions(&book, &subject, &self.policy) {
                    let key = (
                        seller.clone(),
                        c.marketplace_id.clone(),
                        c.counter,
                        counters::day_number(c.day),
                        counters::day_number(self.policy.calendar(&c.marketplace_id).day_of(c.at)),
                    );
                    // Counter deltas are counts: saturating only matters for nonsense input.
                    let total = totals.entry(key).or_insert(0_i64);
                    *total = total.saturating_add(c.delta);
                    rows.push((seller.clone(), subject.key(), c));
                }
            }
            let totals: Vec<_> = totals.into_iter().filter(|(_, t)| *t != 0).collect();
            let _writer = self.writer_turn().await;
            let mut tx = self.pool.begin().await?;
            project::lock_seller(&mut tx, self.backend, &seller).await?;
            // The rebuild projects every event, queued ones too.
            for statement in [
                "DELETE FROM counters WHERE seller_id = $1",
                "DELETE FROM contributions WHERE seller_id = $1",
                "DELETE FROM projection_queue WHERE seller_id = $1",
            ] {
                sqlx::query(statement).bind(&seller).execute(&mut *tx).await?;
            }
            write::insert_contributions(&mut tx, self.backend, &rows).await?;
            write::add_to_counters(&mut tx, self.backend, &totals).await?;
            write::raise_versions(&mut tx, self.backend, &self.origin, [seller.as_str()]).await?;
            tx.commit().await?;
            summary.sellers = summary.sellers.saturating_add(1);
            summary.events = summary.events.saturating_add(book.event_count() as u64);
            summary.counter_totals = summary.counter_totals.saturating_add(totals.len() as u64);
            progress(&seller, summary);
        }
        self.record_counter_parameters().await?;
        sqlx::query("DELETE FROM store_meta WHERE name = 'counters_to_rebuild'").execute(&self.pool).await?;
        Ok(summary)
    }

    /// Every non-zero counter total of a seller, sorted: (marketplace, counter,
    /// attribution day, effective day, total). What `sellerhealth-server
    /// counters` prints, and what checks that incremental upkeep equals a
    /// rebuild compare.
    pub async fn counter_totals(&self, seller_id: &str) -> Result<Vec<(String, Counter, Day, Day, i64)>, StoreError> {
        self.catch_up(seller_id).await?;
        let days: Vec<(String, i64, Vec<u8>)> =
            sqlx::query_as("SELECT marketplace_id, day, totals FROM counters WHERE seller_id = $1")
                .bind(seller_id)
                .fetch_all(&self.pool)
                .await?;
        let mut rows = Vec::new();
        for (marketplace, day, totals) in &days {
            for record in counters::unpack_records(totals) {
                let (counter, eff_day, total) = record?;
                rows.push((
                    marketplace.clone(),
                    counter,
                    counters::day_from_number(*day),
                    counters::day_from_number(eff_day),
                    total,
                ));
            }
        }
        rows.sort();
        Ok(rows)
    }
}
