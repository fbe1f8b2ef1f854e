//! Reading sellers' write versions, one query for many calls.
//!
//! Every report call reads its seller's version (so a write by any process is
//! in the next report), and under load most calls would pay a database round
//! trip for one small row. Calls instead queue their seller here; one task
//! reads the versions of every seller queued, answers those calls, and starts
//! again with the calls that queued meanwhile. A call is only answered by a
//! read that began after it queued, so it still sees every write acknowledged
//! before it was made.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::AnyPool;
use tokio::sync::oneshot;

use crate::error::StoreError;

/// Sellers per query (each a bound value).
const SELLERS_PER_QUERY: usize = 500;

/// A queued call: its seller and where its answer goes (`None`: the shared
/// read failed, read alone to get the error).
type Waiter = (String, oneshot::Sender<Option<Option<i64>>>);

pub(crate) struct VersionReader {
    pool: AnyPool,
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<Waiter>,
    reading: bool,
}

impl VersionReader {
    pub(crate) fn new(pool: AnyPool) -> Arc<Self> {
        Arc::new(VersionReader { pool, queue: Mutex::default() })
    }

    /// The seller's version, `None` for a seller without facts.
    pub(crate) async fn version(self: &Arc<Self>, seller_id: &str) -> Result<Option<i64>, StoreError> {
        let (answer, answered) = oneshot::channel();
        let start = {
            // The queue holds no invariant a panicking holder could break: use it as left.
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            queue.waiting.push((seller_id.to_owned(), answer));
            !std::mem::replace(&mut queue.reading, true)
        };
        if start {
            tokio::spawn(Arc::clone(self).read_queued());
        }
        match answered.await {
            Ok(Some(version)) => Ok(version),
            // The shared read failed, or its task ended: read alone, for the real error.
            Ok(None) | Err(_) => self.read_one(seller_id).await,
        }
    }

    async fn read_queued(self: Arc<Self>) {
        // Should this task panic, the next call starts another (and serves who queued).
        struct Reading<'a> {
            queue: &'a Mutex<Queue>,
            done: bool,
        }
        impl Drop for Reading<'_> {
            fn drop(&mut self) {
                if !self.done {
                    self.queue.lock().unwrap_or_else(PoisonError::into_inner).reading = false;
                }
            }
        }
        let mut reading = Reading { queue: &self.queue, done: false };
        loop {
            let batch = {
                let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
                if queue.waiting.is_empty() {
                    // Under the lock: a call queuing after this starts the next task
                    // (and the guard must not clear the flag that task set).
                    queue.reading = false;
                    reading.done = true;
                    return;
                }
                std::mem::take(&mut queue.waiting)
            };
            let sellers: BTreeSet<&str> = batch.iter().map(|(seller, _)| seller.as_str()).collect();
            let versions = self.read_many(&sellers).await;
            if let Err(error) = &versions {
                tracing::warn!(%error, "reading sellers' versions failed");
            }
            for (seller, answer) in batch {
                let version = versions.as_ref().ok().map(|found| {
                    found
                        .binary_search_by(|(s, _)| s.as_str().cmp(&seller))
                        .ok()
                        .and_then(|i| found.get(i))
                        .map(|f| f.1)
                });
                // A caller that went away needs no answer.
                let _ = answer.send(version);
            }
        }
    }

    /// (seller, version) of those of `sellers` that have facts, by seller.
    async fn read_many(&self, sellers: &BTreeSet<&str>) -> Result<Vec<(String, i64)>, StoreError> {
        let sellers: Vec<&str> = sellers.iter().copied().collect();
        let mut found = Vec::with_capacity(sellers.len());
        for chunk in sellers.chunks(SELLERS_PER_QUERY) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT seller_id, version FROM seller_versions WHERE seller_id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for seller in chunk {
                query = query.bind(*seller);
            }
            let rows: Vec<(String, i64)> = query.fetch_all(&self.pool).await?;
            found.extend(rows);
        }
        found.sort_unstable();
        Ok(found)
    }

    async fn read_one(&self, seller_id: &str) -> Result<Option<i64>, StoreError> {
        let version: Option<(i64,)> = sqlx::query_as("SELECT version FROM seller_versions WHERE seller_id = $1")
            .bind(seller_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(version.map(|(v,)| v))
    }
}
