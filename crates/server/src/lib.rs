//! The sellerhealth gRPC server: tonic services over the store, with gRPC server
//! reflection (v1 and v1alpha) and the standard `grpc.health.v1` service, so
//! `grpcurl -plaintext localhost:50051 list` works with no .proto at hand. With
//! `--grpc-web` browsers call the same services over gRPC-Web, and `--web` also
//! serves the Account Health page ([`web`]).
//!
//! ```
//! use clap::Parser;
//! use sellerhealth_server::Config;
//!
//! let config = Config::parse_from(["sellerhealth-server", "--data-dir", "/tmp/sh"]);
//! assert_eq!(config.listen.to_string(), "127.0.0.1:50051");
//! assert_eq!(config.database_url(), "sqlite:///tmp/sh/sellerhealth.db");
//! ```

pub mod auth;
pub mod config;
pub mod convert;
pub mod figures;
pub mod in_process;
pub mod limits;
pub mod observe;
pub mod services;
pub mod status;
pub mod web;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use sellerhealth_proto::v1::account_health_service_server::AccountHealthServiceServer;
use sellerhealth_proto::v1::feedback_service_server::FeedbackServiceServer;
use sellerhealth_proto::v1::ingest_service_server::IngestServiceServer;
use sellerhealth_proto::v1::review_service_server::ReviewServiceServer;
use sellerhealth_store::Store;
use tokio::net::TcpListener;
use tonic::server::NamedService;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;

pub use config::{Command, Config, LogFormat};
pub use in_process::InProcessServer;

/// The sellerhealth services, as the health service names them.
pub(crate) const SERVICE_NAMES: &[&str] = &[
    <IngestServiceServer<services::ingest::Ingest> as NamedService>::NAME,
    <AccountHealthServiceServer<services::account_health::AccountHealth> as NamedService>::NAME,
    <FeedbackServiceServer<services::feedback::Feedback> as NamedService>::NAME,
    <ReviewServiceServer<services::reviews::Reviews> as NamedService>::NAME,
];

/// The health service name a liveness probe asks for: SERVING while the process
/// answers at all, whatever the database or the load (readiness, `""` and the
/// services' names, carries those). A database outage then takes replicas out
/// of traffic without restarting every pod at once.
pub const LIVENESS_SERVICE: &str = "liveness";

/// Calls open at once on one HTTP/2 connection (more wait in the client).
const MAX_STREAMS_PER_CONNECTION: u32 = 200;

/// How long a peer may take to answer an HTTP/2 keep-alive ping.
const KEEPALIVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// Recomputes every counter from the event log, logging progress per seller.
pub async fn rebuild(config: Config) -> anyhow::Result<()> {
    let database_url = config.database_url();
    let store = Store::open_to_rebuild(&database_url, config.policy()?)
        .await
        .with_context(|| format!("opening the database at {database_url}"))?;
    let started = std::time::Instant::now();
    let summary = store
        .rebuild(|seller, so_far| {
            tracing::info!(seller, sellers = so_far.sellers, events = so_far.events, "rebuilt seller");
        })
        .await?;
    tracing::info!(
        sellers = summary.sellers,
        events = summary.events,
        counter_totals = summary.counter_totals,
        seconds = started.elapsed().as_secs_f64(),
        "rebuild finished"
    );
    Ok(())
}

/// Writes the stored daily counters of `seller` (of one marketplace, or all)
/// to `out` as CSV: one line per marketplace, counter, attribution day and
/// effective day with a non-zero total, sorted in that order (counters in
/// their declaration order). A seller
/// without counters prints the header alone.
pub async fn print_counters(
    config: &Config,
    seller: &str,
    marketplace: Option<&str>,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let database_url = config.database_url();
    let store = Store::open(&database_url, config.policy()?)
        .await
        .with_context(|| format!("opening the database at {database_url}"))?;
    let mut totals = store.counter_totals(seller).await?;
    totals.retain(|(m, ..)| marketplace.is_none_or(|wanted| m == wanted));
    writeln!(out, "marketplace_id,counter,day,effective_day,total")?;
    for (marketplace_id, counter, day, effective_day, total) in totals {
        writeln!(out, "{},{counter},{day},{effective_day},{total}", csv_field(&marketplace_id))?;
    }
    Ok(())
}

/// A CSV field, quoted when it holds a quote, comma or line break (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains(['"', ',', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

/// Opens the store and serves gRPC on `config.listen` until `shutdown` completes,
/// then lets in-flight calls finish.
pub async fn serve(config: Config, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
    serve_on(config, None, shutdown).await
}

/// [`serve`] on `listener`, bound already (to `config.listen`), or on
/// `config.listen` bound here when `None`. A listener bound by the caller
/// keeps its port from the moment the caller learns it: the in-process
/// server's free port, which another program could take between a probe
/// and a second bind.
pub async fn serve_on(
    config: Config,
    listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let database_url = config.database_url();
    let policy = config.policy()?;
    tracing::info!(profile = %policy.name, "policy profile loaded");
    let store = Store::open_with(&database_url, policy, config.project_after_idle)
        .await
        .with_context(|| format!("opening the database at {database_url}"))?;
    let store = Arc::new(store);

    let tokens = config.tokens.as_deref().map(auth::Tokens::load).transpose()?;
    if tokens.is_none() {
        if !config.listen.ip().is_loopback() {
            anyhow::bail!(
                "refusing to listen on {} without --tokens: with no token file every call is allowed, \
                 so only a loopback address is served",
                config.listen
            );
        }
        tracing::warn!("no token file (--tokens): every call is allowed; listening on loopback only");
    }
    web::check_flags(config.grpc_web(), &config.cors_allowed_origins)?;
    let page =
        config.web.then(|| web::PageLayer::new(tokens.is_some(), config.max_batch_events, &store.policy().time_zones));
    let cors =
        if config.cors_allowed_origins.is_empty() { None } else { Some(web::cors(&config.cors_allowed_origins)?) };
    let authenticator = auth::Authenticator::new(tokens);

    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<IngestServiceServer<services::ingest::Ingest>>().await;
    health.set_serving::<AccountHealthServiceServer<services::account_health::AccountHealth>>().await;
    health.set_serving::<FeedbackServiceServer<services::feedback::Feedback>>().await;
    health.set_serving::<ReviewServiceServer<services::reviews::Reviews>>().await;
    let overload = Arc::new(limits::Overload::default());
    tokio::spawn(observe::follow_readiness(Arc::clone(&store), Arc::clone(&overload), health.clone()));
    if let Some(addr) = config.metrics_listen {
        observe::serve_metrics(addr)?;
    }
    health.set_service_status("", tonic_health::ServingStatus::Serving).await;
    health.set_service_status(LIVENESS_SERVICE, tonic_health::ServingStatus::Serving).await;

    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(sellerhealth_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1().context("building reflection v1")?;
    let reflection_v1alpha = reflection().build_v1alpha().context("building reflection v1alpha")?;

    let listener = match listener {
        Some(listener) => listener,
        None => TcpListener::bind(config.listen).await.with_context(|| format!("binding {}", config.listen))?,
    };
    let local = listener.local_addr()?;
    tracing::info!(listen = %local, database = %redacted(&database_url), "sellerhealth serving");
    // The next step for whoever just started it.
    let plaintext = if config.tls_cert.is_some() { "" } else { " -plaintext" };
    tracing::info!("try it: grpcurl{plaintext} {local} list (README: \"Calling it with grpcurl\")");
    if config.web {
        let scheme = if config.tls_cert.is_some() { "https" } else { "http" };
        tracing::info!("the Account Health page: {scheme}://{local}/");
    } else if config.grpc_web() {
        tracing::info!(cors = ?config.cors_allowed_origins, "gRPC-Web calls accepted");
    }

    // After the shutdown signal, in-flight calls get `drain` to finish; a client
    // that keeps its connection open past that does not hold the process.
    let (signalled, mut on_signal) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        shutdown.await;
        let _ = signalled.send(true);
    };
    let drain = config.drain_timeout;
    let drain_deadline = async move {
        let _ = on_signal.wait_for(|s| *s).await;
        tokio::time::sleep(drain).await;
    };
    let idle = config.connection_idle_timeout;
    let incoming =
        tokio_stream::StreamExt::map(TcpIncoming::from(listener).with_nodelay(Some(true)), move |accepted| {
            accepted.map(|stream| limits::IdleClosing::new(stream, idle))
        });
    let max_bytes = config.max_message_bytes;
    let batch = config.max_batch_events;
    // Browsers first (each layer only with its flag): the page's files, CORS,
    // gRPC-Web translated into gRPC; then every call alike.
    let limits = tower::ServiceBuilder::new()
        .option_layer(page)
        .option_layer(cors)
        .option_layer(config.grpc_web().then(tonic_web::GrpcWebLayer::new))
        .layer(observe::ObserveLayer)
        .layer(limits::ConnectionCallsLayer)
        .layer(limits::UnaryDeadlineLayer { deadline: config.request_timeout })
        .layer(limits::InFlightLayer::new(config.max_in_flight, overload));
    let mut builder = Server::builder()
        .http2_keepalive_interval(Some(config.keepalive_interval))
        .http2_keepalive_timeout(Some(KEEPALIVE_TIMEOUT))
        // Each open call holds a handler: bound them per connection too.
        .max_concurrent_streams(Some(MAX_STREAMS_PER_CONNECTION))
        // Browsers speak HTTP/1.1 to a server without TLS.
        .accept_http1(config.grpc_web());
    if let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) {
        let read = |path: &std::path::PathBuf| {
            std::fs::read(path).with_context(|| format!("reading the TLS file {}", path.display()))
        };
        let identity = tonic::transport::Identity::from_pem(read(cert)?, read(key)?);
        builder = builder
            .tls_config(tonic::transport::ServerTlsConfig::new().identity(identity))
            .context("configuring TLS")?;
        tracing::info!(cert = %cert.display(), "serving gRPC over TLS");
    }
    let server = builder
        .layer(limits)
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(InterceptedService::new(
            IngestServiceServer::new(services::ingest::Ingest::new(
                Arc::clone(&store),
                batch,
                config.stream_idle_timeout,
            ))
            .max_decoding_message_size(max_bytes),
            authenticator.clone(),
        ))
        .add_service(InterceptedService::new(
            AccountHealthServiceServer::new(services::account_health::AccountHealth::new(
                Arc::new(figures::Figures::new(Arc::clone(&store))),
                batch,
                config.max_watchers,
            ))
            .max_decoding_message_size(max_bytes),
            authenticator.clone(),
        ))
        .add_service(InterceptedService::new(
            FeedbackServiceServer::new(services::feedback::Feedback::new(Arc::clone(&store), batch))
                .max_decoding_message_size(max_bytes),
            authenticator.clone(),
        ))
        .add_service(InterceptedService::new(
            ReviewServiceServer::new(services::reviews::Reviews::new(Arc::clone(&store), batch))
                .max_decoding_message_size(max_bytes),
            authenticator.clone(),
        ))
        // No Nagle delay: a report answer must not wait for the client's ACK.
        .serve_with_incoming_shutdown(incoming, shutdown);
    tokio::select! {
        served = server => served.context("serving gRPC")?,
        () = drain_deadline => tracing::warn!(?drain, "connections still open after the drain timeout; closing"),
    }
    tracing::info!("sellerhealth stopped");
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received, draining"),
        () = terminate => tracing::info!("SIGTERM received, draining"),
    }
}

/// A database URL with its password left out, for logs.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    match rest.split_once('@') {
        Some((credentials, host)) if credentials.contains(':') => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn logged_database_urls_carry_no_password() {
        assert_eq!(redacted("postgres://app:s3cret@db:5432/health"), "postgres://app:***@db:5432/health");
        assert_eq!(redacted("postgres://app@db/health"), "postgres://app@db/health");
        assert_eq!(redacted("sqlite://data/sellerhealth.db"), "sqlite://data/sellerhealth.db");
    }
}
