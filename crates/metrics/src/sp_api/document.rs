//! The GET_V2_SELLER_PERFORMANCE_REPORT document as types: one definition that
//! writes our export and reads Amazon's report.
//!
//! Property names, required properties and enums are those of Amazon's schema
//! (`accountHealthReport-2020-11-18.json`, draft-07). Reading is as
//! strict as the schema where the schema is definite (a status other than GOOD,
//! BAD or NONE, a count that is not a whole number, a metric without its rate
//! or its reporting dates are refused, naming the place), and tolerant exactly
//! where real reports (the schema's own example among them) are known to
//! differ from it:
//!
//! - `prefulfillmentCancelRate` for `preFulfillmentCancellationRate`,
//!   `warningState` for `warningStates` (a list or a single object), and
//!   `documentRequest` for `documentRequests`;
//! - a `{count, status}` component left out when zero reads as count 0, NONE;
//! - a metric (or policy category) left out reads as absent, never as zero:
//!   the unit on-time delivery rate, for one, exists only in the US marketplace;
//! - `SUSPENDED` as an account status (the schema's example has it, its enum
//!   does not);
//! - `ahrStatus`, which the schema requires without a type (its enum, GREAT or
//!   WARNED, sits on a property named `accountHealthRatingStatus`), is any text;
//! - reporting times with seconds or an offset (`2026-09-24T23:59:59Z`) besides
//!   the schema's `2020-11-18T23:59Z`;
//! - properties the schema does not name (it allows additional properties) are
//!   ignored, and two of ours are written: `lateShipmentRateList` and `ahrScore`.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Timelike};
use sellerhealth_domain::{Calendar, Day, DayRange, PolicyCategory, TargetCondition};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::rate::MetricStatus;

/// The whole report document: account status and metrics per marketplace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// The account status of each marketplace.
    pub account_statuses: Vec<AccountStatusEntry>,
    /// The metrics of each marketplace.
    pub performance_metrics: Vec<PerformanceMetrics>,
}

impl Document {
    /// The metrics of `marketplace_id`, if the document holds them.
    pub fn metrics_of(&self, marketplace_id: &str) -> Option<&PerformanceMetrics> {
        self.performance_metrics.iter().find(|m| m.marketplace_id == marketplace_id)
    }

    /// The account status of `marketplace_id`, if the document gives one.
    pub fn account_status_of(&self, marketplace_id: &str) -> Option<AccountStatus> {
        self.account_statuses.iter().find(|s| s.marketplace_id == marketplace_id).map(|s| s.status)
    }
}

/// One marketplace's account status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountStatusEntry {
    /// Marketplace id.
    pub marketplace_id: String,
    /// Its status.
    pub status: AccountStatus,
}

/// An account status as the report spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountStatus {
    /// Selling normally (our HEALTHY).
    Normal,
    /// At risk of deactivation (our AT_RISK).
    AtRisk,
    /// Deactivated (our CRITICAL).
    Deactivated,
    /// Read only: the schema's own example shows it, though its enum lacks it.
    Suspended,
}

impl AccountStatus {
    /// The report's spelling, e.g. `AT_RISK`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Normal => "NORMAL",
            AccountStatus::AtRisk => "AT_RISK",
            AccountStatus::Deactivated => "DEACTIVATED",
            AccountStatus::Suspended => "SUSPENDED",
        }
    }
}

/// A metric's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Meets the target.
    Good,
    /// Misses the target.
    Bad,
    /// No data, or (for components) not rated on its own.
    #[default]
    None,
}

impl From<MetricStatus> for Status {
    fn from(status: MetricStatus) -> Self {
        match status {
            MetricStatus::Good => Status::Good,
            MetricStatus::Bad => Status::Bad,
            MetricStatus::None => Status::None,
        }
    }
}

/// Which channel an order defect rate is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FulfillmentType {
    /// Seller-fulfilled.
    #[serde(rename = "mfn", alias = "MFN")]
    Mfn,
    /// Fulfilled by Amazon.
    #[serde(rename = "afn", alias = "AFN")]
    Afn,
}

/// An instant of a reporting date range, in UTC to the minute as the schema
/// writes it (`2020-11-18T23:59Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReportingTime(pub NaiveDateTime);

/// What a reporting time must look like, for the refusal.
const REPORTING_TIME: &str = "a UTC date and time such as 2020-11-18T23:59Z";

impl ReportingTime {
    /// Reads `2020-11-18T23:59Z` (the schema's form) or any RFC 3339 instant
    /// (`2020-11-18T23:59:59Z`, `…+01:00`, which is taken to UTC).
    pub fn parse(text: &str) -> Option<Self> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%MZ")
            .ok()
            .or_else(|| DateTime::parse_from_rfc3339(text).ok().map(|t| t.naive_utc()))
            .or_else(|| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M%:z").ok().map(|t| t.naive_utc()))
            .map(ReportingTime)
    }
}

impl Serialize for ReportingTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.format("%Y-%m-%dT%H:%MZ"))
    }
}

impl<'de> Deserialize<'de> for ReportingTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ReportingTime::parse(&text).ok_or_else(|| de::Error::invalid_value(Unexpected::Str(&text), &REPORTING_TIME))
    }
}

/// The days a metric covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDateRange {
    /// The first instant (00:00 of the first day).
    pub reporting_date_from: ReportingTime,
    /// The last instant (23:59 of the last day).
    pub reporting_date_to: ReportingTime,
}

impl ReportingDateRange {
    /// The range of `days` of the marketplace's `calendar`: the UTC instants
    /// of the first day's start and of the last minute of the last day (for a
    /// UTC marketplace, 00:00 and 23:59).
    pub fn of_days(days: DayRange, calendar: Calendar) -> Self {
        let last_minute = calendar.end_of(days.end).naive_utc();
        let last_minute = last_minute.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(last_minute);
        ReportingDateRange {
            reporting_date_from: ReportingTime(calendar.start_of(days.start).naive_utc()),
            reporting_date_to: ReportingTime(last_minute),
        }
    }

    /// The first and last day, of `calendar`.
    fn days(&self, calendar: Calendar) -> (Day, Day) {
        let day = |time: &ReportingTime| calendar.day_of(time.0.and_utc());
        (day(&self.reporting_date_from), day(&self.reporting_date_to))
    }

    /// The days as `2026-04-18..2026-06-16` (first and last day of `calendar`).
    pub fn days_text(&self, calendar: Calendar) -> String {
        let (first, last) = self.days(calendar);
        format!("{first}..{last}")
    }

    /// Days from the first to the last of `calendar`, both counted (0 when reversed).
    pub fn day_count(&self, calendar: Calendar) -> i64 {
        let (first, last) = self.days(calendar);
        last.signed_duration_since(first).num_days().saturating_add(1).max(0)
    }
}

/// A count with its own status (ODR components, invoice defects).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Component {
    /// How many.
    pub count: i64,
    /// Its status; NONE for the components Amazon does not rate alone.
    pub status: Status,
}

/// One marketplace's metrics.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PerformanceMetrics {
    /// Marketplace id.
    pub marketplace_id: String,
    /// Order defect rate per channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_defect_rate: Option<OrderDefectRates>,
    /// Pre-fulfilment cancellation rate (`prefulfillmentCancelRate` read too).
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "prefulfillmentCancelRate")]
    pub pre_fulfillment_cancellation_rate: Option<CancellationRate>,
    /// Late shipment rate, 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_shipment_rate: Option<LateShipmentRate>,
    /// Extension: the late shipment rate of every window (10 and 30 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_shipment_rate_list: Option<Vec<LateShipmentRate>>,
    /// Valid tracking rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_tracking_rate: Option<ValidTrackingRate>,
    /// On-time delivery rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_time_delivery_rate: Option<OnTimeDeliveryRate>,
    /// Unit on-time delivery rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_on_time_delivery_rate: Option<UnitOnTimeDeliveryRate>,
    /// Invoice defect rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_defect_rate: Option<InvoiceDefectRate>,
    /// Account Health Rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_health_rating: Option<AccountHealthRating>,
    /// Warning states (`warningState`, a list or one object, read too).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "warningState",
        deserialize_with = "one_or_many"
    )]
    pub warning_states: Option<Vec<WarningState>>,
    /// Policy category listingPolicyViolations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listing_policy_violations: Option<PolicyViolations>,
    /// Policy category productAuthenticityCustomerComplaints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_authenticity_customer_complaints: Option<PolicyViolations>,
    /// Policy category productConditionCustomerComplaints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_condition_customer_complaints: Option<PolicyViolations>,
    /// Policy category productSafetyCustomerComplaints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_safety_customer_complaints: Option<PolicyViolations>,
    /// Policy category receivedIntellectualPropertyComplaints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_intellectual_property_complaints: Option<PolicyViolations>,
    /// Policy category restrictedProductPolicyViolations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted_product_policy_violations: Option<PolicyViolations>,
    /// Policy category suspectedIntellectualPropertyViolations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspected_intellectual_property_violations: Option<PolicyViolations>,
    /// Policy category foodAndProductSafetyIssues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub food_and_product_safety_issues: Option<PolicyViolations>,
    /// Policy category customerProductReviewsPolicyViolations (not in the
    /// schema, which allows it as an additional property).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_product_reviews_policy_violations: Option<PolicyViolations>,
    /// Policy category otherPolicyViolations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_policy_violations: Option<PolicyViolations>,
    /// Policy category documentRequests (`documentRequest` read too).
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "documentRequest")]
    pub document_requests: Option<PolicyViolations>,
}

impl PerformanceMetrics {
    /// The figures of one policy category, if present.
    pub fn category(&self, category: PolicyCategory) -> Option<&PolicyViolations> {
        self.category_slot(category).as_ref()
    }

    /// Where one policy category's figures go.
    pub fn category_mut(&mut self, category: PolicyCategory) -> &mut Option<PolicyViolations> {
        match category {
            PolicyCategory::ListingPolicyViolations => &mut self.listing_policy_violations,
            PolicyCategory::ProductAuthenticityCustomerComplaints => &mut self.product_authenticity_customer_complaints,
            PolicyCategory::ProductConditionCustomerComplaints => &mut self.product_condition_customer_complaints,
            PolicyCategory::ProductSafetyCustomerComplaints => &mut self.product_safety_customer_complaints,
            PolicyCategory::ReceivedIntellectualPropertyComplaints => {
                &mut self.received_intellectual_property_complaints
            }
            PolicyCategory::RestrictedProductPolicyViolations => &mut self.restricted_product_policy_violations,
            PolicyCategory::SuspectedIntellectualPropertyViolations => {
                &mut self.suspected_intellectual_property_violations
            }
            PolicyCategory::FoodAndProductSafetyIssues => &mut self.food_and_product_safety_issues,
            PolicyCategory::CustomerProductReviewsPolicyViolations => {
                &mut self.customer_product_reviews_policy_violations
            }
            PolicyCategory::OtherPolicyViolations => &mut self.other_policy_violations,
            PolicyCategory::DocumentRequests => &mut self.document_requests,
        }
    }

    fn category_slot(&self, category: PolicyCategory) -> &Option<PolicyViolations> {
        match category {
            PolicyCategory::ListingPolicyViolations => &self.listing_policy_violations,
            PolicyCategory::ProductAuthenticityCustomerComplaints => &self.product_authenticity_customer_complaints,
            PolicyCategory::ProductConditionCustomerComplaints => &self.product_condition_customer_complaints,
            PolicyCategory::ProductSafetyCustomerComplaints => &self.product_safety_customer_complaints,
            PolicyCategory::ReceivedIntellectualPropertyComplaints => &self.received_intellectual_property_complaints,
            PolicyCategory::RestrictedProductPolicyViolations => &self.restricted_product_policy_violations,
            PolicyCategory::SuspectedIntellectualPropertyViolations => &self.suspected_intellectual_property_violations,
            PolicyCategory::FoodAndProductSafetyIssues => &self.food_and_product_safety_issues,
            PolicyCategory::CustomerProductReviewsPolicyViolations => &self.customer_product_reviews_policy_violations,
            PolicyCategory::OtherPolicyViolations => &self.other_policy_violations,
            PolicyCategory::DocumentRequests => &self.document_requests,
        }
    }
}

/// The order defect rate of both channels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDefectRates {
    /// Seller-fulfilled orders.
    pub mfn: OrderDefectRate,
    /// Orders fulfilled by Amazon.
    pub afn: OrderDefectRate,
}

/// The order defect rate of one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDefectRate {
    /// Days counted, by purchase date.
    pub reporting_date_range: ReportingDateRange,
    /// Orders counted.
    pub order_count: i64,
    /// Orders with at least one defect.
    #[serde(default)]
    pub order_with_defects: Component,
    /// Orders with an A-to-z claim.
    #[serde(default)]
    pub claims: Component,
    /// Orders with a service chargeback.
    #[serde(default)]
    pub chargebacks: Component,
    /// Orders with negative feedback.
    #[serde(default)]
    pub negative_feedback: Component,
    /// The channel.
    pub fulfillment_type: FulfillmentType,
    /// Status against the target.
    pub status: Status,
    /// Defective orders ÷ orders (0 with no orders).
    pub rate: f64,
    /// Target ratio.
    pub target_value: f64,
    /// Direction of the comparison.
    pub target_condition: TargetCondition,
}

/// The pre-fulfilment cancellation rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancellationRate {
    /// Days counted, by purchase date.
    pub reporting_date_range: ReportingDateRange,
    /// Seller-fulfilled orders.
    pub order_count: i64,
    /// Of those, cancelled by the seller.
    pub cancellation_count: i64,
    /// Status against the target.
    pub status: Status,
    /// Cancellations ÷ orders.
    pub rate: f64,
    /// Target ratio.
    pub target_value: f64,
    /// Direction of the comparison.
    pub target_condition: TargetCondition,
}

/// A late shipment rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LateShipmentRate {
    /// Days counted, by latest ship date.
    pub reporting_date_range: ReportingDateRange,
    /// Orders due to ship.
    pub order_count: i64,
    /// Of those, shipped late.
    pub late_shipment_count: i64,
    /// Status against the target.
    pub status: Status,
    /// Late ÷ due.
    pub rate: f64,
    /// Target ratio.
    pub target_value: f64,
    /// Direction of the comparison.
    pub target_condition: TargetCondition,
}

/// The valid tracking rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidTrackingRate {
    /// Days counted, by confirmation date.
    pub reporting_date_range: ReportingDateRange,
    /// Shipments confirmed.
    pub shipment_count: i64,
    /// Of those, with a carrier scan.
    pub valid_tracking_count: i64,
    /// Status against the target.
    pub status: Status,
    /// Tracked ÷ confirmed.
    pub rate: f64,
    /// Target ratio.
    pub target_value: f64,
    /// Direction of the comparison.
    pub target_condition: TargetCondition,
}

/// The on-time delivery rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnTimeDeliveryRate {
    /// Days counted, by promised delivery date.
    pub reporting_date_range: ReportingDateRange,
    /// Shipments with valid tracking (the schema's "number": a whole one is required).
    #[serde(deserialize_with = "whole_number")]
    pub shipment_count_with_valid_tracking: i64,
    /// Of those, delivered on time.
    pub on_time_delivery_count: i64,
    /// Status against the target.
    pub status: Status,
    /// On time ÷ tracked.
    pub rate: f64,
    /// Target ratio.
    pub target_value: f64,
    /// Direction of the comparison.
    pub target_condition: TargetCondition,
}

/// The unit on-time delivery rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitOnTimeDeliveryRate {
    /// Days counted, by promised delivery date.
    pub reporting_date_range: ReportingDateRange,
    /// Units promised.
    pub total_unit_count: i64,
    /// Of those, delivered on time.
    pub unit_on_time_delivery_count: i64,
    /// Status against the target.
    pub status: Status,
    /// On time ÷ promised.
    pub rate: f64,
    /// Target ratio.
    pub target_value: f64,
    /// Direction of the comparison.
    pub target_condition: TargetCondition,
}

/// The invoice defect rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceDefectRate {
    /// Days counted, by purchase date.
    pub reporting_date_range: ReportingDateRange,
    /// Business orders.
    pub order_count: i64,
    /// Orders with a missing or late invoice.
    #[serde(default)]
    pub invoice_defect: Component,
    /// Orders with no invoice.
    #[serde(default)]
    pub missing_invoice: Component,
    /// Orders with a late invoice.
    #[serde(default)]
    pub late_invoice: Component,
    /// Status against the target.
    pub status: Status,
    /// Defects ÷ business orders.
    pub rate: f64,
    /// Target ratio.
    pub target_value: f64,
    /// Direction of the comparison.
    pub target_condition: TargetCondition,
}

/// The Account Health Rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountHealthRating {
    /// GREAT or WARNED as the schema describes it; read as any text.
    pub ahr_status: String,
    /// Extension (real reports have it): the score, 0–1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ahr_score: Option<i64>,
    /// Days of policy violations counted.
    pub reporting_date_range: ReportingDateRange,
}

/// One warning state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WarningState {
    /// What the warning is about (ours: the metric's property name).
    pub warning_type: String,
    /// BAD while the warning is open.
    pub status: Status,
}

/// One policy category's violations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyViolations {
    /// Days counted, by violation date.
    pub reporting_date_range: ReportingDateRange,
    /// Violations in those days.
    pub defects_count: i64,
    /// GOOD at 0, else BAD.
    pub status: Status,
    /// Target count (0).
    pub target_value: f64,
    /// EQUALS.
    pub target_condition: TargetCondition,
}

/// `warningStates` is a list; `warningState` in real reports may be one object.
fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<WarningState>>, D::Error> {
    struct OneOrMany;
    impl<'de> Visitor<'de> for OneOrMany {
        type Value = Option<Vec<WarningState>>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of warning states or one warning state")
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut states = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
            while let Some(state) = seq.next_element()? {
                states.push(state);
            }
            Ok(Some(states))
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            WarningState::deserialize(de::value::MapAccessDeserializer::new(map)).map(|state| Some(vec![state]))
        }
    }
    deserializer.deserialize_any(OneOrMany)
}

/// A whole number given as an integer or as a number with no fraction (`7.0`),
/// for the one count the schema types as "number".
fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    struct Whole;
    impl Visitor<'_> for Whole {
        type Value = i64;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a whole number")
        }

        fn visit_i64<E: de::Error>(self, value: i64) -> Result<i64, E> {
            Ok(value)
        }

        fn visit_u64<E: de::Error>(self, value: u64) -> Result<i64, E> {
            i64::try_from(value).map_err(|_| E::invalid_value(Unexpected::Unsigned(value), &self))
        }

        fn visit_f64<E: de::Error>(self, value: f64) -> Result<i64, E> {
            // Exactly representable whole numbers only: |v| < 2^53.
            if value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0 {
                Ok(value as i64)
            } else {
                Err(E::invalid_value(Unexpected::Float(value), &self))
            }
        }
    }
    deserializer.deserialize_any(Whole)
}
