//! `AccountHealthService`: reports from stored facts, and from facts sent inline.

use std::pin::Pin;
use std::sync::Arc;

use chrono::Utc;
use sellerhealth_domain::{Policy, SellerBook};
use sellerhealth_metrics::seller_rating;
use sellerhealth_metrics::{Metric, history, reach};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_server::AccountHealthService;
use tokio::sync::mpsc;
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use super::watch::Watchers;
use super::{Inline, required_id, scope};
use crate::auth::{self, Role};
use crate::figures::Figures;
use crate::limits::Deadline;
use crate::{convert, status};

/// Account health over the store.
pub struct AccountHealth {
    figures: Arc<Figures>,
    max_batch_events: usize,
    watchers: Watchers,
}

impl AccountHealth {
    /// The service reading through `figures`; stateless evaluations take at most
    /// `max_batch_events` inline events; at most `max_watchers` watches are open.
    pub fn new(figures: Arc<Figures>, max_batch_events: usize, max_watchers: u32) -> Self {
        let watchers = Watchers::new(Arc::clone(&figures), max_watchers);
        AccountHealth { figures, max_batch_events, watchers }
    }
}

/// Most entries in a history request's `metrics` (there are fewer metrics).
const MAX_HISTORY_METRICS: usize = 64;

/// Reports a slow watcher may have queued before the sender waits.
const WATCH_BUFFER: usize = 4;

type ReportStream = Pin<Box<dyn Stream<Item = Result<pb::WatchAccountHealthResponse, Status>> + Send>>;

#[tonic::async_trait]
impl AccountHealthService for AccountHealth {
    async fn get_account_health(
        &self,
        request: Request<pb::GetAccountHealthRequest>,
    ) -> Result<Response<pb::GetAccountHealthResponse>, Status> {
        let grant = auth::grant(&request);
        let request = request.get_ref();
        let (seller_id, marketplace_id, as_of) =
            scope(&grant, &request.seller_id, &request.marketplace_id, request.as_of.as_ref())?;
        let evaluated = self.figures.account_health(seller_id, marketplace_id, as_of).await?;
        Ok(Response::new(pb::GetAccountHealthResponse { report: Some(convert::report(&evaluated.report)) }))
    }

    async fn get_seller_performance_report(
        &self,
        request: Request<pb::GetSellerPerformanceReportRequest>,
    ) -> Result<Response<pb::GetSellerPerformanceReportResponse>, Status> {
        let grant = auth::grant(&request);
        let request = request.get_ref();
        let (seller_id, marketplace_id, as_of) =
            scope(&grant, &request.seller_id, &request.marketplace_id, request.as_of.as_ref())?;
        let evaluated = self.figures.account_health(seller_id, marketplace_id, as_of).await?;
        let calendar = self.figures.store().policy().calendar(marketplace_id);
        let json = sellerhealth_metrics::sp_api::to_json(&evaluated.report, evaluated.counters.as_ref(), calendar)
            .map_err(|error| {
                tracing::error!(%error, "SP-API report not written");
                Status::internal("the SP-API report could not be written")
            })?;
        Ok(Response::new(pb::GetSellerPerformanceReportResponse { json }))
    }

    async fn evaluate_account_health(
        &self,
        request: Request<pb::EvaluateAccountHealthRequest>,
    ) -> Result<Response<pb::EvaluateAccountHealthResponse>, Status> {
        let grant = auth::grant(&request);
        let request = request.get_ref();
        let inline = Inline {
            seller_id: &request.seller_id,
            marketplace_id: &request.marketplace_id,
            as_of: request.as_of.as_ref(),
            events: &request.events,
        };
        let evaluate = |book: &SellerBook, policy: &Policy, marketplace_id: &str, as_of| {
            sellerhealth_metrics::evaluate_book(book, policy, marketplace_id, as_of)
        };
        let store = self.figures.store();
        let report = if request.on_stored_facts {
            inline.evaluate_on_stored(&grant, "", store, self.max_batch_events, evaluate).await?
        } else {
            inline.evaluate(&grant, "", store.policy().clone(), self.max_batch_events, evaluate).await?
        };
        Ok(Response::new(pb::EvaluateAccountHealthResponse { report: Some(convert::report(&report)) }))
    }

    async fn get_metric_history(
        &self,
        request: Request<pb::GetMetricHistoryRequest>,
    ) -> Result<Response<pb::GetMetricHistoryResponse>, Status> {
        let grant = auth::grant(&request);
        let deadline = Deadline::of(&request);
        let request = request.get_ref();
        let seller_id = required_id("seller_id", &request.seller_id)?;
        grant.allow(seller_id, Role::Read)?;
        let marketplace_id = required_id("marketplace_id", &request.marketplace_id)?;
        let from = convert::day("from", request.from.as_ref())?;
        let to = convert::day("to", request.to.as_ref())?;
        let span = (to - from).num_days() + 1;
        if !(1..=history::MAX_HISTORY_DAYS).contains(&span) {
            return Err(status::invalid(
                "to",
                format!("must be on or after from, at most {} days in all", history::MAX_HISTORY_DAYS),
            ));
        }
        if request.metrics.len() > MAX_HISTORY_METRICS {
            return Err(status::invalid("metrics", format!("at most {MAX_HISTORY_METRICS} entries")));
        }
        let policy = self.figures.store().policy().clone();
        let available = history::history_metrics(&policy);
        let mut wanted: Vec<Metric> = Vec::with_capacity(available.len());
        if request.metrics.is_empty() {
            wanted.clone_from(&available);
        }
        for (i, &m) in request.metrics.iter().enumerate() {
            let metric = convert::metric_from_wire(m)
                .filter(|metric| available.contains(metric))
                .ok_or_else(|| status::invalid(format!("metrics[{i}]"), "not a metric with a daily rate"))?;
            // Each metric once, however often it is asked for.
            if !wanted.contains(&metric) {
                wanted.push(metric);
            }
        }
        let now = Utc::now();
        let first_day = reach::history_first_day(from, &policy);
        let histories = self
            .figures
            .evaluate(seller_id, marketplace_id, now, first_day, move |read, policy| {
                let mut histories = Vec::with_capacity(wanted.len());
                for metric in wanted {
                    // Stop once the caller has been answered DEADLINE_EXCEEDED.
                    Deadline::check(deadline)?;
                    let days =
                        history::history(&read.counters, policy, read.counters.marketplace_id(), metric, from, to, now);
                    if let Some(days) = days {
                        histories.push(convert::metric_history(metric, &days));
                    }
                }
                Ok(histories)
            })
            .await?;
        Ok(Response::new(pb::GetMetricHistoryResponse { histories }))
    }

    type WatchAccountHealthStream = ReportStream;

    async fn watch_account_health(
        &self,
        request: Request<pb::WatchAccountHealthRequest>,
    ) -> Result<Response<Self::WatchAccountHealthStream>, Status> {
        let grant = auth::grant(&request);
        let request = request.into_inner();
        required_id("seller_id", &request.seller_id)?;
        grant.allow(&request.seller_id, Role::Read)?;
        required_id("marketplace_id", &request.marketplace_id)?;
        // Subscribe before the first report, so no ingest falls between the two.
        let mut subscription = self.watchers.subscribe(&request.seller_id, &request.marketplace_id)?;
        let first = self.figures.account_health(&request.seller_id, &request.marketplace_id, Utc::now()).await?.report;
        let (sender, receiver) = mpsc::channel(WATCH_BUFFER);
        let mut last = first.status_signature();
        // Cannot fail: the receiver is still here.
        let _ = sender.send(Ok(pb::WatchAccountHealthResponse { report: Some(convert::report(&first)) })).await;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    // The watcher went away: stop, giving back its slot.
                    () = sender.closed() => break,
                    changed = subscription.latest.changed() => if changed.is_err() { break },
                }
                let evaluated = subscription.latest.borrow_and_update().clone();
                match evaluated {
                    None => {}
                    Some(Ok(report)) => {
                        let signature = report.status_signature();
                        if signature == last {
                            continue;
                        }
                        last = signature;
                        let message = pb::WatchAccountHealthResponse { report: Some(convert::report(&report)) };
                        if sender.send(Ok(message)).await.is_err() {
                            break;
                        }
                    }
                    Some(Err(error)) => {
                        let _ = sender.send(Err(error)).await;
                        break;
                    }
                }
            }
            // Dropping the subscription gives back the watcher's slot.
            drop(subscription);
            tracing::debug!("watch ended");
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(receiver))))
    }

    async fn get_seller_rating(
        &self,
        request: Request<pb::GetSellerRatingRequest>,
    ) -> Result<Response<pb::GetSellerRatingResponse>, Status> {
        let grant = auth::grant(&request);
        let request = request.get_ref();
        let (seller_id, marketplace_id, as_of) =
            scope(&grant, &request.seller_id, &request.marketplace_id, request.as_of.as_ref())?;
        let calendar = self.figures.store().policy().calendar(marketplace_id);
        let rating = self
            .figures
            .evaluate(
                seller_id,
                marketplace_id,
                as_of,
                reach::rating_first_day(as_of, calendar),
                move |read, policy| {
                    Ok(seller_rating::evaluate(&read.counters, policy, read.counters.marketplace_id(), as_of))
                },
            )
            .await?;
        Ok(Response::new(convert::seller_rating(&rating)))
    }

    async fn evaluate_seller_rating(
        &self,
        request: Request<pb::EvaluateSellerRatingRequest>,
    ) -> Result<Response<pb::EvaluateSellerRatingResponse>, Status> {
        let grant = auth::grant(&request);
        let policy = self.figures.store().policy().clone();
        let rating = Inline::of(request.get_ref().facts.as_ref())
            .evaluate(&grant, "facts.", policy, self.max_batch_events, |book, policy, marketplace_id, as_of| {
                let counters = sellerhealth_metrics::book_counters(book, policy, marketplace_id, as_of);
                seller_rating::evaluate(&counters, policy, marketplace_id, as_of)
            })
            .await?;
        Ok(Response::new(pb::EvaluateSellerRatingResponse { rating: Some(convert::seller_rating(&rating)) }))
    }
}
