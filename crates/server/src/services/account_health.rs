//! `AccountHealthService`: reports from stored facts, and from facts sent inline.

use std::pin::Pin;
use std::sync::Arc;

use chrono::Utc;
use sellerhealth_domain::{Applied, SellerBook};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_server::AccountHealthService;
use sellerhealth_store::Store;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use super::required_id;
use crate::{convert, status};

/// Account health over the store.
pub struct AccountHealth {
    store: Arc<Store>,
}

impl AccountHealth {
    /// The service reading from `store`.
    pub fn new(store: Arc<Store>) -> Self {
        AccountHealth { store }
    }
}

type ReportStream = Pin<Box<dyn Stream<Item = Result<pb::WatchAccountHealthResponse, Status>> + Send>>;

#[tonic::async_trait]
impl AccountHealthService for AccountHealth {
    async fn get_account_health(
        &self,
        request: Request<pb::GetAccountHealthRequest>,
    ) -> Result<Response<pb::GetAccountHealthResponse>, Status> {
        let request = request.get_ref();
        let seller_id = required_id("seller_id", &request.seller_id)?;
        let marketplace_id = required_id("marketplace_id", &request.marketplace_id)?;
        let as_of = convert::as_of(request.as_of.as_ref(), Utc::now())?;
        let report = self.store.report(seller_id, marketplace_id, as_of).await.map_err(status::from_store)?;
        Ok(Response::new(pb::GetAccountHealthResponse { report: Some(convert::report(&report)) }))
    }

    async fn evaluate_account_health(
        &self,
        request: Request<pb::EvaluateAccountHealthRequest>,
    ) -> Result<Response<pb::EvaluateAccountHealthResponse>, Status> {
        let request = request.get_ref();
        let seller_id = required_id("seller_id", &request.seller_id)?;
        let marketplace_id = required_id("marketplace_id", &request.marketplace_id)?;
        let now = Utc::now();
        let as_of = convert::as_of(request.as_of.as_ref(), now)?;
        let mut events = convert::events(&request.events)?;
        let policy = self.store.policy();
        let mut book = SellerBook::new(seller_id);
        for (index, event) in events.iter_mut().enumerate() {
            // Inline facts may leave the seller implicit.
            if event.seller_id.is_empty() {
                event.seller_id = seller_id.to_owned();
            }
            match book.apply(event, now, policy) {
                Ok(Applied::Accepted | Applied::Duplicate) => {}
                Err(error) => return Err(status::from_domain(error.within(&format!("events[{index}]")))),
            }
        }
        let report = sellerhealth_metrics::evaluate_book(&book, policy, marketplace_id, as_of);
        Ok(Response::new(pb::EvaluateAccountHealthResponse { report: Some(convert::report(&report)) }))
    }

    async fn get_metric_history(
        &self,
        _request: Request<pb::GetMetricHistoryRequest>,
    ) -> Result<Response<pb::GetMetricHistoryResponse>, Status> {
        Err(status::not_yet("the daily metric history"))
    }

    type WatchAccountHealthStream = ReportStream;

    async fn watch_account_health(
        &self,
        _request: Request<pb::WatchAccountHealthRequest>,
    ) -> Result<Response<Self::WatchAccountHealthStream>, Status> {
        Err(status::not_yet("watching account status"))
    }

    async fn get_seller_rating(
        &self,
        _request: Request<pb::GetSellerRatingRequest>,
    ) -> Result<Response<pb::GetSellerRatingResponse>, Status> {
        Err(status::not_yet("the seller rating"))
    }
}
