//! Limits in front of the services, so a burst, a stuck client or a hostile one
//! cannot take the server down: a deadline on unary calls (handlers see it, so
//! long work stops with it), a bound on calls in flight that sheds the excess
//! (RESOURCE_EXHAUSTED) instead of queueing without end, and connections that
//! close when idle. Health checks pass outside the bound, so probes are answered
//! under any load; overload shows in readiness instead ([`Overload`]).
//! Message and batch sizes are set where the services are built.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tonic::Status;
use tonic::codegen::http;
use tonic::transport::server::{Connected, TcpConnectInfo};
use tower::{Layer, Service};

/// Health checks: outside the in-flight bound, so an overloaded server still
/// answers its probes.
const HEALTH_PREFIX: &str = "/grpc.health.v1.Health/";

/// When a call must be answered by: in the request's extensions, so handlers
/// doing long work can stop once nobody waits for the answer.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(pub Instant);

impl Deadline {
    /// The deadline of `request`; none (never) for calls without one.
    pub fn of<T>(request: &tonic::Request<T>) -> Option<Deadline> {
        request.extensions().get::<Deadline>().copied()
    }

    /// DEADLINE_EXCEEDED once the deadline has passed.
    pub fn check(deadline: Option<Deadline>) -> Result<(), Status> {
        match deadline {
            Some(Deadline(at)) if Instant::now() >= at => {
                Err(Status::deadline_exceeded("the answer took longer than --request-timeout"))
            }
            _ => Ok(()),
        }
    }
}

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

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let streaming = CLIENT_STREAMS.contains(&request.uri().path());
        let deadline = self.deadline;
        if !streaming {
            request.extensions_mut().insert(Deadline(Instant::now() + deadline));
        }
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

/// An instant that threads set and read without a lock: milliseconds since an
/// origin, plus one (0: never set).
#[derive(Debug)]
struct AtomicInstant {
    origin: Instant,
    ms_plus_one: AtomicU64,
}

impl AtomicInstant {
    fn unset() -> AtomicInstant {
        AtomicInstant { origin: Instant::now(), ms_plus_one: AtomicU64::new(0) }
    }

    fn set_now(&self) {
        let ms = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.ms_plus_one.store(ms.saturating_add(1), Ordering::Release);
    }

    fn get(&self) -> Option<Instant> {
        let ms_plus_one = self.ms_plus_one.load(Ordering::Acquire);
        ms_plus_one.checked_sub(1).map(|ms| self.origin + Duration::from_millis(ms))
    }
}

/// Whether the server has been shedding calls lately; readiness follows it.
#[derive(Debug)]
pub struct Overload {
    last_shed: AtomicInstant,
}

impl Default for Overload {
    fn default() -> Self {
        Overload { last_shed: AtomicInstant::unset() }
    }
}

impl Overload {
    fn shed(&self) {
        self.last_shed.set_now();
    }

    /// Whether a call was shed within the last `window`.
    pub fn shed_within(&self, window: Duration) -> bool {
        self.last_shed.get().is_some_and(|at| at.elapsed() <= window)
    }
}

/// At most `max` calls in flight; more are answered RESOURCE_EXHAUSTED at once
/// (no queue). Health checks are not counted. A call holds its slot until its
/// answer starts: a unary call for its whole work, a client stream until it
/// ends (and [`crate::services::ingest`] closes idle ones), a server stream
/// only until its first message (watchers have a bound of their own).
#[derive(Debug, Clone)]
pub struct InFlightLayer {
    permits: Arc<Semaphore>,
    max: usize,
    overload: Arc<Overload>,
}

impl InFlightLayer {
    /// A bound of `max` calls (at least 1), noting sheds in `overload`.
    pub fn new(max: usize, overload: Arc<Overload>) -> InFlightLayer {
        let max = max.clamp(1, Semaphore::MAX_PERMITS);
        InFlightLayer { permits: Arc::new(Semaphore::new(max)), max, overload }
    }
}

impl<S> Layer<S> for InFlightLayer {
    type Service = InFlight<S>;

    fn layer(&self, inner: S) -> Self::Service {
        InFlight { inner, limit: self.clone() }
    }
}

/// The service of [`InFlightLayer`].
#[derive(Debug, Clone)]
pub struct InFlight<S> {
    inner: S,
    limit: InFlightLayer,
}

impl<S, B> Service<http::Request<B>> for InFlight<S>
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
        if request.uri().path().starts_with(HEALTH_PREFIX) {
            return Box::pin(self.inner.call(request));
        }
        let Ok(permit) = Arc::clone(&self.limit.permits).try_acquire_owned() else {
            self.limit.overload.shed();
            let max = self.limit.max;
            return Box::pin(async move {
                Ok(Status::resource_exhausted(format!("{max} calls in flight (--max-in-flight); retry with backoff"))
                    .into_http())
            });
        };
        let answer = self.inner.call(request);
        Box::pin(async move {
            let answer = answer.await;
            drop(permit);
            answer
        })
    }
}

/// A connection's count of calls in flight, and when it last had none.
#[derive(Debug)]
pub struct Activity {
    calls: AtomicUsize,
    /// When the last call ended (unset: when the connection opened).
    last_call_ended: AtomicInstant,
}

impl Activity {
    fn new() -> Arc<Activity> {
        Arc::new(Activity { calls: AtomicUsize::new(0), last_call_ended: AtomicInstant::unset() })
    }

    /// When the connection became idle, if it is.
    fn idle_since(&self) -> Option<Instant> {
        if self.calls.load(Ordering::Acquire) > 0 {
            return None;
        }
        Some(self.last_call_ended.get().unwrap_or(self.last_call_ended.origin))
    }

    fn begin(self: &Arc<Self>) -> CallGuard {
        self.calls.fetch_add(1, Ordering::AcqRel);
        CallGuard(Arc::clone(self))
    }
}

/// Ends a call on its connection when dropped (its answer sent or abandoned).
struct CallGuard(Arc<Activity>);

impl Drop for CallGuard {
    fn drop(&mut self) {
        self.0.last_call_ended.set_now();
        self.0.calls.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A TCP connection that ends itself once it has had no call in flight for
/// `idle`: a client that connects and sends nothing, or stays after its last
/// call, does not hold a descriptor for ever. HTTP/2 pings do not count as
/// activity; a client whose connection closed reconnects on its next call.
#[derive(Debug)]
pub struct IdleClosing {
    inner: TcpStream,
    activity: Arc<Activity>,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
}

impl IdleClosing {
    /// Wraps an accepted connection.
    pub fn new(inner: TcpStream, idle: Duration) -> IdleClosing {
        let activity = Activity::new();
        let timer = Box::pin(tokio::time::sleep(idle));
        IdleClosing { inner, activity, idle, timer }
    }

    /// Whether the connection has been idle for `idle`; if not, the timer is set
    /// to wake the reader when it would be.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        while self.timer.as_mut().poll(cx).is_ready() {
            match self.activity.idle_since() {
                Some(since) if since + self.idle <= Instant::now() => return true,
                Some(since) => self.timer.as_mut().reset(since + self.idle),
                None => self.timer.as_mut().reset(Instant::now() + self.idle),
            }
        }
        false
    }
}

/// The connection information of an [`IdleClosing`] connection: the peer, and
/// the connection's activity for [`ConnectionCallsLayer`].
#[derive(Debug, Clone)]
pub struct IdleConnectInfo {
    /// Addresses, as tonic gives them for plain TCP.
    pub tcp: TcpConnectInfo,
    activity: Arc<Activity>,
}

impl Connected for IdleClosing {
    type ConnectInfo = IdleConnectInfo;

    fn connect_info(&self) -> IdleConnectInfo {
        IdleConnectInfo { tcp: self.inner.connect_info(), activity: Arc::clone(&self.activity) }
    }
}

impl AsyncRead for IdleClosing {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Pending if self.expired(cx) => {
                tracing::debug!("closing an idle connection");
                // End of stream: the HTTP/2 connection ends as if the peer had closed it.
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

impl AsyncWrite for IdleClosing {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Counts each call on its connection from its start until its answer body
/// ends, so [`IdleClosing`] knows when a connection is idle.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConnectionCallsLayer;

impl<S> Layer<S> for ConnectionCallsLayer {
    type Service = ConnectionCalls<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ConnectionCalls { inner }
    }
}

/// The service of [`ConnectionCallsLayer`].
#[derive(Debug, Clone)]
pub struct ConnectionCalls<S> {
    inner: S,
}

/// The connection activity of a request, over plain TCP or TLS.
fn activity_of<B>(request: &http::Request<B>) -> Option<Arc<Activity>> {
    let extensions = request.extensions();
    if let Some(info) = extensions.get::<IdleConnectInfo>() {
        return Some(Arc::clone(&info.activity));
    }
    extensions
        .get::<tonic::transport::server::TlsConnectInfo<IdleConnectInfo>>()
        .map(|tls| Arc::clone(&tls.get_ref().activity))
}

impl<S, B> Service<http::Request<B>> for ConnectionCalls<S>
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
        let guard = activity_of(&request).map(|activity| activity.begin());
        let answer = self.inner.call(request);
        Box::pin(async move {
            let response = answer.await?;
            let Some(guard) = guard else { return Ok(response) };
            // The call lasts until its answer's body is done (a stream's last message).
            Ok(response.map(|body| tonic::body::Body::new(GuardedBody { body, _guard: guard })))
        })
    }
}

/// A response body that holds its connection's [`CallGuard`] until dropped.
struct GuardedBody {
    body: tonic::body::Body,
    _guard: CallGuard,
}

impl http_body::Body for GuardedBody {
    type Data = <tonic::body::Body as http_body::Body>::Data;
    type Error = <tonic::body::Body as http_body::Body>::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
