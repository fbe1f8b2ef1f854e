//! Start-up configuration: flags, each with an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use sellerhealth_domain::Policy;

/// Maintenance commands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Recompute every counter from the event log, then exit (stop the servers first).
    Rebuild,
    /// Print a seller's stored daily counters as CSV, then exit: the stored
    /// form is binary (docs/DESIGN.md, "Counters on disk"), so this is how to
    /// look at them.
    Counters {
        /// The seller whose counters to print.
        #[arg(long)]
        seller: String,
        /// Only this marketplace's counters.
        #[arg(long)]
        marketplace: Option<String>,
    },
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The sellerhealth gRPC server: seller account health from raw order facts.
#[derive(Debug, Clone, Parser)]
#[command(name = "sellerhealth-server", version, about)]
pub struct Config {
    /// What to do instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address to listen on for gRPC.
    #[arg(long, global = true, env = "SELLERHEALTH_LISTEN", default_value = "127.0.0.1:50051")]
    pub listen: SocketAddr,

    /// Directory of the embedded SQLite database, created on first start.
    /// Ignored when --database-url is given.
    #[arg(long, global = true, env = "SELLERHEALTH_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/DB`;
    /// default: `sellerhealth.db` in --data-dir.
    #[arg(long, global = true, env = "SELLERHEALTH_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Policy profile to load at start-up (JSON, the shape of
    /// docs/policy-amazon.json); default: the built-in `amazon` profile.
    #[arg(long, global = true, env = "SELLERHEALTH_POLICY")]
    pub policy: Option<PathBuf>,

    /// How long in-flight calls may take to finish after SIGINT/SIGTERM.
    #[arg(long, global = true, env = "SELLERHEALTH_DRAIN_TIMEOUT", value_parser = seconds, default_value = "10")]
    pub drain_timeout: Duration,

    /// How long this process's writes must pause before the background task
    /// brings the counters up to date (reads always do it for what they read).
    #[arg(long, global = true, env = "SELLERHEALTH_PROJECT_AFTER_IDLE", value_parser = positive_seconds, default_value = "0.1")]
    pub project_after_idle: Duration,

    /// Bearer token file (JSON: name, token, role, sellers per token). Without
    /// one every call is allowed and only a loopback --listen is accepted.
    #[arg(long, global = true, env = "SELLERHEALTH_TOKENS")]
    pub tokens: Option<PathBuf>,

    /// Seconds a unary call may take before it is answered DEADLINE_EXCEEDED
    /// (bulk streams are not limited).
    #[arg(long, global = true, env = "SELLERHEALTH_REQUEST_TIMEOUT", value_parser = seconds, default_value = "30")]
    pub request_timeout: Duration,

    /// Calls handled at once; more are refused RESOURCE_EXHAUSTED at once rather
    /// than queued.
    #[arg(long, global = true, env = "SELLERHEALTH_MAX_IN_FLIGHT", default_value_t = 256)]
    pub max_in_flight: usize,

    /// Seconds a bulk stream (StreamEvents) may go without a message before it
    /// is closed (DEADLINE_EXCEEDED; what it sent before stays stored).
    #[arg(long, global = true, env = "SELLERHEALTH_STREAM_IDLE_TIMEOUT", value_parser = positive_seconds, default_value = "30")]
    pub stream_idle_timeout: Duration,

    /// Seconds a connection may stay open with no call in flight before the
    /// server closes it (clients reconnect on their next call).
    #[arg(long, global = true, env = "SELLERHEALTH_CONNECTION_IDLE_TIMEOUT", value_parser = positive_seconds, default_value = "60")]
    pub connection_idle_timeout: Duration,

    /// Seconds between HTTP/2 keep-alive pings on each connection; a peer that
    /// does not answer one within 20 s is disconnected.
    #[arg(long, global = true, env = "SELLERHEALTH_KEEPALIVE_INTERVAL", value_parser = positive_seconds, default_value = "30")]
    pub keepalive_interval: Duration,

    /// WatchAccountHealth streams open at once; more are refused
    /// RESOURCE_EXHAUSTED. A write re-evaluates a watched seller once, however
    /// many watch it.
    #[arg(long, global = true, env = "SELLERHEALTH_MAX_WATCHERS", value_parser = clap::value_parser!(u32).range(1..=100_000), default_value = "1000")]
    pub max_watchers: u32,

    /// Largest request message in bytes.
    #[arg(long, global = true, env = "SELLERHEALTH_MAX_MESSAGE_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub max_message_bytes: usize,

    /// Most events in one call (one message of a bulk stream).
    #[arg(long, global = true, env = "SELLERHEALTH_MAX_BATCH_EVENTS", default_value_t = 10_000)]
    pub max_batch_events: usize,

    /// Address to serve Prometheus metrics on (`/metrics`); default: none.
    #[arg(long, global = true, env = "SELLERHEALTH_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// TLS certificate chain (PEM); with --tls-key, gRPC is served over TLS (rustls).
    #[arg(long, global = true, env = "SELLERHEALTH_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// TLS private key (PEM) of --tls-cert.
    #[arg(long, global = true, env = "SELLERHEALTH_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Accept gRPC-Web calls on --listen (HTTP/1.1 and HTTP/2), so browser
    /// apps can call every service, behind the same tokens and limits.
    #[arg(long, global = true, env = "SELLERHEALTH_GRPC_WEB", value_parser = clap::builder::BoolishValueParser::new())]
    pub grpc_web: bool,

    /// Serve the Account Health page at `/` on --listen (its files are built
    /// into the binary); implies --grpc-web, which the page calls.
    #[arg(long, global = true, env = "SELLERHEALTH_WEB", value_parser = clap::builder::BoolishValueParser::new())]
    pub web: bool,

    /// An origin (`https://app.example.com`) whose pages may call gRPC-Web
    /// across origins (CORS); repeat the flag (or separate by commas) for
    /// several, `*` for any. Needs --grpc-web or --web. The page of --web is on
    /// the server's own origin and needs none.
    #[arg(long = "cors-allowed-origin", global = true, env = "SELLERHEALTH_CORS_ALLOWED_ORIGINS", value_delimiter = ',', value_parser = crate::web::parse_origin)]
    pub cors_allowed_origins: Vec<String>,

    /// Log format.
    #[arg(long, global = true, env = "SELLERHEALTH_LOG_FORMAT", value_enum, default_value = "human")]
    pub log_format: LogFormat,
}

impl Config {
    /// The policy profile in effect: the file given, validated, or the built-in one.
    pub fn policy(&self) -> anyhow::Result<Policy> {
        let Some(path) = &self.policy else { return Ok(Policy::amazon()) };
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading the policy profile {}", path.display()))?;
        Policy::from_json(&text).with_context(|| format!("loading the policy profile {}", path.display()))
    }

    /// Whether gRPC-Web calls are accepted: --grpc-web, or --web (the page calls it).
    pub fn grpc_web(&self) -> bool {
        self.grpc_web || self.web
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("sellerhealth.db").display()),
        }
    }
}

/// Parses a duration given in (possibly fractional) seconds.
fn seconds(value: &str) -> Result<Duration, String> {
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("expected a number of seconds, got {value:?}"))
}

/// Parses a duration in seconds that must be more than zero and at most a day.
fn positive_seconds(value: &str) -> Result<Duration, String> {
    let duration = seconds(value)?;
    if duration.is_zero() || duration > Duration::from_secs(86_400) {
        return Err(format!("expected more than 0 and at most 86400 seconds, got {value}"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn the_projection_pause_is_a_tenth_of_a_second_unless_given_in_seconds() {
        let default = Config::try_parse_from(["sellerhealth-server"]).unwrap();
        assert_eq!(default.project_after_idle, Duration::from_millis(100));
        let given = Config::try_parse_from(["sellerhealth-server", "--project-after-idle", "2.5"]).unwrap();
        assert_eq!(given.project_after_idle, Duration::from_millis(2500));
    }

    #[test]
    fn a_projection_pause_that_is_not_a_positive_number_of_seconds_up_to_a_day_is_refused() {
        for (value, why) in [
            ("0", "expected more than 0 and at most 86400 seconds, got 0"),
            ("86401", "expected more than 0 and at most 86400 seconds, got 86401"),
            ("100ms", "expected a number of seconds, got \"100ms\""),
        ] {
            let error = Config::try_parse_from(["sellerhealth-server", "--project-after-idle", value]).unwrap_err();
            assert!(error.to_string().contains(why), "{value}: {error}");
        }
    }
}
