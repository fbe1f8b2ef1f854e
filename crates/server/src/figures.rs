//! Figures from stored counters: the one path from "read the counters a window
//! needs" to "evaluate them" that every read RPC takes — the account health
//! report (and its watchers), the SP-API performance report, the metric
//! history and the seller rating.
//!
//! The store reads tables; `sellerhealth_metrics` says which attribution days a
//! figure reads ([`reach`]) and computes it. Evaluations run on the blocking
//! pool. Account health reports are also kept per seller write version and
//! span of unchanged instants (the `cache` module), so a repeated call costs
//! one version read.

mod cache;

use std::sync::Arc;

use sellerhealth_domain::{Day, Instant, Policy, PolicyViolation};
use sellerhealth_metrics::DayCounters;
use sellerhealth_metrics::{AccountHealthReport, reach};
use sellerhealth_store::Store;
use tonic::Status;

use crate::status;
use cache::ReportCache;

/// What a read of stored counters gives an evaluation.
pub struct Read {
    /// The seller's counters in the marketplace, from the first day asked for.
    pub counters: DayCounters,
    /// The seller's policy violations in the marketplace.
    pub violations: Vec<PolicyViolation>,
}

/// An account health report with the counters it was evaluated from (the
/// SP-API export needs counts the report does not carry).
#[derive(Clone)]
pub struct Evaluated {
    /// The report.
    pub report: AccountHealthReport,
    /// The counters it was evaluated from.
    pub counters: Arc<DayCounters>,
}

/// Reads counters from the store and evaluates them.
pub struct Figures {
    store: Arc<Store>,
    reports: ReportCache,
}

impl Figures {
    /// Figures over `store`, with an empty report cache.
    pub fn new(store: Arc<Store>) -> Figures {
        Figures { store, reports: ReportCache::new(cache::CAPACITY) }
    }

    /// The store read from.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Reads the counters of `seller_id` in `marketplace_id` as of `as_of`
    /// from `first_day` on (which [`reach`] names for each figure), then runs
    /// `evaluate` on them on the blocking pool. NOT_FOUND for a seller without
    /// facts.
    pub async fn evaluate<T: Send + 'static>(
        &self,
        seller_id: &str,
        marketplace_id: &str,
        as_of: Instant,
        first_day: Day,
        evaluate: impl FnOnce(&Read, &Policy) -> Result<T, Status> + Send + 'static,
    ) -> Result<T, Status> {
        self.store.version(seller_id).await.map_err(status::from_store)?;
        let read = self.read(seller_id, marketplace_id, as_of, first_day).await?;
        let policy = self.store.policy().clone();
        blocking(move || evaluate(&read, &policy)).await
    }

    /// The account health report of `seller_id` in `marketplace_id` as of
    /// `as_of`. Computed once per seller write version and span of unchanged
    /// instants: asked again for the same or a later instant before anything
    /// changes, it costs one version read (in whichever process wrote last).
    pub async fn account_health(
        &self,
        seller_id: &str,
        marketplace_id: &str,
        as_of: Instant,
    ) -> Result<Evaluated, Status> {
        let version = self.store.version(seller_id).await.map_err(status::from_store)?;
        if let Some(hit) = self.reports.get(seller_id, marketplace_id, version, as_of) {
            return Ok(hit);
        }
        let policy = self.store.policy();
        let first_day = reach::report_first_day(as_of, policy, marketplace_id);
        let (counters, violations, until) = self
            .store
            .counters_until_change(seller_id, marketplace_id, as_of, first_day)
            .await
            .map_err(status::from_store)?;
        let read = Read { counters, violations };
        let (mut report, mut read) = report_of(read, policy.clone(), seller_id, marketplace_id, as_of).await?;
        if report.traced_past_lookback(policy) {
            let everything = self.read(seller_id, marketplace_id, as_of, Day::MIN).await?;
            (report, read) = report_of(everything, policy.clone(), seller_id, marketplace_id, as_of).await?;
        }
        let evaluated = Evaluated { report, counters: Arc::new(read.counters) };
        self.reports.put(seller_id, marketplace_id, version, as_of..until, evaluated.clone());
        Ok(evaluated)
    }

    async fn read(
        &self,
        seller_id: &str,
        marketplace_id: &str,
        as_of: Instant,
        first_day: Day,
    ) -> Result<Read, Status> {
        let (counters, violations) =
            self.store.counters(seller_id, marketplace_id, as_of, first_day).await.map_err(status::from_store)?;
        Ok(Read { counters, violations })
    }
}

/// Evaluates the report of `read` on the blocking pool, giving the read back.
async fn report_of(
    read: Read,
    policy: Policy,
    seller_id: &str,
    marketplace_id: &str,
    as_of: Instant,
) -> Result<(AccountHealthReport, Read), Status> {
    let (seller_id, marketplace_id) = (seller_id.to_owned(), marketplace_id.to_owned());
    blocking(move || {
        let report = sellerhealth_metrics::evaluate(
            &read.counters,
            &read.violations,
            &policy,
            &seller_id,
            &marketplace_id,
            as_of,
        );
        Ok((report, read))
    })
    .await
}

/// Runs CPU-heavy work (folding and evaluating many facts) on the blocking
/// pool, so the threads that answer calls, health checks among them, stay free.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Status> + Send + 'static,
) -> Result<T, Status> {
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        tracing::error!(%error, "evaluation task failed");
        Status::internal("evaluation failed")
    })?
}
