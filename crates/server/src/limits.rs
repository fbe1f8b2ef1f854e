//! Limits in front of the services, so a burst or a stuck client cannot take
//! the server down: a deadline on unary calls, a bound on calls in flight that
//! sheds the excess (RESOURCE_EXHAUSTED) instead of queueing without end, and
//! message and batch sizes (set where the services are built).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tonic::Status;
use tonic::codegen::http;
use tower::{Layer, Service};

/// Calls whose requests stream in: they last as long as the client sends, so
/// the deadline does not apply (server streams answer at once and are not
/// affected either).
const CLIENT_STREAMS: &[&str] = &["/sellerhealth.v1.IngestService/StreamEvents"];

/// Answers DEADLINE_EXCEEDED when a unary call takes longer than `deadline`.
#[derive(Debug, Clone, Copy)]
pub struct UnaryDeadlineLayer {
    /// How long a unary call may take.
    pub deadline: Duration,
}

impl<S> Layer<S> for UnaryDeadlineLayer {
    type Service = UnaryDeadline<S>;

    fn layer(&self, inner: S) -> Self::Service {
        UnaryDeadline { inner, deadline: self.deadline }
    }
}

/// The service of [`UnaryDeadlineLayer`].
#[derive(Debug, Clone)]
pub struct UnaryDeadline<S> {
    inner: S,
    deadline: Duration,
}

impl<S, B> Service<http::Request<B>> for UnaryDeadline<S>
where
    S: Service<http::Request<B>, Response = http::Response<tonic::body::Body>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let streaming = CLIENT_STREAMS.contains(&request.uri().path());
        let deadline = self.deadline;
        let answer = self.inner.call(request);
        Box::pin(async move {
            if streaming {
                return answer.await;
            }
            match tokio::time::timeout(deadline, answer).await {
                Ok(answer) => answer,
                Err(_) => Ok(Status::deadline_exceeded(format!(
                    "no answer within {} s (--request-timeout)",
                    deadline.as_secs_f64()
                ))
                .into_http()),
            }
        })
    }
}
