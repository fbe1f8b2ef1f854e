//! The benchmark harness of sellerhealth. Each benchmark sets up its own data,
//! runs the two sides it compares in alternation, and prints medians and the
//! ratio; `docs/BENCHMARKS.md` records the method and the figures.
//!
//! ```text
//! cargo run --release -p sellerhealth-bench -- health          # 1,000 vs 1,000,000 orders
//! cargo run --release -p sellerhealth-bench -- ingest          # streaming vs direct INSERT
//! ```

mod batch;
mod dataset;
mod direct;
mod generate;
mod overload;
mod tables;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{DateTime, TimeZone, Utc};
use clap::{Parser, Subcommand};
use sellerhealth_domain::Policy;
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::account_health_service_client::AccountHealthServiceClient;
use sellerhealth_proto::v1::ingest_service_client::IngestServiceClient;
use sellerhealth_server::InProcessServer;
use sellerhealth_store::Store;
use tonic::transport::Channel;

/// The allocator of the server and command-line binaries (see the server's main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Benchmarks of the sellerhealth server.
#[derive(Parser)]
struct Args {
    /// Database to run against; default: a fresh SQLite file in a temporary directory.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Writes a generated data set: JSON-lines events (what `sellerhealth import
    /// events` reads) and one CSV table per kind of fact.
    Generate {
        /// Orders in the data set, over sellers of 10 to 1,000,000 orders.
        #[arg(long, default_value_t = 100_000)]
        orders: u64,
        /// Generator seed: the same seed gives the same data set.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Directory to write to.
        #[arg(long)]
        out: PathBuf,
    },
    /// Every seller's account health report from the metrics engine, against the
    /// same figures in SQL from DuckDB and SQLite (Python packages), after
    /// checking that both give identical figures.
    Batch {
        /// Orders in the data set, over sellers of 10 to 1,000,000 orders.
        #[arg(long, default_value_t = 10_000_000)]
        orders: u64,
        /// Generator seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Timed runs per side, alternating.
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// SQL engines to compare with.
        #[arg(long, value_delimiter = ',', default_value = "duckdb,sqlite")]
        peers: Vec<String>,
        /// Engine threads; default: every core (as DuckDB).
        #[arg(long)]
        threads: Option<usize>,
        /// Where to write the CSV tables; default: a temporary directory.
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Read latency for a small and a large seller on one server: a cached and
    /// a computed GetAccountHealth, and a 400-day GetMetricHistory of every metric.
    Health {
        /// Orders of the small seller.
        #[arg(long, default_value_t = 1_000)]
        small: u64,
        /// Orders of the large seller.
        #[arg(long, default_value_t = 1_000_000)]
        large: u64,
        /// Calls per seller, alternating small and large.
        #[arg(long, default_value_t = 300)]
        calls: usize,
    },
    /// GetAccountHealth throughput and latency under concurrent load, against a
    /// bare unary call (the health check) on the same server stack and client.
    Serve {
        /// Orders of the seller reported on.
        #[arg(long, default_value_t = 10_000)]
        orders: u64,
        /// Calls in flight at once.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Seconds per run.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Runs of each side, alternating.
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Resident memory of a server process (the `sellerhealth-server` binary
    /// next to this one) holding many sellers, after one report of each.
    Memory {
        /// Sellers.
        #[arg(long, default_value_t = 10_000)]
        sellers: u64,
        /// Orders per seller.
        #[arg(long, default_value_t = 100)]
        orders_per_seller: u64,
    },
    /// Health-check latency of a server process while four times its in-flight
    /// bound call for reports and idle connections and bulk streams are open.
    Overload {
        /// Orders of the seller reported on.
        #[arg(long, default_value_t = 10_000)]
        orders: u64,
        /// The server's --max-in-flight.
        #[arg(long, default_value_t = 32)]
        max_in_flight: usize,
        /// Idle connections held open.
        #[arg(long, default_value_t = 1_000)]
        idle: usize,
        /// Bulk streams that never send, held open.
        #[arg(long, default_value_t = 1_000)]
        idle_streams: usize,
        /// Seconds of load.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Bulk ingest through StreamEvents against direct multi-row INSERTs of the
    /// same event rows into the same database.
    Ingest {
        /// Orders per run (with their shipments and feedback).
        #[arg(long, default_value_t = 50_000)]
        orders: u64,
        /// Events per stream message and rows per INSERT transaction.
        #[arg(long, default_value_t = 1_000)]
        chunk: usize,
        /// Runs of each side, alternating.
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
}

/// The instant the generated histories end at, and reports are evaluated at.
fn end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).single().unwrap_or_default()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let scratch = tempfile::tempdir()?;
    let url =
        args.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", scratch.path().join("bench.db").display()));
    println!("database: {}", redact(&url));
    match args.bench {
        Bench::Generate { orders, seed, out } => {
            let generated = batch::build(orders, seed, end(), &out, true)?;
            println!("{} sellers, {orders} orders written to {}", generated.sellers, out.display());
            Ok(())
        }
        Bench::Batch { orders, seed, runs, peers, threads, data } => {
            let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let data = data.unwrap_or_else(|| scratch.path().join("dataset"));
            batch::run(&batch::BatchOptions { orders, seed, runs, peers, threads, data, as_of: end() })
        }
        Bench::Health { small, large, calls } => health(&url, small, large, calls).await,
        Bench::Ingest { orders, chunk, runs } => ingest(&url, orders, chunk, runs).await,
        Bench::Serve { orders, concurrency, seconds, runs } => serve(&url, orders, concurrency, seconds, runs).await,
        Bench::Memory { sellers, orders_per_seller } => memory(&url, sellers, orders_per_seller).await,
        Bench::Overload { orders, max_in_flight, idle, idle_streams, seconds } => {
            overload::run(&url, orders, max_in_flight, (idle, idle_streams), seconds).await
        }
    }
}

/// The URL without its password, for printing.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if scheme < at => format!("{}://…{}", &url[..scheme], &url[at..]),
        _ => url.to_owned(),
    }
}

/// Loads `events` straight into the store (set-up, not measured), showing progress.
async fn load_store(store: &Store, label: &str, events: &[pb::Event]) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut done = 0;
    for chunk in events.chunks(5_000) {
        let domain = sellerhealth_contract::events(chunk)?;
        let outcomes = store.ingest_each(&domain, Utc::now()).await?;
        if let Some(Err(error)) = outcomes.iter().find(|o| o.is_err()) {
            bail!("generated event refused: {error}");
        }
        done += chunk.len();
        if done % 100_000 < 5_000 || done == events.len() {
            let rate = done as f64 / started.elapsed().as_secs_f64();
            eprint!("\r  loading {label}: {done}/{} events, {rate:.0}/s   ", events.len());
        }
    }
    eprintln!();
    Ok(())
}

/// Summary statistics of a set of durations.
struct Spread {
    median: Duration,
    p95: Duration,
    mean: Duration,
}

/// The `q` quantile (0 to 1) of sorted samples; zero when there are none.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let at = (sorted.len().saturating_sub(1) as f64 * q).round() as usize;
    sorted.get(at).copied().unwrap_or_default()
}

fn spread(mut samples: Vec<Duration>) -> Spread {
    samples.sort();
    let at = |q: f64| quantile(&samples, q);
    let mean = samples.iter().sum::<Duration>() / samples.len().max(1) as u32;
    Spread { median: at(0.5), p95: at(0.95), mean }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

async fn health(url: &str, small: u64, large: u64, calls: usize) -> anyhow::Result<()> {
    let store = Store::open(url, Policy::amazon()).await.context("opening the store")?;
    let run = Utc::now().timestamp();
    let sellers = [(format!("small-{run}"), small), (format!("large-{run}"), large)];
    for (seed, (seller, orders)) in sellers.iter().enumerate() {
        let events = generate::seller_events(seller, *orders, 120, end(), seed as u64 + 7);
        load_store(&store, &format!("{seller} ({orders} orders)"), &events).await?;
    }
    drop(store);

    let server = InProcessServer::start(url).await?;
    let mut client = AccountHealthServiceClient::new(server.channel().await?);
    // Per seller: a computed report (each call a millisecond earlier than the
    // last, before the span the cache holds: a miss that reads and evaluates),
    // a 400-day history of every metric, and, after those, a cached report (a
    // fixed as_of; a computed one would take its seller's cache slot).
    let mut samples: [[Vec<Duration>; 3]; 2] = Default::default();
    let mut figures = [(0, 0), (0, 0)];
    let history_from = end().date_naive() - chrono::Duration::days(399);
    let date = |day: chrono::NaiveDate| {
        use chrono::Datelike;
        pb::Date { year: day.year(), month: day.month() as i32, day: day.day() as i32 }
    };
    // Computed reports and histories, then cached reports: ten warm-up rounds
    // of each, then `calls` rounds, alternating sellers.
    for round in 0..2 * (calls + 10) {
        // Within the first second of the day: the day's own contributions are
        // few, as at the end of the orders (see docs/BENCHMARKS.md for later).
        let computed = round < calls + 10;
        let computed_as_of = end() + chrono::Duration::milliseconds((calls + 10 - round) as i64);
        let warm = if computed { round >= 10 } else { round >= calls + 20 };
        for (i, (seller, _)) in sellers.iter().enumerate() {
            let calls = if computed { vec![(1, computed_as_of)] } else { vec![(0, end())] };
            for (kind, as_of) in calls {
                let request = pb::GetAccountHealthRequest {
                    seller_id: seller.clone(),
                    marketplace_id: generate::MARKETPLACE.into(),
                    as_of: Some(prost_types::Timestamp { seconds: as_of.timestamp(), nanos: 0 }),
                };
                let started = Instant::now();
                let report = client.get_account_health(request).await?.into_inner().report.context("no report")?;
                let elapsed = started.elapsed();
                if let (true, Some(samples)) = (warm, samples.get_mut(i).and_then(|s| s.get_mut(kind))) {
                    samples.push(elapsed);
                }
                let odr = report.order_defect_rate_mfn.and_then(|o| o.rate).context("no ODR")?;
                if let (0, Some(figure)) = (kind, figures.get_mut(i)) {
                    *figure = (odr.numerator, odr.denominator);
                }
            }
            if !computed {
                continue;
            }
            let request = pb::GetMetricHistoryRequest {
                seller_id: seller.clone(),
                marketplace_id: generate::MARKETPLACE.into(),
                metrics: Vec::new(),
                from: Some(date(history_from)),
                to: Some(date(end().date_naive())),
            };
            let started = Instant::now();
            let histories = client.get_metric_history(request).await?.into_inner().histories;
            let elapsed = started.elapsed();
            if histories.iter().any(|h| h.days.len() != 400) {
                bail!("a history of {seller} did not cover 400 days");
            }
            if let (true, Some(samples)) = (warm, samples.get_mut(i).and_then(|s| s.get_mut(2))) {
                samples.push(elapsed);
            }
        }
    }
    server.stop().await?;

    println!("{calls} calls of each kind per seller after 10 warm-up calls, alternating sellers:");
    println!("| seller orders | MFN ODR (num/den) | call | median | p95 | mean |");
    println!("|---:|---:|---|---:|---:|---:|");
    let calls_named = ["GetAccountHealth, cached", "GetAccountHealth, computed", "GetMetricHistory, 400 days, all"];
    let mut medians = [[Duration::ZERO; 3]; 2];
    for (i, ((samples, (_, orders)), (num, den))) in samples.into_iter().zip(&sellers).zip(figures).enumerate() {
        for (kind, (samples, name)) in samples.into_iter().zip(calls_named).enumerate() {
            let s = spread(samples);
            println!("| {orders} | {num}/{den} | {name} | {} | {} | {} |", ms(s.median), ms(s.p95), ms(s.mean));
            if let Some(median) = medians.get_mut(i).and_then(|m| m.get_mut(kind)) {
                *median = s.median;
            }
        }
    }
    let [small, large] = medians;
    for ((name, small), large) in calls_named.iter().zip(small).zip(large) {
        println!("{name}: median large/small {:.2}×", large.as_secs_f64() / small.as_secs_f64());
    }
    println!("goals: computed report large/small at most 1.2×; a 400-day history of every metric under 5 ms");
    Ok(())
}

/// Which call a serving run makes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    /// GetAccountHealth as of a fixed instant.
    Report,
    /// GetAccountHealth with `as_of` unset: as of the moment of each call.
    ReportNow,
    Bare,
}

/// Calls answered per second and every call's latency, from `concurrency`
/// clients calling back to back for `seconds` over one channel.
async fn load(
    channel: &Channel,
    seller: &str,
    call: Call,
    fixed_as_of: DateTime<Utc>,
    concurrency: usize,
    seconds: u64,
) -> (f64, Vec<Duration>) {
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (channel, seller) = (channel.clone(), seller.to_owned());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            let mut report = AccountHealthServiceClient::new(channel.clone());
            let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
            while Instant::now() < until {
                let started = Instant::now();
                let ok = match call {
                    Call::Report | Call::ReportNow => report
                        .get_account_health(pb::GetAccountHealthRequest {
                            seller_id: seller.clone(),
                            marketplace_id: generate::MARKETPLACE.into(),
                            as_of: (call == Call::Report)
                                .then(|| prost_types::Timestamp { seconds: fixed_as_of.timestamp(), nanos: 0 }),
                        })
                        .await
                        .is_ok(),
                    Call::Bare => {
                        health.check(tonic_health::pb::HealthCheckRequest { service: String::new() }).await.is_ok()
                    }
                };
                if ok {
                    latencies.push(started.elapsed());
                }
            }
            latencies
        });
    }
    let started = Instant::now();
    let mut all = Vec::new();
    while let Some(latencies) = workers.join_next().await {
        all.extend(latencies.unwrap_or_default());
    }
    (all.len() as f64 / started.elapsed().as_secs_f64(), all)
}

async fn serve(url: &str, orders: u64, concurrency: usize, seconds: u64, runs: usize) -> anyhow::Result<()> {
    let seller = format!("serve-{}", Utc::now().timestamp());
    let store = Store::open(url, Policy::amazon()).await.context("opening the store")?;
    // Orders up to 30 days ago (later facts, up to now), so a report as of now
    // (as_of unset) covers them as the fixed one does.
    let data_end = Utc::now() - chrono::Duration::days(30);
    load_store(
        &store,
        &format!("{seller} ({orders} orders)"),
        &generate::seller_events(&seller, orders, 120, data_end, 5),
    )
    .await?;
    drop(store);
    let server = InProcessServer::start(url).await?;
    let channel = server.channel().await?;
    const CALLS: [(Call, &str); 3] = [
        (Call::Report, "GetAccountHealth, fixed as_of"),
        (Call::ReportNow, "GetAccountHealth, as_of unset (now)"),
        (Call::Bare, "bare call (grpc.health.v1 Check)"),
    ];
    let mut figures = [(Vec::new(), Vec::new()), (Vec::new(), Vec::new()), (Vec::new(), Vec::new())];
    for run in 0..runs {
        for (i, (call, name)) in CALLS.into_iter().enumerate() {
            let (rate, latencies) = load(&channel, &seller, call, data_end, concurrency, seconds).await;
            eprintln!("  run {run} {name}: {rate:.0} calls/s");
            if let Some((per_call, all)) = figures.get_mut(i) {
                per_call.push(Duration::from_secs_f64(1.0 / rate.max(f64::EPSILON)));
                all.extend(latencies);
            }
        }
    }
    server.stop().await?;
    println!(
        "Serving, {concurrency} calls in flight over one channel, {runs} runs of {seconds} s per side, alternating:"
    );
    println!("| call | calls/s (median run) | p50 | p99 |");
    println!("|---|---:|---:|---:|");
    let mut rates = Vec::new();
    let mut tails = Vec::new();
    for ((_, name), (per_call, latencies)) in CALLS.iter().zip(figures) {
        let rate = 1.0 / spread(per_call).median.as_secs_f64();
        let mut sorted = latencies;
        sorted.sort();
        let at = |q: f64| quantile(&sorted, q);
        println!("| {name} | {rate:.0} | {} | {} |", ms(at(0.5)), ms(at(0.99)));
        tails.push(at(0.99).as_secs_f64() / at(0.5).as_secs_f64());
        rates.push(rate);
    }
    let ([fixed, now, bare], [fixed_tail, now_tail, _]) = (rates.as_slice(), tails.as_slice()) else {
        bail!("expected three calls' figures")
    };
    println!("p99/p50 of GetAccountHealth: {fixed_tail:.2} fixed, {now_tail:.2} now (goal: at most 3)");
    println!("GetAccountHealth/bare throughput: {:.2} fixed, {:.2} now (goal: at least 0.5)", fixed / bare, now / bare);
    Ok(())
}

/// `VmRSS` and `VmHWM` (peak) of a process, in MiB, from /proc.
fn resident_mib(pid: u32) -> anyhow::Result<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> anyhow::Result<f64> {
        let line = status.lines().find(|l| l.starts_with(name)).with_context(|| format!("no {name} in /proc"))?;
        let kib: f64 = line.split_whitespace().nth(1).context("no value")?.parse()?;
        Ok(kib / 1024.0)
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

/// The `sellerhealth-server` binary beside this one.
fn server_binary() -> anyhow::Result<std::path::PathBuf> {
    let binary = std::env::current_exe()?.with_file_name("sellerhealth-server");
    if !binary.exists() {
        bail!("{} is missing: cargo build --release -p sellerhealth-server first", binary.display());
    }
    Ok(binary)
}

/// A server process on a free loopback port, serving `url`, and a connection to it.
struct ServerProcess {
    child: std::process::Child,
    channel: Channel,
    endpoint: tonic::transport::Endpoint,
    addr: std::net::SocketAddr,
}

impl ServerProcess {
    /// Starts `binary` with `extra` flags and waits until it accepts a connection.
    async fn start(binary: &std::path::Path, url: &str, extra: &[&str]) -> anyhow::Result<ServerProcess> {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let child = std::process::Command::new(binary)
            .args(["--listen", &addr.to_string(), "--database-url", url])
            .args(extra)
            .env("RUST_LOG", "error")
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let endpoint = Channel::from_shared(format!("http://{addr}"))?;
        let channel = loop {
            if let Ok(channel) = endpoint.connect().await {
                break channel;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        Ok(ServerProcess { child, channel, endpoint, addr })
    }
}

async fn memory(url: &str, sellers: u64, orders_per_seller: u64) -> anyhow::Result<()> {
    let binary = server_binary()?;
    let store = Store::open(url, Policy::amazon()).await.context("opening the store")?;
    let run = Utc::now().timestamp();
    let names: Vec<String> = (0..sellers).map(|i| format!("mem-{run}-{i}")).collect();
    let mut events = Vec::new();
    for (i, seller) in names.iter().enumerate() {
        events.extend(generate::seller_events(seller, orders_per_seller, 120, end(), i as u64 + 1));
    }
    load_store(&store, &format!("{sellers} sellers × {orders_per_seller} orders"), &events).await?;
    drop((store, events));

    let ServerProcess { mut child, channel, .. } = ServerProcess::start(&binary, url, &[]).await?;
    let started = resident_mib(child.id())?;
    let mut client = AccountHealthServiceClient::new(channel);
    let begun = Instant::now();
    for seller in &names {
        let request = pb::GetAccountHealthRequest {
            seller_id: seller.clone(),
            marketplace_id: generate::MARKETPLACE.into(),
            as_of: Some(prost_types::Timestamp { seconds: end().timestamp(), nanos: 0 }),
        };
        client.get_account_health(request).await?;
    }
    let elapsed = begun.elapsed();
    let after = resident_mib(child.id())?;
    child.kill()?;
    child.wait()?;
    println!(
        "Server process holding {sellers} sellers × {orders_per_seller} orders ({} reports in {:.1} s):",
        sellers,
        elapsed.as_secs_f64()
    );
    println!("| moment | resident (VmRSS) | peak (VmHWM) |");
    println!("|---|---:|---:|");
    println!("| started, serving | {:.1} MiB | {:.1} MiB |", started.0, started.1);
    println!("| after one report of every seller | {:.1} MiB | {:.1} MiB |", after.0, after.1);
    Ok(())
}

async fn ingest(url: &str, orders: u64, chunk: usize, runs: usize) -> anyhow::Result<()> {
    let server = InProcessServer::start(url).await?;
    let channel = server.channel().await?;
    let direct = direct::Inserter::open(url).await?;
    let paths = direct.paths();
    // Per run: acknowledged, counters projected; then each direct path.
    let (mut streamed, mut projected) = (Vec::new(), Vec::new());
    let mut inserted: Vec<Vec<Duration>> = vec![Vec::new(); paths.len()];
    let mut count = 0;
    for run in 0..runs {
        let seller = format!("ingest-{}-{run}", Utc::now().timestamp());
        let events = generate::seller_events(&seller, orders, 120, end(), run as u64 + 11);
        count = events.len();

        let started = Instant::now();
        let (sender, receiver) = tokio::sync::mpsc::channel(4);
        let mut client = IngestServiceClient::new(channel.clone());
        let call =
            tokio::spawn(
                async move { client.stream_events(tokio_stream::wrappers::ReceiverStream::new(receiver)).await },
            );
        for part in events.chunks(chunk) {
            sender.send(pb::StreamEventsRequest { events: part.to_vec() }).await?;
        }
        drop(sender);
        let answer = call.await??.into_inner();
        let elapsed = started.elapsed();
        if answer.accepted != events.len() as i64 {
            bail!("stream accepted {} of {} events: {:?}", answer.accepted, events.len(), answer.rejections.first());
        }
        streamed.push(elapsed);
        // The projector's background task projects once the writes pause.
        while direct.queued_projections().await? > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let all_projected = started.elapsed();
        projected.push(all_projected);

        let domain = sellerhealth_contract::events(&events)?;
        let mut line = format!(
            "  run {run}: stream {:.0} events/s acknowledged, {:.0} projected",
            count as f64 / elapsed.as_secs_f64(),
            count as f64 / all_projected.as_secs_f64()
        );
        // Each path starts from the rows the log held before the stream.
        for (path, samples) in paths.iter().zip(&mut inserted) {
            direct.reset(&seller).await?;
            let started = Instant::now();
            direct.insert(*path, &domain, chunk).await?;
            let insert_time = started.elapsed();
            samples.push(insert_time);
            line.push_str(&format!(", {} {:.0} rows/s", path.name(), count as f64 / insert_time.as_secs_f64()));
        }
        eprintln!("{line}");
    }
    server.stop().await?;
    let rate = |d: Duration| count as f64 / d.as_secs_f64();
    let (stream_median, projected_median) = (spread(streamed).median, spread(projected).median);
    println!("Bulk ingest of {count} events ({orders} orders), chunks of {chunk}, {runs} runs each, alternating:");
    println!("| path | median time | events/s |");
    println!("|---|---:|---:|");
    println!(
        "| StreamEvents, acknowledged (validated, in the log) | {} | {:.0} |",
        ms(stream_median),
        rate(stream_median)
    );
    println!("| StreamEvents, counters projected too | {} | {:.0} |", ms(projected_median), rate(projected_median));
    let mut best = Duration::MAX;
    for (path, samples) in paths.iter().zip(inserted) {
        let median = spread(samples).median;
        best = best.min(median);
        println!("| {} of the event rows | {} | {:.0} |", path.name(), ms(median), rate(median));
    }
    println!(
        "stream/direct rate against the fastest direct path: {:.2} acknowledged, {:.2} projected (goal: at least 0.5)",
        rate(stream_median) / rate(best),
        rate(projected_median) / rate(best)
    );
    Ok(())
}
