//! `counter_parameters` names every policy parameter counter contributions
//! depend on: the store keeps it beside its counters and refuses to serve them
//! under a profile that classifies facts differently (issue 15). Changing any
//! other number of the profile leaves every contribution as it was; changing
//! either named parameter changes some.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use sellerhealth_domain::*;
use sellerhealth_metrics::{contributions, counter_parameters};
use serde_json::Value;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, day, hour, 0, 0).unwrap()
}

/// An MFN order with a buyer message answered after 30 hours and a return
/// request answered after 60 hours: the first is late under a 24-hour SLA and
/// on time under 48; the second late under 48 return-response hours, on time under 72.
fn book(policy: &Policy) -> SellerBook {
    let facts = [
        Fact::Order(Order {
            order_id: "o1".into(),
            marketplace_id: "US".into(),
            purchased_at: at(1, 9),
            fulfillment_channel: FulfillmentChannel::Mfn,
            latest_ship_at: at(3, 0),
            promised_delivery_earliest_at: None,
            promised_delivery_latest_at: None,
            units: 1,
            business_order: false,
            shipping_unknown: false,
        }),
        Fact::BuyerMessage(BuyerMessage {
            message_id: "m1".into(),
            marketplace_id: "US".into(),
            order_id: Some("o1".into()),
            received_at: at(2, 9),
            first_replied_at: Some(at(2, 9) + Duration::hours(30)),
        }),
        Fact::ReturnRequest(ReturnRequest {
            return_id: "r1".into(),
            order_id: "o1".into(),
            requested_at: at(10, 9),
            responded_at: Some(at(10, 9) + Duration::hours(60)),
            outcome: ReturnOutcome::Authorized,
            negative_return_feedback: false,
            handled_by_marketplace: false,
            response_time_unknown: false,
        }),
    ];
    let mut book = SellerBook::new("s");
    for (n, fact) in facts.into_iter().enumerate() {
        let event = Event { event_id: format!("e{n}"), seller_id: "s".into(), fact };
        book.apply(&event, at(28, 0), policy).unwrap();
    }
    book
}

fn sorted_contributions(policy: &Policy) -> Vec<String> {
    let mut out: Vec<String> = contributions(&book(policy), policy).iter().map(|c| format!("{c:?}")).collect();
    out.sort();
    out
}

/// The JSON paths of every number in `value`.
fn number_paths(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Number(_) => out.push(path.to_owned()),
        Value::Object(fields) => {
            for (name, field) in fields {
                let inner = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
                number_paths(field, &inner, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                number_paths(item, &format!("{path}.{i}"), out);
            }
        }
        _ => {}
    }
}

/// The profile with the number at `path` changed to `value`.
fn with(policy: &Policy, path: &str, value: Value) -> Policy {
    let mut json = serde_json::to_value(policy).unwrap();
    let mut at = &mut json;
    for step in path.split('.') {
        at = match at {
            Value::Array(items) => &mut items[step.parse::<usize>().unwrap()],
            other => &mut other[step],
        };
    }
    *at = value;
    serde_json::from_value(json).unwrap()
}

#[test]
fn only_the_named_parameters_change_contributions() {
    let amazon = Policy::amazon();
    let baseline = sorted_contributions(&amazon);
    let mut paths = Vec::new();
    number_paths(&serde_json::to_value(&amazon).unwrap(), "", &mut paths);
    let named = ["contact_response.sla_hours", "return_response_hours"];
    assert!(named.iter().all(|n| paths.iter().any(|p| p == n)), "{paths:?}");
    for path in paths.iter().filter(|p| !named.contains(&p.as_str())) {
        // Half or double: still a valid profile for every field (targets stay in 0..1).
        let number = serde_json::to_value(&amazon).unwrap().pointer(&format!("/{}", path.replace('.', "/"))).cloned();
        let changed = match number.unwrap() {
            Value::Number(n) if n.is_u64() => Value::from(n.as_u64().unwrap().saturating_mul(2).max(1)),
            Value::Number(n) => Value::from(n.as_f64().unwrap() / 2.0),
            other => panic!("{path}: {other}"),
        };
        let policy = with(&amazon, path, changed);
        assert_eq!(counter_parameters(&policy), counter_parameters(&amazon), "{path}");
        assert_eq!(sorted_contributions(&policy), baseline, "changing {path} changed a contribution");
    }
    for (path, value) in [("contact_response.sla_hours", 48), ("return_response_hours", 72)] {
        let policy = with(&amazon, path, Value::from(value));
        assert_ne!(counter_parameters(&policy), counter_parameters(&amazon), "{path}");
        assert_ne!(sorted_contributions(&policy), baseline, "{path} is named but changes nothing");
    }
    // Issue 17: the zones say which day a fact's instant falls on.
    let zoned = with(&amazon, "time_zones.default", Value::from("America/Los_Angeles"));
    assert_ne!(counter_parameters(&zoned), counter_parameters(&amazon));
    assert_ne!(sorted_contributions(&zoned), baseline, "the default zone is named but changes nothing");
    let parameters = counter_parameters(&amazon);
    assert!(parameters.starts_with("contact_response.sla_hours=24 return_response_hours=48 time_zones.default=UTC "));
    assert!(parameters.contains("A1VC38T7YXB528:Asia/Tokyo,"), "{parameters}");
    assert!(parameters.ends_with(",ATVPDKIKX0DER:America/Los_Angeles"), "{parameters}");
}
