//! Browsers: gRPC-Web (`--grpc-web`), its CORS (`--cors-allowed-origin`) and
//! the Account Health page (`--web`), all on the gRPC address.
//!
//! Browsers cannot speak gRPC (no trailers, HTTP/1.1 without TLS), so with
//! `--grpc-web` the server also accepts HTTP/1.1 and translates gRPC-Web calls
//! (`application/grpc-web+proto`, tonic-web) into the same gRPC calls, behind
//! the same limits, tokens and logs: any browser app can call every service.
//! A page on another origin needs that origin listed (`--cors-allowed-origin`).
//!
//! `--web` serves the page at `/` from files built into the binary
//! (`web/public/`: its HTML, CSS and the bundle `app.js` built from `web/src/`,
//! a client generated from `proto/`). The page and the calls share one origin,
//! so the page needs no CORS. Only GET and HEAD reach the page's files; gRPC and
//! gRPC-Web are POST, so the two never meet.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use anyhow::bail;
use bytes::Bytes;
use sellerhealth_domain::TimeZones;
use tonic::codegen::http::{self, HeaderName, HeaderValue, Method, StatusCode, header};
use tower::{Layer, Service};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// A file of the page: its path, content type and bytes.
struct PageFile {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const INDEX_HTML: &[u8] = include_bytes!("../../../web/public/index.html");

/// The page's files, built into the binary. `app.js` is the bundle of
/// `web/src/` that CI rebuilds and compares (README, "The Account Health page").
const FILES: &[PageFile] = &[
    PageFile { path: "/", content_type: "text/html; charset=utf-8", body: INDEX_HTML },
    PageFile { path: "/index.html", content_type: "text/html; charset=utf-8", body: INDEX_HTML },
    PageFile {
        path: "/app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../web/public/app.js"),
    },
    PageFile {
        path: "/style.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../../web/public/style.css"),
    },
];

/// What the page is told about the server (`GET /config.json`): whether it
/// needs a token, how many events a what-if may send, and each marketplace's
/// time zone (a day the page picks is that marketplace's local day).
fn config_json(tokens: bool, max_batch_events: usize, time_zones: &TimeZones) -> String {
    let zones = serde_json::to_string(time_zones).unwrap_or_else(|_| "{}".to_owned());
    format!("{{\"tokens\":{tokens},\"maxBatchEvents\":{max_batch_events},\"timeZones\":{zones}}}\n")
}

/// Headers of every page answer: nothing but the page's own files and calls
/// to its own origin, no framing, no sniffing, no referrer.
const PAGE_HEADERS: &[(&str, &str)] = &[
    (
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    // The files change only with the binary: ask again each time (they are small).
    ("cache-control", "no-cache"),
];

/// Serves the page's files to GET and HEAD; every other request goes on to the
/// gRPC (and gRPC-Web) services.
#[derive(Debug, Clone)]
pub struct PageLayer {
    config: Arc<str>,
}

impl PageLayer {
    /// The page of a server that does (`tokens`) or does not check bearer
    /// tokens, and takes at most `max_batch_events` events per call.
    pub fn new(tokens: bool, max_batch_events: usize, time_zones: &TimeZones) -> PageLayer {
        PageLayer { config: config_json(tokens, max_batch_events, time_zones).into() }
    }
}

impl<S> Layer<S> for PageLayer {
    type Service = Page<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Page { inner, config: Arc::clone(&self.config) }
    }
}

/// The service of [`PageLayer`].
#[derive(Debug, Clone)]
pub struct Page<S> {
    inner: S,
    config: Arc<str>,
}

impl<S> Page<S> {
    /// The answer to a GET or HEAD of `path`: a file of the page, its
    /// configuration, or 404.
    fn answer(&self, path: &str, head: bool) -> http::Response<tonic::body::Body> {
        let (status, content_type, body): (_, _, Bytes) = if path == "/config.json" {
            (StatusCode::OK, "application/json", Bytes::copy_from_slice(self.config.as_bytes()))
        } else if let Some(file) = FILES.iter().find(|f| f.path == path) {
            (StatusCode::OK, file.content_type, Bytes::from_static(file.body))
        } else {
            (StatusCode::NOT_FOUND, "text/plain; charset=utf-8", Bytes::from_static(b"not found: the page is at /\n"))
        };
        let length = body.len();
        let body =
            if head { tonic::body::Body::empty() } else { tonic::body::Body::new(http_body_util::Full::new(body)) };
        let mut response = http::Response::new(body);
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        for (name, value) in PAGE_HEADERS {
            headers.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
        }
        response
    }
}

type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<S, B> Service<http::Request<B>> for Page<S>
where
    S: Service<http::Request<B>, Response = http::Response<tonic::body::Body>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<S::Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let head = request.method() == Method::HEAD;
        if head || request.method() == Method::GET {
            let answer = self.answer(request.uri().path(), head);
            return Box::pin(async move { Ok(answer) });
        }
        Box::pin(self.inner.call(request))
    }
}

/// How long a browser may keep a preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The CORS layer for gRPC-Web calls from `origins` (`*`: any origin): the
/// request headers a gRPC-Web client sends (a bearer token among them) and the
/// `grpc-*` headers it must read from an answer.
pub fn cors(origins: &[String]) -> anyhow::Result<CorsLayer> {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let values = origins.iter().map(|o| HeaderValue::from_str(o)).collect::<Result<Vec<_>, _>>()?;
        AllowOrigin::list(values)
    };
    let names = |names: &[&'static str]| names.iter().map(|n| HeaderName::from_static(n)).collect::<Vec<_>>();
    Ok(CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::POST])
        .allow_headers(names(&[
            "authorization",
            "content-type",
            "grpc-timeout",
            "x-grpc-web",
            "x-user-agent",
            "connect-timeout-ms",
        ]))
        .expose_headers(names(&["grpc-status", "grpc-message", "grpc-status-details-bin"]))
        .max_age(PREFLIGHT_MAX_AGE))
}

/// Checks an origin given to `--cors-allowed-origin`: `*`, or
/// `scheme://host[:port]` exactly as a browser sends it in `Origin` (no path,
/// no trailing slash: such an origin would never match).
pub fn parse_origin(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value == "*" {
        return Ok(value.to_owned());
    }
    let Some((scheme, rest)) = value.split_once("://") else {
        return Err(format!("{value:?} is not an origin: expected scheme://host[:port], e.g. https://app.example.com"));
    };
    let host_ok = !rest.is_empty() && !rest.contains(['/', '?', '#', ' ', '@']);
    if !matches!(scheme, "http" | "https") || !host_ok || HeaderValue::from_str(value).is_err() {
        return Err(format!(
            "{value:?} is not an origin: expected http(s)://host[:port] with no path or trailing slash, \
             as a browser sends it in the Origin header"
        ));
    }
    Ok(value.to_owned())
}

/// Refuses browser flags that cannot work together.
pub fn check_flags(grpc_web: bool, origins: &[String]) -> anyhow::Result<()> {
    if !origins.is_empty() && !grpc_web {
        bail!("--cors-allowed-origin needs --grpc-web (or --web): without it no browser call is accepted");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_taken_as_browsers_send_them() {
        assert_eq!(parse_origin("https://app.example.com"), Ok("https://app.example.com".to_owned()));
        assert_eq!(parse_origin("http://localhost:5173"), Ok("http://localhost:5173".to_owned()));
        assert_eq!(parse_origin("*"), Ok("*".to_owned()));
        for wrong in ["https://app.example.com/", "app.example.com", "ftp://x", "https://", "https://a/b"] {
            let error = parse_origin(wrong).unwrap_err();
            assert!(error.contains("is not an origin"), "{wrong}: {error}");
        }
    }

    #[test]
    fn cors_without_grpc_web_is_refused() {
        let error = check_flags(false, &["https://a.example".to_owned()]).unwrap_err();
        assert!(error.to_string().contains("--cors-allowed-origin needs --grpc-web"), "{error}");
        check_flags(true, &["https://a.example".to_owned()]).unwrap();
        check_flags(false, &[]).unwrap();
    }

    #[test]
    fn browser_flags_are_off_by_default_and_web_implies_grpc_web() {
        use clap::Parser;
        let plain = crate::Config::try_parse_from(["sellerhealth-server"]).unwrap();
        assert!(!plain.web && !plain.grpc_web() && plain.cors_allowed_origins.is_empty());
        let config = crate::Config::try_parse_from([
            "sellerhealth-server",
            "--web",
            "--cors-allowed-origin",
            "https://a.example,https://b.example",
            "--cors-allowed-origin",
            "http://localhost:5173",
        ])
        .unwrap();
        assert!(config.web && !config.grpc_web && config.grpc_web());
        assert_eq!(config.cors_allowed_origins, ["https://a.example", "https://b.example", "http://localhost:5173"]);
    }

    #[test]
    fn the_page_tells_whether_tokens_are_needed() {
        let utc = TimeZones::default();
        let zones = r#""timeZones":{"default":"UTC","marketplaces":{}}"#;
        assert_eq!(config_json(true, 10_000, &utc), format!("{{\"tokens\":true,\"maxBatchEvents\":10000,{zones}}}\n"));
        assert_eq!(config_json(false, 5, &utc), format!("{{\"tokens\":false,\"maxBatchEvents\":5,{zones}}}\n"));
        let amazon = config_json(false, 5, &sellerhealth_domain::Policy::amazon().time_zones);
        assert!(amazon.contains(r#""A1VC38T7YXB528":"Asia/Tokyo""#), "{amazon}");
    }
}
