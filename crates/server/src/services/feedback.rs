//! `FeedbackService`: seller feedback summaries and lists.

use std::sync::Arc;

use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::feedback_service_server::FeedbackService;
use sellerhealth_ratings::feedback::{self, FeedbackFilter, Period, PeriodSummary};
use sellerhealth_store::Store;
use tonic::{Request, Response, Status};

use super::{Inline, Page, scope};
use crate::auth;
use crate::{convert, status};

/// Seller feedback over the store.
pub struct Feedback {
    store: Arc<Store>,
    max_batch_events: usize,
}

impl Feedback {
    /// The service reading from `store`; what-if evaluations take at most
    /// `max_batch_events` inline events.
    pub fn new(store: Arc<Store>, max_batch_events: usize) -> Self {
        Feedback { store, max_batch_events }
    }
}

fn period(period: Period) -> pb::FeedbackPeriod {
    match period {
        Period::Days(30) => pb::FeedbackPeriod::Days30,
        Period::Days(90) => pb::FeedbackPeriod::Days90,
        Period::Days(365) => pb::FeedbackPeriod::Days365,
        Period::Days(_) => pb::FeedbackPeriod::Unspecified,
        Period::Lifetime => pb::FeedbackPeriod::Lifetime,
    }
}

fn period_summary(summary: &PeriodSummary) -> pb::FeedbackPeriodSummary {
    let (positive_percent, neutral_percent, negative_percent) = summary.percents();
    pb::FeedbackPeriodSummary {
        period: period(summary.period) as i32,
        positive_count: summary.positive,
        neutral_count: summary.neutral,
        negative_count: summary.negative,
        total_count: summary.total(),
        positive_percent,
        neutral_percent,
        negative_percent,
    }
}

/// The answer of both summary calls.
fn summary_response(summary: &feedback::FeedbackSummary) -> pb::GetFeedbackSummaryResponse {
    pb::GetFeedbackSummaryResponse {
        periods: summary.periods.iter().map(period_summary).collect(),
        displayed_positive_percent: summary.displayed_positive_percent(),
        displayed_period: period(summary.displayed.period) as i32,
        displayed_count: summary.displayed.total(),
    }
}

#[tonic::async_trait]
impl FeedbackService for Feedback {
    async fn get_feedback_summary(
        &self,
        request: Request<pb::GetFeedbackSummaryRequest>,
    ) -> Result<Response<pb::GetFeedbackSummaryResponse>, Status> {
        let grant = auth::grant(&request);
        let request = request.get_ref();
        let (seller_id, marketplace_id, as_of) =
            scope(&grant, &request.seller_id, &request.marketplace_id, request.as_of.as_ref())?;
        let summary = self
            .store
            .read(seller_id, |book, policy| {
                let calendar = policy.calendar(marketplace_id);
                feedback::summary(&feedback::entries(book, calendar, marketplace_id, as_of), calendar, as_of)
            })
            .await
            .map_err(status::from_store)?;
        Ok(Response::new(summary_response(&summary)))
    }

    async fn evaluate_feedback_summary(
        &self,
        request: Request<pb::EvaluateFeedbackSummaryRequest>,
    ) -> Result<Response<pb::EvaluateFeedbackSummaryResponse>, Status> {
        let grant = auth::grant(&request);
        let policy = self.store.policy().clone();
        let summary = Inline::of(request.get_ref().facts.as_ref())
            .evaluate(&grant, "facts.", policy, self.max_batch_events, |book, policy, marketplace_id, as_of| {
                let calendar = policy.calendar(marketplace_id);
                feedback::summary(&feedback::entries(book, calendar, marketplace_id, as_of), calendar, as_of)
            })
            .await?;
        Ok(Response::new(pb::EvaluateFeedbackSummaryResponse { summary: Some(summary_response(&summary)) }))
    }

    async fn list_feedback(
        &self,
        request: Request<pb::ListFeedbackRequest>,
    ) -> Result<Response<pb::ListFeedbackResponse>, Status> {
        let grant = auth::grant(&request);
        let request = request.get_ref();
        let (seller_id, marketplace_id, as_of) =
            scope(&grant, &request.seller_id, &request.marketplace_id, request.as_of.as_ref())?;
        let page = Page::parse(request.page_size, &request.page_token)?;
        if request.stars.len() > 5 {
            return Err(status::invalid("stars", "at most 5 values (each of 1 to 5 once)"));
        }
        if let Some(bad) = request.stars.iter().position(|s| !(1..=5).contains(s)) {
            return Err(status::invalid(format!("stars[{bad}]"), "must be 1 to 5"));
        }
        let filter = FeedbackFilter {
            stars: request.stars.clone(),
            from: request.from.as_ref().map(|d| convert::day("from", Some(d))).transpose()?,
            to: request.to.as_ref().map(|d| convert::day("to", Some(d))).transpose()?,
            has_response: request.has_response,
        };
        let (feedback, next_page_token) = self
            .store
            .read(seller_id, |book, policy| {
                let calendar = policy.calendar(marketplace_id);
                let entries: Vec<_> = feedback::entries(book, calendar, marketplace_id, as_of)
                    .into_iter()
                    .filter(|e| filter.admits(e))
                    .collect();
                let (items, next) = page.cut(&entries);
                let items = items
                    .iter()
                    .map(|e| pb::FeedbackEntry {
                        order_id: e.feedback.order_id.clone(),
                        left_at: Some(convert::timestamp(e.feedback.left_at)),
                        stars: e.feedback.stars,
                        comment: e.feedback.comment.clone(),
                        fulfillment_related: e.feedback.fulfillment_related,
                        seller_response: e.response.map(|(text, _)| text.to_owned()).unwrap_or_default(),
                        responded_at: e.response.map(|(_, at)| convert::timestamp(at)),
                        struck_through: e.struck_through.is_some(),
                        struck_through_note: e.struck_through.unwrap_or_default().to_owned(),
                    })
                    .collect();
                (items, next)
            })
            .await
            .map_err(status::from_store)?;
        Ok(Response::new(pb::ListFeedbackResponse { feedback, next_page_token }))
    }
}
