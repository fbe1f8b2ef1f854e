//! The binary's start-up behaviour. Having an integration test here also makes
//! `cargo test --workspace` rebuild the binary the end-to-end tests in `tests/` run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::process::Command;

fn server() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sellerhealth-server"))
}

#[test]
fn help_lists_every_setting() {
    let output = server().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in ["--listen", "--data-dir", "--database-url", "--policy", "--drain-timeout", "--log-format"] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

#[test]
fn a_bad_policy_profile_stops_start_up_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut profile: serde_json::Value =
        serde_json::from_str(include_str!("../../../docs/policy-amazon.json")).unwrap();
    profile["order_defect_rate"]["target"] = 2.into();
    let path = dir.path().join("policy.json");
    std::fs::write(&path, profile.to_string()).unwrap();
    let output = server()
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .arg("--policy")
        .arg(&path)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("policy profile field order_defect_rate.target: must be a ratio from 0 to 1"), "{stderr}");
}

#[tokio::test]
async fn counters_prints_a_sellers_stored_counters_as_csv() {
    use chrono::{Duration, TimeZone, Utc};
    use sellerhealth_domain::{Event, Fact, FulfillmentChannel, Order, Policy};

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("counters.db").display());
    let store = sellerhealth_store::Store::open(&url, Policy::amazon()).await.unwrap();
    let purchased_at = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap();
    let order = |id: &str, marketplace: &str| Event {
        event_id: id.into(),
        seller_id: "s1".into(),
        fact: Fact::Order(Order {
            order_id: id.into(),
            marketplace_id: marketplace.into(),
            purchased_at,
            fulfillment_channel: FulfillmentChannel::Afn,
            latest_ship_at: purchased_at + Duration::days(1),
            promised_delivery_earliest_at: None,
            promised_delivery_latest_at: None,
            units: 1,
            business_order: false,
            shipping_unknown: false,
        }),
    };
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    store.ingest_batch(&[order("o1", "US"), order("o2", "US"), order("o3", "CA")], now).await.unwrap();
    drop(store);

    let output =
        server().args(["counters", "--seller", "s1", "--marketplace", "US", "--database-url", &url]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    // Two AFN orders of 1 May in US (CA's is left out): each counts as an order,
    // as fulfilled (the marketplace ships AFN orders) and as a perfect order.
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "marketplace_id,counter,day,effective_day,total\n\
         US,Orders(Afn),2026-05-01,2026-05-01,2\n\
         US,FulfilledOrders,2026-05-01,2026-05-01,2\n\
         US,OrderScore(Perfect),2026-05-01,2026-05-01,2\n"
    );
}
