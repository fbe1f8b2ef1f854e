//! What operators see: Prometheus metrics by method and code, events ingested
//! and store latency on `--metrics-listen`, and a JSON log line per call with
//! its method, seller, code and latency.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{at, free_port, server_binary};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_client::AccountHealthServiceClient;
use sellerhealth_proto::v1::ingest_service_client::IngestServiceClient;
use tonic::transport::Channel;

fn http_get(addr: &str, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[tokio::test]
async fn metrics_and_request_logs_describe_every_call() {
    let data = tempfile::tempdir().unwrap();
    let log_path = data.path().join("server.log");
    let (grpc, metrics) = (format!("127.0.0.1:{}", free_port()), format!("127.0.0.1:{}", free_port()));
    let mut child = Command::new(server_binary())
        .args(["--listen", &grpc, "--metrics-listen", &metrics, "--log-format", "json", "--data-dir"])
        .arg(data.path())
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let channel = loop {
        if let Ok(channel) = Channel::from_shared(format!("http://{grpc}")).unwrap().connect().await {
            break channel;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    let mut ingest = IngestServiceClient::new(channel.clone());
    let events = vec![common::order("obs-seller", "US", "o1", at(2026, 5, 1, 10), pb::FulfillmentChannel::Mfn)];
    ingest.ingest_events(pb::IngestEventsRequest { events: events.clone() }).await.unwrap();
    ingest.ingest_events(pb::IngestEventsRequest { events }).await.unwrap();
    let mut health = AccountHealthServiceClient::new(channel);
    let request = |seller: &str| pb::GetAccountHealthRequest {
        seller_id: seller.into(),
        marketplace_id: "US".into(),
        as_of: None,
    };
    health.get_account_health(request("obs-seller")).await.unwrap();
    assert_eq!(health.get_account_health(request("nobody")).await.unwrap_err().code(), tonic::Code::NotFound);

    let page = http_get(&metrics, "/metrics");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    // Issue 19: every metric says what it is, and other paths are not metrics.
    for help in [
        "# HELP grpc_requests_total gRPC calls answered, by method and status code",
        "# HELP grpc_request_duration_seconds Time to answer a gRPC call, by method and status code",
        "# HELP sellerhealth_events_total Facts received, by outcome: accepted, duplicate (same fact again) or rejected",
        "# HELP sellerhealth_store_seconds Time of one store transaction (write) or report read (read)",
    ] {
        assert!(page.lines().any(|l| l == help), "{help} missing: {page}");
    }
    for path in ["/", "/health", "/metrics/x"] {
        let other = http_get(&metrics, path);
        assert!(other.starts_with("HTTP/1.1 404"), "{path}: {other}");
    }
    let count = |line: &str| page.lines().any(|l| l == line);
    let method = "/sellerhealth.v1.AccountHealthService/GetAccountHealth";
    assert!(count(&format!("grpc_requests_total{{method=\"{method}\",code=\"Ok\"}} 1")), "{page}");
    assert!(count(&format!("grpc_requests_total{{method=\"{method}\",code=\"NotFound\"}} 1")), "{page}");
    assert!(
        count("grpc_requests_total{method=\"/sellerhealth.v1.IngestService/IngestEvents\",code=\"Ok\"} 2"),
        "{page}"
    );
    assert!(count("sellerhealth_events_total{outcome=\"accepted\"} 1"), "{page}");
    assert!(count("sellerhealth_events_total{outcome=\"duplicate\"} 1"), "{page}");
    assert!(page.contains(&format!("grpc_request_duration_seconds_count{{method=\"{method}\",code=\"Ok\"}} 1")));
    assert!(page.contains("sellerhealth_store_seconds_count{operation=\"write\"} 2"), "{page}");

    // Connections closed first, so the server need not wait out its drain timeout.
    // (The runtime must run to close them: wait asynchronously.)
    drop((ingest, health));
    tokio::time::sleep(Duration::from_millis(100)).await;
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    while child.try_wait().unwrap().is_none() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let log = std::fs::read_to_string(&log_path).unwrap();
    let answered: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|entry| entry["fields"]["message"] == "call answered")
        .collect();
    let not_found = answered.iter().find(|e| e["fields"]["code"] == "NotFound").unwrap();
    assert_eq!(not_found["span"]["method"], method);
    assert_eq!(not_found["span"]["seller"], "nobody");
    assert!(not_found["fields"]["latency_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(answered.len(), 4, "{log}");
}

/// Issue 19: the first screen names the next step, and a log that is not a
/// terminal carries no colour codes.
#[tokio::test]
async fn the_start_up_log_names_the_next_step_without_colour_codes_when_redirected() {
    let data = tempfile::tempdir().unwrap();
    let log_path = data.path().join("server.log");
    let grpc = format!("127.0.0.1:{}", free_port());
    let mut child = Command::new(server_binary())
        .args(["--listen", &grpc, "--data-dir"])
        .arg(data.path())
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let next_step = format!("try it: grpcurl -plaintext {grpc} list");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let log = loop {
        let log = std::fs::read_to_string(&log_path).unwrap();
        if log.contains(&next_step) {
            break log;
        }
        assert!(std::time::Instant::now() < deadline, "no next step in {log}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    child.wait().unwrap();
    assert!(!log.contains('\u{1b}'), "colour codes in a redirected log: {log:?}");
    assert!(log.contains(" INFO "), "{log}");
}
