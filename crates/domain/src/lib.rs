//! The seller account health domain: the facts other systems push in, calendar
//! windows, policy profiles and the validation rules of SPEC §1. No I/O, no async:
//! the metrics and ratings crates compute on these types, the store persists them.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use sellerhealth_domain::{Applied, Event, Fact, FulfillmentChannel, Order, Policy, SellerBook};
//!
//! let purchased_at = Utc.with_ymd_and_hms(2026, 5, 1, 10, 0, 0).unwrap();
//! let order = Event {
//!     event_id: "evt-1".into(),
//!     seller_id: "seller-1".into(),
//!     fact: Fact::Order(Order {
//!         order_id: "111-0000001".into(),
//!         marketplace_id: "ATVPDKIKX0DER".into(),
//!         purchased_at,
//!         fulfillment_channel: FulfillmentChannel::Mfn,
//!         latest_ship_at: purchased_at + chrono::Duration::days(2),
//!         promised_delivery_earliest_at: None,
//!         promised_delivery_latest_at: None,
//!         units: 1,
//!         business_order: false,
//!         shipping_unknown: false,
//!     }),
//! };
//! let mut book = SellerBook::new("seller-1");
//! let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
//! assert_eq!(book.apply(&order, now, &Policy::amazon()), Ok(Applied::Accepted));
//! // Sending the same event again is a no-op.
//! assert_eq!(book.apply(&order, now, &Policy::amazon()), Ok(Applied::Duplicate));
//! ```

// Date and integer arithmetic must not overflow (issue 13): checked or saturating
// operations only, with the saturating date helpers in `sellerhealth_domain::time`.
// Tests may overflow: a panic there is the test failing (as clippy.toml allows unwrap).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

pub mod book;
pub mod error;
pub mod facts;
pub mod policy;
pub mod time;
pub mod validate;
pub mod versions;

pub use book::{Applied, BookCapacity, OrderRecord, ReviewRecord, SellerBook, Subject};
pub use error::DomainError;
pub use facts::*;
pub use policy::{ContactResponsePolicy, Policy, PolicyError, RateTarget, TargetCondition, TimeZones};
pub use time::{Calendar, Day, DayRange, day_of};
