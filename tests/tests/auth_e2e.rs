//! Bearer tokens end to end: every RPC (unary, client stream, server stream)
//! refuses a call without a token (UNAUTHENTICATED) and a seller or role outside
//! the token's grant (PERMISSION_DENIED); health stays open; without a token
//! file the server refuses a non-loopback address.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::process::{Command, Stdio};

use common::{Server, at, free_port, server_binary};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_client::AccountHealthServiceClient;
use sellerhealth_proto::v1::ingest_service_client::IngestServiceClient;
use tonic::metadata::MetadataValue;
use tonic::service::Interceptor;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

const READ_S1: &str = "read-token-for-s1-only";
const WRITE_ALL: &str = "write-token-for-all-sellers";
const WRITE_S1: &str = "write-token-for-s1-only";

/// Adds `authorization: Bearer TOKEN` (or nothing) to every call.
#[derive(Clone)]
struct Bearer(Option<&'static str>);

impl Interceptor for Bearer {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        if let Some(token) = self.0 {
            let value: MetadataValue<_> = format!("Bearer {token}").parse().unwrap();
            request.metadata_mut().insert("authorization", value);
        }
        Ok(request)
    }
}

fn order(seller: &str, id: &str) -> pb::Event {
    common::order(seller, "US", id, at(2026, 5, 1, 10), pb::FulfillmentChannel::Mfn)
}

async fn ingest(channel: &Channel, token: Option<&'static str>, seller: &str) -> Result<(), Code> {
    let mut client = IngestServiceClient::with_interceptor(channel.clone(), Bearer(token));
    let request = pb::IngestEventsRequest { events: vec![order(seller, &format!("{seller}-o1"))] };
    client.ingest_events(request).await.map(|_| ()).map_err(|s| s.code())
}

async fn stream(channel: &Channel, token: Option<&'static str>, seller: &str) -> Result<(), Code> {
    let mut client = IngestServiceClient::with_interceptor(channel.clone(), Bearer(token));
    let message = pb::StreamEventsRequest { events: vec![order(seller, &format!("{seller}-o2"))] };
    client.stream_events(tokio_stream::iter([message])).await.map(|_| ()).map_err(|s| s.code())
}

async fn report(channel: &Channel, token: Option<&'static str>, seller: &str) -> Result<(), Code> {
    let mut client = AccountHealthServiceClient::with_interceptor(channel.clone(), Bearer(token));
    let request = pb::GetAccountHealthRequest { seller_id: seller.into(), marketplace_id: "US".into(), as_of: None };
    client.get_account_health(request).await.map(|_| ()).map_err(|s| s.code())
}

async fn watch(channel: &Channel, token: Option<&'static str>, seller: &str) -> Result<(), Code> {
    let mut client = AccountHealthServiceClient::with_interceptor(channel.clone(), Bearer(token));
    let request = pb::WatchAccountHealthRequest { seller_id: seller.into(), marketplace_id: "US".into() };
    let mut updates = client.watch_account_health(request).await.map_err(|s| s.code())?.into_inner();
    updates.message().await.map(|_| ()).map_err(|s| s.code())
}

#[tokio::test]
async fn tokens_guard_every_rpc() {
    let data = tempfile::tempdir().unwrap();
    let tokens = data.path().join("tokens.json");
    std::fs::write(
        &tokens,
        format!(
            r#"{{"tokens": [
                {{"name": "dashboard", "token": "{READ_S1}", "role": "read", "sellers": ["s1"]}},
                {{"name": "ingest", "token": "{WRITE_ALL}", "role": "write", "sellers": "*"}},
                {{"name": "s1-feed", "token": "{WRITE_S1}", "role": "write", "sellers": ["s1"]}}
            ]}}"#
        ),
    )
    .unwrap();
    let server = Server::start_with(data.path(), &["--tokens", tokens.to_str().unwrap()]).await;
    let channel = server.channel().await;

    // No token, or an unknown one: UNAUTHENTICATED, for every kind of call.
    assert_eq!(ingest(&channel, None, "s1").await, Err(Code::Unauthenticated));
    assert_eq!(stream(&channel, None, "s1").await, Err(Code::Unauthenticated));
    assert_eq!(report(&channel, None, "s1").await, Err(Code::Unauthenticated));
    assert_eq!(watch(&channel, None, "s1").await, Err(Code::Unauthenticated));
    assert_eq!(report(&channel, Some("not-a-token-at-all-here"), "s1").await, Err(Code::Unauthenticated));

    // A read token writes nothing, and reads only its seller.
    assert_eq!(ingest(&channel, Some(READ_S1), "s1").await, Err(Code::PermissionDenied));
    assert_eq!(stream(&channel, Some(READ_S1), "s1").await, Err(Code::PermissionDenied));
    assert_eq!(report(&channel, Some(READ_S1), "s2").await, Err(Code::PermissionDenied));
    assert_eq!(watch(&channel, Some(READ_S1), "s2").await, Err(Code::PermissionDenied));
    // A write token for s1 writes nothing for another seller, unary or streaming.
    assert_eq!(ingest(&channel, Some(WRITE_S1), "s2").await, Err(Code::PermissionDenied));
    assert_eq!(stream(&channel, Some(WRITE_S1), "s2").await, Err(Code::PermissionDenied));
    assert_eq!(report(&channel, Some(WRITE_S1), "s2").await, Err(Code::PermissionDenied));
    // Allowed, but nothing stored yet.
    assert_eq!(report(&channel, Some(READ_S1), "s1").await, Err(Code::NotFound));

    // The write token stores for any seller; then the read token sees s1.
    assert_eq!(ingest(&channel, Some(WRITE_ALL), "s1").await, Ok(()));
    assert_eq!(stream(&channel, Some(WRITE_ALL), "s2").await, Ok(()));
    assert_eq!(report(&channel, Some(READ_S1), "s1").await, Ok(()));
    assert_eq!(watch(&channel, Some(READ_S1), "s1").await, Ok(()));

    // Health needs no token (probes).
    let health = HealthClient::new(channel.clone()).check(HealthCheckRequest { service: String::new() }).await;
    assert!(health.is_ok());
    server.stop().await;
}

#[test]
fn without_tokens_the_server_refuses_a_public_address() {
    let data = tempfile::tempdir().unwrap();
    let output = Command::new(server_binary())
        .args(["--listen", &format!("0.0.0.0:{}", free_port()), "--data-dir"])
        .arg(data.path())
        .env_remove("SELLERHEALTH_TOKENS")
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("refusing to listen on 0.0.0.0:"), "{stderr}");
    assert!(stderr.contains("without --tokens"), "{stderr}");
}
