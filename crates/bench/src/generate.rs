//! A seeded generator of one seller's facts: orders spread evenly over a span of
//! days, 60% MFN, each MFN order confirmed shipped with tracking (one in twenty
//! late), one order in fifty with 1-star feedback.

use chrono::{DateTime, Duration, Utc};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::event::Fact;

/// The marketplace every generated order belongs to.
pub const MARKETPLACE: &str = "ATVPDKIKX0DER";

/// A small deterministic pseudo-random sequence (xorshift64*), so every run
/// generates the same facts.
pub struct Seeded(pub u64);

impl Seeded {
    /// The next raw value.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// True with probability 1 / `n`.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }

    /// A uniform value in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A uniform whole number in `[low, high]`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % (high - low + 1).max(1) as u64) as i64
    }
}

pub fn ts(at: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp { seconds: at.timestamp(), nanos: 0 }
}

/// The facts of `seller`: `orders` orders purchased evenly over the `days` days
/// before `end`, each followed by its other facts.
pub fn seller_events(seller: &str, orders: u64, days: i64, end: DateTime<Utc>, seed: u64) -> Vec<pb::Event> {
    let mut random = Seeded(seed.max(1));
    let start = end - Duration::days(days);
    let step_seconds = (days * 86_400) as f64 / orders.max(1) as f64;
    let mut events = Vec::with_capacity(orders as usize * 2);
    let event = |id: String, fact: Fact| pb::Event { event_id: id, seller_id: seller.into(), fact: Some(fact) };
    for i in 0..orders {
        let order_id = format!("{seller}-o{i}");
        let purchased = start + Duration::seconds((i as f64 * step_seconds) as i64);
        let mfn = random.next() % 10 < 6;
        events.push(event(
            format!("order:{order_id}"),
            Fact::Order(pb::Order {
                order_id: order_id.clone(),
                marketplace_id: MARKETPLACE.into(),
                purchased_at: Some(ts(purchased)),
                fulfillment_channel: if mfn { pb::FulfillmentChannel::Mfn } else { pb::FulfillmentChannel::Afn } as i32,
                latest_ship_at: Some(ts(purchased + Duration::days(2))),
                promised_delivery_earliest_at: Some(ts(purchased + Duration::days(4))),
                promised_delivery_latest_at: Some(ts(purchased + Duration::days(7))),
                units: 1,
                business_order: false,
                shipping_unknown: false,
            }),
        ));
        if mfn {
            let late = random.one_in(20);
            events.push(event(
                format!("ship:{order_id}"),
                Fact::ShipmentConfirmed(pb::ShipmentConfirmed {
                    shipment_id: format!("{order_id}-s"),
                    order_id: order_id.clone(),
                    confirmed_at: Some(ts(purchased + Duration::hours(if late { 60 } else { 20 }))),
                    carrier: "UPS".into(),
                    tracking_number: format!("1Z{order_id}"),
                    units: 1,
                    carrier_data_unknown: false,
                    whole_order: false,
                }),
            ));
        }
        if random.one_in(50) {
            events.push(event(
                format!("feedback:{order_id}"),
                Fact::SellerFeedback(pb::SellerFeedback {
                    order_id: order_id.clone(),
                    left_at: Some(ts(purchased + Duration::days(5))),
                    stars: 1,
                    comment: "late".into(),
                    fulfillment_related: false,
                }),
            ));
        }
    }
    events
}
