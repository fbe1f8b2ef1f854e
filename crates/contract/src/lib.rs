//! The `sellerhealth.v1` contract's messages as domain facts and reports, both
//! ways: wire events become domain events (checked for shape, every instant in
//! the supported range), and the engine's reports, histories, ratings and
//! summaries become wire messages. The server, the command line and the
//! benchmarks all convert through here; errors are [`DomainError`]s naming the
//! field (the server maps them to gRPC codes in its one place).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use prost_types::Timestamp;
//! use sellerhealth_contract as contract;
//! use sellerhealth_domain::{FactKind, Policy, SellerBook};
//! use sellerhealth_proto::v1 as pb;
//!
//! let at = |seconds| Some(Timestamp { seconds, nanos: 0 });
//! let order = pb::Order {
//!     order_id: "111-1".into(),
//!     marketplace_id: "ATVPDKIKX0DER".into(),
//!     purchased_at: at(1_777_888_800),   // 2026-05-04T10:00:00Z
//!     latest_ship_at: at(1_778_111_999), // 2026-05-06T23:59:59Z
//!     fulfillment_channel: pb::FulfillmentChannel::Mfn as i32,
//!     units: 1,
//!     ..Default::default()
//! };
//! let wire = pb::Event {
//!     event_id: "o-1".into(),
//!     seller_id: "seller-1".into(),
//!     fact: Some(pb::event::Fact::Order(order.clone())),
//! };
//! let event = contract::event(&wire).unwrap();
//! assert_eq!(event.fact.kind(), FactKind::Order);
//!
//! // A refusal names the field, relative to the request.
//! let negative = pb::Event { fact: Some(pb::event::Fact::Order(pb::Order { units: -1, ..order })), ..wire };
//! let error = contract::events(&[negative]).unwrap_err();
//! assert_eq!(error.to_string(), "events[0].order.units: must not be negative, got -1");
//!
//! // And back: the engine's report as the contract's message.
//! let policy = Policy::amazon();
//! let as_of = Utc.with_ymd_and_hms(2026, 6, 30, 23, 59, 59).unwrap();
//! let mut book = SellerBook::new("seller-1");
//! book.apply(&event, as_of, &policy).unwrap();
//! let reports = sellerhealth_metrics::evaluate_seller(&book, &policy, as_of);
//! let report = contract::report(&reports[0]);
//! let odr = report.order_defect_rate_mfn.and_then(|o| o.rate).unwrap();
//! assert_eq!((odr.numerator, odr.denominator), (0, 1));
//! assert_eq!(report.as_of, Some(contract::timestamp(as_of)));
//! ```
//!
//! [`DomainError`]: sellerhealth_domain::DomainError

mod facts;
mod ratings;
mod reports;
mod time;

pub use facts::{event, events, fact_kind, into_event};
pub use ratings::{feedback_entry, feedback_summary, review_entry, review_summary};
pub use reports::{metric, metric_from_wire, metric_history, metric_status, report, seller_rating};
pub use time::{as_of, date, day, instant, timestamp};
