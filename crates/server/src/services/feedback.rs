//! `FeedbackService`: seller feedback summaries and lists.

use std::sync::Arc;

use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::feedback_service_server::FeedbackService;
use sellerhealth_ratings::feedback::{self, FeedbackFilter};
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
        Ok(Response::new(convert::feedback_summary(&summary)))
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
        Ok(Response::new(pb::EvaluateFeedbackSummaryResponse { summary: Some(convert::feedback_summary(&summary)) }))
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
                let items = items.iter().map(convert::feedback_entry).collect();
                (items, next)
            })
            .await
            .map_err(status::from_store)?;
        Ok(Response::new(pb::ListFeedbackResponse { feedback, next_page_token }))
    }
}
