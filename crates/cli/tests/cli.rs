//! The `sellerhealth` binary run as a user would: Seller Central files with
//! broken lines imported into the embedded store (twice: nothing changes the
//! second time), then the report in every format, a history chart and a
//! reconciliation. Expected figures are worked out by hand in the comments.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{fixture, sellerhealth};

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// What the README shows `command` printing: the lines after it, up to the next
/// command or the end of its block.
fn readme_output(command: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let start = readme.find(&format!("\n{command}\n"));
    assert!(start.is_some(), "the README shows {command}");
    let start = start.unwrap();
    let after = &readme[start + command.len() + 2..];
    let end = [after.find("\n$ "), after.find("\n```")].into_iter().flatten().min().unwrap();
    format!("{}\n", &after[..end])
}

const ORDERS_SUMMARY: &str = "2 merchant-fulfilled orders without shipment data (the order report has no ship dates): \
they count in no shipping metric — import the shipment confirmation file
  line 5: expected 18 columns, found 5
  line 6: fulfillment-channel \"Pigeon\" is neither Amazon nor Merchant
  line 7: purchase-date \"05/03/2026 10:00\" is not a date and time (2026-05-01T09:12:00+00:00)
  line 10: expected 18 columns, found 1
";

#[test]
fn import_then_report_in_every_format() {
    let data = tempfile::tempdir().unwrap();
    let data = data.path();

    // orders.txt: UTF-8 BOM, CRLF endings, 8 data rows (a blank line skipped):
    // 111-0000001 on two item rows (one order, 3 units), 111-0000002 (AFN),
    // 111-0000006 (business), and four bad lines. Nothing valid is lost.
    let first = sellerhealth(data, &["import", "orders", &fixture("orders.txt"), "--seller", "cli-seller"]);
    assert_eq!(first.status.code(), Some(1), "rejected lines make a non-zero exit");
    assert_eq!(
        stdout(&first),
        format!("8 rows read as UTF-8 with BOM: 3 events accepted, 0 duplicates, 4 rejected\n{ORDERS_SUMMARY}")
    );
    let again = sellerhealth(data, &["import", "orders", &fixture("orders.txt"), "--seller", "cli-seller"]);
    assert_eq!(
        stdout(&again),
        format!("8 rows read as UTF-8 with BOM: 0 events accepted, 3 duplicates, 4 rejected\n{ORDERS_SUMMARY}")
    );

    // feedback.txt: 1 star on 111-0000001, 5 stars with a response on
    // 111-0000002 (two events), a bad date, a bad rating, an unknown order.
    let feedback = sellerhealth(data, &["import", "feedback", &fixture("feedback.txt"), "--seller", "cli-seller"]);
    assert_eq!(feedback.status.code(), Some(1));
    assert_eq!(
        stdout(&feedback),
        "5 rows read as UTF-8: 3 events accepted, 0 duplicates, 3 rejected\n\
         \x20 line 4: Date \"13/45/26\" is not a MM/DD/YY date\n\
         \x20 line 5: Rating \"7\" is not 1 to 5\n\
         \x20 line 6: seller_feedback.order_id: unknown order \"111-9999999\"\n"
    );
    // The rater's e-mail is never stored.
    for entry in std::fs::read_dir(data).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(18).any(|w| w == b"buyer1@example.com"));
    }

    let events = sellerhealth(data, &["import", "events", &fixture("events.jsonl")]);
    assert_eq!(
        stdout(&events),
        "2 rows read as UTF-8: 1 events accepted, 0 duplicates, 1 rejected\n\
         \x20 line 2: not a contract Event: key must be a string at line 1 column 2\n"
    );

    // As of 2026-06-30 the ODR window is 2026-04-18 .. 2026-06-16 (60 days ending
    // 14 days back): MFN orders 111-0000001 (05-01, 1 star: a defect) and
    // 111-0000006 (05-03): 1/2 = 50.00%, BAD; AFN 111-0000002 (5 stars): 0/1.
    let table = sellerhealth(data, &["report", "cli-seller", "--as-of", "2026-06-30"]);
    assert_eq!(table.status.code(), Some(0));
    let table = stdout(&table);
    assert!(table.starts_with(
        "Account health of cli-seller in ATVPDKIKX0DER as of 2026-06-30 23:59 America/Los_Angeles: AT RISK\n"
    ));
    assert!(table.contains("\nOrder defect rate (MFN)           2026-04-18 .. 2026-06-16  50.00% (1/2)  "));
    assert!(table.contains("\nOrder defect rate (AFN)           2026-04-18 .. 2026-06-16  0.00% (0/1)   "));
    // BAD from 05-15 (the first day 111-0000001 is in the window), 60 days to fix.
    assert!(table.ends_with("Warning: Order defect rate (MFN) BAD since 2026-05-15, fix by 2026-07-14\n"));

    let json = sellerhealth(data, &["report", "cli-seller", "--as-of", "2026-06-30", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["orderDefectRateMfn"]["rate"]["numerator"], "1");
    assert_eq!(json["orderDefectRateMfn"]["rate"]["denominator"], "2");
    assert_eq!(json["orderDefectRateMfn"]["negativeFeedbackCount"], "1");
    assert_eq!(json["accountStatus"], "ACCOUNT_STATUS_AT_RISK");

    let sp_api = sellerhealth(data, &["report", "cli-seller", "--as-of", "2026-06-30", "--format", "sp-api"]);
    let sp_api: serde_json::Value = serde_json::from_slice(&sp_api.stdout).unwrap();
    let mfn = &sp_api["performanceMetrics"][0]["orderDefectRate"]["mfn"];
    assert_eq!((mfn["orderCount"].as_i64(), mfn["orderWithDefects"]["count"].as_i64()), (Some(2), Some(1)));
    assert_eq!(sp_api["accountStatuses"][0]["status"], "AT_RISK");

    // Daily ODR: 111-0000001 enters the window on 05-15 (1/1), 111-0000006 on
    // 05-17 (1/2); nothing before. 100% tops the bars; the 1% target rounds to
    // the first cell.
    let svg = data.join("odr.svg");
    let history = sellerhealth(
        data,
        &[
            "history",
            "cli-seller",
            "--metric",
            "order-defect-rate-mfn",
            "--from",
            "2026-05-14",
            "--to",
            "2026-05-17",
            "--svg",
            svg.to_str().unwrap(),
        ],
    );
    let full = format!("|{} ", "█".repeat(39));
    let half = format!("|{}{}", "█".repeat(19), " ".repeat(21));
    assert_eq!(
        stdout(&history),
        format!(
            "Order defect rate (MFN) of cli-seller, 2026-05-14 .. 2026-05-17: target 1.00% at |, 3 BAD day(s)\n\
             2026-05-14 |{blank}   none\n\
             2026-05-15 {full} 100.00% (1/1)  BAD\n\
             2026-05-16 {full} 100.00% (1/1)  BAD\n\
             2026-05-17 {half}  50.00% (1/2)  BAD\n\
             SVG written to {}\n",
            svg.display(),
            blank = " ".repeat(40),
        )
    );
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));

    // Amazon's report with the spellings of real reports instead of the schema's
    // (prefulfillmentCancelRate, warningState, documentRequest, no claims or
    // chargebacks components), most metrics left out, and an AHR of 190.
    let reconcile = sellerhealth(
        data,
        &["reconcile", "cli-seller", &fixture("amazon-report-variants.json"), "--as-of", "2026-06-30"],
    );
    let reconcile = stdout(&reconcile);
    assert!(reconcile.contains("\norderDefectRate.mfn rate               50.00%  50.00%  +0.00 pp\n"));
    assert!(reconcile.contains("\norderDefectRate.mfn claims             0       0       +0\n"));
    assert!(reconcile.contains("\ncancellations                          0       0       +0\n"));
    assert!(reconcile.contains("\nvalid tracking rate                    —       0.00%   —\n"));
    assert!(reconcile.contains("\nAccount Health Rating                  190     200     +10\n"));
    assert!(reconcile.ends_with("\nopen warnings                          1       1       +0\n"));

    // Amazon's report in the schema's own shape (crates/metrics/tests/sp_api_schema.rs
    // checks it against the schema): the README shows this output, exactly.
    let reconcile =
        sellerhealth(data, &["reconcile", "cli-seller", &fixture("amazon-report.json"), "--as-of", "2026-06-30"]);
    assert_eq!(reconcile.status.code(), Some(0), "{}", String::from_utf8_lossy(&reconcile.stderr));
    assert_eq!(
        stdout(&reconcile),
        readme_output("$ sellerhealth reconcile cli-seller amazon-report.json --as-of 2026-06-30")
    );

    let unknown = sellerhealth(data, &["report", "nobody"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(String::from_utf8(unknown.stderr).unwrap(), "error: no facts stored for seller \"nobody\" (NotFound)\n");
}

#[test]
fn every_command_has_help() {
    let data = tempfile::tempdir().unwrap();
    for command in [
        vec!["--help"],
        vec!["import", "--help"],
        vec!["import", "orders", "--help"],
        vec!["import", "shipments", "--help"],
        vec!["import", "returns", "--help"],
        vec!["import", "feedback", "--help"],
        vec!["import", "events", "--help"],
        vec!["report", "--help"],
        vec!["history", "--help"],
        vec!["reconcile", "--help"],
    ] {
        let output = sellerhealth(data.path(), &command);
        assert_eq!(output.status.code(), Some(0), "{command:?}");
        assert!(stdout(&output).contains("Usage: sellerhealth"), "{command:?}");
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Issue 13: `--handling-days 1000000000` (and i64::MAX) panicked; now clap
/// refuses any number outside 0..=30 with exit 2, naming the range.
#[test]
fn handling_days_outside_0_to_30_are_refused_by_clap() {
    let data = tempfile::tempdir().unwrap();
    for days in ["1000000000", "9223372036854775807", "31", "-1"] {
        let flag = format!("--handling-days={days}");
        let output =
            sellerhealth(data.path(), &["import", "orders", &fixture("orders.txt"), "--seller", "cli-seller", &flag]);
        assert_eq!(output.status.code(), Some(2), "{days}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.starts_with(&format!(
                "error: invalid value '{days}' for '--handling-days <HANDLING_DAYS>': {days} is not in 0..=30\n"
            )),
            "{stderr}"
        );
    }
    let ok = sellerhealth(
        data.path(),
        &["import", "orders", &fixture("orders.txt"), "--seller", "cli-seller", "--handling-days", "30"],
    );
    assert_eq!(ok.status.code(), Some(1), "30 is allowed (the fixture has rejected lines)");
}

#[test]
fn date_flags_outside_the_supported_range_are_refused_by_clap() {
    let data = tempfile::tempdir().unwrap();
    let output = sellerhealth(data.path(), &["report", "cli-seller", "--as-of", "2200-01-01"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8(output.stderr).unwrap().starts_with(
        "error: invalid value '2200-01-01' for '--as-of <AS_OF>': \
         2200-01-01 is outside the supported range 1970-01-01 to 2199-12-31\n"
    ));
    let output =
        sellerhealth(data.path(), &["history", "cli-seller", "--metric", "valid-tracking-rate", "--from", "x"]);
    assert_eq!(output.status.code(), Some(2));
}

/// Issue 13: 2147483647 + 2147483647 + 3 units was stored as 1 unit with exit 0.
#[test]
fn quantities_that_would_wrap_are_refused_by_line() {
    let data = tempfile::tempdir().unwrap();
    let file = write(
        data.path(),
        "orders.txt",
        b"amazon-order-id\tpurchase-date\tfulfillment-channel\tsales-channel\tquantity\n\
          111-1\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t2147483647\n\
          111-1\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t2147483647\n\
          111-1\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t3\n\
          111-2\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t-4\n",
    );
    let output = sellerhealth(data.path(), &["import", "orders", &file, "--seller", "cli-seller"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "4 rows read as UTF-8: 1 events accepted, 0 duplicates, 3 rejected\n\
         1 merchant-fulfilled order without shipment data (the order report has no ship dates): it counts in no \
         shipping metric — import the shipment confirmation file\n\
         \x20 line 3: quantity 2147483647 would take order 111-1 past 2147483647 units (2147483647 from the lines before)\n\
         \x20 line 4: quantity 3 would take order 111-1 past 2147483647 units (2147483647 from the lines before)\n\
         \x20 line 5: quantity -4 is negative\n"
    );
}

/// Issue 13: one byte that is not UTF-8 refused the whole file (exit 2).
#[test]
fn a_file_that_is_not_utf8_is_read_as_windows_1252() {
    let data = tempfile::tempdir().unwrap();
    let orders = sellerhealth(data.path(), &["import", "orders", &fixture("orders.txt"), "--seller", "cli-seller"]);
    assert_eq!(orders.status.code(), Some(1));
    let file = write(
        data.path(),
        "feedback.txt",
        b"Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n\
          05/06/26\t4\tCaf\xe9 tr\xe8s bon\t\t111-0000001\tx@example.com\n",
    );
    let output = sellerhealth(data.path(), &["import", "feedback", &file, "--seller", "cli-seller"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout(&output), "1 rows read as Windows-1252: 1 events accepted, 0 duplicates, 0 rejected\n");
}

#[test]
fn a_utf16le_orders_file_imports_like_the_utf8_one() {
    let data = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("orders.txt")).unwrap();
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(text.trim_start_matches('\u{feff}').encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let file = write(data.path(), "orders-utf16.txt", &utf16);
    let output = sellerhealth(data.path(), &["import", "orders", &file, "--seller", "cli-seller"]);
    assert_eq!(
        stdout(&output),
        format!("8 rows read as UTF-16LE: 3 events accepted, 0 duplicates, 4 rejected\n{ORDERS_SUMMARY}")
    );
    // The same events as the UTF-8 file: importing that now changes nothing.
    let again = sellerhealth(data.path(), &["import", "orders", &fixture("orders.txt"), "--seller", "cli-seller"]);
    assert_eq!(
        stdout(&again),
        format!("8 rows read as UTF-8 with BOM: 0 events accepted, 3 duplicates, 4 rejected\n{ORDERS_SUMMARY}")
    );
}

/// `sellerhealth … | head -0`: standard output closed before the summary is
/// written ends the command with its usual code, not a panic (101).
#[test]
fn a_closed_standard_output_is_not_a_panic() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sellerhealth"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["import", "orders", &fixture("orders.txt"), "--seller", "cli-seller"])
        .env_remove("SELLERHEALTH_SERVER")
        .env_remove("SELLERHEALTH_DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
}

/// Issue 14: Seller Central's "All Orders" report as a seller downloads it (34
/// columns; 50 orders in May 2026 and one multi-channel row) raises no false
/// alarm. Order i (1..=50) is bought on day 1 + (i-1)/2 (order 2 on two item
/// rows); every 5th is Cancelled (quantity 0, as Seller Central writes it), every
/// 7th otherwise Pending, the rest Shipped; every 3rd is fulfilled by Amazon.
#[test]
fn an_all_orders_report_raises_no_late_shipment_alarm() {
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let import = || sellerhealth(data, &["import", "orders", &fixture("all-orders.txt"), "--seller", "real-seller"]);
    // 52 rows: 51 item rows of 50 orders, and the Non-Amazon row, skipped. Events:
    // 50 orders + 10 cancellations. Merchant-fulfilled: the 34 orders not a multiple
    // of 3; of those 7 cancelled (5, 10, 20, 25, 35, 40, 50): 27 without shipment data.
    let notes = "1 multi-channel fulfilment row (sales-channel Non-Amazon) skipped: it does not count toward account \
                 health\n\
                 10 cancelled orders: the file does not say who cancelled, so none counts as the seller's \
                 cancellation\n\
                 27 merchant-fulfilled orders without shipment data (the order report has no ship dates): they count \
                 in no shipping metric — import the shipment confirmation file\n";
    let first = import();
    assert_eq!(first.status.code(), Some(0));
    assert_eq!(stdout(&first), format!("52 rows read as UTF-8: 60 events accepted, 0 duplicates, 0 rejected\n{notes}"));
    let again = import();
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(stdout(&again), format!("52 rows read as UTF-8: 0 events accepted, 60 duplicates, 0 rejected\n{notes}"));

    // As of 05-31, ship-by = purchase + 2 days = day 3 + (i-1)/2. Late shipment,
    // 10 days (05-22 .. 05-31): orders 39..=50; merchant-fulfilled and not
    // cancelled: 41, 43, 44, 46, 47, 49 = 6 without shipment data, none due: NONE.
    // 30 days (05-02 .. 05-31) and valid tracking (the same days): all 27.
    // Cancellation rate, 7 days 05-25 .. 05-31 by purchase day: orders 49 and 50,
    // both merchant-fulfilled; 50 is cancelled by someone unknown: 0/2, GOOD.
    let table = stdout(&sellerhealth(data, &["report", "real-seller", "--as-of", "2026-05-31"]));
    assert!(table.starts_with(
        "Account health of real-seller in ATVPDKIKX0DER as of 2026-05-31 23:59 America/Los_Angeles: HEALTHY\n"
    ));
    let row =
        |label: &str| table.lines().find(|l| l.starts_with(label)).unwrap().split_whitespace().collect::<Vec<_>>();
    assert_eq!(
        row("Late shipment rate (10 days)")[5..],
        ["2026-05-22", "..", "2026-05-31", "no", "data", "<", "4.00%", "NONE"]
    );
    assert_eq!(row("Late shipment rate (30 days)")[8..], ["no", "data", "<", "4.00%", "NONE"]);
    assert_eq!(row("Cancellation rate")[5..], ["0.00%", "(0/2)", "<", "2.50%", "GOOD"]);
    // ODR, 03-19 .. 05-17 by purchase day: orders 1..=34, 23 merchant-fulfilled.
    assert_eq!(row("Order defect rate (MFN)")[7..], ["0.00%", "(0/23)", "<", "1.00%", "GOOD"]);
    assert!(table.contains(
        "\n\nLate shipment rate (10 days): 6 orders without shipment data — import the shipment confirmation file\n\
         Late shipment rate (30 days): 27 orders without shipment data — import the shipment confirmation file\n\
         Valid tracking rate: 27 orders without shipment data — import the shipment confirmation file\n\n\
         Account Health Rating: 200\n"
    ));
    assert!(!table.contains("Warning"));

    let json = sellerhealth(data, &["report", "real-seller", "--as-of", "2026-05-31", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let lsr10 = &json["lateShipmentRate10d"];
    assert_eq!((&lsr10["status"], &lsr10["ordersWithoutShipmentData"]), (&"METRIC_STATUS_NONE".into(), &"6".into()));
    assert_eq!(json["lateShipmentRate30d"]["ordersWithoutShipmentData"], "27");
    assert_eq!(json["validTrackingRate"]["ordersWithoutShipmentData"], "27");
    let cancel = &json["preFulfillmentCancelRate"];
    assert_eq!((&cancel["numerator"], &cancel["denominator"]), (&serde_json::Value::Null, &"2".into()));
    assert_eq!(json["accountStatus"], "ACCOUNT_STATUS_HEALTHY");
    assert!(json["warnings"].as_array().is_none_or(Vec::is_empty));
}

/// A contract-JSON date as `YYYY-MM-DD`.
fn day(date: &serde_json::Value) -> String {
    let part = |name: &str| date[name].as_i64().unwrap();
    format!("{}-{:02}-{:02}", part("year"), part("month"), part("day"))
}

/// One figure of a contract-JSON rate: window, numerator, denominator, status,
/// orders and shipments lacking data, recovery (extra good items, day back).
fn figure(rate: &serde_json::Value) -> String {
    let range = &rate["reportingDateRange"];
    let count = |name: &str| rate[name].as_str().unwrap_or("0").to_owned();
    let recovery = &rate["recovery"];
    let recovery = if recovery.is_null() {
        String::new()
    } else {
        format!(
            " +{} back {}",
            recovery["additionalDefectFreeOrders"].as_str().unwrap(),
            day(&recovery["backWithinTargetOn"])
        )
    };
    format!(
        "{}..{} {}/{} {}{}{}{}",
        day(&range["start"]),
        day(&range["end"]),
        count("numerator"),
        count("denominator"),
        rate["status"].as_str().unwrap().trim_start_matches("METRIC_STATUS_"),
        match count("ordersWithoutShipmentData").as_str() {
            "0" => String::new(),
            n => format!(" orders-lacking {n}"),
        },
        match count("shipmentsWithoutCarrierData").as_str() {
            "0" => String::new(),
            n => format!(" shipments-lacking {n}"),
        },
        recovery
    )
}

/// Issue 14: the whole set of Seller Central files one seller has — All Orders,
/// the shipment confirmation file, the seller-fulfilled and the FBA returns
/// reports, the feedback file (`tests/fixtures/seller-set`) — imported, then the
/// report as of 2026-05-31 23:59:59 with every figure worked out by hand.
///
/// The orders (handling 2 days: ship-by is the end of the day 2 days after the
/// purchase day; 2026-05-01 is a Friday):
///
/// | order | bought | channel | ship-by | shipment file | other files |
/// |---|---|---|---|---|---|
/// | A1 114-2000001 | 05-04 10:00 | MFN | 05-06 | 05-05, tracked | 1-star feedback 05-10 |
/// | A2 114-2000002 | 05-05 14:00 | MFN | 05-07 | 05-08, tracked (late) | return Rejected, in policy, 05-16 |
/// | A3 114-2000003 | 05-06 09:00 | MFN, 2 rows, 3 units | 05-08 | 05-07, one tracking number on 2 rows | 5 stars + response; return Approved 05-14 |
/// | A4 114-2000004 | 05-10 11:00 | MFN | 05-12 | 05-12, no tracking number | return Pending Action 05-26 |
/// | A5 114-2000005 | 05-12 16:00 | MFN | 05-14 | 05-13, tracked, quantity empty (whole order) | |
/// | A6 114-2000006 | 05-15 08:00 | MFN, Cancelled | — | | |
/// | A7 114-2000007 | 05-26 09:00 | MFN, Pending | 05-28 | none | |
/// | A8 114-2000008 | 05-27 12:00 | MFN, 2 rows | 05-29 | 05-29, tracked, 2 rows | 4 stars 05-30; return Approved 05-30 (2 rows, one RMA) |
/// | A9 114-2000009 | 05-28 10:00 | MFN, business | 05-30 | 05-29 16:00 UTC, tracked | |
/// | B1 114-3000001 | 05-03 10:00 | AFN | | | FBA return 05-20 |
/// | B2 114-3000002 | 05-08 10:00 | AFN | | | 2-star feedback 05-15 |
/// | B3 114-3000003 | 05-20 10:00 | AFN | | | FBA return 05-28 |
///
/// and a multi-channel (Non-Amazon) row, skipped.
#[test]
fn the_whole_set_of_seller_central_files_for_one_seller() {
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    let set = |name: &str| fixture(&format!("seller-set/{name}"));
    let imports: [(&str, &str, &str); 5] = [
        (
            "orders",
            "all-orders.txt",
            // 15 rows: 12 orders (A3 and A8 on two rows), the Non-Amazon row;
            // events: 12 orders + A6's cancellation. Merchant-fulfilled and not
            // cancelled: A1..A5, A7..A9 = 8 without shipment data yet.
            "15 rows read as UTF-8: 13 events accepted, 0 duplicates, 0 rejected\n\
             1 multi-channel fulfilment row (sales-channel Non-Amazon) skipped: it does not count toward account health\n\
             1 cancelled order: the file does not say who cancelled, so it does not count as the seller's cancellation\n\
             8 merchant-fulfilled orders without shipment data (the order report has no ship dates): they count in \
             no shipping metric — import the shipment confirmation file\n",
        ),
        (
            "shipments",
            "shipments.txt",
            // 9 rows, 7 shipments (A3's and A8's two rows share a tracking number).
            "9 rows read as UTF-8: 7 events accepted, 0 duplicates, 0 rejected\n\
             6 tracked shipments without carrier scans (the file has none): they count in neither valid tracking nor \
             the delivery rates until CarrierScan facts arrive (import events)\n\
             1 shipment without a tracking number: it counts as a shipment without valid tracking\n\
             1 shipment without a quantity: it holds the units of its order not in earlier shipments\n",
        ),
        (
            "returns",
            "returns.txt",
            // 5 rows, 4 returns (A8's two items share one RMA); A3, A2 and A8 settled.
            "5 rows read as UTF-8: 4 events accepted, 0 duplicates, 0 rejected\n\
             read as the seller-fulfilled returns report\n\
             3 returns settled at a time the report does not give: none counts as a late answer\n",
        ),
        (
            "returns",
            "fba-returns.txt",
            "2 rows read as UTF-8: 2 events accepted, 0 duplicates, 0 rejected\n\
             read as the FBA customer returns report\n\
             2 FBA returns: Amazon handled them, so they count in no return dissatisfaction figure (it measures the \
             seller's answers)\n",
        ),
        (
            "feedback",
            "feedback.txt",
            // 4 feedbacks and A3's public response.
            "4 rows read as UTF-8: 5 events accepted, 0 duplicates, 0 rejected\n",
        ),
    ];
    for (kind, file, summary) in imports {
        let output = sellerhealth(data, &["import", kind, &set(file), "--seller", "set-seller"]);
        assert_eq!((output.status.code(), stdout(&output)), (Some(0), summary.to_owned()), "{file}");
    }
    // Every file again: nothing new.
    for (kind, file, summary) in imports {
        let output = sellerhealth(data, &["import", kind, &set(file), "--seller", "set-seller"]);
        let (accepted, duplicates) = summary.split_once(": ").unwrap().1.split_once(" events accepted, ").unwrap();
        let again = summary.replacen(
            &format!("{accepted} events accepted, {duplicates}"),
            &format!("0 events accepted, {accepted} duplicates, {}", duplicates.split_once(", ").unwrap().1),
            1,
        );
        assert_eq!(stdout(&output), again, "{file} again");
    }

    let json = sellerhealth(data, &["report", "set-seller", "--as-of", "2026-05-31", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let expected = [
        // ODR, 60 days ending 14 days before: purchase days 03-19..05-17. MFN: A1..A6,
        // defective A1 (1 star): 1/6. Under 1% needs 1/(6+n) < 0.01: n = 95 more.
        // Back when A1 (05-04) leaves, the day the window starts on 05-05: 07-17.
        ("orderDefectRateMfn", "2026-03-19..2026-05-17 1/6 BAD +95 back 2026-07-17"),
        // AFN: B1, B2 (B3 is bought 05-20), defective B2 (2 stars): 1/2; n = 99.
        // B3 enters on 06-03 (1/3); B2 leaves when the window starts 05-09: 07-21.
        ("orderDefectRateAfn", "2026-03-19..2026-05-17 1/2 BAD +99 back 2026-07-21"),
        // Cancel rate, purchase days 05-25..05-31: A7, A8, A9, none cancelled by the seller.
        ("preFulfillmentCancelRate", "2026-05-25..2026-05-31 0/3 GOOD"),
        // Late shipment by ship-by day, 10 days 05-22..05-31: A8, A9 due and on time
        // (A9 shipped 05-29 16:00 UTC); A7 has no shipment data.
        ("lateShipmentRate10d", "2026-05-22..2026-05-31 0/2 GOOD orders-lacking 1"),
        // 30 days 05-02..05-31: A1, A2, A3, A4, A5, A8, A9 due (A6 cancelled, A7
        // lacking); late: A2 (shipped 05-08 23:59:59 after 05-07 23:59:59). A4 shipped
        // at the end of its ship-by day is in time. 1/(7+n) < 0.04: n = 19. Back when
        // ship-by day 05-07 leaves the window (it starts 05-08): 06-06.
        ("lateShipmentRate30d", "2026-05-02..2026-05-31 1/7 BAD orders-lacking 1 +19 back 2026-06-06"),
        // Valid tracking by confirmation day 05-02..05-31: 7 shipments; the 6 tracked
        // ones have no carrier data, A4's untracked one is known never to be scanned:
        // 0/1. Over 95% needs n/(1+n) > 0.95: n = 20. Back (NONE) when 05-12 leaves: 06-11.
        // A7 lacks shipment data (by its ship-by day 05-28).
        (
            "validTrackingRate",
            "2026-05-02..2026-05-31 0/1 BAD orders-lacking 1 shipments-lacking 6 +20 back 2026-06-11",
        ),
        // The order report has no promised delivery dates: in neither delivery rate.
        ("onTimeDeliveryRate", "2026-05-02..2026-05-31 0/0 NONE"),
        ("unitOnTimeDeliveryRate", "2026-05-02..2026-05-31 0/0 NONE"),
        // Returns by request day 04-02..05-31: A3, A2, A4, A8 (B1's and B3's FBA returns
        // were Amazon's). Dissatisfied: A2 (in-policy return rejected), A4 (pending
        // since 05-26 23:59:59, past 48 hours). A3 and A8 were settled at a time the
        // report does not give: never late. 2/(4+n) < 0.1: n = 17. A3 leaves 07-14,
        // A2 07-16 (1/2), A4 when the window starts 05-27: 07-25 (0/1).
        ("returnDissatisfactionRate", "2026-04-02..2026-05-31 2/4 BAD +17 back 2026-07-25"),
        // Refunds by purchase day 05-02..05-31: all 12 orders, none refunded.
        ("refundRate", "2026-05-02..2026-05-31 0/12 GOOD"),
        ("customerServiceDissatisfactionRate", "2026-04-02..2026-05-31 0/0 NONE"),
        // Business orders bought 05-25..05-31: A9, shipped Friday 05-29; its invoice
        // is due by the start of Tuesday 06-02, so not yet a defect: 0/1.
        ("invoiceDefectRate", "2026-05-25..2026-05-31 0/1 GOOD"),
    ];
    for (name, figures) in expected {
        let rate = if name.starts_with("orderDefectRate") { &json[name]["rate"] } else { &json[name] };
        assert_eq!(figure(rate), figures, "{name}");
    }
    // Issue 20: a rate without data is absent on the wire; a rate of 0 is there.
    assert_eq!(json["onTimeDeliveryRate"]["rate"], serde_json::Value::Null);
    assert_eq!(json["refundRate"]["rate"], 0.0);
    assert_eq!(json["orderDefectRateMfn"]["negativeFeedbackCount"], "1");
    assert_eq!(json["orderDefectRateAfn"]["negativeFeedbackCount"], "1");
    // No messages in any file.
    for contact in json["contactResponseTimes"].as_array().unwrap() {
        assert_eq!(contact["status"], "METRIC_STATUS_NONE");
    }
    // AHR: 200, no violations; fewer than 200 orders fulfilled in 180 days.
    assert_eq!(json["accountHealthRating"]["score"], 200);
    // Warnings: the first BAD day of each penalised metric. ODR MFN: A1 enters the
    // lagged window on 05-18 (1/1). ODR AFN: B1 on 05-17 (0/1), B2 on 05-22 (1/2).
    // Late shipment: A2 is of unknown shipping until its confirmation, late, on
    // 05-08; the 10-day rate is GOOD again on 05-17 when 05-07 leaves it (9 days
    // BAD). Valid tracking: A4 confirmed 05-12. Days BAD count 05-31 itself.
    let warnings: Vec<String> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            let closed =
                if w["closedOn"].is_null() { "open".to_owned() } else { format!("closed {}", day(&w["closedOn"])) };
            format!(
                "{} {} deadline {} {} {} days",
                w["metric"].as_str().unwrap().trim_start_matches("METRIC_"),
                day(&w["openedOn"]),
                day(&w["deadline"]),
                closed,
                w["daysBad"]
            )
        })
        .collect();
    assert_eq!(
        warnings,
        [
            "ORDER_DEFECT_RATE_MFN 2026-05-18 deadline 2026-07-17 open 14 days",
            "ORDER_DEFECT_RATE_AFN 2026-05-22 deadline 2026-07-21 open 10 days",
            "LATE_SHIPMENT_RATE_10D 2026-05-08 deadline 2026-07-07 closed 2026-05-17 9 days",
            "LATE_SHIPMENT_RATE_30D 2026-05-08 deadline 2026-07-07 open 24 days",
            "VALID_TRACKING_RATE 2026-05-12 deadline 2026-07-11 open 20 days",
        ]
    );
    // Penalised metrics BAD: at risk; no warning open for more than 30 days.
    assert_eq!(json["accountStatus"], "ACCOUNT_STATUS_AT_RISK");
    assert_eq!(json["demotionRisk"], serde_json::Value::Null);

    // The table says what is missing, metric by metric.
    let table = stdout(&sellerhealth(data, &["report", "set-seller", "--as-of", "2026-05-31"]));
    assert!(
        table.contains(
            "\n\nLate shipment rate (10 days): 1 order without shipment data — import the shipment confirmation file\n\
             Late shipment rate (30 days): 1 order without shipment data — import the shipment confirmation file\n\
             Valid tracking rate: 1 order without shipment data — import the shipment confirmation file\n\
             Valid tracking rate: 6 shipments without carrier scans — send CarrierScan facts (import events)\n\n"
        ),
        "{table}"
    );
}

/// Issue 19: every metric name `history` takes is listed, the names people
/// reach for first are understood, and an unknown one is refused listing them.
#[test]
fn history_metric_names_are_listed_and_suggested() {
    let data = tempfile::tempdir().unwrap();
    let help = stdout(&sellerhealth(data.path(), &["history", "--help"]));
    for name in [
        "order-defect-rate-mfn",
        "pre-fulfillment-cancel-rate",
        "late-shipment-rate-10d",
        "unit-on-time-delivery-rate",
        "contact-response-time-90d",
        "customer-service-dissatisfaction-rate",
        "invoice-defect-rate",
    ] {
        assert!(help.contains(name), "{name} missing from:\n{help}");
    }
    let unknown = sellerhealth(data.path(), &["history", "s", "--metric", "late-shipment-rate-7d"]);
    assert_eq!(unknown.status.code(), Some(2));
    let error = String::from_utf8(unknown.stderr).unwrap();
    assert!(error.contains("invalid value 'late-shipment-rate-7d' for '--metric <METRIC>'"), "{error}");
    assert!(
        error.contains("[possible values: order-defect-rate-mfn, order-defect-rate-afn, pre-fulfillment-cancel-rate,"),
        "{error}"
    );
    // cancellation-rate names the pre-fulfilment cancel rate: orders.txt's
    // 111-0000001 (05-01) is in its 7-day window on both days, not cancelled.
    let seller = sellerhealth(data.path(), &["import", "orders", &fixture("orders.txt"), "--seller", "cli-seller"]);
    assert_eq!(seller.status.code(), Some(1));
    let chart = sellerhealth(
        data.path(),
        &["history", "cli-seller", "--metric", "cancellation-rate", "--from", "2026-05-01", "--to", "2026-05-02"],
    );
    assert_eq!(chart.status.code(), Some(0), "{}", String::from_utf8_lossy(&chart.stderr));
    assert_eq!(
        stdout(&chart),
        "Cancellation rate of cli-seller, 2026-05-01 .. 2026-05-02: target 2.50% at |, 0 BAD day(s)\n\
         2026-05-01                                         |   0.00% (0/1)\n\
         2026-05-02                                         |   0.00% (0/1)\n"
    );
}
