//! The sellerhealth command line's parts: Seller Central files read into
//! contract events, the report as a table, histories as charts, and
//! reconciliation with Amazon's own report. The `sellerhealth` binary wires them
//! to a server (or the embedded store).
//!
//! ```
//! use sellerhealth_cli::files::parse_order_report;
//!
//! let report = "amazon-order-id\tpurchase-date\tfulfillment-channel\tsales-channel\tquantity\n\
//!               111-1\t2026-05-01T09:00:00+00:00\tMerchant\tAmazon.com\t1\n\
//!               111-1\t2026-05-01T09:00:00+00:00\tMerchant\tAmazon.com\t2\n\
//!               111-2\t2026-05-01T10:00:00+00:00\tPigeon\tAmazon.com\t1\n";
//! let parsed = parse_order_report(report, "seller-1", None, 2).unwrap();
//! assert_eq!(parsed.rows, 3);
//! assert_eq!(parsed.events.len(), 1); // the two rows of 111-1 are one order
//! assert_eq!(parsed.rejected[0].line, 4);
//! ```
//!
//! Nothing a file holds may panic the command line: besides the workspace's
//! lints against unwrap, expect, panic and indexing, no arithmetic here may
//! overflow (`clippy::arithmetic_side_effects`), and `tests/fuzz.rs` feeds every
//! importer arbitrary and mangled files.

#![deny(clippy::arithmetic_side_effects)]

pub mod batch;
pub mod chart;
pub mod client;
pub mod files;
pub mod reconcile;
pub mod table;
pub mod wire_json;
