//! `ReviewService`: product review summaries and lists.

use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::review_service_server::ReviewService;
use tonic::{Request, Response, Status};

use crate::status;

/// Product reviews (not computed by this version yet).
pub struct Reviews;

#[tonic::async_trait]
impl ReviewService for Reviews {
    async fn get_review_summary(
        &self,
        _request: Request<pb::GetReviewSummaryRequest>,
    ) -> Result<Response<pb::GetReviewSummaryResponse>, Status> {
        Err(status::not_yet("the review summary"))
    }

    async fn list_reviews(
        &self,
        _request: Request<pb::ListReviewsRequest>,
    ) -> Result<Response<pb::ListReviewsResponse>, Status> {
        Err(status::not_yet("the review list"))
    }
}
