//! The projector: counters maintained after the log commit (issue 16).
//!
//! A write transaction validates its events, appends them and, per seller,
//! queues one `projection_queue` row naming the subjects it touched, under the
//! seller's new write version; it is acknowledged at that commit. Projecting a
//! seller recomputes the queued subjects' contributions from the log, applies
//! the difference from the stored ones to the daily counters, and deletes the
//! rows it projected, all in one transaction: a crash before its commit
//! leaves the rows, and the next projection (this process's background task
//! at start, or any reader) does the work again from the log.
//!
//! Reads are exact: [`Store::catch_up`] projects a seller's queued rows before
//! its counters are read, so a report asked after an acknowledged write (in
//! this process or, on PostgreSQL, another) counts it. The background task
//! projects after the writes pause, so a bulk load is not interrupted by
//! counter upkeep and the upkeep of many batches is done at once.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use sellerhealth_domain::{Policy, SellerBook};
use sellerhealth_metrics::subject_contributions;
use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{Mutex, Notify};

use crate::counters::day_number;
use crate::db::Backend;
use crate::error::StoreError;
use crate::write::{self, CounterKey, Queued};
use crate::{Store, counters};

/// Queue rows projected per transaction: bounds a projection's size (and how
/// long it holds SQLite's writer) when a bulk load left many.
const ROWS_PER_PROJECTION: i64 = 16;

/// How long writes must pause before the background task projects, unless
/// the store is opened with another pause ([`Store::open_with`]).
pub const DEFAULT_PROJECT_AFTER_IDLE: Duration = Duration::from_millis(100);

/// The longest the background task lets rows wait while writes go on, unless
/// the pause asked for is longer: then that pause.
const MAX_LAG: Duration = Duration::from_secs(5);

/// The PostgreSQL advisory lock class of a seller's projection (the seller's
/// `hashtext` is the object): projections of one seller take turns across
/// processes ("proj").
const PROJECT_LOCK_CLASS: i32 = 0x70_72_6f_6a;

/// What projecting needs, shared by the store and its background task.
pub(crate) struct Projector {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    pub(crate) policy: Policy,
    /// SQLite's one writer: write transactions and projections take turns here.
    pub(crate) writer: Arc<Mutex<()>>,
    /// Told of every commit that queued rows.
    wake: Notify,
}

impl Projector {
    pub(crate) fn new(pool: AnyPool, backend: Backend, policy: Policy, writer: Arc<Mutex<()>>) -> Arc<Projector> {
        Arc::new(Projector { pool, backend, policy, writer, wake: Notify::new() })
    }

    /// Tells the background task that rows were queued.
    pub(crate) fn queued(&self) {
        self.wake.notify_one();
    }

    /// On SQLite, this process's turn to write.
    pub(crate) async fn writer_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.writer.lock().await),
            Backend::Postgres => None,
        }
    }

    /// The background task: projects `left` (the sellers whose rows a
    /// previous run left queued: a crash between a write's commit and its
    /// projection), then, after each pause of `idle` in this process's
    /// writes (or [`MAX_LAG`] into a long run of them), every seller with
    /// queued rows. Runs until aborted.
    pub(crate) async fn run(self: Arc<Self>, left: Vec<String>, idle: Duration) {
        let mut sellers = Ok(left);
        let longest_lag = MAX_LAG.max(idle);
        loop {
            let projected = match sellers {
                Ok(sellers) => self.project_sellers(sellers).await,
                Err(error) => Err(error),
            };
            if let Err(error) = projected {
                tracing::warn!(%error, "projecting counters failed; readers project what they need, retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                sellers = self.queued_sellers().await;
                continue;
            }
            self.wake.notified().await;
            let first = tokio::time::Instant::now();
            while tokio::time::timeout(idle, self.wake.notified()).await.is_ok() {
                if first.elapsed() >= longest_lag {
                    break;
                }
            }
            sellers = self.queued_sellers().await;
        }
    }

    /// The sellers with queued rows.
    pub(crate) async fn queued_sellers(&self) -> Result<Vec<String>, StoreError> {
        let sellers: Vec<(String,)> =
            sqlx::query_as("SELECT DISTINCT seller_id FROM projection_queue").fetch_all(&self.pool).await?;
        Ok(sellers.into_iter().map(|(seller,)| seller).collect())
    }

    /// Projects every queued row of `sellers`.
    async fn project_sellers(&self, sellers: Vec<String>) -> Result<(), StoreError> {
        for seller in sellers {
            self.project(&seller, None).await?;
        }
        Ok(())
    }

    /// Projects the seller's queued rows up to version `through` (all with
    /// `None`), a few rows per transaction.
    pub(crate) async fn project(&self, seller: &str, through: Option<i64>) -> Result<(), StoreError> {
        let through = through.unwrap_or(i64::MAX);
        loop {
            let mut attempt = 1_u32;
            let more = loop {
                match self.project_some(seller, through).await {
                    Err(StoreError::Database(error)) if crate::db::is_retryable(&error) && attempt < 8 => {
                        tracing::debug!(%error, attempt, "projection lost a race; retrying");
                        tokio::time::sleep(Duration::from_millis(u64::from(attempt).saturating_mul(5))).await;
                        attempt = attempt.saturating_add(1);
                    }
                    other => break other?,
                }
            };
            if !more {
                return Ok(());
            }
        }
    }

    /// One projection transaction: up to [`ROWS_PER_PROJECTION`] of the
    /// seller's queued rows with versions up to `through`. Whether rows up to
    /// `through` may remain.
    async fn project_some(&self, seller: &str, through: i64) -> Result<bool, StoreError> {
        let _writer = self.writer_turn().await;
        let mut tx = self.pool.begin().await?;
        lock_seller(&mut tx, self.backend, seller).await?;
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT version, subjects FROM projection_queue WHERE seller_id = $1 AND version <= $2 \
             ORDER BY version LIMIT $3",
        )
        .bind(seller)
        .bind(through)
        .bind(ROWS_PER_PROJECTION)
        .fetch_all(&mut *tx)
        .await?;
        let Some(&(last, _)) = rows.last() else { return Ok(false) };
        let (mut new, mut changed) = (BTreeSet::new(), BTreeSet::new());
        for (_, subjects) in &rows {
            let queued: Queued = serde_json::from_str(subjects)
                .map_err(|e| StoreError::Corrupt(format!("queued subjects {subjects:?}: {e}")))?;
            new.extend(queued.new);
            changed.extend(queued.changed);
        }
        // A subject first stored by one of these rows was never projected before them.
        let changed: Vec<String> = changed.difference(&new).cloned().collect();
        let mut keys: Vec<String> = new.into_iter().collect();
        keys.extend(changed.iter().cloned());
        keys.sort_unstable();
        project_subjects(&mut tx, self.backend, &self.policy, seller, &keys, &changed).await?;
        sqlx::query("DELETE FROM projection_queue WHERE seller_id = $1 AND version <= $2")
            .bind(seller)
            .bind(last)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(rows.len() as i64 == ROWS_PER_PROJECTION)
    }
}

/// On PostgreSQL, waits for the seller's projection lock, held to the end of
/// `tx`: projections (and rebuilds) of one seller take turns across
/// processes. SQLite's are serialised by its one writer.
pub(crate) async fn lock_seller(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    seller: &str,
) -> Result<(), StoreError> {
    if backend == Backend::Postgres {
        // pg_advisory_xact_lock returns void, which the Any driver cannot decode.
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1, hashtext($2))) AS locked")
            .bind(PROJECT_LOCK_CLASS)
            .bind(seller)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Recomputes the contributions of the seller's subjects `keys` from the log
/// and applies the difference from the stored ones (of the subjects
/// `projected`, those that may have some) to the counters.
async fn project_subjects(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    policy: &Policy,
    seller: &str,
    keys: &[String],
    projected: &[String],
) -> Result<(), StoreError> {
    let mut book = SellerBook::new(seller);
    let mut events: Vec<(i64, String, String)> = Vec::new();
    for (seq, _, event_id, payload) in write::events_of_subjects(tx, backend, seller, keys).await? {
        events.push((seq, event_id, payload));
    }
    events.sort_by_key(|(seq, ..)| *seq);
    for (_, event_id, payload) in &events {
        book.restore(event_id, &write::parse_fact(payload)?);
    }

    let mut changes: HashMap<CounterKey, i64> = HashMap::new();
    for (marketplace, at_ns, packed) in write::stored_contributions(tx, backend, seller, projected).await? {
        let eff_day = day_number(policy.calendar(&marketplace).day_of(chrono::DateTime::from_timestamp_nanos(at_ns)));
        for record in counters::unpack_records(&packed) {
            let (counter, day, delta) = record?;
            let key = (seller.to_owned(), marketplace.clone(), counter, day, eff_day);
            // Counter deltas are counts: saturating only matters for nonsense input.
            let change = changes.entry(key).or_insert(0);
            *change = change.saturating_sub(delta);
        }
    }
    write::delete_contributions(tx, backend, seller, projected).await?;
    let mut new_rows = Vec::new();
    for subject in book.subjects() {
        let key = subject.key();
        for contribution in subject_contributions(&book, &subject, policy) {
            let counter_key = (
                seller.to_owned(),
                contribution.marketplace_id.clone(),
                contribution.counter,
                day_number(contribution.day),
                day_number(policy.calendar(&contribution.marketplace_id).day_of(contribution.at)),
            );
            let change = changes.entry(counter_key).or_insert(0);
            *change = change.saturating_add(contribution.delta);
            new_rows.push((seller.to_owned(), key.clone(), contribution));
        }
    }
    write::insert_contributions(tx, backend, &new_rows).await?;
    let changes: Vec<(CounterKey, i64)> = changes.into_iter().filter(|(_, delta)| *delta != 0).collect();
    write::add_to_counters(tx, backend, &changes).await
}

impl Store {
    /// Projects the seller's queued rows, so the counters read next count
    /// every write acknowledged before this call (in any process).
    pub(crate) async fn catch_up(&self, seller_id: &str) -> Result<(), StoreError> {
        let pending: (Option<i64>,) = sqlx::query_as("SELECT max(version) FROM projection_queue WHERE seller_id = $1")
            .bind(seller_id)
            .fetch_one(&self.pool)
            .await?;
        if let (Some(through),) = pending {
            self.projector.project(seller_id, Some(through)).await?;
        }
        Ok(())
    }

    /// Queued projection rows, all sellers: what a crash or a pause in the
    /// background task left for the projector.
    pub async fn queued_projections(&self) -> Result<i64, StoreError> {
        let (rows,): (i64,) = sqlx::query_as("SELECT count(*) FROM projection_queue").fetch_one(&self.pool).await?;
        Ok(rows)
    }

    /// Projects every queued row now (what the background task does after a
    /// pause in the writes).
    pub async fn project_all(&self) -> Result<(), StoreError> {
        self.projector.project_sellers(self.projector.queued_sellers().await?).await
    }
}
