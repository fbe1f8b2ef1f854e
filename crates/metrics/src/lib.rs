//! Account health metrics, computed from a seller's facts with no I/O: every rate
//! of SPEC §2 (ODR per channel with its components, cancel, late shipment,
//! tracking, delivery, response time, returns, refunds, surveys, invoices), policy
//! compliance and the Account Health Rating, warnings, account status and
//! recovery, over the windows of the policy profile, as of any instant.
//!
//! Facts fold into a [`SellerBook`](sellerhealth_domain::SellerBook); each order's
//! state becomes counter [`Contribution`]s; [`evaluate`] turns counters into an
//! [`AccountHealthReport`]. The server's stored path and its stateless path call the
//! same two functions.
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use sellerhealth_domain::*;
//! use sellerhealth_metrics::{MetricStatus, evaluate_book};
//!
//! let policy = Policy::amazon();
//! let now = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
//! let mut book = SellerBook::new("seller-1");
//! let mut event = |id: &str, fact: Fact| {
//!     let event = Event { event_id: id.into(), seller_id: "seller-1".into(), fact };
//!     book.apply(&event, now, &policy).expect("valid fact");
//! };
//! let purchased_at = Utc.with_ymd_and_hms(2026, 5, 10, 12, 0, 0).unwrap();
//! for n in 0..50 {
//!     event(&format!("o{n}"), Fact::Order(Order {
//!         order_id: format!("order-{n}").into(),
//!         marketplace_id: "US".into(),
//!         purchased_at,
//!         fulfillment_channel: FulfillmentChannel::Mfn,
//!         latest_ship_at: purchased_at + Duration::days(2),
//!         promised_delivery_earliest_at: None,
//!         promised_delivery_latest_at: None,
//!         units: 1,
//!         business_order: false,
//!         shipping_unknown: false,
//!     }));
//! }
//! event("f1", Fact::SellerFeedback(SellerFeedback {
//!     order_id: "order-7".into(),
//!     left_at: purchased_at + Duration::days(5),
//!     stars: 1,
//!     comment: "never arrived".into(),
//!     fulfillment_related: true,
//! }));
//!
//! let report = evaluate_book(&book, &policy, "US", now);
//! let odr = &report.order_defect_rate_mfn;
//! assert_eq!((odr.rate.numerator, odr.rate.denominator), (1, 50));
//! assert_eq!(odr.rate.rate, Some(0.02));
//! assert_eq!(odr.rate.status, MetricStatus::Bad);
//! ```

// Date and integer arithmetic must not overflow (issue 13): checked or saturating
// operations only, with the saturating date helpers in `sellerhealth_domain::time`.
// Tests may overflow: a panic there is the test failing (as clippy.toml allows unwrap).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

mod cancel;
pub mod counters;
pub mod day_counters;
mod delivery;
pub mod history;
mod invoices;
pub mod late_shipment;
pub mod odr;
pub mod order_facts;
pub mod policy_compliance;
pub mod rate;
pub mod reach;
pub mod recovery;
mod refunds;
pub mod report;
pub mod response;
pub mod returns;
pub mod seller_rating;
pub mod sp_api;
mod surveys;
pub mod timeline;
pub mod warnings;

pub use counters::{Contribution, ContributionSet, Counter, CounterSource};
pub use day_counters::{DayCounters, DayCountersBuilder};
pub use history::{MetricDay, history, history_metrics};
pub use odr::OrderDefectRate;
pub use policy_compliance::{AccountHealthRating, AhrBand, CategoryCount, PolicyCompliance};
pub use rate::Recovery;
pub use rate::{Metric, MetricStatus, RateMetric, RateSpec};
pub use report::{
    AccountHealthReport, StatusSignature, book_changes, book_counters, contributions, counter_parameters, evaluate,
    evaluate_book, evaluate_seller, order_changes, subject_contributions,
};
pub use response::ContactResponseTime;
pub use seller_rating::{RatingBand, ScoreClass, SellerRating};
pub use warnings::{AccountStatus, Warning};
