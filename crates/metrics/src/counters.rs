//! Counters: raw facts per attribution day, independent of any threshold.
//!
//! A [`Contribution`] says "from instant `at` on, counter `counter` of day `day` in
//! marketplace `marketplace_id` changes by `delta`". Summing contributions with
//! `at <= T` gives the counters as they stood at T, which is what makes time travel
//! exact. The in-memory [`ContributionSet`] and the store's tables are two
//! [`CounterSource`]s over the same contributions.

use sellerhealth_domain::{Day, DayRange, FulfillmentChannel, Instant, PolicyCategory};
use serde::{Deserialize, Serialize};

/// What a counter counts, and by which attribution day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Counter {
    /// Orders, by purchase day.
    Orders(FulfillmentChannel),
    /// Orders with at least one defect, by purchase day.
    DefectiveOrders(FulfillmentChannel),
    /// Orders whose current feedback is negative and counts, by purchase day.
    NegativeFeedback(FulfillmentChannel),
    /// Orders with an A-to-z claim not denied, by purchase day.
    AtozClaims(FulfillmentChannel),
    /// Orders with a service chargeback, by purchase day.
    ServiceChargebacks(FulfillmentChannel),
    /// Orders with a refund or concession, by purchase day.
    RefundedOrders(FulfillmentChannel),
    /// MFN orders cancelled by the seller before shipment, by purchase day.
    SellerCancelledOrders,
    /// MFN orders not cancelled before shipment, by latest-ship day.
    ShipmentsDue,
    /// MFN orders first confirmed after their latest ship date (or not yet), by latest-ship day.
    LateShipments,
    /// MFN orders not cancelled whose shipping is unknown (no shipment data), by latest-ship day.
    ShipmentDataMissing,
    /// MFN shipments confirmed, by confirmation day.
    ShipmentsConfirmed,
    /// MFN shipments whose tracking had a carrier scan, by confirmation day.
    ValidTracking,
    /// MFN shipments with valid tracking, by promised delivery day.
    TrackedDeliveries,
    /// MFN tracked shipments delivered by the promised day, by promised delivery day.
    OnTimeDeliveries,
    /// MFN units ordered (not cancelled), by promised delivery day.
    UnitsPromised,
    /// MFN units delivered by the promised day, by promised delivery day.
    UnitsOnTime,
    /// MFN orders not cancelled with a promised date whose shipping is unknown, by promised delivery day.
    DeliveryDataMissing,
    /// MFN shipments whose carrier data is unknown (no scan yet), by confirmation day.
    CarrierDataMissing,
    /// MFN shipments of orders with a promised date whose carrier data is unknown, by promised delivery day.
    DeliveryCarrierDataMissing,
    /// Business orders, by purchase day.
    BusinessOrders,
    /// Business orders with a missing or late invoice, by purchase day.
    InvoiceDefects,
    /// Of those, no invoice uploaded yet.
    MissingInvoices,
    /// Of those, uploaded after the deadline.
    LateInvoices,
    /// Orders shipped and not cancelled, by purchase day (AHR).
    FulfilledOrders,
    /// Buyer messages received, by received day.
    MessagesReceived,
    /// Messages first answered within the SLA, by received day.
    MessagesOnTime,
    /// Messages answered after the SLA or unanswered past it, by received day.
    MessagesLate,
    /// Messages answered, by received day.
    MessagesAnswered,
    /// Sum of first-response times in seconds, by received day.
    ResponseSeconds,
    /// Messages answered within `h` whole hours (rounded up), by received day.
    ResponseHours(u32),
    /// Return requests, by requested day.
    ReturnRequests,
    /// Return requests with a dissatisfaction, by requested day.
    ReturnsDissatisfied,
    /// Orders with a customer service survey answer, by the latest answer's day.
    SurveyResponses,
    /// Of those, the latest answer was "not satisfied".
    SurveysDissatisfied,
    /// Policy violations, by occurrence day.
    Violations(PolicyCategory),
    /// Orders in a seller-rating score class, by purchase day.
    OrderScore(ScoreClass),
}

impl Counter {
    /// Stable name used as the storage key (its JSON form); never change a published one.
    pub fn key(self) -> String {
        serde_json::to_string(&self).unwrap_or_default()
    }

    /// The counter a storage key names.
    pub fn from_key(key: &str) -> Option<Counter> {
        serde_json::from_str(key).ok()
    }
}

/// The most severe problem of an order, which sets its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum ScoreClass {
    /// Claim, negative feedback, service chargeback, or unshipped 30 days late: −500.
    SevereDefect,
    /// Cancelled by the seller: −100.
    SellerCancelled,
    /// Shipped late, or a buyer message unanswered over the SLA: 0.
    ServiceProblem,
    /// No problem: 100.
    Perfect,
    /// No problem and every bonus condition: 110.
    PerfectWithBonus,
}

impl ScoreClass {
    /// Every class, most severe first.
    pub const ALL: [ScoreClass; 5] = [
        ScoreClass::SevereDefect,
        ScoreClass::SellerCancelled,
        ScoreClass::ServiceProblem,
        ScoreClass::Perfect,
        ScoreClass::PerfectWithBonus,
    ];

    /// Points an order of this class scores.
    pub fn score(self) -> i64 {
        match self {
            ScoreClass::SevereDefect => -500,
            ScoreClass::SellerCancelled => -100,
            ScoreClass::ServiceProblem => 0,
            ScoreClass::Perfect => 100,
            ScoreClass::PerfectWithBonus => 110,
        }
    }
}

/// A change of one counter of one day, effective from an instant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Contribution {
    /// Marketplace the counter belongs to.
    pub marketplace_id: String,
    /// What is counted.
    pub counter: Counter,
    /// Attribution day (purchase day, ship-by day, ...).
    pub day: Day,
    /// From when the change holds.
    pub at: Instant,
    /// +1 or -1 (or any step).
    pub delta: i64,
}

/// Where counters are read from: in memory or from the store.
pub trait CounterSource {
    /// Sum of `counter` over the days of `days`, counting only changes effective at
    /// or before `as_of`.
    fn total(&self, marketplace_id: &str, counter: Counter, days: DayRange, as_of: Instant) -> i64;

    /// The non-zero `ResponseHours(h)` totals over `days` as of `as_of`, by `h` ascending.
    fn response_hours(&self, marketplace_id: &str, days: DayRange, as_of: Instant) -> Vec<(u32, i64)>;

    /// Every (attribution day, effective day) that holds a change of `counter`,
    /// in any order: a rate's figures change only on days derived from these,
    /// so warnings and recovery step from one to the next instead of walking
    /// every day.
    fn change_days(&self, marketplace_id: &str, counter: Counter) -> Vec<(Day, Day)>;
}

/// One stored change: attribution day, effective instant, amount.
type Entry = (Day, Instant, i64);

/// Contributions held in memory: the stateless path and the tests. Entries of a
/// counter are kept sorted by day, so a window costs a binary search plus its days.
#[derive(Debug, Clone, Default)]
pub struct ContributionSet {
    by_counter: foldhash::HashMap<(String, Counter), Vec<Entry>>,
}

impl ContributionSet {
    /// A set holding `contributions`.
    pub fn new(contributions: impl IntoIterator<Item = Contribution>) -> Self {
        let mut set = ContributionSet::default();
        set.extend(contributions);
        set
    }

    /// Adds more contributions.
    pub fn extend(&mut self, contributions: impl IntoIterator<Item = Contribution>) {
        for c in contributions {
            self.by_counter.entry((c.marketplace_id, c.counter)).or_default().push((c.day, c.at, c.delta));
        }
        for entries in self.by_counter.values_mut() {
            entries.sort_unstable_by_key(|(day, at, _)| (*day, *at));
        }
    }

    /// Every counter of a marketplace present in the set.
    pub fn counters(&self, marketplace_id: &str) -> impl Iterator<Item = Counter> + '_ {
        let marketplace_id = marketplace_id.to_owned();
        self.by_counter.keys().filter(move |(m, _)| *m == marketplace_id).map(|(_, c)| *c)
    }
}

impl CounterSource for ContributionSet {
    fn total(&self, marketplace_id: &str, counter: Counter, days: DayRange, as_of: Instant) -> i64 {
        let Some(entries) = self.by_counter.get(&(marketplace_id.to_owned(), counter)) else { return 0 };
        let first = entries.partition_point(|(day, _, _)| *day < days.start);
        // Sums of count deltas: saturating only matters for nonsense input.
        entries
            .get(first..)
            .unwrap_or_default()
            .iter()
            .take_while(|(day, _, _)| *day <= days.end)
            .filter(|(_, at, _)| *at <= as_of)
            .map(|(_, _, delta)| *delta)
            .fold(0, i64::saturating_add)
    }

    fn change_days(&self, marketplace_id: &str, counter: Counter) -> Vec<(Day, Day)> {
        let entries = self.by_counter.get(&(marketplace_id.to_owned(), counter));
        entries.into_iter().flatten().map(|(day, at, _)| (*day, sellerhealth_domain::day_of(*at))).collect()
    }

    fn response_hours(&self, marketplace_id: &str, days: DayRange, as_of: Instant) -> Vec<(u32, i64)> {
        let mut buckets: Vec<(u32, i64)> = self
            .counters(marketplace_id)
            .filter_map(|c| match c {
                Counter::ResponseHours(h) => Some((h, self.total(marketplace_id, c, days, as_of))),
                _ => None,
            })
            .filter(|(_, n)| *n != 0)
            .collect();
        buckets.sort_unstable();
        buckets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for counter in [
            Counter::Orders(FulfillmentChannel::Mfn),
            Counter::ResponseHours(17),
            Counter::Violations(PolicyCategory::DocumentRequests),
            Counter::OrderScore(ScoreClass::PerfectWithBonus),
            Counter::LateShipments,
        ] {
            assert_eq!(Counter::from_key(&counter.key()), Some(counter));
        }
        assert_eq!(Counter::Orders(FulfillmentChannel::Afn).key(), r#"{"Orders":"AFN"}"#);
    }
}
