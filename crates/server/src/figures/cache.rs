//! Account health reports already computed, kept while they are current:
//! keyed by seller and marketplace, each tagged with the seller's write
//! version it was computed at and the span of instants it holds for.
//!
//! A report as of T holds unchanged for every T' from T up to (not including)
//! the next instant anything changes: the next contribution or violation
//! instant after T, or the end of T's day (windows move with the day),
//! whichever is first. Within that span only the report's `as_of` differs.
//! A write raises the version, so a report computed before it is never served
//! after it, in this process or (the version is read from the database on
//! every call) in another one.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use sellerhealth_domain::Instant;

use super::Evaluated;

/// Reports kept at most: one per seller and marketplace, about 4 KiB each.
pub(super) const CAPACITY: usize = 10_000;

/// One computed report and where it holds.
struct Cached {
    /// The seller's write version it was computed at (or later: a write that
    /// committed while it was computed makes it newer than its tag, never older).
    version: i64,
    /// The instants the report holds for.
    holds: Range<Instant>,
    evaluated: Evaluated,
    /// When it was filled, in fills so far: the oldest makes room.
    tick: u64,
}

/// A bounded map of [`Cached`] reports. When full, the entry filled longest ago
/// makes room (a scan, paid only on a miss, which costs far more anyway).
pub(super) struct ReportCache {
    inner: Mutex<Entries>,
    capacity: usize,
}

#[derive(Default)]
struct Entries {
    /// seller → marketplace → report: looked up by borrowed ids, no key built per call.
    sellers: HashMap<String, HashMap<String, Cached>, foldhash::fast::RandomState>,
    len: usize,
    /// Fills so far: the tick of the next.
    ticks: u64,
}

impl ReportCache {
    pub(super) fn new(capacity: usize) -> Self {
        ReportCache { inner: Mutex::default(), capacity }
    }

    /// The report of `seller_id` in `marketplace_id` as of `as_of`, if one
    /// computed at `version` holds then.
    pub(super) fn get(&self, seller_id: &str, marketplace_id: &str, version: i64, as_of: Instant) -> Option<Evaluated> {
        let entries = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let cached = entries.sellers.get(seller_id)?.get(marketplace_id)?;
        if cached.version != version || !cached.holds.contains(&as_of) {
            return None;
        }
        let mut evaluated = cached.evaluated.clone();
        evaluated.report.as_of = as_of;
        Some(evaluated)
    }

    /// Keeps `evaluated`, computed at `version`, for the instants `holds`.
    pub(super) fn put(
        &self,
        seller_id: &str,
        marketplace_id: &str,
        version: i64,
        holds: Range<Instant>,
        evaluated: Evaluated,
    ) {
        let mut entries = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let tick = entries.ticks;
        entries.ticks = tick.saturating_add(1);
        let known = entries.sellers.get(seller_id).is_some_and(|m| m.contains_key(marketplace_id));
        if !known && entries.len >= self.capacity {
            entries.evict_oldest();
        }
        let cached = Cached { version, holds, evaluated, tick };
        if entries.sellers.entry(seller_id.to_owned()).or_default().insert(marketplace_id.to_owned(), cached).is_none()
        {
            entries.len = entries.len.saturating_add(1);
        }
    }
}

impl Entries {
    fn evict_oldest(&mut self) {
        let oldest = self
            .sellers
            .iter()
            .flat_map(|(seller, marketplaces)| marketplaces.iter().map(move |(m, cached)| (cached.tick, seller, m)))
            .min()
            .map(|(_, seller, marketplace)| (seller.clone(), marketplace.clone()));
        let Some((seller, marketplace)) = oldest else { return };
        if let Some(marketplaces) = self.sellers.get_mut(&seller) {
            if marketplaces.remove(&marketplace).is_some() {
                self.len = self.len.saturating_sub(1);
            }
            if marketplaces.is_empty() {
                self.sellers.remove(&seller);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{Duration, TimeZone, Utc};
    use sellerhealth_domain::{Policy, SellerBook};

    use super::*;

    fn evaluated(seller: &str) -> Evaluated {
        let as_of = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
        let report = sellerhealth_metrics::evaluate_book(&SellerBook::new(seller), &Policy::amazon(), "US", as_of);
        Evaluated { report, counters: Arc::default() }
    }

    #[test]
    fn a_report_is_served_for_its_version_and_span_only_and_the_oldest_makes_room() {
        let cache = ReportCache::new(2);
        let t = Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap();
        cache.put("a", "US", 3, t..t + Duration::hours(1), evaluated("a"));
        let hit = cache.get("a", "US", 3, t + Duration::minutes(30)).unwrap();
        assert_eq!((hit.report.seller_id.as_str(), hit.report.as_of), ("a", t + Duration::minutes(30)));
        assert!(cache.get("a", "US", 4, t).is_none(), "another version");
        assert!(cache.get("a", "US", 3, t + Duration::hours(1)).is_none(), "past the span");
        assert!(cache.get("a", "US", 3, t - Duration::nanoseconds(1)).is_none(), "before the span");
        assert!(cache.get("a", "UK", 3, t).is_none(), "another marketplace");
        cache.put("b", "US", 1, t..t + Duration::hours(1), evaluated("b"));
        // Refilling a known key makes no room.
        cache.put("a", "US", 3, t..t + Duration::hours(1), evaluated("a"));
        cache.put("c", "US", 1, t..t + Duration::hours(1), evaluated("c"));
        assert!(cache.get("b", "US", 1, t).is_none(), "b was filled longest ago");
        assert!(cache.get("a", "US", 3, t).is_some());
        assert!(cache.get("c", "US", 1, t).is_some());
    }
}
