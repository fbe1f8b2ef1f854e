//! Reports already computed, kept while they are current: keyed by seller and
//! marketplace, each tagged with the seller's write version it was computed at
//! and the span of instants it holds for.
//!
//! A report as of T holds unchanged for every T' from T up to (not including)
//! the next instant anything changes: the next contribution or violation
//! instant after T, or the end of T's day (windows move with the day),
//! whichever is first. Within that span only the report's `as_of` differs.
//! A write raises the version, so a report computed before it is never served
//! after it, in this process or (the version is read from the database on
//! every call) in another one.

use std::sync::{Arc, Mutex};

use sellerhealth_domain::Instant;
use sellerhealth_metrics::AccountHealthReport;

use crate::counters::StoredCounters;

/// Reports kept at most: one per seller and marketplace, about 4 KiB each.
pub(crate) const CAPACITY: usize = 10_000;

/// One computed report and where it holds.
pub(crate) struct Cached {
    /// The seller's write version it was computed at (or later: a write that
    /// committed while it was computed makes it newer than its tag, never older).
    pub(crate) version: i64,
    /// The report holds for `as_of` in `from..until`.
    pub(crate) from: Instant,
    pub(crate) until: Instant,
    pub(crate) report: AccountHealthReport,
    pub(crate) counters: Arc<StoredCounters>,
}

/// A bounded map of [`Cached`] reports. When full, the entry filled longest ago
/// makes room (a scan, paid only on a miss, which costs far more anyway).
pub(crate) struct ReportCache {
    inner: Mutex<Entries>,
    capacity: usize,
}

#[derive(Default)]
struct Entries {
    /// (seller, marketplace) → (fill tick, report).
    map: foldhash::HashMap<(String, String), (u64, Arc<Cached>)>,
    /// Fills so far: the tick of the next.
    ticks: u64,
}

impl ReportCache {
    pub(crate) fn new(capacity: usize) -> Self {
        ReportCache { inner: Mutex::default(), capacity }
    }

    /// The report of `seller_id` in `marketplace_id` as of `as_of`, if one
    /// computed at `version` holds then.
    pub(crate) fn get(
        &self,
        seller_id: &str,
        marketplace_id: &str,
        version: i64,
        as_of: Instant,
    ) -> Option<(AccountHealthReport, Arc<StoredCounters>)> {
        let entries = self.inner.lock().ok()?;
        let (_, cached) = entries.map.get(&(seller_id.to_owned(), marketplace_id.to_owned()))?;
        if cached.version != version || as_of < cached.from || as_of >= cached.until {
            return None;
        }
        let mut report = cached.report.clone();
        report.as_of = as_of;
        Some((report, Arc::clone(&cached.counters)))
    }

    pub(crate) fn put(&self, seller_id: &str, marketplace_id: &str, cached: Cached) {
        let Ok(mut entries) = self.inner.lock() else { return };
        let tick = entries.ticks;
        entries.ticks = tick.saturating_add(1);
        let key = (seller_id.to_owned(), marketplace_id.to_owned());
        if entries.map.len() >= self.capacity && !entries.map.contains_key(&key) {
            let oldest = entries.map.iter().min_by_key(|(_, (tick, _))| *tick).map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                entries.map.remove(&oldest);
            }
        }
        entries.map.insert(key, (tick, Arc::new(cached)));
    }
}
