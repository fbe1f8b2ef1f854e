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

    /// Stable number used in the stored binary form (docs/DESIGN.md, "Counters
    /// on disk"): the counter's kind in the high byte, its parameter (channel,
    /// hours, policy category, score class) in the low 24 bits. Never change a
    /// published one; new kinds take new numbers.
    pub fn code(self) -> u32 {
        let (kind, parameter): (u8, u32) = match self {
            Counter::Orders(ch) => (1, channel_code(ch)),
            Counter::DefectiveOrders(ch) => (2, channel_code(ch)),
            Counter::NegativeFeedback(ch) => (3, channel_code(ch)),
            Counter::AtozClaims(ch) => (4, channel_code(ch)),
            Counter::ServiceChargebacks(ch) => (5, channel_code(ch)),
            Counter::RefundedOrders(ch) => (6, channel_code(ch)),
            Counter::SellerCancelledOrders => (7, 0),
            Counter::ShipmentsDue => (8, 0),
            Counter::LateShipments => (9, 0),
            Counter::ShipmentDataMissing => (10, 0),
            Counter::ShipmentsConfirmed => (11, 0),
            Counter::ValidTracking => (12, 0),
            Counter::TrackedDeliveries => (13, 0),
            Counter::OnTimeDeliveries => (14, 0),
            Counter::UnitsPromised => (15, 0),
            Counter::UnitsOnTime => (16, 0),
            Counter::DeliveryDataMissing => (17, 0),
            Counter::CarrierDataMissing => (18, 0),
            Counter::DeliveryCarrierDataMissing => (19, 0),
            Counter::BusinessOrders => (20, 0),
            Counter::InvoiceDefects => (21, 0),
            Counter::MissingInvoices => (22, 0),
            Counter::LateInvoices => (23, 0),
            Counter::FulfilledOrders => (24, 0),
            Counter::MessagesReceived => (25, 0),
            Counter::MessagesOnTime => (26, 0),
            Counter::MessagesLate => (27, 0),
            Counter::MessagesAnswered => (28, 0),
            Counter::ResponseSeconds => (29, 0),
            // Hours of a response within 1970–2262 stay far below 2^24 (about 1,900 years).
            Counter::ResponseHours(hours) => (30, hours.min(PARAMETER_MASK)),
            Counter::ReturnRequests => (31, 0),
            Counter::ReturnsDissatisfied => (32, 0),
            Counter::SurveyResponses => (33, 0),
            Counter::SurveysDissatisfied => (34, 0),
            Counter::Violations(category) => (35, category_code(category)),
            Counter::OrderScore(class) => (36, score_class_code(class)),
        };
        let [_, high, middle, low] = parameter.to_be_bytes();
        u32::from_be_bytes([kind, high, middle, low])
    }

    /// The counter a [`code`](Counter::code) names; `None` for a number no
    /// counter has.
    pub fn from_code(code: u32) -> Option<Counter> {
        let [kind, high, middle, low] = code.to_be_bytes();
        let parameter = u32::from_be_bytes([0, high, middle, low]);
        let channel = || FulfillmentChannel::ALL.get(usize::try_from(parameter).ok()?).copied();
        let plain = |counter: Counter| (parameter == 0).then_some(counter);
        match kind {
            1 => channel().map(Counter::Orders),
            2 => channel().map(Counter::DefectiveOrders),
            3 => channel().map(Counter::NegativeFeedback),
            4 => channel().map(Counter::AtozClaims),
            5 => channel().map(Counter::ServiceChargebacks),
            6 => channel().map(Counter::RefundedOrders),
            7 => plain(Counter::SellerCancelledOrders),
            8 => plain(Counter::ShipmentsDue),
            9 => plain(Counter::LateShipments),
            10 => plain(Counter::ShipmentDataMissing),
            11 => plain(Counter::ShipmentsConfirmed),
            12 => plain(Counter::ValidTracking),
            13 => plain(Counter::TrackedDeliveries),
            14 => plain(Counter::OnTimeDeliveries),
            15 => plain(Counter::UnitsPromised),
            16 => plain(Counter::UnitsOnTime),
            17 => plain(Counter::DeliveryDataMissing),
            18 => plain(Counter::CarrierDataMissing),
            19 => plain(Counter::DeliveryCarrierDataMissing),
            20 => plain(Counter::BusinessOrders),
            21 => plain(Counter::InvoiceDefects),
            22 => plain(Counter::MissingInvoices),
            23 => plain(Counter::LateInvoices),
            24 => plain(Counter::FulfilledOrders),
            25 => plain(Counter::MessagesReceived),
            26 => plain(Counter::MessagesOnTime),
            27 => plain(Counter::MessagesLate),
            28 => plain(Counter::MessagesAnswered),
            29 => plain(Counter::ResponseSeconds),
            30 => Some(Counter::ResponseHours(parameter)),
            31 => plain(Counter::ReturnRequests),
            32 => plain(Counter::ReturnsDissatisfied),
            33 => plain(Counter::SurveyResponses),
            34 => plain(Counter::SurveysDissatisfied),
            35 => PolicyCategory::ALL.get(usize::try_from(parameter).ok()?).copied().map(Counter::Violations),
            36 => ScoreClass::ALL.get(usize::try_from(parameter).ok()?).copied().map(Counter::OrderScore),
            _ => None,
        }
    }
}

/// The counter's name for people, as `sellerhealth-server counters` prints
/// it: `Orders(Afn)`, `LateShipments`, `ResponseHours(17)`.
impl std::fmt::Display for Counter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

/// The low 24 bits of a [`Counter::code`].
const PARAMETER_MASK: u32 = 0x00ff_ffff;

fn channel_code(channel: FulfillmentChannel) -> u32 {
    match channel {
        FulfillmentChannel::Mfn => 0,
        FulfillmentChannel::Afn => 1,
    }
}

fn category_code(category: PolicyCategory) -> u32 {
    match category {
        PolicyCategory::ListingPolicyViolations => 0,
        PolicyCategory::ProductAuthenticityCustomerComplaints => 1,
        PolicyCategory::ProductConditionCustomerComplaints => 2,
        PolicyCategory::ProductSafetyCustomerComplaints => 3,
        PolicyCategory::ReceivedIntellectualPropertyComplaints => 4,
        PolicyCategory::RestrictedProductPolicyViolations => 5,
        PolicyCategory::SuspectedIntellectualPropertyViolations => 6,
        PolicyCategory::FoodAndProductSafetyIssues => 7,
        PolicyCategory::CustomerProductReviewsPolicyViolations => 8,
        PolicyCategory::OtherPolicyViolations => 9,
        PolicyCategory::DocumentRequests => 10,
    }
}

fn score_class_code(class: ScoreClass) -> u32 {
    match class {
        ScoreClass::SevereDefect => 0,
        ScoreClass::SellerCancelled => 1,
        ScoreClass::ServiceProblem => 2,
        ScoreClass::Perfect => 3,
        ScoreClass::PerfectWithBonus => 4,
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

    /// Every change of `counter` effective at or before `as_of`, in any order:
    /// (attribution day, effective day, delta). Daily figures are built from
    /// these in one pass instead of one window sum per day
    /// ([`RateSpec::daily_counts`](crate::rate::RateSpec::daily_counts)).
    fn changes(&self, marketplace_id: &str, counter: Counter, as_of: Instant) -> Vec<(Day, Day, i64)>;
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

    fn changes(&self, marketplace_id: &str, counter: Counter, as_of: Instant) -> Vec<(Day, Day, i64)> {
        let entries = self.by_counter.get(&(marketplace_id.to_owned(), counter));
        entries
            .into_iter()
            .flatten()
            .filter(|(_, at, _)| *at <= as_of)
            .map(|(day, at, delta)| (*day, sellerhealth_domain::day_of(*at), *delta))
            .collect()
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

    #[test]
    fn codes_are_stable_and_round_trip() {
        assert_eq!(Counter::Orders(FulfillmentChannel::Mfn).code(), 0x0100_0000);
        assert_eq!(Counter::Orders(FulfillmentChannel::Afn).code(), 0x0100_0001);
        assert_eq!(Counter::LateShipments.code(), 0x0900_0000);
        assert_eq!(Counter::ResponseHours(17).code(), 0x1e00_0011);
        assert_eq!(Counter::Violations(PolicyCategory::DocumentRequests).code(), 0x2300_000a);
        assert_eq!(Counter::OrderScore(ScoreClass::PerfectWithBonus).code(), 0x2400_0004);
        let mut every: Vec<Counter> = Vec::new();
        for ch in FulfillmentChannel::ALL {
            every.extend([
                Counter::Orders(ch),
                Counter::DefectiveOrders(ch),
                Counter::NegativeFeedback(ch),
                Counter::AtozClaims(ch),
                Counter::ServiceChargebacks(ch),
                Counter::RefundedOrders(ch),
            ]);
        }
        every.extend(PolicyCategory::ALL.map(Counter::Violations));
        every.extend(ScoreClass::ALL.map(Counter::OrderScore));
        every.extend([0, 1, 48, 2_600_000].map(Counter::ResponseHours));
        for code in (7..=34).filter(|kind| *kind != 30).map(|kind: u32| kind << 24) {
            every.push(Counter::from_code(code).unwrap());
        }
        let mut codes: Vec<u32> = every.iter().map(|c| c.code()).collect();
        for counter in &every {
            assert_eq!(Counter::from_code(counter.code()), Some(*counter));
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), every.len(), "two counters share a code");
        for unknown in [0, 0x0100_0002, 0x0700_0001, 0x2300_000b, 0x2400_0005, 0x2500_0000, u32::MAX] {
            assert_eq!(Counter::from_code(unknown), None, "{unknown:#x}");
        }
    }
}
