//! What the server tells operators: a tracing span per call (method, seller,
//! gRPC code, latency), Prometheus metrics, and a health status that follows
//! the database.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use sellerhealth_store::Store;
use tonic::codegen::http;
use tower::{Layer, Service};
use tracing::Instrument;

/// Starts the Prometheus exporter: `GET http://ADDR/metrics`.
pub fn serve_metrics(addr: SocketAddr) -> anyhow::Result<()> {
    let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(&[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0])
        .context("histogram buckets")?
        .install_recorder()
        .context("installing the metrics recorder")?;
    describe_metrics();
    let listener =
        std::net::TcpListener::bind(addr).with_context(|| format!("starting the metrics listener on {addr}"))?;
    listener.set_nonblocking(true).context("the metrics listener")?;
    let listener = tokio::net::TcpListener::from_std(listener).context("the metrics listener")?;
    let upkeep = handle.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(METRICS_UPKEEP_EVERY).await;
            upkeep.run_upkeep();
        }
    });
    tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, say: try again shortly, without spinning.
                    tracing::warn!(%error, "metrics listener: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let handle = handle.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let answer = metrics_answer(&handle, &request);
                    async move { Ok::<_, std::convert::Infallible>(answer) }
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(METRICS_HEADER_TIMEOUT)
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
                // A client that goes away is not the server's error.
                let _ = connection.await;
            });
        }
    });
    tracing::info!(%addr, "Prometheus metrics on /metrics");
    Ok(())
}

/// How often histograms are folded for rendering.
const METRICS_UPKEEP_EVERY: Duration = Duration::from_secs(5);
/// How long a metrics client may take to send its request head.
const METRICS_HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// `GET /metrics` (or `HEAD`): the Prometheus text; anything else is 404
/// (issue 19: every path used to answer 200).
fn metrics_answer<B>(
    handle: &metrics_exporter_prometheus::PrometheusHandle,
    request: &http::Request<B>,
) -> http::Response<http_body_util::Full<bytes::Bytes>> {
    let found =
        request.uri().path() == "/metrics" && matches!(*request.method(), http::Method::GET | http::Method::HEAD);
    let (status, content_type, body) = if found {
        (http::StatusCode::OK, "text/plain; version=0.0.4", handle.render())
    } else {
        (http::StatusCode::NOT_FOUND, "text/plain", "not found: the metrics are at /metrics\n".to_owned())
    };
    let mut answer = http::Response::new(http_body_util::Full::new(bytes::Bytes::from(body)));
    *answer.status_mut() = status;
    answer.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static(content_type));
    answer
}

/// The `# HELP` line of each metric the server records.
fn describe_metrics() {
    metrics::describe_counter!("grpc_requests_total", "gRPC calls answered, by method and status code");
    metrics::describe_histogram!(
        "grpc_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time to answer a gRPC call, by method and status code"
    );
    metrics::describe_counter!(
        "sellerhealth_events_total",
        "Facts received, by outcome: accepted, duplicate (same fact again) or rejected"
    );
    metrics::describe_histogram!(
        "sellerhealth_store_seconds",
        metrics::Unit::Seconds,
        "Time of one store transaction (write) or report read (read)"
    );
    metrics::describe_gauge!("sellerhealth_database_up", "1 while the database answers its health check, else 0");
}

/// Wraps every call in a `grpc` span (method; handlers add the seller) and,
/// when it answers, logs and counts it by method and code.
#[derive(Debug, Clone, Copy, Default)]
pub struct ObserveLayer;

impl<S> Layer<S> for ObserveLayer {
    type Service = Observe<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Observe { inner }
    }
}

/// The service of [`ObserveLayer`].
#[derive(Debug, Clone)]
pub struct Observe<S> {
    inner: S,
}

/// The gRPC code of an answer: from `grpc-status` when the call failed at once
/// (a trailers-only answer), otherwise OK. A stream that fails after its first
/// message counts as OK here; its error is logged by the handler.
fn code_of<B>(response: &http::Response<B>) -> tonic::Code {
    response
        .headers()
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i32>().ok())
        .map_or(tonic::Code::Ok, tonic::Code::from_i32)
}

impl<S, B, R> Service<http::Request<B>> for Observe<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: std::fmt::Display,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let method = request.uri().path().to_owned();
        let span = tracing::info_span!("grpc", method = %method, seller = tracing::field::Empty);
        let started = Instant::now();
        let answer = self.inner.call(request).instrument(span.clone());
        Box::pin(async move {
            let answer = answer.await;
            let seconds = started.elapsed().as_secs_f64();
            let code = match &answer {
                Ok(response) => code_of(response),
                Err(_) => tonic::Code::Internal,
            };
            let code_name = format!("{code:?}");
            tracing::info!(parent: &span, code = %code_name, latency_ms = seconds * 1000.0, "call answered");
            metrics::counter!("grpc_requests_total", "method" => method.clone(), "code" => code_name.clone())
                .increment(1);
            metrics::histogram!("grpc_request_duration_seconds", "method" => method, "code" => code_name)
                .record(seconds);
            answer
        })
    }
}

/// Notes the seller a call is about on its span (cut to a bounded length: the
/// id may not have been checked yet).
pub fn record_seller(seller_id: &str) {
    tracing::Span::current().record("seller", crate::status::cut(seller_id).as_ref());
}

/// How often the database is checked for the health service.
const DATABASE_CHECK_EVERY: Duration = Duration::from_secs(5);

/// How often overload is looked at, and how recent a shed call must be for the
/// server to count as overloaded.
const OVERLOAD_WINDOW: Duration = Duration::from_secs(1);

/// Keeps the health status in step with readiness: NOT_SERVING while the
/// database does not answer or while calls are being shed (the in-flight bound
/// was full within the last second), SERVING again when both are over. Health
/// checks themselves are never shed, so probes always get this answer.
pub async fn follow_readiness(
    store: Arc<Store>,
    overload: Arc<crate::limits::Overload>,
    reporter: tonic_health::server::HealthReporter,
) {
    let mut serving = true;
    let mut database_up = true;
    let mut database_checked = tokio::time::Instant::now();
    loop {
        tokio::time::sleep(OVERLOAD_WINDOW).await;
        if database_checked.elapsed() >= DATABASE_CHECK_EVERY {
            database_checked = tokio::time::Instant::now();
            database_up = tokio::time::timeout(DATABASE_CHECK_EVERY, store.ping()).await.is_ok_and(|r| r.is_ok());
            metrics::gauge!("sellerhealth_database_up").set(if database_up { 1.0 } else { 0.0 });
        }
        let overloaded = overload.shed_within(OVERLOAD_WINDOW);
        let ready = database_up && !overloaded;
        if ready != serving {
            serving = ready;
            let status =
                if ready { tonic_health::ServingStatus::Serving } else { tonic_health::ServingStatus::NotServing };
            tracing::warn!(database_up, overloaded, "health status changes");
            reporter.set_service_status("", status).await;
            for service in crate::SERVICE_NAMES {
                reporter.set_service_status(*service, status).await;
            }
        }
    }
}
