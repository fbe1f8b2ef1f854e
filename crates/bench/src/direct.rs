//! The peer of the ingest benchmark: the same event rows the store writes to its
//! log, inserted straight into a table of the same columns and indexes in the
//! same database, one transaction per chunk — what a loader that skips
//! validation and counters would do. Each database's plain insert paths are
//! measured, and the benchmark compares with the fastest:
//!
//! - SQLite: multi-row `INSERT … VALUES (?, …), …` (500 rows a statement).
//! - PostgreSQL: the same multi-row `INSERT` (`$n` placeholders), one
//!   `INSERT … SELECT * FROM unnest($1::text[], …)` of fixed shape with the
//!   columns bound as arrays, and `COPY … FROM STDIN`.

use sellerhealth_domain::{Event, Fact};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::postgres::PgPoolOptions;
use sqlx::{AnyPool, AssertSqlSafe, PgPool};

/// One plain insert path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// Multi-row `INSERT … VALUES`, 500 rows a statement.
    MultiRow,
    /// PostgreSQL: `INSERT … SELECT * FROM unnest(arrays)`, one statement per chunk.
    Unnest,
    /// PostgreSQL: `COPY … FROM STDIN` (text format), one per chunk.
    Copy,
}

impl Path {
    /// What the benchmark's table calls it.
    pub fn name(self) -> &'static str {
        match self {
            Path::MultiRow => "direct multi-row INSERT",
            Path::Unnest => "direct INSERT … unnest(arrays)",
            Path::Copy => "direct COPY FROM STDIN",
        }
    }
}

/// A pool on the benchmark database with the peer table in place.
pub struct Inserter {
    pool: AnyPool,
    /// The same database through the PostgreSQL driver (arrays and COPY).
    postgres: Option<PgPool>,
    /// SQLite binds numbered parameters in quadratic time: it gets `?`, as the store does.
    sqlite: bool,
}

/// The log's row of an event: seller, event id, subject, kind, reference, payload.
type Row = (String, String, String, &'static str, Option<String>, String);

fn row(event: &Event) -> anyhow::Result<Row> {
    let reference = match &event.fact {
        Fact::ShipmentConfirmed(s) => Some(s.tracking_number.to_string()),
        Fact::CarrierScan(c) => Some(c.tracking_number.to_string()),
        _ => None,
    };
    Ok((
        event.seller_id.clone(),
        event.event_id.clone(),
        format!("order:{}", event.fact.order_id().unwrap_or_default()),
        event.fact.kind().as_str(),
        reference,
        serde_json::to_string(&event.fact)?,
    ))
}

impl Inserter {
    /// Opens the database (after the server has migrated it) and creates the
    /// peer table: the columns and indexes of `events`.
    pub async fn open(url: &str) -> anyhow::Result<Inserter> {
        install_default_drivers();
        let pool = AnyPoolOptions::new().max_connections(1).connect(url).await?;
        let sqlite = url.starts_with("sqlite:");
        let id = if sqlite { "INTEGER PRIMARY KEY AUTOINCREMENT" } else { "BIGSERIAL PRIMARY KEY" };
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
            "CREATE UNIQUE INDEX bench_direct_one_order ON bench_direct_events (seller_id, subject) \
             WHERE kind = 'order'"
                .to_owned(),
            "CREATE UNIQUE INDEX bench_direct_one_tracking ON bench_direct_events (seller_id, ref_key) \
             WHERE kind = 'shipment_confirmed'"
                .to_owned(),
        ] {
            sqlx::query(AssertSqlSafe(statement)).execute(&pool).await?;
        }
        let postgres = if sqlite { None } else { Some(PgPoolOptions::new().max_connections(1).connect(url).await?) };
        Ok(Inserter { pool, postgres, sqlite })
    }

    /// Sets the peer table to what the log held before `seller`'s stream:
    /// every other seller's rows. Each path then inserts into a table of the
    /// same rows as the store's log had when the stream began.
    pub async fn reset(&self, seller: &str) -> anyhow::Result<()> {
        let empty = if self.sqlite { "DELETE FROM bench_direct_events" } else { "TRUNCATE bench_direct_events" };
        sqlx::query(empty).execute(&self.pool).await?;
        sqlx::query(
            "INSERT INTO bench_direct_events (seller_id, event_id, subject, kind, ref_key, payload, ingested_at_us) \
             SELECT seller_id, event_id, subject, kind, ref_key, payload, ingested_at_us FROM events \
             WHERE seller_id <> $1 ORDER BY seq",
        )
        .bind(seller)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Rows the store's projector has yet to project (zero once a stream's
    /// counters are all maintained).
    pub async fn queued_projections(&self) -> anyhow::Result<i64> {
        let (rows,): (i64,) = sqlx::query_as("SELECT count(*) FROM projection_queue").fetch_one(&self.pool).await?;
        Ok(rows)
    }

    /// The paths this database has.
    pub fn paths(&self) -> Vec<Path> {
        if self.sqlite { vec![Path::MultiRow] } else { vec![Path::MultiRow, Path::Unnest, Path::Copy] }
    }

    /// Inserts `events` as log rows by `path`, `chunk` rows per transaction.
    pub async fn insert(&self, path: Path, events: &[Event], chunk: usize) -> anyhow::Result<()> {
        match (path, &self.postgres) {
            (Path::Unnest, Some(pg)) => self.unnest(pg, events, chunk).await,
            (Path::Copy, Some(pg)) => self.copy(pg, events, chunk).await,
            _ => self.multi_row(events, chunk).await,
        }
    }

    async fn multi_row(&self, events: &[Event], chunk: usize) -> anyhow::Result<()> {
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
                    let (seller, id, subject, kind, reference, payload) = row(event)?;
                    query = query
                        .bind(seller)
                        .bind(id)
                        .bind(subject)
                        .bind(kind)
                        .bind(reference)
                        .bind(payload)
                        .bind(chrono::Utc::now().timestamp_micros());
                }
                query.execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }

    async fn unnest(&self, pg: &PgPool, events: &[Event], chunk: usize) -> anyhow::Result<()> {
        for transaction in events.chunks(chunk) {
            let (mut sellers, mut ids, mut subjects, mut kinds) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let (mut references, mut payloads, mut at) = (Vec::new(), Vec::new(), Vec::new());
            for event in transaction {
                let (seller, id, subject, kind, reference, payload) = row(event)?;
                sellers.push(seller);
                ids.push(id);
                subjects.push(subject);
                kinds.push(kind);
                references.push(reference);
                payloads.push(payload);
                at.push(chrono::Utc::now().timestamp_micros());
            }
            let mut tx = pg.begin().await?;
            sqlx::query(
                "INSERT INTO bench_direct_events \
                 (seller_id, event_id, subject, kind, ref_key, payload, ingested_at_us) \
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
                 $7::bigint[])",
            )
            .bind(&sellers)
            .bind(&ids)
            .bind(&subjects)
            .bind(&kinds)
            .bind(&references)
            .bind(&payloads)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    async fn copy(&self, pg: &PgPool, events: &[Event], chunk: usize) -> anyhow::Result<()> {
        for transaction in events.chunks(chunk) {
            let mut data = String::new();
            for event in transaction {
                let (seller, id, subject, kind, reference, payload) = row(event)?;
                for field in [seller.as_str(), &id, &subject, kind] {
                    copy_field(&mut data, Some(field));
                    data.push('\t');
                }
                copy_field(&mut data, reference.as_deref());
                data.push('\t');
                copy_field(&mut data, Some(&payload));
                data.push('\t');
                data.push_str(&chrono::Utc::now().timestamp_micros().to_string());
                data.push('\n');
            }
            let mut tx = pg.begin().await?;
            let mut copy = tx
                .copy_in_raw(
                    "COPY bench_direct_events (seller_id, event_id, subject, kind, ref_key, payload, ingested_at_us) \
                     FROM STDIN",
                )
                .await?;
            copy.send(data.as_bytes()).await?;
            copy.finish().await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

/// A field of COPY's text format: backslash, tab, newline and carriage return
/// escaped; `\N` for NULL.
fn copy_field(out: &mut String, field: Option<&str>) {
    let Some(field) = field else {
        out.push_str("\\N");
        return;
    };
    for c in field.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}
