//! A seeded generator of realistic marketplace data sets: many sellers, from ten
//! to a million orders each, with their shipments, scans, cancellations,
//! feedback, claims, chargebacks, refunds, returns, buyer messages and product
//! reviews, at rates that differ from seller to seller.
//!
//! The data set is a snapshot taken at an instant `as_of`: no fact is dated
//! after it (a reply that would come later is not there yet), so every figure
//! "as of `as_of`" is fully determined by the facts. The same seed always gives
//! the same data set.

use chrono::{DateTime, Duration, Utc};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::event::Fact;

use crate::generate::{Seeded, ts};

/// The home marketplace of every seller (amazon.com).
pub const US: &str = "ATVPDKIKX0DER";
/// The second marketplace a quarter of the sellers also sell in (amazon.co.uk).
pub const UK: &str = "A1F83G8C2ARO7P";
/// Fewest and most orders of one seller.
pub const SELLER_ORDERS: (u64, u64) = (10, 1_000_000);
/// Days of history before `as_of` that orders are purchased over.
pub const HISTORY_DAYS: i64 = 150;

/// How one seller does: the rates its facts are drawn with.
#[derive(Debug, Clone)]
struct Profile {
    uk_share: f64,
    afn_share: f64,
    cancel: f64,
    late_shipment: f64,
    invalid_tracking: f64,
    late_delivery: f64,
    feedback: f64,
    negative_share: f64,
    claim: f64,
    chargeback: f64,
    refund: f64,
    return_request: f64,
    late_return_response: f64,
    message: f64,
    late_reply: f64,
    review: f64,
}

impl Profile {
    fn draw(random: &mut Seeded) -> Profile {
        let mut rate = |low: f64, high: f64| low + (high - low) * random.unit();
        let sells_in_uk = rate(0.0, 1.0) < 0.25;
        Profile {
            uk_share: if sells_in_uk { rate(0.1, 0.4) } else { 0.0 },
            afn_share: rate(0.0, 0.8),
            cancel: rate(0.0, 0.04),
            late_shipment: rate(0.0, 0.08),
            invalid_tracking: rate(0.0, 0.08),
            late_delivery: rate(0.0, 0.06),
            feedback: rate(0.05, 0.15),
            negative_share: rate(0.02, 0.15),
            claim: rate(0.0, 0.006),
            chargeback: rate(0.0, 0.003),
            refund: rate(0.01, 0.05),
            return_request: rate(0.02, 0.08),
            late_return_response: rate(0.0, 0.12),
            message: rate(0.05, 0.2),
            late_reply: rate(0.0, 0.15),
            review: rate(0.02, 0.08),
        }
    }
}

/// The order counts of the sellers of a data set of `total` orders: each drawn
/// log-uniformly between [`SELLER_ORDERS`] (as many sellers per decade of size),
/// the last one taking what is left.
pub fn seller_sizes(total: u64, seed: u64) -> Vec<u64> {
    let mut random = Seeded(seed.max(1) ^ 0x5EED_5123);
    let (low, high) = (SELLER_ORDERS.0 as f64, SELLER_ORDERS.1 as f64);
    let mut sizes = Vec::new();
    let mut left = total;
    while left > 0 {
        let drawn = (low * (high / low).powf(random.unit())) as u64;
        let size = if drawn >= left || left - drawn < SELLER_ORDERS.0 { left } else { drawn };
        sizes.push(size);
        left -= size;
    }
    sizes
}

/// The name of seller number `index`.
pub fn seller_id(index: usize) -> String {
    format!("S{index:06}")
}

/// Every fact of one seller of `orders` orders, as the contract's events, each
/// order followed by its later facts.
pub fn seller_events(seller: &str, orders: u64, as_of: DateTime<Utc>, seed: u64) -> Vec<pb::Event> {
    let mut random = Seeded(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).max(1));
    let profile = Profile::draw(&mut random);
    let mut out = Vec::with_capacity(orders as usize * 2);
    let first = as_of - Duration::days(HISTORY_DAYS);
    for i in 0..orders {
        let purchased = first + Duration::seconds(random.between(0, HISTORY_DAYS * 86_400 - 1));
        let order = OrderFacts { seller, order_id: format!("{seller}-{i}"), purchased, as_of };
        order.generate(&profile, &mut random, &mut out);
    }
    out
}

/// One order being generated.
struct OrderFacts<'a> {
    seller: &'a str,
    order_id: String,
    purchased: DateTime<Utc>,
    as_of: DateTime<Utc>,
}

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

impl OrderFacts<'_> {
    /// Appends `fact` unless it happens after `as_of`.
    fn push(&self, out: &mut Vec<pb::Event>, kind: &str, at: DateTime<Utc>, fact: Fact) {
        if at <= self.as_of {
            out.push(pb::Event {
                event_id: format!("{kind}:{}", self.order_id),
                seller_id: self.seller.to_owned(),
                fact: Some(fact),
            });
        }
    }

    /// `seconds` after purchase.
    fn after(&self, seconds: i64) -> DateTime<Utc> {
        self.purchased + Duration::seconds(seconds)
    }

    /// The instant if it is not after `as_of`.
    fn known(&self, at: DateTime<Utc>) -> Option<prost_types::Timestamp> {
        (at <= self.as_of).then(|| ts(at))
    }

    fn generate(&self, profile: &Profile, random: &mut Seeded, out: &mut Vec<pb::Event>) {
        let id = self.order_id.clone();
        let marketplace = if random.chance(profile.uk_share) { UK } else { US };
        let mfn = !random.chance(profile.afn_share);
        let units = if random.chance(0.2) { 2 } else { 1 };
        let (ship_days, promise_days) = if mfn { (2, 6) } else { (1, 4) };
        let latest_ship = self.after(ship_days * DAY);
        let promised = self.after(promise_days * DAY);
        self.push(
            out,
            "order",
            self.purchased,
            Fact::Order(pb::Order {
                order_id: id.clone(),
                marketplace_id: marketplace.into(),
                purchased_at: Some(ts(self.purchased)),
                fulfillment_channel: if mfn { pb::FulfillmentChannel::Mfn } else { pb::FulfillmentChannel::Afn } as i32,
                latest_ship_at: Some(ts(latest_ship)),
                promised_delivery_earliest_at: Some(ts(self.after((promise_days - 3) * DAY))),
                promised_delivery_latest_at: Some(ts(promised)),
                units,
                business_order: false,
                shipping_unknown: false,
            }),
        );
        if mfn {
            self.shipping(profile, random, units, out);
        }
        if random.chance(profile.feedback) {
            let left = self.after(random.between(2 * DAY, 45 * DAY));
            let negative = random.chance(profile.negative_share);
            let stars = if negative { random.between(1, 2) } else { random.between(3, 5) } as i32;
            self.push(
                out,
                "feedback",
                left,
                Fact::SellerFeedback(pb::SellerFeedback {
                    order_id: id.clone(),
                    left_at: Some(ts(left)),
                    stars,
                    comment: if negative { "arrived late".into() } else { "fine".into() },
                    fulfillment_related: random.chance(0.3),
                }),
            );
            if negative && random.chance(0.15) {
                let updated = left + Duration::seconds(random.between(DAY, 20 * DAY));
                let action =
                    if random.chance(0.5) { pb::FeedbackAction::Removed } else { pb::FeedbackAction::StruckThrough };
                self.push(
                    out,
                    "feedback-update",
                    updated,
                    Fact::FeedbackUpdate(pb::FeedbackUpdate {
                        order_id: id.clone(),
                        updated_at: Some(ts(updated)),
                        action: action as i32,
                        response_text: String::new(),
                    }),
                );
            }
        }
        if random.chance(profile.claim) {
            let filed = self.after(random.between(5 * DAY, 40 * DAY));
            let claim = |outcome: pb::ClaimOutcome, decided: Option<DateTime<Utc>>| {
                Fact::AtozClaim(pb::AtozClaim {
                    claim_id: format!("{id}-claim"),
                    order_id: id.clone(),
                    filed_at: Some(ts(filed)),
                    outcome: outcome as i32,
                    decided_at: decided.map(ts),
                })
            };
            self.push(out, "claim", filed, claim(pb::ClaimOutcome::Pending, None));
            if random.chance(0.85) {
                let decided = filed + Duration::seconds(random.between(2 * DAY, 12 * DAY));
                let outcome = match random.between(0, 19) {
                    0..=8 => pb::ClaimOutcome::Granted,
                    9..=17 => pb::ClaimOutcome::Denied,
                    _ => pb::ClaimOutcome::Withdrawn,
                };
                self.push(out, "claim-decision", decided, claim(outcome, Some(decided)));
            }
        }
        if random.chance(profile.chargeback) {
            let received = self.after(random.between(10 * DAY, 60 * DAY));
            self.push(
                out,
                "chargeback",
                received,
                Fact::Chargeback(pb::Chargeback {
                    chargeback_id: format!("{id}-cb"),
                    order_id: id.clone(),
                    received_at: Some(ts(received)),
                    service_related: random.chance(0.6),
                }),
            );
        }
        if random.chance(profile.refund) {
            let refunded = self.after(random.between(2 * DAY, 30 * DAY));
            self.push(
                out,
                "refund",
                refunded,
                Fact::Refund(pb::Refund {
                    refund_id: format!("{id}-refund"),
                    order_id: id.clone(),
                    refunded_at: Some(ts(refunded)),
                    amount: None,
                }),
            );
        }
        if random.chance(profile.return_request) {
            self.return_request(profile, random, out);
        }
        if random.chance(profile.message) {
            let received = self.after(random.between(0, 20 * DAY));
            let reply_after = if random.chance(0.02) {
                None
            } else if random.chance(profile.late_reply) {
                Some(random.between(24 * HOUR + 1, 72 * HOUR))
            } else {
                Some(random.between(300, 24 * HOUR))
            };
            let replied = reply_after.and_then(|s| self.known(received + Duration::seconds(s)));
            self.push(
                out,
                "message",
                received,
                Fact::BuyerMessage(pb::BuyerMessage {
                    message_id: format!("{id}-m"),
                    marketplace_id: marketplace.into(),
                    order_id: id.clone(),
                    received_at: Some(ts(received)),
                    first_replied_at: replied,
                }),
            );
        }
        if random.chance(profile.review) {
            let reviewed = self.after(random.between(5 * DAY, 30 * DAY));
            let product = random.between(0, 49);
            self.push(
                out,
                "review",
                reviewed,
                Fact::ProductReview(pb::ProductReview {
                    review_id: format!("{id}-r"),
                    marketplace_id: marketplace.into(),
                    asin: format!("B0{}{product:02}", self.seller),
                    reviewer_id: format!("buyer-{}", random.between(0, 9_999_999)),
                    stars: random.between(1, 5) as i32,
                    reviewed_at: Some(ts(reviewed)),
                    verified_purchase: random.chance(0.9),
                    helpful_votes: random.between(0, 3) as i32,
                    title: "review".into(),
                    body: String::new(),
                }),
            );
        }
    }

    /// An MFN order's cancellation, or its shipment and carrier scan.
    fn shipping(&self, profile: &Profile, random: &mut Seeded, units: i32, out: &mut Vec<pb::Event>) {
        let id = &self.order_id;
        if random.chance(profile.cancel) {
            let cancelled = self.after(random.between(600, 36 * HOUR));
            let initiator = match random.between(0, 9) {
                0..=4 => pb::CancellationInitiator::Seller,
                5..=8 => pb::CancellationInitiator::Buyer,
                _ => pb::CancellationInitiator::SystemUnshipped,
            };
            self.push(
                out,
                "cancel",
                cancelled,
                Fact::Cancellation(pb::Cancellation {
                    order_id: id.clone(),
                    cancelled_at: Some(ts(cancelled)),
                    initiator: initiator as i32,
                    reason: "out of stock".into(),
                }),
            );
            return;
        }
        let delay = if random.chance(profile.late_shipment) {
            random.between(48 * HOUR + 1, 5 * DAY)
        } else {
            random.between(HOUR, 48 * HOUR)
        };
        let confirmed = self.after(delay);
        let tracking_number = format!("1Z{id}");
        self.push(
            out,
            "ship",
            confirmed,
            Fact::ShipmentConfirmed(pb::ShipmentConfirmed {
                shipment_id: format!("{id}-s"),
                order_id: id.clone(),
                confirmed_at: Some(ts(confirmed)),
                carrier: "UPS".into(),
                tracking_number: tracking_number.clone(),
                units,
                carrier_data_unknown: false,
                whole_order: false,
            }),
        );
        let first_scan = confirmed + Duration::seconds(random.between(HOUR, 20 * HOUR));
        let transit = if random.chance(profile.late_delivery) {
            random.between(5 * DAY, 9 * DAY)
        } else {
            random.between(DAY, 4 * DAY)
        };
        let delivered = first_scan + Duration::seconds(transit);
        let scan = if random.chance(profile.invalid_tracking) {
            // No carrier scan at all, or only the delivery one.
            random.chance(0.5).then_some((None, self.known(delivered)))
        } else {
            Some((self.known(first_scan), self.known(delivered)))
        };
        if let Some((first_scan_at, delivered_at)) = scan
            && (first_scan_at.is_some() || delivered_at.is_some())
        {
            self.push(
                out,
                "scan",
                confirmed,
                Fact::CarrierScan(pb::CarrierScan { tracking_number, first_scan_at, delivered_at }),
            );
        }
    }

    /// A return request, answered (in time or late) unless the answer is still to come.
    fn return_request(&self, profile: &Profile, random: &mut Seeded, out: &mut Vec<pb::Event>) {
        let requested = self.after(random.between(3 * DAY, 30 * DAY));
        let answer_after = if random.chance(0.03) {
            None
        } else if random.chance(profile.late_return_response) {
            Some(random.between(48 * HOUR + 1, 5 * DAY))
        } else {
            Some(random.between(HOUR, 48 * HOUR))
        };
        let responded = answer_after.and_then(|s| self.known(requested + Duration::seconds(s)));
        let outcome = match (responded.is_some(), random.between(0, 19)) {
            (false, _) => pb::ReturnOutcome::Pending,
            (true, 0) => pb::ReturnOutcome::RejectedInvalid,
            (true, 1..=2) => pb::ReturnOutcome::RejectedValid,
            (true, _) => pb::ReturnOutcome::Authorized,
        };
        self.push(
            out,
            "return",
            requested,
            Fact::ReturnRequest(pb::ReturnRequest {
                return_id: format!("{}-ret", self.order_id),
                order_id: self.order_id.clone(),
                requested_at: Some(ts(requested)),
                responded_at: responded,
                outcome: outcome as i32,
                negative_return_feedback: random.chance(0.04),
                handled_by_marketplace: false,
                response_time_unknown: false,
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::TimeZone;
    use sellerhealth_domain::FactKind;

    use super::*;

    #[test]
    fn seller_sizes_add_up_to_the_total_within_the_bounds() {
        let sizes = seller_sizes(10_000_000, 1);
        assert_eq!(sizes.iter().sum::<u64>(), 10_000_000);
        // The last seller takes what is left, so it may pass the top by less than the bottom.
        assert!(sizes.iter().all(|&n| (10..1_000_010).contains(&n)), "{sizes:?}");
        assert!(sizes.iter().any(|&n| n < 1_000) && sizes.iter().any(|&n| n > 100_000), "{sizes:?}");
        assert_eq!(seller_sizes(10_000_000, 1), sizes);
    }

    #[test]
    fn the_same_seed_gives_the_same_facts_none_after_the_snapshot() {
        let as_of = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).single().expect("date");
        let events = seller_events("S1", 20_000, as_of, 5);
        assert_eq!(events, seller_events("S1", 20_000, as_of, 5));
        assert_ne!(events, seller_events("S1", 20_000, as_of, 6));
        let domain = sellerhealth_contract::events(&events).expect("contract events");
        let promises = ["latest_ship_at", "promised_delivery_earliest_at", "promised_delivery_latest_at"];
        for event in &domain {
            for (field, at) in event.fact.instants() {
                assert!(at <= as_of || promises.contains(&field), "{} {field} {at}", event.event_id);
            }
        }
        let kinds: BTreeSet<FactKind> = domain.iter().map(|e| e.fact.kind()).collect();
        assert_eq!(kinds.len(), 12, "{kinds:?}");
    }
}
