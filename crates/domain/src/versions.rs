//! Versions of a fact that later facts complete or replace (SPEC §2
//! "Versions"): a message and its reply, a return request and its answer, a
//! policy violation and its resolution, all sent under one id.
//!
//! Each version stands from its own instant, the latest instant it carries
//! (a reply's, an answer's, a resolution's: the earliest moment it could have
//! been told). As of `t` the version that stands is the last one whose instant
//! is at or before `t` (ties: the later arrival); while none stands yet, the one
//! that began first (its earliest instant), read as of `t` like any fact. So a
//! version dated after `t` never changes what stands at `t`: storing facts dated
//! after T never changes a figure as of T.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use sellerhealth_domain::BuyerMessage;
//! use sellerhealth_domain::versions::standing;
//!
//! let at = |h| Utc.with_ymd_and_hms(2026, 5, 1, h, 0, 0).unwrap();
//! let asked = BuyerMessage {
//!     message_id: "m1".into(),
//!     marketplace_id: "US".into(),
//!     order_id: None,
//!     received_at: at(9),
//!     first_replied_at: None,
//! };
//! let answered = BuyerMessage { first_replied_at: Some(at(12)), ..asked.clone() };
//! let versions = [asked, answered];
//! // At 11:00 the reply of 12:00 was not there yet.
//! assert_eq!(standing(&versions, at(11))[0].first_replied_at, None);
//! assert_eq!(standing(&versions, at(13))[0].first_replied_at, Some(at(12)));
//! ```

use std::collections::BTreeMap;

use crate::facts::{BuyerMessage, Instant, PolicyViolation, ReturnRequest};

/// A fact sent again under its id to complete or replace it.
pub trait Versioned {
    /// The id its versions share.
    fn version_id(&self) -> &str;
    /// Its earliest instant: when the subject began (a message received).
    fn begins_at(&self) -> Instant;
    /// Its latest instant: the version stands from here on.
    fn stands_from(&self) -> Instant;
}

impl Versioned for BuyerMessage {
    fn version_id(&self) -> &str {
        &self.message_id
    }
    fn begins_at(&self) -> Instant {
        self.received_at
    }
    fn stands_from(&self) -> Instant {
        self.first_replied_at.map_or(self.received_at, |r| r.max(self.received_at))
    }
}

impl Versioned for ReturnRequest {
    fn version_id(&self) -> &str {
        &self.return_id
    }
    fn begins_at(&self) -> Instant {
        self.requested_at
    }
    fn stands_from(&self) -> Instant {
        self.responded_at.map_or(self.requested_at, |r| r.max(self.requested_at))
    }
}

impl Versioned for PolicyViolation {
    fn version_id(&self) -> &str {
        &self.violation_id
    }
    fn begins_at(&self) -> Instant {
        self.occurred_at
    }
    fn stands_from(&self) -> Instant {
        self.resolved_at.map_or(self.occurred_at, |r| r.max(self.occurred_at))
    }
}

/// Versions in arrival order, grouped by id (ids in order).
fn by_id<'a, T: Versioned>(versions: impl IntoIterator<Item = &'a T>) -> BTreeMap<&'a str, Vec<&'a T>> {
    let mut groups: BTreeMap<&str, Vec<&T>> = BTreeMap::new();
    for version in versions {
        groups.entry(version.version_id()).or_default().push(version);
    }
    groups
}

/// The version standing at `t` among one subject's versions, in arrival order
/// (from [`subjects`]; see the module docs).
pub fn standing_of<'a, T: Versioned>(versions: &[&'a T], t: Instant) -> Option<&'a T> {
    // `max_by_key` keeps the last maximum: a later arrival wins a tie.
    let stood = versions.iter().filter(|v| v.stands_from() <= t).max_by_key(|v| v.stands_from());
    // `min_by_key` keeps the first minimum: an earlier arrival wins a tie.
    stood.or_else(|| versions.iter().min_by_key(|v| v.begins_at())).copied()
}

/// The version standing at `t` of each subject among `versions` (arrival
/// order), one per id, by id.
pub fn standing<'a, T: Versioned>(versions: impl IntoIterator<Item = &'a T>, t: Instant) -> Vec<&'a T> {
    by_id(versions).values().filter_map(|group| standing_of(group, t)).collect()
}

/// Every instant where what stands may change: each version's instants. A
/// metric adds the instants its own rules derive (deadlines).
pub fn change_instants<'a, T: Versioned + 'a>(versions: impl IntoIterator<Item = &'a T>) -> Vec<Instant> {
    versions.into_iter().flat_map(|v| [v.begins_at(), v.stands_from()]).collect()
}

/// The versions of each subject, by id: for metrics that follow one subject
/// over time.
pub fn subjects<'a, T: Versioned>(versions: impl IntoIterator<Item = &'a T>) -> Vec<Vec<&'a T>> {
    by_id(versions).into_values().collect()
}
