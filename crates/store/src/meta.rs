//! What the store records about itself: the policy parameters its counters
//! were built with, checked when it opens.

use sellerhealth_metrics::counter_parameters;

use crate::Store;
use crate::error::StoreError;

impl Store {
    /// Compares the parameters the stored counters were built with against
    /// the policy's; records them for a store without any. A log kept from
    /// before they were recorded is taken as built under the current profile
    /// (logged: rebuild if its classification changed since).
    pub(crate) async fn check_counter_parameters(&self) -> Result<(), StoreError> {
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

    pub(crate) async fn record_counter_parameters(&self) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO store_meta (name, value) VALUES ('counter_parameters', $1) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(counter_parameters(&self.policy))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
