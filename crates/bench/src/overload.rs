//! Health under overload: how fast a server process answers its health checks
//! while clients keep four times its in-flight bound busy with reports, and
//! idle connections and bulk streams that never send are held open.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use sellerhealth_domain::Policy;
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_client::AccountHealthServiceClient;
use sellerhealth_proto::v1::ingest_service_client::IngestServiceClient;
use sellerhealth_store::Store;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

use crate::{ServerProcess, end, generate, load_store, ms, quantile, server_binary};

/// Bulk streams per connection (HTTP/2 bounds concurrent streams per connection).
const STREAMS_PER_CONNECTION: usize = 50;

/// Runs the overload benchmark against the `sellerhealth-server` binary next to this one.
pub async fn run(
    url: &str,
    orders: u64,
    max_in_flight: usize,
    (idle, idle_streams): (usize, usize),
    seconds: u64,
) -> anyhow::Result<()> {
    let binary = server_binary()?;
    let seller = format!("overload-{}", Utc::now().timestamp());
    let store = Store::open(url, Policy::amazon()).await.context("opening the store")?;
    let events = generate::seller_events(&seller, orders, 120, end(), 11);
    load_store(&store, &format!("{seller} ({orders} orders)"), &events).await?;
    drop(store);

    let max = max_in_flight.to_string();
    let flags = ["--max-in-flight", &max, "--stream-idle-timeout", "3600", "--connection-idle-timeout", "3600"];
    let ServerProcess { mut child, channel, endpoint, addr } = ServerProcess::start(&binary, url, &flags).await?;

    // Idle connections that never send a byte.
    let connections: Vec<std::net::TcpStream> =
        (0..idle).map(|_| std::net::TcpStream::connect(addr)).collect::<Result<_, _>>()?;
    // Bulk streams that open and never send: the first `max_in_flight` hold
    // every slot, the rest are shed.
    let mut holders = Vec::new();
    let mut streams = tokio::task::JoinSet::new();
    for _ in 0..idle_streams.div_ceil(STREAMS_PER_CONNECTION) {
        let channel = endpoint.connect().await?;
        for _ in 0..STREAMS_PER_CONNECTION {
            let (sender, receiver) = tokio::sync::mpsc::channel::<pb::StreamEventsRequest>(1);
            holders.push(sender);
            let mut client = IngestServiceClient::new(channel.clone());
            streams.spawn(async move {
                client.stream_events(tokio_stream::wrappers::ReceiverStream::new(receiver)).await.is_ok()
            });
        }
    }

    // Four times the bound in report callers, for the whole run.
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut callers = tokio::task::JoinSet::new();
    for _ in 0..max_in_flight.saturating_mul(4) {
        let (channel, seller) = (channel.clone(), seller.clone());
        callers.spawn(async move {
            let mut client = AccountHealthServiceClient::new(channel);
            let (mut answered, mut shed) = (0u64, 0u64);
            while Instant::now() < until {
                let request = pb::GetAccountHealthRequest {
                    seller_id: seller.clone(),
                    marketplace_id: generate::MARKETPLACE.into(),
                    as_of: Some(prost_types::Timestamp { seconds: end().timestamp(), nanos: 0 }),
                };
                match client.get_account_health(request).await {
                    Ok(_) => answered += 1,
                    Err(status) if status.code() == tonic::Code::ResourceExhausted => shed += 1,
                    Err(status) => return Err(anyhow::anyhow!("report failed: {status}")),
                }
            }
            Ok((answered, shed))
        });
    }

    // Health checks every 10 ms on their own connection, as a probe would.
    let mut health = HealthClient::new(endpoint.connect().await?);
    let mut latencies = Vec::new();
    let mut not_serving = 0usize;
    while Instant::now() < until {
        let started = Instant::now();
        let answer = health.check(HealthCheckRequest { service: String::new() }).await?.into_inner();
        latencies.push(started.elapsed());
        if answer.status != tonic_health::pb::health_check_response::ServingStatus::Serving as i32 {
            not_serving += 1;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (mut answered, mut shed) = (0, 0);
    while let Some(caller) = callers.join_next().await {
        let (a, s) = caller??;
        answered += a;
        shed += s;
    }
    let held = streams.len();
    drop(holders);
    streams.abort_all();
    drop(connections);
    child.kill()?;
    child.wait()?;

    latencies.sort();
    let at = |q: f64| quantile(&latencies, q);
    println!(
        "Health under overload: --max-in-flight {max_in_flight}, {} report callers for {seconds} s, \
         {idle} idle connections and {held} idle bulk streams open:",
        max_in_flight * 4
    );
    println!("| health checks | p50 | p99 | max | answered NOT_SERVING (overload) |");
    println!("|---:|---:|---:|---:|---:|");
    println!("| {} | {} | {} | {} | {not_serving} |", latencies.len(), ms(at(0.5)), ms(at(0.99)), ms(at(1.0)));
    println!("reports answered: {answered}, shed RESOURCE_EXHAUSTED: {shed} (goal: health p99 under 100 ms)");
    Ok(())
}
