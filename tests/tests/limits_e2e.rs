//! Limits: too many events in one call, a message over the size limit, a unary
//! call past its deadline, and a call beyond the in-flight bound are each
//! refused at once with a clear status; bulk streams are not cut by the deadline.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{Server, at};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_client::AccountHealthServiceClient;
use sellerhealth_proto::v1::ingest_service_client::IngestServiceClient;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;

fn orders(seller: &str, n: usize) -> Vec<pb::Event> {
    (0..n)
        .map(|i| common::order(seller, "US", &format!("o{i}"), at(2026, 5, 1, 10), pb::FulfillmentChannel::Mfn))
        .collect()
}

fn report_request(seller: &str) -> pb::GetAccountHealthRequest {
    pb::GetAccountHealthRequest { seller_id: seller.into(), marketplace_id: "US".into(), as_of: None }
}

#[tokio::test]
async fn batches_and_messages_over_the_limits_are_refused() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(data.path(), &["--max-batch-events", "3", "--max-message-bytes", "2000"]).await;
    let mut ingest = IngestServiceClient::new(server.channel().await);

    let error = ingest.ingest_events(pb::IngestEventsRequest { events: orders("s", 4) }).await.unwrap_err();
    assert_eq!(error.code(), Code::InvalidArgument);
    assert_eq!(error.message(), "events: 4 events in one call; at most 3 (--max-batch-events): split the batch");
    let stream = tokio_stream::iter([pb::StreamEventsRequest { events: orders("s", 4) }]);
    assert_eq!(ingest.stream_events(stream).await.unwrap_err().code(), Code::InvalidArgument);
    assert_eq!(
        ingest.ingest_events(pb::IngestEventsRequest { events: orders("s", 3) }).await.unwrap().get_ref().accepted,
        3
    );

    // One order with a 3,000-byte id is over the 2,000-byte message limit.
    let mut big = orders("s", 1);
    big[0].event_id = "x".repeat(3000);
    let error = ingest.ingest_events(pb::IngestEventsRequest { events: big }).await.unwrap_err();
    assert_eq!(error.code(), Code::OutOfRange, "{error:?}");
    server.stop().await;
}

#[tokio::test]
async fn unary_calls_have_a_deadline_and_bulk_streams_do_not() {
    let data = tempfile::tempdir().unwrap();
    // A microsecond: no unary call can finish in time.
    let server = Server::start_with(data.path(), &["--request-timeout", "0.000001"]).await;
    let channel = server.channel().await;
    let mut ingest = IngestServiceClient::new(channel.clone());
    let error = ingest.ingest_events(pb::IngestEventsRequest { events: orders("s", 1) }).await.unwrap_err();
    assert_eq!(error.code(), Code::DeadlineExceeded);
    assert_eq!(error.message(), "no answer within 0.000001 s (--request-timeout)");
    // The stream is not cut. (The unary call above may still have committed its
    // order after its deadline: the client cannot know, and the event id makes
    // sending it again a duplicate.)
    let stream = tokio_stream::iter([pb::StreamEventsRequest { events: orders("s", 2) }]);
    let answer = ingest.stream_events(stream).await.unwrap().into_inner();
    assert_eq!((answer.accepted + answer.duplicates, answer.rejected), (2, 0));
    server.stop().await;
}

#[tokio::test]
async fn calls_beyond_the_in_flight_bound_are_shed() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(data.path(), &["--max-in-flight", "1"]).await;
    let channel = server.channel().await;

    // An open bulk stream holds the one slot until it ends.
    let (sender, receiver) = tokio::sync::mpsc::channel(1);
    let mut ingest = IngestServiceClient::new(channel.clone());
    let held = tokio::spawn(async move { ingest.stream_events(ReceiverStream::new(receiver)).await });
    sender.send(pb::StreamEventsRequest { events: orders("s", 1) }).await.unwrap();
    // Once its first message is committed the stream is admitted and holds the
    // slot (waiting by a commit, not a clock: a probing call could take the slot).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while common::stored_events(&server, "s").await < 1 {
        assert!(std::time::Instant::now() < deadline, "the stream's first message was not committed in 120 s");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }

    // A flood of 20 calls at once: every one is shed at once, none queues.
    let mut flood = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let mut health = AccountHealthServiceClient::new(channel.clone());
        flood.spawn(async move { health.get_account_health(report_request("s")).await });
    }
    while let Some(answer) = flood.join_next().await {
        let error = answer.unwrap().unwrap_err();
        assert_eq!(error.code(), Code::ResourceExhausted, "{error:?}");
    }

    // The admitted call still completes, and the slot is free again after.
    drop(sender);
    assert_eq!(held.await.unwrap().unwrap().get_ref().accepted, 1);
    let mut health = AccountHealthServiceClient::new(channel.clone());
    assert!(health.get_account_health(report_request("s")).await.is_ok());
    server.stop().await;
}
