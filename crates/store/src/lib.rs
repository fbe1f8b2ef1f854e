//! Durable storage for sellerhealth, on embedded SQLite or on PostgreSQL (chosen
//! by URL): the append-only event log (the source of truth), each subject's
//! current counter contributions, and daily counters maintained incrementally.
//!
//! A write validates each event against the state of its subject read inside the
//! transaction (row-locked on PostgreSQL, so several server processes can write
//! the same seller and order), appends it, and applies the difference of the
//! subject's contributions to the counters in the same transaction; it is
//! acknowledged only after the commit. A report reads O(days) counter rows, not
//! O(orders). [`Store::rebuild`] recomputes every counter from the event log.
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
//! let report = store.report("s1", "US", now).await.unwrap();
//! assert_eq!(report.order_defect_rate_afn.rate.denominator, 1);
//! # });
//! ```

// Date and integer arithmetic must not overflow (issue 13): checked or saturating
// operations only, with the saturating date helpers in `sellerhealth_domain::time`.
// Tests may overflow: a panic there is the test failing (as clippy.toml allows unwrap).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

mod cache;
mod counters;
mod db;
mod error;
mod notify;
mod versions;
mod write;

use std::sync::Arc;
use std::time::Duration;

use sellerhealth_domain::time::shift_days;
use sellerhealth_domain::{
    Applied, Day, DomainError, Event, Fact, Instant, Policy, PolicyViolation, SellerBook, day_of, validate::check_event,
};
use sellerhealth_metrics::order_facts::start_of;
use sellerhealth_metrics::seller_rating::RATING_WINDOW_DAYS;
use sellerhealth_metrics::warnings::{WARNING_LOOKBACK_DAYS, lookback_start};
use sellerhealth_metrics::{AccountHealthReport, RateSpec, counter_parameters, subject_contributions};
use sqlx::AnyPool;
use tokio::sync::{Mutex, broadcast};

use cache::ReportCache;
pub use counters::StoredCounters;
pub use db::Backend;
pub use error::StoreError;

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

/// The event log and its counters.
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    policy: Policy,
    changes: broadcast::Sender<String>,
    /// SQLite has one writer: this process's writes queue here instead of failing busy.
    sqlite_writer: Mutex<()>,
    reports: ReportCache,
    versions: Arc<versions::VersionReader>,
    /// Names this store's writes in PostgreSQL notifications, so its own are not taken for another's.
    origin: String,
    /// On PostgreSQL, the task passing other processes' writes on to [`Store::subscribe`].
    listener: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some(listener) = &self.listener {
            listener.abort();
        }
    }
}

impl Store {
    /// Opens (creating if missing) the database at `url` (`sqlite://PATH`,
    /// `sqlite::memory:` or `postgres://…`) and applies pending migrations.
    ///
    /// Refuses (a configuration error saying what to do) when the stored
    /// counters were built under a policy that classifies facts differently
    /// ([`counter_parameters`]): they would give figures the profile does not.
    pub async fn open(url: &str, policy: Policy) -> Result<Store, StoreError> {
        let store = Store::open_to_rebuild(url, policy).await?;
        store.check_counter_parameters().await?;
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
        let store = Store {
            versions,
            pool,
            backend,
            policy,
            changes,
            sqlite_writer: Mutex::new(()),
            reports: ReportCache::new(cache::CAPACITY),
            origin,
            listener,
        };
        store.carry_over_version_1_log().await?;
        Ok(store)
    }

    /// Compares the parameters the stored counters were built with against
    /// the policy's; records them for a store without any. A log kept from
    /// before they were recorded is taken as built under the current profile
    /// (logged: rebuild if its classification changed since).
    async fn check_counter_parameters(&self) -> Result<(), StoreError> {
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

    async fn record_counter_parameters(&self) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO store_meta (name, value) VALUES ('counter_parameters', $1) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(counter_parameters(&self.policy))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Moves the facts of a version-1 event log (kept aside as `events_v1` by
    /// migration 2) into the current log through the write path, which computes
    /// their subjects and counters, then drops the old table. Interrupted, it
    /// resumes on the next start: facts already carried are duplicates.
    async fn carry_over_version_1_log(&self) -> Result<(), StoreError> {
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

    async fn write(
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
    async fn writer_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.sqlite_writer.lock().await),
            Backend::Postgres => None,
        }
    }

    async fn try_write(
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
            write::commit(&mut tx, &work, &self.policy, now).await?;
            let sellers = work.sellers();
            write::raise_versions(&mut tx, self.backend, &self.origin, sellers.iter().map(String::as_str)).await?;
            tx.commit().await?;
            for seller in sellers {
                // No receiver is not an error: nobody is watching.
                let _ = self.changes.send(seller);
            }
        }
        Ok(outcomes)
    }

    /// The account health report of `seller_id` in `marketplace_id` as of `as_of`,
    /// from the counters. A seller the store has no facts about is NOT_FOUND.
    pub async fn report(
        &self,
        seller_id: &str,
        marketplace_id: &str,
        as_of: Instant,
    ) -> Result<AccountHealthReport, StoreError> {
        Ok(self.report_and_counters(seller_id, marketplace_id, as_of).await?.0)
    }

    /// [`Store::report`] with the counters it was evaluated from, for exports
    /// that need counts the report does not carry (the SP-API invoice split).
    ///
    /// A report is computed once per seller write version and span of
    /// unchanged instants (see the `cache` module): asked again, for the same
    /// or a later instant before anything changes, it costs one version read.
    pub async fn report_and_counters(
        &self,
        seller_id: &str,
        marketplace_id: &str,
        as_of: Instant,
    ) -> Result<(AccountHealthReport, Arc<StoredCounters>), StoreError> {
        let version = self.version(seller_id).await?;
        if let Some(hit) = self.reports.get(seller_id, marketplace_id, version, as_of) {
            return Ok(hit);
        }
        let earliest = first_day_read(as_of, self.reach_days());
        let (mut counters, mut violations) = self.read_counters(seller_id, marketplace_id, as_of, earliest).await?;
        let mut report =
            sellerhealth_metrics::evaluate(&counters, &violations, &self.policy, seller_id, marketplace_id, as_of);
        // A warning that began before the look-back is traced back to the start
        // of its BAD run (SPEC §4), which may lie before the days read: then read
        // every day and evaluate again. Rare: a metric BAD for over 120 days.
        if report.warnings.iter().any(|w| w.opened_on < lookback_start(as_of)) {
            (counters, violations) = self.read_counters(seller_id, marketplace_id, as_of, Day::MIN).await?;
            report =
                sellerhealth_metrics::evaluate(&counters, &violations, &self.policy, seller_id, marketplace_id, as_of);
        }
        let counters = Arc::new(counters);
        let until = self.next_change(seller_id, marketplace_id, as_of, &violations).await?;
        let cached =
            cache::Cached { version, from: as_of, until, report: report.clone(), counters: Arc::clone(&counters) };
        self.reports.put(seller_id, marketplace_id, cached);
        Ok((report, counters))
    }

    /// The seller's write version; NOT_FOUND for a seller without facts.
    async fn version(&self, seller_id: &str) -> Result<i64, StoreError> {
        match self.versions.version(seller_id).await? {
            Some(version) => Ok(version),
            None => Err(DomainError::NotFound(format!("no facts stored for seller {seller_id:?}")).into()),
        }
    }

    /// The first instant after `as_of` at which a report as of it may differ
    /// from one as of `as_of`: the next contribution or violation instant, or
    /// the start of the next day, whichever comes first.
    async fn next_change(
        &self,
        seller_id: &str,
        marketplace_id: &str,
        as_of: Instant,
        violations: &[PolicyViolation],
    ) -> Result<Instant, StoreError> {
        let (next,): (Option<i64>,) = sqlx::query_as(
            "SELECT min(at_ns) FROM contributions WHERE seller_id = $1 AND marketplace_id = $2 AND at_ns > $3",
        )
        .bind(seller_id)
        .bind(marketplace_id)
        .bind(counters::instant_number(as_of))
        .fetch_one(&self.pool)
        .await?;
        let tomorrow = start_of(day_of(as_of).succ_opt().unwrap_or(Day::MAX));
        let violation_instants = violations.iter().flat_map(|v| [Some(v.occurred_at), v.resolved_at]).flatten();
        Ok(next
            .map(chrono::DateTime::from_timestamp_nanos)
            .into_iter()
            .chain(violation_instants)
            .filter(|at| *at > as_of)
            .fold(tomorrow, Instant::min)
            .max(as_of))
    }

    /// The longest a metric looks back from its evaluation day: window plus lag.
    pub fn reach_days(&self) -> i64 {
        let policy = &self.policy;
        let rates = RateSpec::all(policy)
            .into_iter()
            .map(|s| i64::from(s.target.window_days).saturating_add(i64::from(s.target.lag_days)));
        let contact = policy.contact_response.windows_days.iter().map(|w| i64::from(*w));
        rates
            .chain(contact)
            .chain([i64::from(policy.policy_window_days), i64::from(RATING_WINDOW_DAYS)])
            .max()
            .unwrap_or(0)
    }

    /// The counters of `seller_id` in `marketplace_id` with attribution days from
    /// `earliest` on, as of `as_of`, and the seller's policy violations there.
    pub async fn counters(
        &self,
        seller_id: &str,
        marketplace_id: &str,
        as_of: Instant,
        earliest: Day,
    ) -> Result<(StoredCounters, Vec<PolicyViolation>), StoreError> {
        self.version(seller_id).await?;
        self.read_counters(seller_id, marketplace_id, as_of, earliest).await
    }

    async fn read_counters(
        &self,
        seller_id: &str,
        marketplace_id: &str,
        as_of: Instant,
        earliest: Day,
    ) -> Result<(StoredCounters, Vec<PolicyViolation>), StoreError> {
        let started = std::time::Instant::now();
        let base = day_of(as_of);
        // Each statement answers one row of text that is split here: the driver
        // costs microseconds per row, and a report reads thousands of counters.
        let (aggregate, separator) = match self.backend {
            Backend::Sqlite => ("group_concat", "char(30)"),
            Backend::Postgres => ("string_agg", "chr(30)"),
        };
        let sql = format!(
            "SELECT {aggregate}(day || ' ' || totals, {separator}) FROM counters \
             WHERE seller_id = $1 AND marketplace_id = $2 AND day >= $3"
        );
        let (rows,): (Option<String>,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(seller_id)
            .bind(marketplace_id)
            .bind(counters::day_number(earliest))
            .fetch_one(&self.pool)
            .await?;
        let sql = format!(
            "SELECT {aggregate}(at_ns || ' ' || changes, {separator}) FROM contributions \
             WHERE seller_id = $1 AND marketplace_id = $2 AND at_ns >= $3 AND at_ns <= $4"
        );
        let (today,): (Option<String>,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(seller_id)
            .bind(marketplace_id)
            .bind(counters::instant_number(start_of(base)))
            .bind(counters::instant_number(as_of))
            .fetch_one(&self.pool)
            .await?;
        let rows = counters::unpack_days(rows.as_deref().unwrap_or_default(), counters::day_number(base))?;
        let earliest_number = counters::day_number(earliest);
        let mut changes_today = Vec::new();
        for row in today.as_deref().unwrap_or_default().split('\u{1e}').filter(|r| !r.is_empty()) {
            let (at_ns, packed) = row.split_once(' ').unwrap_or_default();
            let at_ns: i64 =
                at_ns.parse().map_err(|_| StoreError::Corrupt(format!("stored contribution instant {at_ns:?}")))?;
            let at = chrono::DateTime::from_timestamp_nanos(at_ns);
            for (day, delta, counter) in counters::unpack_lines(packed)? {
                if day >= earliest_number {
                    changes_today.push((
                        counters::counter_from_key(counter)?,
                        counters::day_from_number(day),
                        at,
                        delta,
                    ));
                }
            }
        }
        let violations: Vec<(String,)> =
            sqlx::query_as("SELECT payload FROM events WHERE seller_id = $1 AND kind = 'policy_violation'")
                .bind(seller_id)
                .fetch_all(&self.pool)
                .await?;
        let mut found = Vec::new();
        for (payload,) in violations {
            if let Fact::PolicyViolation(v) = write::parse_fact(&payload)?
                && v.marketplace_id == marketplace_id
            {
                found.push(v);
            }
        }
        metrics::histogram!("sellerhealth_store_seconds", "operation" => "read")
            .record(started.elapsed().as_secs_f64());
        Ok((StoredCounters::new(as_of, rows, changes_today), found))
    }

    /// Runs `read` on all of the seller's facts (for feedback and review lists,
    /// which read individual facts rather than counters). NOT_FOUND for a seller
    /// without facts.
    pub async fn read<R>(
        &self,
        seller_id: &str,
        read: impl FnOnce(&SellerBook, &Policy) -> R,
    ) -> Result<R, StoreError> {
        self.version(seller_id).await?;
        let book = self.book(seller_id).await?;
        Ok(read(&book, &self.policy))
    }

    async fn book(&self, seller_id: &str) -> Result<SellerBook, StoreError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT event_id, payload FROM events WHERE seller_id = $1 ORDER BY seq")
                .bind(seller_id)
                .fetch_all(&self.pool)
                .await?;
        let mut book = SellerBook::new(seller_id);
        for (event_id, payload) in rows {
            book.restore(event_id, write::parse_fact(&payload)?);
        }
        Ok(book)
    }

    /// Recomputes every contribution and counter from the event log, seller by
    /// seller, each in one transaction, under this store's policy, and records
    /// its [`counter_parameters`] (an interrupted rebuild leaves the old ones,
    /// so the store still refuses to open until one finishes). Run it with
    /// writers stopped.
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
                        counters::counter_key(c.counter),
                        counters::day_number(c.day),
                        counters::day_number(day_of(c.at)),
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
            for statement in
                ["DELETE FROM counters WHERE seller_id = $1", "DELETE FROM contributions WHERE seller_id = $1"]
            {
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
        Ok(summary)
    }

    /// Every non-zero counter total of a seller, sorted: (marketplace, counter, day,
    /// effective day, total). For checks that incremental upkeep equals a rebuild.
    pub async fn counter_totals(&self, seller_id: &str) -> Result<Vec<(String, String, i64, i64, i64)>, StoreError> {
        let days: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT marketplace_id, day, totals FROM counters WHERE seller_id = $1")
                .bind(seller_id)
                .fetch_all(&self.pool)
                .await?;
        let mut rows = Vec::new();
        for (marketplace, day, totals) in &days {
            for (eff_day, total, counter) in counters::unpack_lines(totals)? {
                rows.push((marketplace.clone(), counter.to_owned(), *day, eff_day, total));
            }
        }
        rows.sort();
        Ok(rows)
    }
}

/// The first attribution day a report as of `as_of` reads: the warning lookback
/// plus the longest reach of a metric before `as_of`'s day, saturating at
/// chrono's first day (see [`shift_days`]).
fn first_day_read(as_of: Instant, reach_days: i64) -> Day {
    shift_days(day_of(as_of), WARNING_LOOKBACK_DAYS.saturating_add(reach_days).saturating_neg())
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

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, TimeZone, Utc};

    use super::*;

    #[test]
    fn the_first_day_read_saturates_at_the_first_day_of_chrono() {
        // Issue 13: as_of in year -262143 minus the lookback panicked here.
        assert_eq!(first_day_read(DateTime::<Utc>::MIN_UTC, 365), NaiveDate::MIN);
        assert_eq!(first_day_read(DateTime::<Utc>::MAX_UTC, i64::MAX), NaiveDate::MIN);
        assert_eq!(first_day_read(DateTime::<Utc>::MAX_UTC, 0), NaiveDate::from_ymd_opt(262_142, 9, 2).unwrap());
        // 120 lookback days and 365 of reach before 2026-07-01.
        let as_of = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        assert_eq!(first_day_read(as_of, 365), NaiveDate::from_ymd_opt(2025, 3, 3).unwrap());
    }

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
            let (report, _) = store.report_and_counters("s", "US", as_of).await.unwrap();
            assert_eq!(report, sellerhealth_metrics::evaluate_book(&book, &policy, "US", as_of));
        }
    }
}
