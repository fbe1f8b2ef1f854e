//! The peer of the ingest benchmark: the same event rows the store writes to its
//! log, inserted straight into a table of the same shape and indexes in the same
//! database, with multi-row INSERTs in one transaction per chunk — what a loader
//! that skips validation and counters would do.

use sellerhealth_domain::{Event, Fact};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, AssertSqlSafe};

/// A pool on the benchmark database with the peer table in place.
pub struct Inserter {
    pool: AnyPool,
    /// SQLite binds numbered parameters in quadratic time: it gets `?`, as the store does.
    sqlite: bool,
}

impl Inserter {
    /// Opens the database (after the server has migrated it) and creates the
    /// peer table: the columns and indexes of `events`.
    pub async fn open(url: &str) -> anyhow::Result<Inserter> {
        install_default_drivers();
        let pool = AnyPoolOptions::new().max_connections(1).connect(url).await?;
        let id = if url.starts_with("sqlite:") { "INTEGER PRIMARY KEY AUTOINCREMENT" } else { "BIGSERIAL PRIMARY KEY" };
        for statement in [
            "DROP TABLE IF EXISTS bench_direct_events".to_owned(),
            format!(
                "CREATE TABLE bench_direct_events (seq {id}, seller_id TEXT NOT NULL, event_id TEXT NOT NULL, \
                 subject TEXT NOT NULL, kind TEXT NOT NULL, ref_key TEXT, payload TEXT NOT NULL, \
                 ingested_at_us BIGINT NOT NULL)"
            ),
            "CREATE UNIQUE INDEX bench_direct_by_event_id ON bench_direct_events (seller_id, event_id)".to_owned(),
            "CREATE INDEX bench_direct_by_subject ON bench_direct_events (seller_id, subject, seq)".to_owned(),
            "CREATE INDEX bench_direct_by_ref ON bench_direct_events (seller_id, kind, ref_key)".to_owned(),
        ] {
            sqlx::query(AssertSqlSafe(statement)).execute(&pool).await?;
        }
        Ok(Inserter { pool, sqlite: url.starts_with("sqlite:") })
    }

    /// Inserts `events` as log rows, `chunk` rows per transaction.
    pub async fn insert(&self, events: &[Event], chunk: usize) -> anyhow::Result<()> {
        const WIDTH: usize = 7;
        // Statements of at most 500 rows, like the store's.
        for transaction in events.chunks(chunk) {
            let mut tx = self.pool.begin().await?;
            for rows in transaction.chunks(500) {
                let mut sql = String::from(
                    "INSERT INTO bench_direct_events \
                     (seller_id, event_id, subject, kind, ref_key, payload, ingested_at_us) VALUES ",
                );
                for r in 0..rows.len() {
                    let placeholders: Vec<String> = (1..=WIDTH)
                        .map(|c| if self.sqlite { "?".to_owned() } else { format!("${}", r * WIDTH + c) })
                        .collect();
                    sql.push_str(if r == 0 { "(" } else { ", (" });
                    sql.push_str(&placeholders.join(", "));
                    sql.push(')');
                }
                let mut query = sqlx::query(AssertSqlSafe(sql));
                for event in rows {
                    query = query
                        .bind(event.seller_id.clone())
                        .bind(event.event_id.clone())
                        .bind(event.fact.order_id().unwrap_or_default().to_owned())
                        .bind(event.fact.kind().as_str())
                        .bind(match &event.fact {
                            Fact::ShipmentConfirmed(s) => Some(s.tracking_number.clone()),
                            _ => None,
                        })
                        .bind(serde_json::to_string(&event.fact)?)
                        .bind(chrono::Utc::now().timestamp_micros());
                }
                query.execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }
}
