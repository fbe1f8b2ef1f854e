//! What the store suites share: a report from stored counters, evaluated the
//! way a reader of the store does (the server's `figures` module), from every
//! stored day.

use chrono::{DateTime, Utc};
use sellerhealth_domain::Day;
use sellerhealth_metrics::AccountHealthReport;
use sellerhealth_store::{Store, StoreError};

/// The report of `seller` in `marketplace` as of `as_of` from `store`'s
/// counters; NOT_FOUND (an error) for a seller without facts.
pub async fn report(
    store: &Store,
    seller: &str,
    marketplace: &str,
    as_of: DateTime<Utc>,
) -> Result<AccountHealthReport, StoreError> {
    store.version(seller).await?;
    let (counters, violations) = store.counters(seller, marketplace, as_of, Day::MIN).await?;
    Ok(sellerhealth_metrics::evaluate(&counters, &violations, store.policy(), seller, marketplace, as_of))
}
