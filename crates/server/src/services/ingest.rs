//! `IngestService`: facts in, all-or-nothing batches and bulk streams.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sellerhealth_domain::{Applied, DomainError};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::ingest_service_server::IngestService;
use sellerhealth_store::Store;
use tonic::{Request, Response, Status, Streaming};

use crate::auth::{self, Role};
use crate::services::check_batch;
use crate::{convert, status};

/// Most rejections listed in a stream's final answer; the count is always exact.
const MAX_LISTED_REJECTIONS: usize = 1000;

/// Ingest over the store.
pub struct Ingest {
    store: Arc<Store>,
    max_batch_events: usize,
    stream_idle_timeout: Duration,
}

impl Ingest {
    /// The service writing to `store`, taking at most `max_batch_events` events
    /// per call (per message of a stream), and closing a bulk stream that sends
    /// nothing for `stream_idle_timeout`.
    pub fn new(store: Arc<Store>, max_batch_events: usize, stream_idle_timeout: Duration) -> Self {
        Ingest { store, max_batch_events, stream_idle_timeout }
    }
}

#[tonic::async_trait]
impl IngestService for Ingest {
    async fn ingest_events(
        &self,
        request: Request<pb::IngestEventsRequest>,
    ) -> Result<Response<pb::IngestEventsResponse>, Status> {
        let grant = auth::grant(&request);
        check_batch(request.get_ref().events.len(), self.max_batch_events)?;
        for event in &request.get_ref().events {
            grant.allow(&event.seller_id, Role::Write)?;
        }
        let events = convert::events(&request.get_ref().events)?;
        let counts = self.store.ingest_batch(&events, Utc::now()).await.map_err(status::from_store)?;
        count_events(counts.accepted, counts.duplicates, 0);
        Ok(Response::new(pb::IngestEventsResponse {
            accepted: counts.accepted as i64,
            duplicates: counts.duplicates as i64,
        }))
    }

    async fn stream_events(
        &self,
        request: Request<Streaming<pb::StreamEventsRequest>>,
    ) -> Result<Response<pb::StreamEventsResponse>, Status> {
        let grant = auth::grant(&request);
        // A stream holds an in-flight slot while open: only writers may open one.
        grant.require(Role::Write)?;
        let mut stream = request.into_inner();
        let mut summary = pb::StreamEventsResponse::default();
        let mut index: i64 = 0;
        // The write of the previous message runs while the next one is read
        // and converted; messages are still written one after another, in order.
        let mut writing: Option<Writing> = None;
        let outcome = loop {
            let Ok(next) = tokio::time::timeout(self.stream_idle_timeout, stream.message()).await else {
                if let Err(status) = finish(writing.take(), &mut summary).await {
                    break Err(status);
                }
                break Err(Status::deadline_exceeded(format!(
                    "no message for {} s (--stream-idle-timeout); the stream is closed after {} events \
                     ({} accepted, {} duplicates, {} rejected), which stay stored",
                    self.stream_idle_timeout.as_secs_f64(),
                    index,
                    summary.accepted,
                    summary.duplicates,
                    summary.rejected
                )));
            };
            let chunk = match next {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break Ok(()),
                Err(status) => break Err(status),
            };
            // A seller outside the token's set ends the stream; earlier chunks stay stored.
            let allowed = check_batch(chunk.events.len(), self.max_batch_events)
                .and_then(|()| chunk.events.iter().try_for_each(|event| grant.allow(&event.seller_id, Role::Write)));
            if let Err(status) = allowed {
                break Err(status);
            }
            let mut converted = Vec::with_capacity(chunk.events.len());
            let mut positions = Vec::with_capacity(chunk.events.len());
            let mut refused = Vec::new();
            for event in &chunk.events {
                match convert::event(event) {
                    Ok(domain_event) => {
                        converted.push(domain_event);
                        positions.push(index);
                    }
                    Err(error) => refused.push((index, event.event_id.clone(), error)),
                }
                index = index.saturating_add(1);
            }
            if let Err(status) = finish(writing.take(), &mut summary).await {
                break Err(status);
            }
            for (position, event_id, error) in refused {
                reject(&mut summary, position, &event_id, error);
            }
            let store = Arc::clone(&self.store);
            let events = Arc::new(converted);
            let written = Arc::clone(&events);
            let task = tokio::spawn(async move { store.ingest_each(&written, Utc::now()).await });
            writing = Some(Writing { events, positions, task });
        };
        // Whatever ended the stream, a write under way finishes (its events stay stored).
        let finished = finish(writing.take(), &mut summary).await;
        outcome?;
        finished?;
        count_events(summary.accepted as u64, summary.duplicates as u64, summary.rejected as u64);
        tracing::info!(
            accepted = summary.accepted,
            duplicates = summary.duplicates,
            rejected = summary.rejected,
            "bulk stream finished"
        );
        Ok(Response::new(summary))
    }
}

/// A message's write under way: its events, their indexes in the stream, and
/// the task writing them.
struct Writing {
    events: Arc<Vec<sellerhealth_domain::Event>>,
    positions: Vec<i64>,
    task: tokio::task::JoinHandle<Result<Vec<Result<Applied, DomainError>>, sellerhealth_store::StoreError>>,
}

/// Waits for a message's write (if one is under way) and counts its outcomes.
async fn finish(writing: Option<Writing>, summary: &mut pb::StreamEventsResponse) -> Result<(), Status> {
    let Some(Writing { events, positions, task }) = writing else { return Ok(()) };
    let outcomes = task
        .await
        .map_err(|error| {
            tracing::error!(%error, "bulk write task failed");
            Status::internal("bulk write failed")
        })?
        .map_err(status::from_store)?;
    for ((event, position), outcome) in events.iter().zip(positions).zip(outcomes) {
        match outcome {
            Ok(Applied::Accepted) => summary.accepted += 1,
            Ok(Applied::Duplicate) => summary.duplicates += 1,
            Err(error) => reject(summary, position, &event.event_id, error),
        }
    }
    Ok(())
}

/// Counts ingested events by outcome for Prometheus.
fn count_events(accepted: u64, duplicates: u64, rejected: u64) {
    for (outcome, n) in [("accepted", accepted), ("duplicate", duplicates), ("rejected", rejected)] {
        metrics::counter!("sellerhealth_events_total", "outcome" => outcome).increment(n);
    }
}

fn reject(summary: &mut pb::StreamEventsResponse, index: i64, event_id: &str, error: DomainError) {
    summary.rejected += 1;
    if summary.rejections.len() >= MAX_LISTED_REJECTIONS {
        return;
    }
    let (field, reason) = match error {
        DomainError::InvalidArgument { field, reason } => (field, reason),
        other => (String::new(), other.to_string()),
    };
    summary.rejections.push(pb::EventRejection {
        index,
        event_id: status::cut(event_id).into_owned(),
        field: status::cut(&field).into_owned(),
        reason: status::cut(&reason).into_owned(),
    });
}
