//! Policy profiles: every threshold, window, lag and score of SPEC as data.
//!
//! The built-in profile is [`Policy::amazon`]; a deployment may load another one
//! from a JSON file of the same shape ([`Policy::from_json`], `docs/policy-amazon.json`
//! is the built-in one written out) without a rebuild.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::time::Calendar;

/// Why a policy profile was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyError {
    /// The text is not JSON of the profile's shape (unknown or missing field, wrong type).
    #[error("policy profile is not valid JSON of the expected shape: {0}")]
    Syntax(String),
    /// A value is out of range.
    #[error("policy profile field {field}: {reason}")]
    Invalid {
        /// Path of the field, e.g. `order_defect_rate.window_days`.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

/// How a rate is compared with its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetCondition {
    /// Good while the rate is strictly below the target.
    LessThan,
    /// Good while the rate is strictly above the target.
    GreaterThan,
    /// Good while the value equals the target (policy counts: 0).
    Equals,
}

impl TargetCondition {
    /// Whether `value` meets `target` under this condition.
    pub fn is_met(self, value: f64, target: f64) -> bool {
        match self {
            TargetCondition::LessThan => value < target,
            TargetCondition::GreaterThan => value > target,
            TargetCondition::Equals => value == target,
        }
    }
}

/// Window, lag and target of one rate metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateTarget {
    /// Days in the window.
    pub window_days: u32,
    /// Days between the evaluation day and the window's last day.
    pub lag_days: u32,
    /// Target as a ratio (0.01 = 1%).
    pub target: f64,
    /// Direction of the comparison.
    pub condition: TargetCondition,
    /// A BAD status raises a warning and affects the account status.
    pub penalised: bool,
}

impl RateTarget {
    const fn new(window_days: u32, lag_days: u32, target: f64, condition: TargetCondition, penalised: bool) -> Self {
        RateTarget { window_days, lag_days, target, condition, penalised }
    }
}

/// Contact response time: several windows share one SLA and target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactResponsePolicy {
    /// Window lengths reported, in days.
    pub windows_days: Vec<u32>,
    /// A first reply within this many hours is on time.
    pub sla_hours: u32,
    /// Share of messages that must be answered within the SLA.
    pub target: f64,
    /// Direction (GREATER_THAN).
    pub condition: TargetCondition,
}

/// A complete policy profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Profile name, echoed in reports.
    pub name: String,
    /// Order defect rate (per channel).
    pub order_defect_rate: RateTarget,
    /// Pre-fulfilment cancel rate.
    pub pre_fulfillment_cancel_rate: RateTarget,
    /// Late shipment rate, short window.
    pub late_shipment_rate_10d: RateTarget,
    /// Late shipment rate, long window.
    pub late_shipment_rate_30d: RateTarget,
    /// Valid tracking rate.
    pub valid_tracking_rate: RateTarget,
    /// On-time delivery rate.
    pub on_time_delivery_rate: RateTarget,
    /// Unit on-time delivery rate.
    pub unit_on_time_delivery_rate: RateTarget,
    /// Contact response time.
    pub contact_response: ContactResponsePolicy,
    /// Return dissatisfaction rate.
    pub return_dissatisfaction_rate: RateTarget,
    /// A return answered later than this many hours is a dissatisfaction.
    pub return_response_hours: u32,
    /// Refund rate (informational).
    pub refund_rate: RateTarget,
    /// Customer service dissatisfaction rate.
    pub customer_service_dissatisfaction_rate: RateTarget,
    /// Invoice defect rate.
    pub invoice_defect_rate: RateTarget,
    /// Window for policy violations and the AHR.
    pub policy_window_days: u32,
    /// Days a seller has from a warning to recover.
    pub warning_deadline_days: u32,
    /// Days continuously BAD after which listings risk demotion.
    pub demotion_after_days: u32,
    /// Feedback is accepted up to this many days after purchase.
    pub feedback_eligibility_days: u32,
    /// Whose calendar days each marketplace's metrics count in. A profile
    /// without it counts UTC days everywhere.
    #[serde(default)]
    pub time_zones: TimeZones,
}

/// The time zone of each marketplace: its days are the local calendar days of
/// that zone (issue 17). Zones are IANA names, checked when the profile loads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeZones {
    /// The zone of a marketplace not listed.
    pub default: Calendar,
    /// Zones by marketplace id.
    pub marketplaces: BTreeMap<String, Calendar>,
}

impl TimeZones {
    /// The zones Seller Central reports each main Amazon marketplace's days
    /// in, and UTC for any other marketplace.
    fn amazon() -> TimeZones {
        let zones = [
            ("ATVPDKIKX0DER", "America/Los_Angeles"),  // United States
            ("A2EUQ1WTGCTBG2", "America/Los_Angeles"), // Canada
            ("A1AM78C64UM0Y8", "America/Mexico_City"), // Mexico
            ("A2Q3Y263D00KWC", "America/Sao_Paulo"),   // Brazil
            ("A1F83G8C2ARO7P", "Europe/London"),       // United Kingdom
            ("A1PA6795UKMFR9", "Europe/Berlin"),       // Germany
            ("A13V1IB3VIYZZH", "Europe/Paris"),        // France
            ("APJ6JRA9NG5V4", "Europe/Rome"),          // Italy
            ("A1RKKUPIHCS9HS", "Europe/Madrid"),       // Spain
            ("A1805IZSGTT6HS", "Europe/Amsterdam"),    // Netherlands
            ("A2NODRKZP88ZB9", "Europe/Stockholm"),    // Sweden
            ("A1C3SOZRARQ6R3", "Europe/Warsaw"),       // Poland
            ("AMEN7PMS3EDWL", "Europe/Brussels"),      // Belgium
            ("A33AVAJ2PDY3EV", "Europe/Istanbul"),     // Turkey
            ("A2VIGQ35RCS4UG", "Asia/Dubai"),          // United Arab Emirates
            ("A17E79C6D8DWNP", "Asia/Riyadh"),         // Saudi Arabia
            ("ARBP9OOSHTCHU", "Africa/Cairo"),         // Egypt
            ("A21TJRUUN4KGV", "Asia/Kolkata"),         // India
            ("A1VC38T7YXB528", "Asia/Tokyo"),          // Japan
            ("A19VAU5U5O7RUS", "Asia/Singapore"),      // Singapore
            ("A39IBJ37TRP1C6", "Australia/Sydney"),    // Australia
        ];
        TimeZones {
            default: Calendar::UTC,
            marketplaces: zones
                .into_iter()
                .filter_map(|(id, zone)| Some((id.to_owned(), Calendar::named(zone)?)))
                .collect(),
        }
    }
}

impl Policy {
    /// The built-in `amazon` profile: SPEC's numbers.
    pub fn amazon() -> Self {
        use TargetCondition::{GreaterThan, LessThan};
        Policy {
            name: "amazon".to_owned(),
            order_defect_rate: RateTarget::new(60, 14, 0.01, LessThan, true),
            pre_fulfillment_cancel_rate: RateTarget::new(7, 0, 0.025, LessThan, true),
            late_shipment_rate_10d: RateTarget::new(10, 0, 0.04, LessThan, true),
            late_shipment_rate_30d: RateTarget::new(30, 0, 0.04, LessThan, true),
            valid_tracking_rate: RateTarget::new(30, 0, 0.95, GreaterThan, true),
            on_time_delivery_rate: RateTarget::new(30, 0, 0.97, GreaterThan, false),
            unit_on_time_delivery_rate: RateTarget::new(30, 0, 0.90, GreaterThan, false),
            contact_response: ContactResponsePolicy {
                windows_days: vec![7, 30, 90],
                sla_hours: 24,
                target: 0.90,
                condition: GreaterThan,
            },
            return_dissatisfaction_rate: RateTarget::new(60, 0, 0.10, LessThan, false),
            return_response_hours: 48,
            refund_rate: RateTarget::new(30, 0, 0.05, LessThan, false),
            customer_service_dissatisfaction_rate: RateTarget::new(60, 0, 0.25, LessThan, false),
            invoice_defect_rate: RateTarget::new(7, 0, 0.05, LessThan, true),
            policy_window_days: 180,
            warning_deadline_days: 60,
            demotion_after_days: 30,
            feedback_eligibility_days: 90,
            time_zones: TimeZones::amazon(),
        }
    }

    /// The calendar `marketplace_id`'s days are counted in.
    pub fn calendar(&self, marketplace_id: &str) -> Calendar {
        self.time_zones.marketplaces.get(marketplace_id).copied().unwrap_or(self.time_zones.default)
    }
}

impl Policy {
    /// Reads a profile from JSON and checks every value is usable.
    pub fn from_json(text: &str) -> Result<Policy, PolicyError> {
        let policy: Policy = serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text))
            .map_err(|e| PolicyError::Syntax(e.to_string()))?;
        policy.validate()?;
        Ok(policy)
    }

    /// The profile as pretty JSON, the format [`Policy::from_json`] reads.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks ranges: windows 1–730 days, lags 0–365, ratio targets 0–1, hours ≥ 1.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let invalid = |field: &str, reason: &str| {
            Err(PolicyError::Invalid { field: field.to_owned(), reason: reason.to_owned() })
        };
        if self.name.trim().is_empty() {
            return invalid("name", "must not be empty");
        }
        let rates = [
            ("order_defect_rate", &self.order_defect_rate),
            ("pre_fulfillment_cancel_rate", &self.pre_fulfillment_cancel_rate),
            ("late_shipment_rate_10d", &self.late_shipment_rate_10d),
            ("late_shipment_rate_30d", &self.late_shipment_rate_30d),
            ("valid_tracking_rate", &self.valid_tracking_rate),
            ("on_time_delivery_rate", &self.on_time_delivery_rate),
            ("unit_on_time_delivery_rate", &self.unit_on_time_delivery_rate),
            ("return_dissatisfaction_rate", &self.return_dissatisfaction_rate),
            ("refund_rate", &self.refund_rate),
            ("customer_service_dissatisfaction_rate", &self.customer_service_dissatisfaction_rate),
            ("invoice_defect_rate", &self.invoice_defect_rate),
        ];
        for (name, rate) in rates {
            if !(1..=730).contains(&rate.window_days) {
                return invalid(&format!("{name}.window_days"), "must be 1 to 730");
            }
            if rate.lag_days > 365 {
                return invalid(&format!("{name}.lag_days"), "must be 0 to 365");
            }
            if !(0.0..=1.0).contains(&rate.target) {
                return invalid(&format!("{name}.target"), "must be a ratio from 0 to 1");
            }
        }
        let contact = &self.contact_response;
        if contact.windows_days.is_empty() || contact.windows_days.iter().any(|w| !(1..=730).contains(w)) {
            return invalid("contact_response.windows_days", "must list windows of 1 to 730 days");
        }
        if contact.sla_hours == 0 {
            return invalid("contact_response.sla_hours", "must be at least 1");
        }
        if !(0.0..=1.0).contains(&contact.target) {
            return invalid("contact_response.target", "must be a ratio from 0 to 1");
        }
        let days = [
            ("return_response_hours", self.return_response_hours),
            ("policy_window_days", self.policy_window_days),
            ("warning_deadline_days", self.warning_deadline_days),
            ("demotion_after_days", self.demotion_after_days),
            ("feedback_eligibility_days", self.feedback_eligibility_days),
        ];
        for (name, value) in days {
            if !(1..=3650).contains(&value) {
                return invalid(name, "must be 1 to 3650");
            }
        }
        Ok(())
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::amazon()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_profile_is_the_built_in_one() {
        let documented = include_str!("../../../docs/policy-amazon.json");
        assert_eq!(Policy::from_json(documented), Ok(Policy::amazon()));
        assert_eq!(documented.trim_end(), Policy::amazon().to_json());
    }

    #[test]
    fn bad_profiles_name_the_field() {
        let mut json: serde_json::Value = serde_json::from_str(&Policy::amazon().to_json()).expect("json");
        json["contact_response"]["sla_hours"] = 48.into();
        let relaxed = Policy::from_json(&json.to_string()).expect("48 h SLA is allowed");
        assert_eq!(relaxed.contact_response.sla_hours, 48);

        json["order_defect_rate"]["target"] = 1.5.into();
        assert_eq!(
            Policy::from_json(&json.to_string()),
            Err(PolicyError::Invalid {
                field: "order_defect_rate.target".into(),
                reason: "must be a ratio from 0 to 1".into()
            })
        );
        json["order_defect_rate"]["target"] = 0.01.into();
        json["time_zones"]["marketplaces"]["A1VC38T7YXB528"] = "Asia/Tokio".into();
        let Err(PolicyError::Syntax(message)) = Policy::from_json(&json.to_string()) else { panic!("a bad zone") };
        assert!(
            message.starts_with("time_zones.marketplaces.A1VC38T7YXB528: \"Asia/Tokio\" is not an IANA time zone"),
            "{message}"
        );
        json["time_zones"]["marketplaces"]["A1VC38T7YXB528"] = "Asia/Tokyo".into();
        json["order_defect_rate"]["windw_days"] = 60.into();
        assert!(
            matches!(Policy::from_json(&json.to_string()), Err(PolicyError::Syntax(m)) if m.contains("windw_days"))
        );
    }

    #[test]
    fn marketplaces_count_days_in_their_zones_and_a_profile_without_zones_in_utc() {
        let amazon = Policy::amazon();
        assert_eq!(amazon.calendar("A1VC38T7YXB528").name(), "Asia/Tokyo");
        assert_eq!(amazon.calendar("ATVPDKIKX0DER").name(), "America/Los_Angeles");
        assert_eq!(amazon.calendar("A1F83G8C2ARO7P").name(), "Europe/London");
        assert_eq!(amazon.calendar("any other").name(), "UTC");
        let mut json: serde_json::Value = serde_json::from_str(&amazon.to_json()).expect("json");
        json.as_object_mut().expect("object").remove("time_zones");
        let older = Policy::from_json(&json.to_string()).expect("a profile written before issue 17");
        assert_eq!(older.calendar("A1VC38T7YXB528"), Calendar::UTC);
    }

    #[test]
    fn conditions_are_strict() {
        assert!(TargetCondition::LessThan.is_met(0.0099, 0.01));
        assert!(!TargetCondition::LessThan.is_met(1.0 / 100.0, 0.01));
        assert!(TargetCondition::GreaterThan.is_met(0.96, 0.95));
        assert!(!TargetCondition::GreaterThan.is_met(0.95, 0.95));
        assert!(TargetCondition::Equals.is_met(0.0, 0.0));
    }
}
