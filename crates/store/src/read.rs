//! Reading: the seller's version, the counters of the attribution days a
//! caller names, when they next change, and the seller's facts for lists.
//! Which days a figure needs, and the figure, are `sellerhealth_metrics`'s.

use sellerhealth_domain::{Day, DomainError, Fact, Instant, Policy, PolicyViolation, SellerBook};

use crate::error::StoreError;
use crate::{Store, counters, write};
use sellerhealth_metrics::DayCounters;

impl Store {
    /// The seller's write version, raised by every write of the seller (in any
    /// process): a figure computed at one version holds until it changes.
    /// NOT_FOUND for a seller without facts.
    pub async fn version(&self, seller_id: &str) -> Result<i64, StoreError> {
        match self.versions.version(seller_id).await? {
            Some(version) => Ok(version),
            None => Err(DomainError::NotFound(format!("no facts stored for seller {seller_id:?}")).into()),
        }
    }

    /// [`Store::counters`], and the first instant after `as_of` at which a
    /// report as of it may differ from one as of `as_of`: the next
    /// contribution or violation instant, or the start of the next day,
    /// whichever comes first. What a cached report needs, with the seller's
    /// queued projections done once for both.
    pub async fn counters_until_change(
        &self,
        seller_id: &str,
        marketplace_id: &str,
        as_of: Instant,
        earliest: Day,
    ) -> Result<(DayCounters, Vec<PolicyViolation>, Instant), StoreError> {
        self.catch_up(seller_id).await?;
        let (counters, violations) = self.projected_counters(seller_id, marketplace_id, as_of, earliest).await?;
        let until = self.next_change(seller_id, marketplace_id, as_of, &violations).await?;
        Ok((counters, violations, until))
    }

    /// The next change after `as_of` (see [`Store::counters_until_change`])
    /// among the contributions projected so far.
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
        let calendar = self.policy.calendar(marketplace_id);
        let tomorrow = calendar.start_of(calendar.day_of(as_of).succ_opt().unwrap_or(Day::MAX));
        let violation_instants = violations.iter().flat_map(|v| [Some(v.occurred_at), v.resolved_at]).flatten();
        Ok(next
            .map(chrono::DateTime::from_timestamp_nanos)
            .into_iter()
            .chain(violation_instants)
            .filter(|at| *at > as_of)
            .fold(tomorrow, Instant::min))
    }

    /// The counters of `seller_id` in `marketplace_id` with attribution days from
    /// `earliest` on, as of `as_of`, and the seller's policy violations there
    /// (a seller without facts has none of either: see [`Store::version`]).
    /// Every write acknowledged before the call is in them: the seller's
    /// queued projections are done first.
    pub async fn counters(
        &self,
        seller_id: &str,
        marketplace_id: &str,
        as_of: Instant,
        earliest: Day,
    ) -> Result<(DayCounters, Vec<PolicyViolation>), StoreError> {
        self.catch_up(seller_id).await?;
        self.projected_counters(seller_id, marketplace_id, as_of, earliest).await
    }

    /// [`Store::counters`] as projected so far.
    async fn projected_counters(
        &self,
        seller_id: &str,
        marketplace_id: &str,
        as_of: Instant,
        earliest: Day,
    ) -> Result<(DayCounters, Vec<PolicyViolation>), StoreError> {
        let started = std::time::Instant::now();
        let calendar = self.policy.calendar(marketplace_id);
        let base = calendar.day_of(as_of);
        let before_eff = counters::day_number(base);
        let days: Vec<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT day, totals FROM counters WHERE seller_id = $1 AND marketplace_id = $2 AND day >= $3",
        )
        .bind(seller_id)
        .bind(marketplace_id)
        .bind(counters::day_number(earliest))
        .fetch_all(&self.pool)
        .await?;
        let mut rows = Vec::new();
        for (day, totals) in &days {
            let day = counters::day_from_number(*day);
            for record in counters::unpack_records(totals) {
                let (counter, eff_day, total) = record?;
                if eff_day < before_eff {
                    rows.push((counter, day, counters::day_from_number(eff_day), total));
                }
            }
        }
        let today: Vec<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT at_ns, changes FROM contributions \
             WHERE seller_id = $1 AND marketplace_id = $2 AND at_ns >= $3 AND at_ns <= $4",
        )
        .bind(seller_id)
        .bind(marketplace_id)
        .bind(counters::instant_number(calendar.start_of(base)))
        .bind(counters::instant_number(as_of))
        .fetch_all(&self.pool)
        .await?;
        let earliest_number = counters::day_number(earliest);
        let mut changes_today = Vec::new();
        for (at_ns, changes) in &today {
            let at = chrono::DateTime::from_timestamp_nanos(*at_ns);
            for record in counters::unpack_records(changes) {
                let (counter, day, delta) = record?;
                if day >= earliest_number {
                    changes_today.push((counter, counters::day_from_number(day), at, delta));
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
        Ok((DayCounters::new(marketplace_id, calendar, as_of, rows, changes_today), found))
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

    pub(crate) async fn book(&self, seller_id: &str) -> Result<SellerBook, StoreError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT event_id, payload FROM events WHERE seller_id = $1 ORDER BY seq")
                .bind(seller_id)
                .fetch_all(&self.pool)
                .await?;
        let mut book = SellerBook::new(seller_id);
        for (event_id, payload) in rows {
            book.restore(&event_id, &write::parse_fact(&payload)?);
        }
        Ok(book)
    }
}
