//! Starts the real `sellerhealth-server` binary on a free loopback port.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Days, TimeZone, Utc};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::event::Fact;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// A running server process; killed when dropped.
pub struct Server {
    child: Option<Child>,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    data_dir: PathBuf,
}

/// Path of the server binary built by `cargo test --workspace`, building it if missing.
pub fn server_binary() -> PathBuf {
    workspace_binary("sellerhealth-server", "sellerhealth-server")
}

/// Path of binary `name` of workspace package `package` in this test's target
/// profile, building it if missing.
pub fn workspace_binary(name: &str, package: &str) -> PathBuf {
    // target/<profile>/deps/<test-exe> -> target/<profile>/<name>
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
    let binary = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !binary.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "-p", package, "--bin", name]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        let status = build.status().unwrap();
        assert!(status.success(), "building {name} failed");
    }
    binary
}

/// A free loopback port (bound and released), for a test that starts the
/// server its own way and must name its port first (a metrics port): the
/// port may be taken before the server binds it, so [`Server`] does not.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The address a server logs it listens on (`"listen"` of its `sellerhealth
/// serving` line, JSON logs on `stderr`). A thread keeps reading the log and
/// passes its warnings and errors on to this test's standard error.
async fn listen_address(stderr: std::process::ChildStderr) -> String {
    let (found, address) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut found = Some(found);
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)).map_while(Result::ok) {
            let record: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
            let listen = record.pointer("/fields/listen").and_then(serde_json::Value::as_str);
            if let (Some(listen), Some(_)) = (listen, &found) {
                let _ = found.take().unwrap().send(listen.to_owned());
            } else if record.get("level").and_then(serde_json::Value::as_str) != Some("INFO") {
                eprintln!("{line}");
            }
        }
    });
    match tokio::time::timeout(Duration::from_secs(30), address).await {
        Ok(Ok(address)) => address,
        Ok(Err(_)) => panic!("the server ended before it listened (its log is above)"),
        Err(_) => panic!("the server did not say where it listens within 30 s"),
    }
}
impl Server {
    /// Starts the server with its data in `data_dir` and waits until it is SERVING.
    pub async fn start(data_dir: &Path) -> Server {
        Self::start_with(data_dir, &[]).await
    }

    /// Same as [`Server::start`] with extra command-line arguments.
    pub async fn start_with(data_dir: &Path, extra: &[&str]) -> Server {
        Self::start_with_env(data_dir, extra, &[]).await
    }

    /// Same as [`Server::start_with`] with extra environment variables.
    ///
    /// The server binds port 0 and says which port it got in its log: a port
    /// found free here and bound by the server a moment later could be taken
    /// in between by another test's server or connection.
    pub async fn start_with_env(data_dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(server_binary())
            .args(["--listen", "127.0.0.1:0", "--log-format", "json", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn,sellerhealth_server=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let addr = listen_address(child.stderr.take().unwrap()).await;
        let server = Server { child: Some(child), addr, data_dir: data_dir.to_path_buf() };
        server.wait_serving().await;
        server
    }

    /// The server's data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// A channel to the server.
    pub async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.addr)).unwrap().connect().await.unwrap()
    }

    async fn wait_serving(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(channel) = Channel::from_shared(format!("http://{}", self.addr)).unwrap().connect().await {
                let reply = HealthClient::new(channel).check(HealthCheckRequest { service: String::new() }).await;
                if reply.is_ok_and(|r| r.into_inner().status == ServingStatus::Serving as i32) {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "server at {} did not become SERVING in 30 s", self.addr);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the server with SIGTERM and waits for a clean exit (async, so this
    /// runtime's client connections can answer the server's GOAWAY meanwhile).
    pub async fn stop(mut self) {
        let mut child = self.child.take().unwrap();
        let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "server exited with {status} after SIGTERM");
                return;
            }
            assert!(Instant::now() < deadline, "server did not stop within 30 s of SIGTERM");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Server {
    /// Kills the server with SIGKILL, as a crash or the OOM killer would, and
    /// waits for it to be gone.
    pub fn kill(mut self) {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

/// Whether a test's outside tool is `available`. When it is not, the test is
/// skipped saying `why` — unless the environment variable `required_by` is set
/// (CI), which makes the absence a failure.
pub fn available_or_skip(available: bool, test: &str, required_by: &str, why: &str) -> bool {
    if !available {
        assert!(std::env::var_os(required_by).is_none(), "{required_by} is set, but {why}");
        eprintln!("{test} skipped: {why}");
    }
    available
}

/// The PostgreSQL database of the shared-database tests, if configured
/// (`SELLERHEALTH_TEST_POSTGRES_URL`); says why the caller skips otherwise.
/// With `SELLERHEALTH_REQUIRE_POSTGRES` set (CI), missing is a failure.
pub fn postgres_url(test: &str) -> Option<String> {
    let url = std::env::var("SELLERHEALTH_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty());
    let why = "SELLERHEALTH_TEST_POSTGRES_URL is not set (see .ci/postgres)";
    available_or_skip(url.is_some(), test, "SELLERHEALTH_REQUIRE_POSTGRES", why).then_some(url).flatten()
}

/// A seller id no earlier run used, so a shared database needs no cleaning.
pub fn fresh_seller(prefix: &str) -> String {
    format!("{prefix}-{}-{}", std::process::id(), Utc::now().timestamp_nanos_opt().unwrap_or(0))
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A UTC instant.
pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

/// The protobuf timestamp of an instant.
pub fn ts(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp { seconds: t.timestamp(), nanos: 0 }
}

/// An event of `seller`.
pub fn event(seller: &str, id: impl Into<String>, fact: Fact) -> pb::Event {
    pb::Event { event_id: id.into(), seller_id: seller.into(), fact: Some(fact) }
}

/// A one-unit order shipping within two days, under event id `order:{id}`.
pub fn order(
    seller: &str,
    marketplace: &str,
    id: &str,
    purchased_at: DateTime<Utc>,
    channel: pb::FulfillmentChannel,
) -> pb::Event {
    event(
        seller,
        format!("order:{id}"),
        Fact::Order(pb::Order {
            order_id: id.into(),
            marketplace_id: marketplace.into(),
            purchased_at: Some(ts(purchased_at)),
            fulfillment_channel: channel as i32,
            latest_ship_at: Some(ts(purchased_at + Days::days(2))),
            units: 1,
            ..Default::default()
        }),
    )
}

/// A seller-fulfilled order of `units` under event id `event_id`, with its
/// latest ship date and (optionally) the end of its delivery promise.
pub fn mfn_order(
    seller: &str,
    event_id: &str,
    marketplace: &str,
    id: &str,
    (purchased_at, latest_ship_at): (DateTime<Utc>, DateTime<Utc>),
    promised_by: Option<DateTime<Utc>>,
    units: i32,
) -> pb::Event {
    event(
        seller,
        event_id,
        Fact::Order(pb::Order {
            order_id: id.into(),
            marketplace_id: marketplace.into(),
            purchased_at: Some(ts(purchased_at)),
            fulfillment_channel: pb::FulfillmentChannel::Mfn as i32,
            latest_ship_at: Some(ts(latest_ship_at)),
            promised_delivery_latest_at: promised_by.map(ts),
            units,
            ..Default::default()
        }),
    )
}

/// The README's grpcurl facts under its event ids: two seller-fulfilled orders
/// (05-04 and 05-05, ship by 05-06 and 05-07), never shipped, and a 1-star
/// feedback on the second (05-12).
pub fn readme_facts(seller: &str, marketplace: &str) -> Vec<pb::Event> {
    let at = |d: u32, h: u32, m: u32, s: u32| Utc.with_ymd_and_hms(2026, 5, d, h, m, s).unwrap();
    let mut f = feedback(seller, "111-0000002", at(12, 8, 0, 0), 1, false);
    f.event_id = "f-1".into();
    vec![
        mfn_order(seller, "o-1", marketplace, "111-0000001", (at(4, 10, 0, 0), at(6, 23, 59, 59)), None, 1),
        mfn_order(seller, "o-2", marketplace, "111-0000002", (at(5, 16, 30, 0), at(7, 23, 59, 59)), None, 2),
        f,
    ]
}

/// Feedback on an order, under event id `feedback:{order}:{epoch seconds}`.
pub fn feedback(
    seller: &str,
    order_id: &str,
    left_at: DateTime<Utc>,
    stars: i32,
    fulfillment_related: bool,
) -> pb::Event {
    event(
        seller,
        format!("feedback:{order_id}:{}", left_at.timestamp()),
        Fact::SellerFeedback(pb::SellerFeedback {
            order_id: order_id.into(),
            left_at: Some(ts(left_at)),
            stars,
            comment: "e2e".into(),
            fulfillment_related,
        }),
    )
}

/// A wire date.
pub fn date(y: i32, m: i32, d: i32) -> pb::Date {
    pb::Date { year: y, month: m, day: d }
}

/// Events of `seller` in a running server's SQLite log, read beside the server:
/// what it has committed, for tests that must wait for a commit.
pub async fn stored_events(server: &Server, seller: &str) -> i64 {
    use sqlx::Connection;
    let path = server.data_dir().join("sellerhealth.db");
    let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE seller_id = $1")
        .bind(seller)
        .fetch_one(&mut db)
        .await
        .unwrap();
    db.close().await.unwrap();
    rows
}

/// The environment that keeps a server's projector from projecting in the
/// background (it projects after its writes pause for this long, and at
/// most this long into a run of them: an hour), so what a test reads was
/// projected by the read itself, or is still queued. A server projects what
/// is queued when it starts, so a test that counts queued rows in a shared
/// database starts no server while it writes.
pub const PROJECTOR_IDLE: (&str, &str) = ("SELLERHEALTH_PROJECT_AFTER_IDLE", "3600");

/// Rows the server's projector has not projected yet, all sellers (read from
/// the SQLite file while the server runs, or after it was killed).
pub async fn queued_projections(data_dir: &Path) -> i64 {
    use sqlx::Connection;
    let path = data_dir.join("sellerhealth.db");
    let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM projection_queue").fetch_one(&mut db).await.unwrap();
    db.close().await.unwrap();
    rows
}

/// The Account Health page's hypothetical orders (web/src/whatif.ts), for
/// `EvaluateAccountHealth` with `on_stored_facts`: `good` defect-free and then
/// `defective` seller-fulfilled orders of one unit in `marketplace`, purchased
/// at noon on `day`, confirmed shipped with tracking at 10:00 the next day
/// (latest ship date: the end of day 2), first scanned at 18:00 that day and
/// delivered at noon on day 3 (promised by the end of day 5); a defective one
/// also gets a 1-star feedback at noon on day 4. Events leave the seller
/// implicit, as inline facts may.
pub fn what_if_orders(marketplace: &str, day: (i32, u32, u32), good: usize, defective: usize) -> Vec<pb::Event> {
    let (y, m, d) = day;
    let noon = Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap();
    let at = |days: i64, hour: i64| Some(ts(noon + Days::days(days) + Days::hours(hour - 12)));
    let end_of = |days: i64| Some(ts(noon + Days::days(days) + Days::seconds(43_199)));
    let mut events = Vec::new();
    for n in 1..=good + defective {
        let order_id = format!("what-if-{n}");
        let tracking = format!("WHAT-IF-{n}");
        events.push(event(
            "",
            format!("what-if:order:{n}"),
            Fact::Order(pb::Order {
                order_id: order_id.clone(),
                marketplace_id: marketplace.into(),
                purchased_at: at(0, 12),
                fulfillment_channel: pb::FulfillmentChannel::Mfn as i32,
                latest_ship_at: end_of(2),
                promised_delivery_latest_at: end_of(5),
                units: 1,
                ..Default::default()
            }),
        ));
        events.push(event(
            "",
            format!("what-if:shipment:{n}"),
            Fact::ShipmentConfirmed(pb::ShipmentConfirmed {
                shipment_id: order_id.clone(),
                order_id: order_id.clone(),
                confirmed_at: at(1, 10),
                carrier: "what-if".into(),
                tracking_number: tracking.clone(),
                units: 1,
                ..Default::default()
            }),
        ));
        events.push(event(
            "",
            format!("what-if:scan:{n}"),
            Fact::CarrierScan(pb::CarrierScan {
                tracking_number: tracking,
                first_scan_at: at(1, 18),
                delivered_at: at(3, 12),
            }),
        ));
        if n > good {
            events.push(event(
                "",
                format!("what-if:feedback:{n}"),
                Fact::SellerFeedback(pb::SellerFeedback {
                    order_id,
                    left_at: at(4, 12),
                    stars: 1,
                    comment: "what-if defect".into(),
                    fulfillment_related: false,
                }),
            ));
        }
    }
    events
}
