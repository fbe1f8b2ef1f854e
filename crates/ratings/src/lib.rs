//! Seller feedback and product reviews (SPEC §7): two separate systems. Feedback
//! rates the seller's service (and feeds the ODR, in `sellerhealth-metrics`);
//! reviews rate a product listing and never touch account health. Pure functions
//! over a [`SellerBook`](sellerhealth_domain::SellerBook).
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use sellerhealth_domain::*;
//! use sellerhealth_ratings::reviews;
//!
//! let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
//! let mut book = SellerBook::new("s");
//! for (n, stars) in [5, 4, 4].into_iter().enumerate() {
//!     let review = ProductReview {
//!         review_id: format!("r{n}").into(),
//!         marketplace_id: "US".into(),
//!         asin: "B000TEST".into(),
//!         reviewer_id: format!("buyer{n}").into(),
//!         stars,
//!         reviewed_at: now - Duration::days(10),
//!         verified_purchase: true,
//!         helpful_votes: 0,
//!         title: String::new(),
//!         body: String::new(),
//!     };
//!     let event = Event { event_id: format!("e{n}"), seller_id: "s".into(), fact: Fact::ProductReview(review) };
//!     book.apply(&event, now, &Policy::amazon()).unwrap();
//! }
//! let calendar = Policy::amazon().calendar("US");
//! let summary = reviews::summary(&reviews::visible(&book, "US", "B000TEST", now), calendar, now);
//! // (5 + 4 + 4) / 3 = 4.333…: "4.3 out of 5", shown as 4.5 stars.
//! assert_eq!((summary.count, summary.display_mean, summary.display_stars), (3, Some(4.3), Some(4.5)));
//! ```

// Date and integer arithmetic must not overflow (issue 13): checked or saturating
// operations only, with the saturating date helpers in `sellerhealth_domain::time`.
// Tests may overflow: a panic there is the test failing (as clippy.toml allows unwrap).
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

pub mod feedback;
pub mod reviews;
pub mod rounding;
