//! The benchmark harness checks itself here, on small data sets: the batch
//! comparison finds the metrics engine, the `sellerhealth batch` path from the
//! CSV files and the SQL of both peers (DuckDB and SQLite, from PyPI and
//! Python) in agreement on every figure of every seller, the `sellerhealth
//! batch` command prints DuckDB's figures from the CSV tables and from the
//! same data set as JSON lines, and the generator's JSON lines are events the
//! command line imports whole.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether a test may run here; with `required_by` set (CI) an unavailable
/// tool is a failure, not a skip.
fn available_or_skip(available: bool, test: &str, required_by: &str, why: &str) -> bool {
    if !available {
        assert!(std::env::var_os(required_by).is_none(), "{required_by} is set, but {why}");
        eprintln!("{test} skipped: {why}");
    }
    available
}

/// The command line's binary, beside this package's: `cargo test --workspace`
/// builds both (the CLI's own tests need it), and no test builds it again with
/// another feature set, which would rebuild half the dependencies twice.
fn cli_binary() -> PathBuf {
    let cli = Path::new(env!("CARGO_BIN_EXE_sellerhealth-bench"))
        .with_file_name(format!("sellerhealth{}", std::env::consts::EXE_SUFFIX));
    assert!(cli.exists(), "{} is missing: run cargo test --workspace", cli.display());
    cli
}

fn python_has_duckdb() -> bool {
    Command::new(std::env::var("SELLERHEALTH_PYTHON").unwrap_or_else(|_| "python3".into()))
        .args(["-c", "import duckdb, sqlite3"])
        .output()
        .is_ok_and(|output| output.status.success())
}

fn bench() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sellerhealth-bench"))
}

#[test]
#[ignore = "needs Python duckdb: pip install duckdb, then cargo test --workspace -- --ignored"]
fn the_engine_and_both_sql_peers_give_identical_figures_for_every_seller() {
    let why = "python3 cannot import duckdb (pip install duckdb)";
    if !available_or_skip(python_has_duckdb(), "batch benchmark check", "SELLERHEALTH_REQUIRE_PYTHON", why) {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let output = bench()
        .args(["batch", "--orders", "30000", "--seed", "7", "--runs", "1"])
        .arg("--data")
        .arg(data.path())
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{stdout}\n{stderr}");

    // One figures row per seller and marketplace it sold in, with every figure.
    let figures = std::fs::read_to_string(data.path().join("engine_figures.tsv")).unwrap();
    let rows: Vec<Vec<&str>> = figures.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    let orders: Vec<&str> = std::fs::read_to_string(data.path().join("orders.csv")).unwrap().leak().lines().collect();
    let mut pairs: Vec<(&str, &str)> =
        orders[1..].iter().map(|l| l.split(',').collect::<Vec<_>>()).map(|f| (f[0], f[2])).collect();
    pairs.sort_unstable();
    pairs.dedup();
    assert_eq!(rows.len(), pairs.len());
    assert!(rows.iter().all(|r| r.len() == 43), "{figures}");
    // The figures are not trivially zero: orders and defects are both counted.
    let column = |i: usize| rows.iter().map(|r| r[i].parse::<i64>().unwrap()).sum::<i64>();
    assert!(column(3) > 1_000 && column(2) > 0, "MFN ODR {} / {}", column(2), column(3));

    let checked = format!("all {} rows × 41 figures identical", rows.len());
    for engine in ["DuckDB", "SQLite"] {
        assert!(stderr.lines().any(|l| l.contains(engine) && l.contains(&checked)), "{engine}: {stderr}");
        for side in ["query", "load + query"] {
            let row = format!("| {engine}");
            assert!(stdout.lines().any(|l| l.starts_with(&row) && l.contains(&format!(" {side} |"))), "{stdout}");
        }
    }
    // Both of our sides, each checked against the engine's checking run (and so against both peers) on every run.
    assert!(stderr.contains(&format!("  engine: {} reports in ", rows.len())), "{stderr}");
    assert!(stdout.contains("| metrics engine") && stdout.contains("| sellerhealth batch ("), "{stdout}");

    // The command itself on the same files prints DuckDB's figures, header and all.
    let cli = cli_binary();
    let output = Command::new(cli)
        .args(["batch", "--as-of", "2026-10-01T00:00:00Z", "--format", "table", "--threads", "2"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let duckdb = std::fs::read_to_string(data.path().join("duckdb_figures.tsv")).unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), duckdb);
    assert_eq!(duckdb.lines().count(), rows.len() + 1);

    // The same data set as the contract's JSON lines (each event converted as
    // the server converts it, not read from a table row) gives DuckDB's figures too.
    let events = tempfile::tempdir().unwrap();
    let status =
        bench().args(["generate", "--orders", "30000", "--seed", "7", "--out"]).arg(events.path()).status().unwrap();
    assert!(status.success());
    let output = Command::new(cli_binary())
        .args(["batch", "--as-of", "2026-10-01T00:00:00Z", "--format", "table", "--threads", "2"])
        .arg(events.path().join("events.jsonl"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), duckdb);
}

#[test]
fn generated_json_lines_import_whole_through_the_command_line() {
    let out = tempfile::tempdir().unwrap();
    let status =
        bench().args(["generate", "--orders", "400", "--seed", "3", "--out"]).arg(out.path()).status().unwrap();
    assert!(status.success());
    let events = std::fs::read_to_string(out.path().join("events.jsonl")).unwrap().lines().count();
    let csv_rows: usize = ["orders", "shipments", "scans", "feedback", "messages", "reviews"]
        .iter()
        .map(|t| std::fs::read_to_string(out.path().join(format!("{t}.csv"))).unwrap().lines().count() - 1)
        .sum();
    assert!(events > 400 && csv_rows <= events, "{events} events, {csv_rows} rows");

    let cli = cli_binary();
    let database = format!("sqlite://{}", Path::new(out.path()).join("imported.db").display());
    let output = Command::new(cli)
        .args(["--database-url", &database, "import", "events"])
        .arg(out.path().join("events.jsonl"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout, format!("{events} rows read as UTF-8: {events} events accepted, 0 duplicates, 0 rejected\n"));
}
