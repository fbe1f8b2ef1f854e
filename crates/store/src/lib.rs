//! Durable storage for sellerhealth, on embedded SQLite or on PostgreSQL (chosen
//! by URL): the append-only event log (the source of truth), each subject's
//! current counter contributions, and daily counters maintained incrementally.
//!
//! A write validates each event against the state of its subject read inside the
//! transaction (row-locked on PostgreSQL, so several server processes can write
//! the same seller and order), appends it, and applies the difference of the
//! subject's contributions to the counters in the same transaction; it is
//! acknowledged only after the commit. Reading the counters of a report's
//! window costs O(days) rows, not O(orders); the figures themselves are
//! `sellerhealth_metrics`'s. [`Store::rebuild`] recomputes every counter from
//! the event log.
//!
//! One file per step of the pipeline: `db` (connecting, migrations), `upgrade`
//! (carrying a version-1 log over), `ingest` (the write transaction and its
//! retries) with `write` (its statements), `counters` (the stored form of
//! counters), `versions` (each seller's write version) and `read` (counters,
//! versions and facts as of an instant),
//! `notify` (other servers' writes on PostgreSQL), `rebuild`, and `meta` (the
//! policy parameters the counters were built with).
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
//!         shipping_unknown: false,
//!     }),
//! };
//! let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
//! let counts = store.ingest_batch(&[order.clone(), order], now).await.unwrap();
//! assert_eq!((counts.accepted, counts.duplicates), (1, 1));
//! let (counters, violations) = store.counters("s1", "US", now, sellerhealth_domain::Day::MIN).await.unwrap();
//! let report = sellerhealth_metrics::evaluate(&counters, &violations, store.policy(), "s1", "US", now);
//! assert_eq!(report.order_defect_rate_afn.rate.denominator, 1);
//! # });
//! ```

// Date and integer arithmetic must not overflow (issue 13): checked or saturating
// operations only, with the saturating date helpers in `sellerhealth_domain::time`.
// Tests may overflow: a panic there is the test failing (as clippy.toml allows unwrap).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

mod counters;
mod db;
mod error;
mod ingest;
mod meta;
mod notify;
mod project;
mod read;
mod rebuild;
mod upgrade;
mod versions;
mod write;

use std::sync::Arc;
use std::time::Duration;

use sellerhealth_domain::Policy;
use sqlx::AnyPool;
use tokio::sync::{Mutex, broadcast};

pub use db::Backend;
pub use error::StoreError;
pub use ingest::IngestCounts;
pub use project::DEFAULT_PROJECT_AFTER_IDLE;
pub use rebuild::RebuildSummary;

/// The event log and its counters.
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    policy: Policy,
    changes: broadcast::Sender<String>,
    /// Maintains the counters after the log commit; holds SQLite's one writer
    /// turn (this process's writes queue there instead of failing busy).
    projector: Arc<project::Projector>,
    /// The background task projecting queued writes (started by [`Store::open`]).
    projecting: Option<tokio::task::JoinHandle<()>>,
    versions: Arc<versions::VersionReader>,
    /// Names this store's writes in PostgreSQL notifications, so its own are not taken for another's.
    origin: String,
    /// On PostgreSQL, the task passing other processes' writes on to [`Store::subscribe`].
    listener: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Store {
    fn drop(&mut self) {
        for task in [&self.listener, &self.projecting].into_iter().flatten() {
            task.abort();
        }
    }
}

impl Store {
    /// Opens (creating if missing) the database at `url` (`sqlite://PATH`,
    /// `sqlite::memory:` or `postgres://…`) and applies pending migrations.
    ///
    /// Refuses (a configuration error saying what to do) when the stored
    /// counters were built under a policy that classifies facts differently
    /// ([`counter_parameters`](sellerhealth_metrics::counter_parameters)): they
    /// would give figures the profile does not. Rebuilds the counters from the
    /// event log first when a migration changed their stored form.
    ///
    /// Starts the projector's background task, which first projects what a
    /// previous run left queued (see `project`), then projects after the
    /// writes pause for [`DEFAULT_PROJECT_AFTER_IDLE`].
    pub async fn open(url: &str, policy: Policy) -> Result<Store, StoreError> {
        Store::open_with(url, policy, DEFAULT_PROJECT_AFTER_IDLE).await
    }

    /// Opens the database like [`Store::open`], with a background task that
    /// projects after this process's writes pause for `project_after_idle`
    /// (or 5 s, or that pause if longer, into a run of writes): a longer
    /// pause leaves more of a bulk load's counter upkeep to be done at once,
    /// and readers always project what they read.
    pub async fn open_with(url: &str, policy: Policy, project_after_idle: Duration) -> Result<Store, StoreError> {
        let mut store = Store::open_to_rebuild(url, policy).await?;
        // A migration that changed what counters mean marks them for a rebuild,
        // which records the profile's parameters: then they are this profile's.
        store.rebuild_if_marked().await?;
        store.check_counter_parameters().await?;
        // Listed before the store is handed out: rows queued from now on are
        // this process's writes (projected after their pause) or another's.
        let left = store.projector.queued_sellers().await?;
        store.projecting = Some(tokio::spawn(Arc::clone(&store.projector).run(left, project_after_idle)));
        Ok(store)
    }

    /// Opens the database at `url` like [`Store::open`] without checking the
    /// counters' parameters: to [`Store::rebuild`] them under `policy`.
    pub async fn open_to_rebuild(url: &str, policy: Policy) -> Result<Store, StoreError> {
        let (pool, backend) = db::connect(url).await?;
        let (changes, _) = broadcast::channel(1024);
        let started = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let origin = format!("{:x}.{started:x}", std::process::id());
        let listener = (backend == Backend::Postgres)
            .then(|| tokio::spawn(notify::forward_other_writes(url.to_owned(), origin.clone(), changes.clone())));
        let versions = versions::VersionReader::new(pool.clone());
        let projector = project::Projector::new(pool.clone(), backend, policy.clone(), Arc::new(Mutex::new(())));
        let store = Store { versions, pool, backend, policy, changes, projector, projecting: None, origin, listener };
        store.carry_over_version_1_log().await?;
        Ok(store)
    }

    /// The backend the URL named.
    pub fn backend(&self) -> Backend {
        self.backend
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

    /// A receiver told the seller id of every batch committed from now on, so
    /// watchers can re-evaluate: this process's batches at once, and on
    /// PostgreSQL other processes' too, as their notifications arrive
    /// (milliseconds). A slow receiver may miss names (it is told it lagged).
    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.changes.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};
    use sellerhealth_domain::{Event, Fact, SellerBook};

    use super::*;

    #[tokio::test]
    async fn reports_as_of_the_ends_of_chrono_match_the_stateless_path() {
        let policy = Policy::amazon();
        let store = Store::open("sqlite::memory:", policy.clone()).await.unwrap();
        let purchased_at = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap();
        let order = Event {
            event_id: "e1".into(),
            seller_id: "s".into(),
            fact: Fact::Order(sellerhealth_domain::Order {
                order_id: "o1".into(),
                marketplace_id: "US".into(),
                purchased_at,
                fulfillment_channel: sellerhealth_domain::FulfillmentChannel::Mfn,
                latest_ship_at: purchased_at + chrono::Duration::days(1),
                promised_delivery_earliest_at: None,
                promised_delivery_latest_at: None,
                units: 1,
                business_order: false,
                shipping_unknown: false,
            }),
        };
        store.ingest_batch(std::slice::from_ref(&order), purchased_at).await.unwrap();
        let mut book = SellerBook::new("s");
        book.apply(&order, purchased_at, &policy).unwrap();
        for as_of in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            let (counters, violations) = store.counters("s", "US", as_of, sellerhealth_domain::Day::MIN).await.unwrap();
            let report = sellerhealth_metrics::evaluate(&counters, &violations, &policy, "s", "US", as_of);
            assert_eq!(report, sellerhealth_metrics::evaluate_book(&book, &policy, "US", as_of));
        }
    }
}
