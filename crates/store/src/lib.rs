//! Durable storage for sellerhealth: the append-only event log (the source of
//! truth) in an embedded SQLite database, and each seller's facts folded into a
//! [`SellerBook`] that the metrics engine reads.
//!
//! A batch is all-or-nothing: it is validated against the seller's book, and only
//! when every event passes is it written in one transaction; a write is
//! acknowledged only after that transaction commits (WAL, synchronous commits).
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use chrono::{Duration, TimeZone, Utc};
//! use sellerhealth_domain::{Event, Fact, FulfillmentChannel, Order, Policy};
//! use sellerhealth_store::Store;
//!
//! let store = Store::open("sqlite::memory:", Policy::amazon()).await.unwrap();
//! let purchased_at = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap();
//! let order = Event {
//!     event_id: "e1".into(),
//!     seller_id: "s1".into(),
//!     fact: Fact::Order(Order {
//!         order_id: "o1".into(),
//!         marketplace_id: "US".into(),
//!         purchased_at,
//!         fulfillment_channel: FulfillmentChannel::Afn,
//!         latest_ship_at: purchased_at + Duration::days(1),
//!         promised_delivery_earliest_at: None,
//!         promised_delivery_latest_at: None,
//!         units: 1,
//!         business_order: false,
//!     }),
//! };
//! let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
//! let counts = store.ingest_batch(&[order.clone(), order], now).await.unwrap();
//! assert_eq!((counts.accepted, counts.duplicates), (1, 1));
//! let report = store.report("s1", "US", now).await.unwrap();
//! assert_eq!(report.order_defect_rate_afn.rate.denominator, 1);
//! # });
//! ```

mod error;
mod migrate;

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sellerhealth_domain::{Applied, DomainError, Event, Fact, Instant, Policy, SellerBook};
use sellerhealth_metrics::AccountHealthReport;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::{Mutex, broadcast};

pub use error::StoreError;

/// How many events of a batch were new and how many were already there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestCounts {
    /// Events stored now.
    pub accepted: u64,
    /// Events already stored with the same payload (no-ops).
    pub duplicates: u64,
}

/// The event log and the folded state of every seller touched since start-up.
pub struct Store {
    pool: SqlitePool,
    policy: Policy,
    books: Mutex<HashMap<String, SellerBook>>,
    changes: broadcast::Sender<String>,
}

impl Store {
    /// Opens (creating if missing) the database at `url` (`sqlite://path` or
    /// `sqlite::memory:`) and applies pending migrations.
    pub async fn open(url: &str, policy: Policy) -> Result<Store, StoreError> {
        let Some(rest) = url.strip_prefix("sqlite:") else {
            return Err(StoreError::Config(format!(
                "unsupported database URL {url:?}: expected sqlite://PATH or sqlite::memory:"
            )));
        };
        let in_memory = rest.starts_with(":memory:");
        if !in_memory {
            let path = rest.trim_start_matches("//");
            let path = path.split('?').next().unwrap_or(path);
            if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Config(format!("cannot create data directory {}: {e}", dir.display())))?;
            }
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        // An in-memory database lives in its one connection.
        let pool = SqlitePoolOptions::new()
            .max_connections(if in_memory { 1 } else { 4 })
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        migrate::run(&pool).await?;
        let (changes, _) = broadcast::channel(1024);
        Ok(Store { pool, policy, books: Mutex::new(HashMap::new()), changes })
    }

    /// The policy profile facts are validated and evaluated under.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Stores `events` all-or-nothing: if any is refused, the error names it
    /// (`events[i].field`) and nothing is stored.
    pub async fn ingest_batch(&self, events: &[Event], now: Instant) -> Result<IngestCounts, StoreError> {
        let mut books = self.books.lock().await;
        self.load_books(&mut books, events).await?;
        let mut accepted = Vec::new();
        let mut counts = IngestCounts::default();
        for (index, event) in events.iter().enumerate() {
            match apply(&mut books, event, now, &self.policy) {
                Ok(Applied::Accepted) => accepted.push(event),
                Ok(Applied::Duplicate) => counts.duplicates += 1,
                Err(error) => {
                    undo(&mut books, &accepted);
                    return Err(located(error, index).into());
                }
            }
        }
        if let Err(error) = self.append(&accepted, now).await {
            undo(&mut books, &accepted);
            return Err(error);
        }
        counts.accepted = accepted.len() as u64;
        self.announce(&accepted);
        Ok(counts)
    }

    /// Stores each acceptable event of `events` and reports every event's fate, for
    /// bulk loads where one bad event must not hold back the rest. Errors are
    /// relative to the event. Fails as a whole only if the database fails, and then
    /// stores nothing of `events`.
    pub async fn ingest_each(
        &self,
        events: &[Event],
        now: Instant,
    ) -> Result<Vec<Result<Applied, DomainError>>, StoreError> {
        let mut books = self.books.lock().await;
        self.load_books(&mut books, events).await?;
        let outcomes: Vec<_> = events.iter().map(|event| apply(&mut books, event, now, &self.policy)).collect();
        let accepted: Vec<&Event> = events
            .iter()
            .zip(&outcomes)
            .filter(|(_, outcome)| matches!(outcome, Ok(Applied::Accepted)))
            .map(|(event, _)| event)
            .collect();
        if let Err(error) = self.append(&accepted, now).await {
            undo(&mut books, &accepted);
            return Err(error);
        }
        self.announce(&accepted);
        Ok(outcomes)
    }

    /// The account health report of `seller_id` in `marketplace_id` as of `as_of`.
    /// A seller the store has no facts about is NOT_FOUND.
    pub async fn report(
        &self,
        seller_id: &str,
        marketplace_id: &str,
        as_of: Instant,
    ) -> Result<AccountHealthReport, StoreError> {
        self.read(seller_id, |book, policy| sellerhealth_metrics::evaluate_book(book, policy, marketplace_id, as_of))
            .await
    }

    /// Runs `read` on the seller's folded facts under the store's policy. A seller
    /// the store has no facts about is NOT_FOUND.
    pub async fn read<R>(
        &self,
        seller_id: &str,
        read: impl FnOnce(&SellerBook, &Policy) -> R,
    ) -> Result<R, StoreError> {
        let mut books = self.books.lock().await;
        let book = self.book(&mut books, seller_id).await?;
        if book.event_count() == 0 {
            return Err(DomainError::NotFound(format!("no facts stored for seller {seller_id:?}")).into());
        }
        Ok(read(book, &self.policy))
    }

    /// A receiver told the seller id of every batch committed from now on, so
    /// watchers can re-evaluate. A slow receiver may miss names (it is told it lagged).
    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.changes.subscribe()
    }

    fn announce(&self, accepted: &[&Event]) {
        let sellers: std::collections::BTreeSet<&str> = accepted.iter().map(|e| e.seller_id.as_str()).collect();
        for seller in sellers {
            // No receiver is not an error: nobody is watching.
            let _ = self.changes.send(seller.to_owned());
        }
    }

    async fn book<'a>(
        &self,
        books: &'a mut HashMap<String, SellerBook>,
        seller_id: &str,
    ) -> Result<&'a mut SellerBook, StoreError> {
        if !books.contains_key(seller_id) {
            let book = self.read_book(seller_id).await?;
            books.insert(seller_id.to_owned(), book);
        }
        books
            .get_mut(seller_id)
            .ok_or_else(|| StoreError::Corrupt(format!("book of {seller_id:?} vanished while locked")))
    }

    async fn load_books(&self, books: &mut HashMap<String, SellerBook>, events: &[Event]) -> Result<(), StoreError> {
        for event in events {
            self.book(books, &event.seller_id).await?;
        }
        Ok(())
    }

    async fn read_book(&self, seller_id: &str) -> Result<SellerBook, StoreError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT event_id, payload FROM events WHERE seller_id = $1 ORDER BY seq")
                .bind(seller_id)
                .fetch_all(&self.pool)
                .await?;
        let mut book = SellerBook::new(seller_id);
        for (event_id, payload) in rows {
            let fact: Fact = serde_json::from_str(&payload)
                .map_err(|e| StoreError::Corrupt(format!("event {event_id:?} of seller {seller_id:?}: {e}")))?;
            book.restore(event_id, fact);
        }
        Ok(book)
    }

    async fn append(&self, events: &[&Event], now: Instant) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        for event in events {
            let payload = serde_json::to_string(&event.fact)
                .map_err(|e| StoreError::Corrupt(format!("cannot encode event {:?}: {e}", event.event_id)))?;
            sqlx::query(
                "INSERT INTO events (seller_id, event_id, kind, payload, ingested_at_us) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&event.seller_id)
            .bind(&event.event_id)
            .bind(event.fact.kind())
            .bind(payload)
            .bind(now.timestamp_micros())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

fn apply(
    books: &mut HashMap<String, SellerBook>,
    event: &Event,
    now: Instant,
    policy: &Policy,
) -> Result<Applied, DomainError> {
    let book = books.entry(event.seller_id.clone()).or_insert_with(|| SellerBook::new(event.seller_id.clone()));
    book.apply(event, now, policy)
}

fn undo(books: &mut HashMap<String, SellerBook>, accepted: &[&Event]) {
    for event in accepted.iter().rev() {
        if let Some(book) = books.get_mut(&event.seller_id) {
            book.undo(event);
        }
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
