//! Counters are maintained after the log commit (issue 16), and a report asked
//! after an acknowledged write still counts it exactly: the read projects what
//! the write queued. The server here never projects in the background (its
//! projector waits an hour for the writes to pause), so every figure below was
//! projected by the read that shows it; and a report cached before a write is
//! never served after it, though the counters it was computed from lagged the
//! log at the time of the write.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{PROJECTOR_IDLE, Server, at, queued_projections, ts};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_client::AccountHealthServiceClient;
use sellerhealth_proto::v1::ingest_service_client::IngestServiceClient;
use tonic::transport::Channel;

const SELLER: &str = "read-after-write";
const MARKETPLACE: &str = "ATVPDKIKX0DER";

/// Order `i` is purchased on 2026-04-01 + i days, 10:00 UTC.
fn purchased(i: usize) -> DateTime<Utc> {
    at(2026, 4, 1, 10) + Duration::days(i as i64)
}

fn order(i: usize) -> pb::Event {
    common::order(SELLER, MARKETPLACE, &format!("o{i}"), purchased(i), pb::FulfillmentChannel::Mfn)
}

/// The MFN order defect rate as of 2026-06-01 (its window: orders of 03-20 .. 05-18).
async fn odr(channel: &Channel) -> (i64, i64) {
    let request = pb::GetAccountHealthRequest {
        seller_id: SELLER.into(),
        marketplace_id: MARKETPLACE.into(),
        as_of: Some(ts(at(2026, 6, 1, 0))),
    };
    let report = AccountHealthServiceClient::new(channel.clone()).get_account_health(request).await.unwrap();
    let rate = report.into_inner().report.unwrap().order_defect_rate_mfn.unwrap().rate.unwrap();
    (rate.numerator, rate.denominator)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_after_an_acknowledged_write_counts_it_though_nothing_was_projected_yet() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_env(data.path(), &[], &[PROJECTOR_IDLE]).await;
    let channel = server.channel().await;
    let mut ingest = IngestServiceClient::new(channel.clone());

    // Ten orders in one call: acknowledged, in the log, queued for the projector.
    let orders = pb::IngestEventsRequest { events: (0..10).map(order).collect() };
    assert_eq!(ingest.ingest_events(orders).await.unwrap().into_inner().accepted, 10);
    assert_eq!(queued_projections(data.path()).await, 1);
    assert_eq!(odr(&channel).await, (0, 10));
    assert_eq!(queued_projections(data.path()).await, 0, "the report projected the write");
    // Asked again: the same report, from the cache (nothing was written since).
    assert_eq!(odr(&channel).await, (0, 10));

    // A 1-star feedback on o1: queued, and the report cached above holds for its version only.
    let feedback = common::feedback(SELLER, "o1", purchased(1) + Duration::days(3), 1, false);
    let answer = ingest.ingest_events(pb::IngestEventsRequest { events: vec![feedback] }).await.unwrap();
    assert_eq!(answer.into_inner().accepted, 1);
    assert_eq!(queued_projections(data.path()).await, 1);
    assert_eq!(odr(&channel).await, (1, 10));
    assert_eq!(queued_projections(data.path()).await, 0);

    // Five more orders in a bulk stream of five messages: five queued rows, all counted.
    let messages: Vec<_> = (10..15).map(|i| pb::StreamEventsRequest { events: vec![order(i)] }).collect();
    let answer = ingest.stream_events(tokio_stream::iter(messages)).await.unwrap().into_inner();
    assert_eq!((answer.accepted, answer.rejected), (5, 0));
    assert_eq!(queued_projections(data.path()).await, 5);
    assert_eq!(odr(&channel).await, (1, 15));
    assert_eq!(queued_projections(data.path()).await, 0);
    server.stop().await;
}
