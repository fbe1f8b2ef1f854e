//! Batch evaluation: every seller's account health report computed by the
//! `metrics` engine from the data set's facts, against the same figures computed
//! in SQL by DuckDB and SQLite (`peers/sql_peer.py`, `peers/figures.sql`) from the
//! same data set written as CSV. Two comparisons: the engine alone (the CSV
//! rows read into memory, each seller's rows read into facts, checked, folded
//! and evaluated) against the peers' query alone (their tables loaded); and
//! end to end from the CSV files, the `sellerhealth batch` path (read, fold,
//! evaluate) against the peers' load plus query. The figures of every side
//! are compared, seller by seller, before any time counts and on every timed
//! run.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use sellerhealth_cli::batch;
use sellerhealth_cli::batch::figures::{self, FIGURE_NAMES};
use sellerhealth_cli::batch::tables::Table;
use sellerhealth_domain::Policy;

use crate::tables::Tables;
use crate::{dataset, resident_mib, spread};

/// The SQL the peers run, and the peer program.
const FIGURES_SQL: &str = include_str!("../peers/figures.sql");
const SQL_PEER: &str = include_str!("../peers/sql_peer.py");

/// How many sellers and events a generated data set holds.
pub struct Generated {
    /// Sellers.
    pub sellers: usize,
    /// Events (rows of the CSV tables, lines of the JSON lines).
    pub events: usize,
}

/// Generates the data set of `orders` orders and writes its CSV tables (and
/// JSON lines, with `jsonl`) to `dir`.
pub fn build(orders: u64, seed: u64, as_of: DateTime<Utc>, dir: &Path, jsonl: bool) -> anyhow::Result<Generated> {
    let sizes = dataset::seller_sizes(orders, seed);
    let mut tables = Tables::create(dir, jsonl)?;
    let (mut done, mut events) = (0u64, 0usize);
    let started = Instant::now();
    for (index, &size) in sizes.iter().enumerate() {
        let seller_id = dataset::seller_id(index);
        let wire = dataset::seller_events(&seller_id, size, as_of, seed.wrapping_add(index as u64));
        let domain = sellerhealth_contract::events(&wire)?;
        for (event, wire) in domain.iter().zip(&wire) {
            tables.write(event, wire)?;
        }
        done += size;
        events += domain.len();
        eprint!(
            "\r  generating: {}/{} sellers, {done}/{orders} orders, {events} events, {:.0} s   ",
            index + 1,
            sizes.len(),
            started.elapsed().as_secs_f64()
        );
    }
    eprintln!();
    let rows = tables.finish()?;
    let listed: Vec<String> = Table::ALL.iter().zip(rows).map(|(table, n)| format!("{} {n}", table.name())).collect();
    eprintln!("  tables in {}: {}", dir.display(), listed.join(", "));
    Ok(Generated { sellers: sizes.len(), events })
}

/// The options `sellerhealth batch --format table --threads {threads}` runs with.
fn command_options(policy: &Policy, as_of: DateTime<Utc>, threads: usize) -> batch::Options {
    batch::Options {
        as_of: batch::AsOf::Instant(as_of),
        now: as_of,
        policy: policy.clone(),
        format: batch::Format::Table,
        threads,
    }
}

/// The CSV tables in `data` read into memory as `sellerhealth batch` reads
/// them: each seller's rows, their text not yet interpreted. The engine's
/// input, as the loaded tables are the peers'.
pub fn read(data: &Path, threads: usize) -> anyhow::Result<batch::DataSet> {
    batch::DataSet::open(data, false, threads)
}

/// Every seller's figures from the engine: each seller's rows read into a
/// fact, checked, folded into a book and evaluated (largest sellers first, on
/// `threads` threads), as `sellerhealth batch` does once it has read its files.
pub fn engine_rows(
    data_set: batch::DataSet,
    policy: &Policy,
    as_of: DateTime<Utc>,
    threads: usize,
) -> anyhow::Result<Vec<String>> {
    let evaluated = data_set.evaluate(&command_options(policy, as_of, threads), false)?;
    if let Some(first) = evaluated.rejected.first() {
        bail!("the engine refused {} rows of the data set, the first: {first}", evaluated.rejected.len());
    }
    Ok(evaluated.lines)
}

/// The `sellerhealth batch` path over the CSV tables in `data`, as the command
/// runs it: read every table ([`read`]), then [`engine_rows`]; the rows of its
/// table of figures, and how long the reading took (of the whole).
pub fn batch_command_rows(
    data: &Path,
    policy: &Policy,
    as_of: DateTime<Utc>,
    threads: usize,
) -> anyhow::Result<(Vec<String>, Duration)> {
    let started = Instant::now();
    let data_set = read(data, threads)?;
    let read = started.elapsed();
    Ok((engine_rows(data_set, policy, as_of, threads)?, read))
}

/// The differences between two sets of rows, named by seller, marketplace and figure.
pub fn differences(ours: &[String], theirs: &[String]) -> Vec<String> {
    let keyed = |rows: &[String]| -> BTreeMap<String, Vec<String>> {
        rows.iter()
            .map(|row| {
                let mut fields = row.split('\t').map(str::to_owned);
                let key = format!("{}/{}", fields.next().unwrap_or_default(), fields.next().unwrap_or_default());
                (key, fields.collect())
            })
            .collect()
    };
    let (ours, theirs) = (keyed(ours), keyed(theirs));
    let mut out = Vec::new();
    for key in ours.keys().chain(theirs.keys().filter(|k| !ours.contains_key(*k))) {
        match (ours.get(key), theirs.get(key)) {
            (Some(a), Some(b)) => {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    if x != y {
                        out.push(format!("{key} {}: engine {x}, SQL {y}", FIGURE_NAMES.get(i).unwrap_or(&"?")));
                    }
                }
                if a.len() != b.len() {
                    out.push(format!("{key}: engine has {} figures, SQL {}", a.len(), b.len()));
                }
            }
            (Some(_), None) => out.push(format!("{key}: only the engine reports it")),
            _ => out.push(format!("{key}: only SQL reports it")),
        }
    }
    out
}

/// A running `sql_peer.py` with its data loaded.
pub struct Peer {
    /// `duckdb` or `sqlite`.
    pub name: String,
    /// Engine and version, as the peer says.
    pub engine: String,
    /// Seconds the load took.
    pub load_seconds: f64,
    /// Peak resident memory after loading, MiB.
    pub loaded_rss_mib: f64,
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Peer {
    /// Starts the peer on the CSV tables in `data`, and waits for its load;
    /// `scratch` holds the peer program and its SQL ([`write_peer`]).
    pub fn start(name: &str, scratch: &Path, data: &Path, as_of: DateTime<Utc>) -> anyhow::Result<Peer> {
        let (program, sql) = (scratch.join("sql_peer.py"), scratch.join("figures.sql"));
        let zones = scratch.join("zones.json");
        std::fs::write(&zones, zone_offsets(&Policy::amazon(), as_of).to_string())?;
        let python = std::env::var("SELLERHEALTH_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(&python)
            .arg(&program)
            .args(["--engine", name, "--as-of", &as_of.timestamp().to_string()])
            .arg("--data")
            .arg(data)
            .arg("--sql")
            .arg(&sql)
            .arg("--zones")
            .arg(&zones)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {python} for the {name} peer"))?;
        let input = child.stdin.take().context("peer stdin")?;
        let output = BufReader::new(child.stdout.take().context("peer stdout")?);
        let mut peer = Peer {
            name: name.into(),
            engine: String::new(),
            load_seconds: 0.0,
            loaded_rss_mib: 0.0,
            child,
            input,
            output,
        };
        let loaded = peer.answer()?;
        peer.engine = loaded.get("engine").and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
        peer.load_seconds = loaded.get("load_seconds").and_then(serde_json::Value::as_f64).unwrap_or_default();
        peer.loaded_rss_mib = loaded.get("peak_rss_mib").and_then(serde_json::Value::as_f64).unwrap_or_default();
        Ok(peer)
    }

    fn answer(&mut self) -> anyhow::Result<serde_json::Value> {
        let mut line = String::new();
        if self.output.read_line(&mut line)? == 0 {
            let status = self.child.wait()?;
            bail!("the {} peer ended ({status}); is the Python package installed?", self.name);
        }
        serde_json::from_str(&line).with_context(|| format!("the {} peer said {line:?}", self.name))
    }

    /// Loads the data set again into a new database (the old one dropped): the
    /// load's time, as the peer measures it.
    pub fn reload(&mut self) -> anyhow::Result<Duration> {
        writeln!(self.input, "reload")?;
        self.input.flush()?;
        let answer = self.answer()?;
        let seconds =
            answer.get("load_seconds").and_then(serde_json::Value::as_f64).context("no load time from the peer")?;
        Ok(Duration::from_secs_f64(seconds))
    }

    /// Runs the query once: its time, and the rows it gave.
    pub fn run(&mut self, scratch: &Path) -> anyhow::Result<(Duration, Vec<String>)> {
        let path: PathBuf = scratch.join(format!("{}.tsv", self.name));
        writeln!(self.input, "run {}", path.display())?;
        self.input.flush()?;
        let answer = self.answer()?;
        let seconds = answer.get("seconds").and_then(serde_json::Value::as_f64).context("no time from the peer")?;
        let rows = std::fs::read_to_string(&path)?.lines().map(str::to_owned).collect();
        Ok((Duration::from_secs_f64(seconds), rows))
    }

    /// Stops the peer: its peak resident memory, MiB.
    pub fn stop(mut self) -> anyhow::Result<f64> {
        writeln!(self.input, "quit")?;
        self.input.flush()?;
        let answer = self.answer()?;
        self.child.wait()?;
        Ok(answer.get("peak_rss_mib").and_then(serde_json::Value::as_f64).unwrap_or_default())
    }
}

/// The UTC offsets of the data set's marketplaces under `policy`, for the SQL
/// peers to count local days with (issue 17) by arithmetic both engines run:
/// `{"ATVPDKIKX0DER": [[from, offset], …]}`, each offset in seconds from its
/// `from` (seconds since the epoch) to the next, over the three years before
/// `as_of` and the year after (the data set's facts and promises lie there).
/// The offsets come from the engine's own calendars, so both sides count the
/// same days.
pub fn zone_offsets(policy: &Policy, as_of: DateTime<Utc>) -> serde_json::Value {
    let first = as_of - chrono::Duration::days(3 * 366);
    let hours = (4 * 366 * 24) as i64;
    let mut zones = serde_json::Map::new();
    for marketplace in [dataset::US, dataset::UK] {
        let calendar = policy.calendar(marketplace);
        let mut steps: Vec<(i64, i32)> = Vec::new();
        for hour in 0..=hours {
            let at = first + chrono::Duration::hours(hour);
            let offset = calendar.offset_seconds(at);
            if steps.last().is_none_or(|(_, last)| *last != offset) {
                // The change happened within the hour before `at`: find its second.
                let from = if steps.is_empty() { 0 } else { change_second(calendar, at, offset) };
                steps.push((from, offset));
            }
        }
        zones.insert(marketplace.to_owned(), serde_json::json!(steps));
    }
    serde_json::Value::Object(zones)
}

/// The first second within the hour before `at` whose offset is already
/// `offset` (that of `at`; the hour's start had another): a binary search.
fn change_second(calendar: sellerhealth_domain::Calendar, at: DateTime<Utc>, offset: i32) -> i64 {
    let (mut before, mut after) = (at.timestamp() - 3600, at.timestamp());
    while after - before > 1 {
        let middle = before + (after - before) / 2;
        let middle_at = DateTime::<Utc>::from_timestamp(middle, 0).unwrap_or(at);
        if calendar.offset_seconds(middle_at) == offset { after = middle } else { before = middle }
    }
    after
}

/// Writes the peer program and its SQL, compiled into this binary, to `scratch`.
fn write_peer(scratch: &Path) -> anyhow::Result<()> {
    std::fs::write(scratch.join("sql_peer.py"), SQL_PEER)?;
    std::fs::write(scratch.join("figures.sql"), FIGURES_SQL)?;
    Ok(())
}

/// Resets this process's peak resident memory, so the next reading is the
/// peak of what follows (Linux `clear_refs`).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Options of one batch comparison.
pub struct BatchOptions {
    /// Orders in the data set.
    pub orders: u64,
    /// Generator seed.
    pub seed: u64,
    /// Timed runs per side, alternating.
    pub runs: usize,
    /// `duckdb`, `sqlite`.
    pub peers: Vec<String>,
    /// Engine threads.
    pub threads: usize,
    /// Where the CSV tables go.
    pub data: PathBuf,
    /// The evaluation instant.
    pub as_of: DateTime<Utc>,
}

/// Stops the benchmark naming the first differences, if `theirs` are not `ours`.
fn check_same(ours: &[String], theirs: &[String], side: &str) -> anyhow::Result<()> {
    let wrong = differences(ours, theirs);
    if !wrong.is_empty() {
        for line in wrong.iter().take(20) {
            eprintln!("    {line}");
        }
        bail!("{} figures differ between the engine and {side}", wrong.len());
    }
    Ok(())
}

/// One side's timed runs.
#[derive(Default)]
struct Times {
    /// The engine alone, or a peer's query alone.
    compute: Vec<Duration>,
    /// End to end from the CSV files: `sellerhealth batch`, or a peer's load plus query.
    end_to_end: Vec<Duration>,
}

/// Runs the comparison and prints its tables; fails if any figure differs.
pub fn run(options: &BatchOptions) -> anyhow::Result<()> {
    if options.runs == 0 {
        bail!("--runs must be at least 1: the figures are compared on a timed run too");
    }
    let policy = Policy::amazon();
    let scratch = tempfile::tempdir()?;
    write_peer(scratch.path())?;
    let generated = build(options.orders, options.seed, options.as_of, &options.data, false)?;
    let csv_mib = Table::ALL
        .iter()
        .filter_map(|t| std::fs::metadata(options.data.join(t.file_name())).ok())
        .map(|m| m.len())
        .sum::<u64>() as f64
        / (1024.0 * 1024.0);

    // The engine's checking run: its input read first, untimed, as a peer's load is.
    eprintln!("  engine: checking run");
    let (held_mib, _) = resident_mib(std::process::id())?;
    reset_peak();
    let data_set = read(&options.data, options.threads)?;
    let input_mib = resident_mib(std::process::id())?.0 - held_mib;
    let started = Instant::now();
    let ours = engine_rows(data_set, &policy, options.as_of, options.threads)?;
    eprintln!(
        "  engine: {} reports in {:.2} s, from {input_mib:.0} MiB of rows read from {csv_mib:.0} MiB of CSV",
        ours.len(),
        started.elapsed().as_secs_f64()
    );
    let (_, mut engine_peak) = resident_mib(std::process::id())?;
    let figures_file = options.data.join("engine_figures.tsv");
    std::fs::write(&figures_file, format!("{}\n{}\n", figures::header(), ours.join("\n")))?;
    eprintln!("  engine figures written to {}", figures_file.display());

    let mut peers = Vec::new();
    for name in options.peers.iter().filter(|name| !name.is_empty()) {
        eprintln!("  {name}: loading");
        let mut peer = Peer::start(name, scratch.path(), &options.data, options.as_of)?;
        let (time, theirs) = peer.run(scratch.path())?;
        check_same(&ours, &theirs, &peer.engine)?;
        let their_file = options.data.join(format!("{name}_figures.tsv"));
        std::fs::write(&their_file, format!("{}\n{}\n", figures::header(), theirs.join("\n")))?;
        eprintln!(
            "  {}: loaded in {:.1} s; checking run {:.2} s; all {} rows × {} figures identical (written to {})",
            peer.engine,
            peer.load_seconds,
            time.as_secs_f64(),
            theirs.len(),
            FIGURE_NAMES.len(),
            their_file.display()
        );
        peers.push((peer, Times::default()));
    }

    let mut engine = Times::default();
    let mut batch_peak = 0.0f64;
    for run in 0..options.runs {
        // Each side's peak memory is its own: the high-water mark is reset before each.
        reset_peak();
        let data_set = read(&options.data, options.threads)?;
        let started = Instant::now();
        let rows = engine_rows(data_set, &policy, options.as_of, options.threads)?;
        engine.compute.push(started.elapsed());
        engine_peak = engine_peak.max(resident_mib(std::process::id())?.1);
        if rows != ours {
            bail!("the engine gave different figures on run {run}");
        }
        reset_peak();
        let started = Instant::now();
        let (rows, reading) = batch_command_rows(&options.data, &policy, options.as_of, options.threads)?;
        engine.end_to_end.push(started.elapsed());
        batch_peak = batch_peak.max(resident_mib(std::process::id())?.1);
        if rows != ours {
            bail!("sellerhealth batch gave different figures on run {run}");
        }
        eprint!(
            "  run {run}: engine {:.2} s, sellerhealth batch {:.2} s (reading the files {:.2} s)",
            engine.compute.last().map_or(0.0, Duration::as_secs_f64),
            engine.end_to_end.last().map_or(0.0, Duration::as_secs_f64),
            reading.as_secs_f64()
        );
        for (peer, times) in &mut peers {
            let load = peer.reload()?;
            let (query, theirs) = peer.run(scratch.path())?;
            if !differences(&ours, &theirs).is_empty() {
                bail!("{} gave different figures on run {run}", peer.engine);
            }
            eprint!(", {} load {:.2} s + query {:.2} s", peer.name, load.as_secs_f64(), query.as_secs_f64());
            times.compute.push(query);
            times.end_to_end.push(load + query);
        }
        eprintln!();
    }

    let median = |times: &[Duration]| spread(times.to_vec()).median;
    let (engine_median, batch_median) = (median(&engine.compute), median(&engine.end_to_end));
    let per_second = |d: Duration| options.orders as f64 / d.as_secs_f64();
    let ratio = |side: Duration, ours: Duration| side.as_secs_f64() / ours.as_secs_f64();
    let runs_of = |times: &[Duration]| times.iter().map(|t| format!("{:.2}", t.as_secs_f64())).collect::<Vec<_>>();
    println!(
        "Batch evaluation of {} sellers' reports ({} seller-marketplaces), {} orders, {} events, as of {}; \
         {} runs per side, alternating; figures identical on every run.",
        generated.sellers,
        ours.len(),
        options.orders,
        generated.events,
        options.as_of.to_rfc3339(),
        options.runs
    );
    println!();
    println!("Engine alone (the rows read into memory) against the query alone (data loaded):");
    println!("| side | runs (s) | median | orders/s | engine speed-up | peak memory |");
    println!("|---|---|---:|---:|---:|---:|");
    println!(
        "| metrics engine ({} threads: rows into facts, fold, evaluate) | {} | {:.2} s | {:.0} | 1.00× | {:.0} MiB (rows read: {input_mib:.0} MiB) |",
        options.threads,
        runs_of(&engine.compute).join(", "),
        engine_median.as_secs_f64(),
        per_second(engine_median),
        engine_peak
    );
    let mut end_to_end_rows = Vec::new();
    for (peer, times) in peers {
        let query = median(&times.compute);
        let whole = median(&times.end_to_end);
        let engine_name = peer.engine.clone();
        let loaded = peer.loaded_rss_mib;
        let peak = peer.stop()?;
        println!(
            "| {engine_name} query | {} | {:.2} s | {:.0} | {:.2}× | {peak:.0} MiB (loaded: {loaded:.0} MiB) |",
            runs_of(&times.compute).join(", "),
            query.as_secs_f64(),
            per_second(query),
            ratio(query, engine_median)
        );
        end_to_end_rows.push(format!(
            "| {engine_name} load + query | {} | {:.2} s | {:.0} | {:.2}× | {peak:.0} MiB |",
            runs_of(&times.end_to_end).join(", "),
            whole.as_secs_f64(),
            per_second(whole),
            ratio(whole, batch_median)
        ));
    }
    println!();
    println!("End to end from the same {csv_mib:.0} MiB of CSV files:");
    println!("| side | runs (s) | median | orders/s | batch speed-up | peak memory |");
    println!("|---|---|---:|---:|---:|---:|");
    println!(
        "| sellerhealth batch ({} threads: read, fold, evaluate) | {} | {:.2} s | {:.0} | 1.00× | {:.0} MiB \
         (the process held {held_mib:.0} MiB before) |",
        options.threads,
        runs_of(&engine.end_to_end).join(", "),
        batch_median.as_secs_f64(),
        per_second(batch_median),
        batch_peak
    );
    for row in end_to_end_rows {
        println!("{row}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::differences;

    #[test]
    fn differences_name_the_seller_marketplace_and_figure() {
        let ours = ["S1\tUS\t3\t100", "S2\tUS\t0\t5"].map(String::from);
        let theirs = ["S1\tUS\t4\t100", "S3\tUS\t0\t1"].map(String::from);
        assert_eq!(
            differences(&ours, &theirs),
            [
                "S1/US odr_mfn_defective: engine 3, SQL 4",
                "S2/US: only the engine reports it",
                "S3/US: only SQL reports it"
            ]
        );
        assert!(differences(&ours, &ours).is_empty());
    }
}
