//! `FeedbackService`: seller feedback summaries and lists.

use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::feedback_service_server::FeedbackService;
use tonic::{Request, Response, Status};

use crate::status;

/// Seller feedback (not computed by this version yet).
pub struct Feedback;

#[tonic::async_trait]
impl FeedbackService for Feedback {
    async fn get_feedback_summary(
        &self,
        _request: Request<pb::GetFeedbackSummaryRequest>,
    ) -> Result<Response<pb::GetFeedbackSummaryResponse>, Status> {
        Err(status::not_yet("the feedback summary"))
    }

    async fn list_feedback(
        &self,
        _request: Request<pb::ListFeedbackRequest>,
    ) -> Result<Response<pb::ListFeedbackResponse>, Status> {
        Err(status::not_yet("the feedback list"))
    }
}
