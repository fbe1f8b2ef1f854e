//! Policy profiles: every threshold, window, lag and score of SPEC as data.
//!
//! The built-in profile is [`Policy::amazon`]; a deployment may load another one
//! (same shape, serde) without a rebuild.

use serde::{Deserialize, Serialize};

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
        }
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
    fn conditions_are_strict() {
        assert!(TargetCondition::LessThan.is_met(0.0099, 0.01));
        assert!(!TargetCondition::LessThan.is_met(1.0 / 100.0, 0.01));
        assert!(TargetCondition::GreaterThan.is_met(0.96, 0.95));
        assert!(!TargetCondition::GreaterThan.is_met(0.95, 0.95));
        assert!(TargetCondition::Equals.is_met(0.0, 0.0));
    }
}
