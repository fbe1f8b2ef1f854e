//! `ReviewService`: product review summaries and lists.

use std::sync::Arc;

use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::review_service_server::ReviewService;
use sellerhealth_ratings::reviews;
use sellerhealth_store::Store;
use tonic::{Request, Response, Status};

use super::{Inline, Page, required_id, scope};
use crate::auth;
use crate::{convert, status};

/// Product reviews over the store.
pub struct Reviews {
    store: Arc<Store>,
    max_batch_events: usize,
}

impl Reviews {
    /// The service reading from `store`; what-if evaluations take at most
    /// `max_batch_events` inline events.
    pub fn new(store: Arc<Store>, max_batch_events: usize) -> Self {
        Reviews { store, max_batch_events }
    }
}

#[tonic::async_trait]
impl ReviewService for Reviews {
    async fn get_review_summary(
        &self,
        request: Request<pb::GetReviewSummaryRequest>,
    ) -> Result<Response<pb::GetReviewSummaryResponse>, Status> {
        let grant = auth::grant(&request);
        let request = request.get_ref();
        let (seller_id, marketplace_id, as_of) =
            scope(&grant, &request.seller_id, &request.marketplace_id, request.as_of.as_ref())?;
        let asin = required_id("asin", &request.asin)?;
        let summary = self
            .store
            .read(seller_id, |book, policy| {
                let calendar = policy.calendar(marketplace_id);
                reviews::summary(&reviews::visible(book, marketplace_id, asin, as_of), calendar, as_of)
            })
            .await
            .map_err(status::from_store)?;
        Ok(Response::new(convert::review_summary(asin, &summary)))
    }

    async fn evaluate_review_summary(
        &self,
        request: Request<pb::EvaluateReviewSummaryRequest>,
    ) -> Result<Response<pb::EvaluateReviewSummaryResponse>, Status> {
        let grant = auth::grant(&request);
        let request = request.get_ref();
        let asin = required_id("asin", &request.asin)?.to_owned();
        let policy = self.store.policy().clone();
        let wanted = asin.clone();
        let summary = Inline::of(request.facts.as_ref())
            .evaluate(&grant, "facts.", policy, self.max_batch_events, move |book, policy, marketplace_id, as_of| {
                let calendar = policy.calendar(marketplace_id);
                reviews::summary(&reviews::visible(book, marketplace_id, &wanted, as_of), calendar, as_of)
            })
            .await?;
        Ok(Response::new(pb::EvaluateReviewSummaryResponse { summary: Some(convert::review_summary(&asin, &summary)) }))
    }

    async fn list_reviews(
        &self,
        request: Request<pb::ListReviewsRequest>,
    ) -> Result<Response<pb::ListReviewsResponse>, Status> {
        let grant = auth::grant(&request);
        let request = request.get_ref();
        let (seller_id, marketplace_id, as_of) =
            scope(&grant, &request.seller_id, &request.marketplace_id, request.as_of.as_ref())?;
        let asin = required_id("asin", &request.asin)?;
        let page = Page::parse(request.page_size, &request.page_token)?;
        let (reviews, next_page_token) = self
            .store
            .read(seller_id, |book, policy| {
                let calendar = policy.calendar(marketplace_id);
                let visible = reviews::visible(book, marketplace_id, asin, as_of);
                let (items, next) = page.cut(&visible);
                let items = items.iter().map(|r| convert::review_entry(r, calendar, as_of)).collect();
                (items, next)
            })
            .await
            .map_err(status::from_store)?;
        Ok(Response::new(pb::ListReviewsResponse { reviews, next_page_token }))
    }
}
