//! `sellerhealth batch` on a small data set worked out by hand
//! (`tests/fixtures/batch/` as CSV tables, `tests/fixtures/batch-events.jsonl`
//! as the same facts in contract events), as of the end of 2026-06-30 in each
//! marketplace's time zone (Los Angeles for ATVPDKIKX0DER, London for
//! A1F83G8C2ARO7P, under the built-in profile). Every fact's instant falls on
//! the same date there as in UTC, so the days below are the facts' dates.
//!
//! Windows as of that day (SPEC §2): ODR 04-18..06-16 by purchase day; cancel
//! rate 06-24..06-30 (purchase); late shipment 06-21..06-30 and 06-01..06-30
//! (latest ship day); valid tracking 06-01..06-30 (confirmation); on-time and
//! unit on-time delivery 06-01..06-30 (promised day); return dissatisfaction
//! 05-02..06-30 (request); refunds 06-01..06-30 (purchase); contact response
//! 06-24.., 06-01.., 04-02..06-30 (received), reply within 24 hours.
//!
//! seller-a, ATVPDKIKX0DER:
//! - A-1 MFN 05-10: shipped, scanned, delivered; 1-star feedback 05-20 (a defect).
//! - A-2 MFN 05-20: an A-to-z claim pending, then GRANTED, and a service
//!   chargeback (one defective order: claims 1, chargebacks 1).
//! - A-3 AFN 05-25: 2-star fulfilment feedback (struck through on AFN: not
//!   negative), a fraud chargeback (not a defect).
//! - A-8 MFN 06-10: shipped 06-11 in time, scanned, delivered 06-17 after the
//!   promise of 06-15 (late delivery); its return rejected against policy.
//!   ODR MFN 2/3, AFN 0/1.
//! - A-4 MFN 06-25, 3 units: shipped 06-28 after its ship-by 06-27 (late),
//!   scanned, delivered 06-29 18:00 before the promise 20:00; refunded; a
//!   return asked 06-30 20:00, pending (not yet late).
//! - A-5 MFN 06-26 cancelled by the seller; A-6 MFN 06-27 never shipped (late
//!   past its ship-by 06-29); A-7 MFN 06-20, 2 units, shipped in time 06-21,
//!   never scanned (invalid tracking, not delivered on time).
//!   Cancel 1/3; late 10 days 2/3 (A-4, A-6 of ),
//!   30 days 2/4 (+ A-8); valid tracking 2/3 (A-4, A-8 of );
//!   on-time delivery 1/2 (A-4 of ); units on time 3/6 (A-4's 3 of
//!   ); returns 2/4 (A-2's answered after 72 h, A-8's invalid
//!   rejection; A-1's answered in 22 h, A-4's pending); refunds 1/5 (A-4 of A-4..A-8).
//! - Messages: M1 05-15 answered in 2 h; M2 06-25 answered in 30 h (late); M3
//!   06-10 in half an hour; M4 06-30 20:00 unanswered, under 24 h (pending); M5
//!   06-22 unanswered (late). 7 days: 0 on time, 1 late, 1 pending, average 30 h,
//!   p90 30; 30 days: 1, 2, 1, (0.5 + 30) / 2 = 15.25 h, p90 30; 90 days: 2, 2, 1,
//!   (2 + 0.5 + 30) / 3 = 10.833333333 h, p90 30.
//!
//! seller-a, A1F83G8C2ARO7P: U-1 AFN 05-01 with a pending claim (a defect);
//! U-2 AFN 06-01 with 1-star feedback removed 06-20 (no longer a defect): ODR
//! AFN 1/2. U-3 MFN 06-28 shipped 06-29 in time and scanned: cancel 0/1, late
//! 0/1 and 0/1, valid tracking 1/1; promised 07-02, in no delivery window;
//! refunds 0/2 (U-2, U-3); M6 answered in an hour: 1 on time in every window.
//!
//! seller-b, ATVPDKIKX0DER: B-1 AFN 06-05 with a service chargebacks (ODR AFN
//! 1/1), its order row twice word for word (one fact, one duplicate); B-2 MFN
//! 06-06 shipped in time 06-07, only a delivery scan (invalid tracking, not on
//! time): ODR MFN 0/1, late 30 days 0/1, valid tracking 0/1, units 0/1; B-3
//! MFN 06-25 cancelled by the buyer: cancel 0/1, in no late shipment count;
//! refunds 0/3.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use std::path::{Path, PathBuf};

use common::{fixture, sellerhealth};

fn tables() -> String {
    fixture("batch")
}

fn events() -> String {
    fixture("batch-events.jsonl")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

const HEADER: &str = "seller_id\tmarketplace_id\t\
    odr_mfn_defective\todr_mfn_orders\todr_mfn_negative_feedback\todr_mfn_atoz_claims\todr_mfn_service_chargebacks\t\
    odr_afn_defective\todr_afn_orders\todr_afn_negative_feedback\todr_afn_atoz_claims\todr_afn_service_chargebacks\t\
    cancel_seller_cancelled\tcancel_mfn_orders\tlsr10_late\tlsr10_due\tlsr30_late\tlsr30_due\t\
    vtr_valid\tvtr_confirmed\totdr_on_time\totdr_tracked\tuotdr_units_on_time\tuotdr_units\t\
    rdr_dissatisfied\trdr_requests\trefund_refunded\trefund_orders\t\
    crt7_on_time\tcrt7_late\tcrt7_pending\tcrt7_average_hours\tcrt7_p90_hours\t\
    crt30_on_time\tcrt30_late\tcrt30_pending\tcrt30_average_hours\tcrt30_p90_hours\t\
    crt90_on_time\tcrt90_late\tcrt90_pending\tcrt90_average_hours\tcrt90_p90_hours";

/// The figures worked out above, one row per seller and marketplace, sorted.
fn expected_table() -> String {
    let rows: [&[&str]; 3] = [
        &[
            "seller-a",
            "A1F83G8C2ARO7P",
            "0\t0\t0\t0\t0",           // ODR MFN: no MFN order in the window
            "1\t2\t0\t1\t0",           // ODR AFN: U-1's claim; U-2's feedback removed
            "0\t1",                    // cancel
            "0\t1\t0\t1",              // late shipment, 10 and 30 days
            "1\t1\t0\t0\t0\t0",        // valid tracking, on-time delivery, units
            "0\t0\t0\t2",              // returns, refunds
            "1\t0\t0\t1.000000000\t1", // contact response, 7 days
            "1\t0\t0\t1.000000000\t1", // 30 days
            "1\t0\t0\t1.000000000\t1", // 90 days
        ],
        &[
            "seller-a",
            "ATVPDKIKX0DER",
            "2\t3\t1\t1\t1",
            "0\t1\t0\t0\t0",
            "1\t3",
            "2\t3\t2\t4",
            "2\t3\t1\t2\t3\t6",
            "2\t4\t1\t5",
            "0\t1\t1\t30.000000000\t30",
            "1\t2\t1\t15.250000000\t30",
            "2\t2\t1\t10.833333333\t30",
        ],
        &[
            "seller-b",
            "ATVPDKIKX0DER",
            "0\t1\t0\t0\t0",
            "1\t1\t0\t0\t1",
            "0\t1",
            "0\t0\t0\t1",
            "0\t1\t0\t0\t0\t1",
            "0\t0\t0\t3",
            "0\t0\t0\t\t",
            "0\t0\t0\t\t",
            "0\t0\t0\t\t",
        ],
    ];
    let mut out = format!("{HEADER}\n");
    for row in rows {
        out.push_str(&row.join("\t"));
        out.push('\n');
    }
    out
}

/// 15 order rows (B-1's twice), 7 shipments, 6 scans, 2 cancellations, 3
/// feedback, 1 update, 3 claim rows, 3 chargebacks, 1 refund, 4 returns, 6
/// messages, 1 review; the JSON lines hold the same events, B-1's twice.
const SUMMARY: &str = "52 rows read: 51 events accepted, 1 duplicates, 0 rejected; 3 reports of 2 sellers \
    as of the end of 2026-06-30 in each marketplace's time zone\n";

#[test]
fn tables_and_events_give_the_hand_worked_figures() {
    let data = tempfile::tempdir().unwrap();
    for (input, threads) in [(tables(), "1"), (tables(), "3"), (events(), "1"), (events(), "2")] {
        let output = sellerhealth(
            data.path(),
            &["batch", &input, "--as-of", "2026-06-30", "--format", "table", "--threads", threads],
        );
        assert_eq!(output.status.code(), Some(0), "{input}: {}", text(&output.stderr));
        assert_eq!(text(&output.stdout), expected_table(), "{input} on {threads} threads");
        assert_eq!(text(&output.stderr), SUMMARY, "{input}");
    }
    // Nothing was stored: batch needs no database.
    assert!(std::fs::read_dir(data.path()).unwrap().next().is_none());
}

#[test]
fn the_json_is_the_reports_json_of_the_stored_path() {
    let from_tables = sellerhealth(Path::new("unused"), &["batch", &tables(), "--as-of", "2026-06-30"]);
    let from_events = sellerhealth(Path::new("unused"), &["batch", &events(), "--as-of", "2026-06-30"]);
    assert_eq!(from_tables.status.code(), Some(0), "{}", text(&from_tables.stderr));
    assert_eq!(from_tables.stdout, from_events.stdout, "CSV and JSON lines give the same reports");
    let lines: Vec<serde_json::Value> =
        text(&from_tables.stdout).lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    // A day is its end in each marketplace's zone; an instant is the same for all.
    for (instant, marketplace) in
        [("2026-06-30T22:59:59Z", "A1F83G8C2ARO7P"), ("2026-07-01T06:59:59Z", "ATVPDKIKX0DER")]
    {
        let output = sellerhealth(Path::new("unused"), &["batch", &events(), "--as-of", instant]);
        let at: Vec<serde_json::Value> =
            text(&output.stdout).lines().map(|line| serde_json::from_str(line).unwrap()).collect();
        let same: Vec<bool> = at.iter().zip(&lines).map(|(a, b)| a == b).collect();
        let expected: Vec<bool> = lines.iter().map(|r| r["marketplaceId"] == marketplace).collect();
        assert_eq!(same, expected, "as of {instant}, only the {marketplace} reports are those of the day's end");
    }
    let keys: Vec<(&str, &str)> =
        lines.iter().map(|r| (r["sellerId"].as_str().unwrap(), r["marketplaceId"].as_str().unwrap())).collect();
    assert_eq!(keys, [("seller-a", "A1F83G8C2ARO7P"), ("seller-a", "ATVPDKIKX0DER"), ("seller-b", "ATVPDKIKX0DER")]);

    // Warnings as worked out: each BAD penalised metric's first BAD day and its days BAD to 06-30.
    let warnings = |report: &serde_json::Value| -> Vec<(String, String, i64)> {
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                let day = &w["openedOn"];
                (
                    w["metric"].as_str().unwrap().trim_start_matches("METRIC_").to_owned(),
                    format!("{}-{:02}", day["month"], day["day"].as_i64().unwrap()),
                    w["daysBad"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let owned = |list: &[(&str, &str, i64)]| -> Vec<(String, String, i64)> {
        list.iter().map(|(m, d, n)| ((*m).to_owned(), (*d).to_owned(), *n)).collect()
    };
    // U-1 (in the window from 05-15) turned defective when its claim was filed on 05-20: 42 days.
    assert_eq!(warnings(&lines[0]), owned(&[("ORDER_DEFECT_RATE_AFN", "5-20", 42)]));
    assert_eq!(lines[0]["accountStatus"], "ACCOUNT_STATUS_AT_RISK");
    assert_eq!(lines[0]["demotionRisk"], true, "BAD for more than 30 days");
    // ODR: A-1 (feedback 05-20) enters the lagged window on 05-24; cancel: A-5 on
    // 06-26 (1 of ); late: A-4 unshipped past 06-27 08:00; tracking: A-7
    // confirmed 06-21 unscanned beside A-8 (1 of 2).
    assert_eq!(
        warnings(&lines[1]),
        owned(&[
            ("ORDER_DEFECT_RATE_MFN", "5-24", 38),
            ("PRE_FULFILLMENT_CANCEL_RATE", "6-26", 5),
            ("LATE_SHIPMENT_RATE_10D", "6-27", 4),
            ("LATE_SHIPMENT_RATE_30D", "6-27", 4),
            ("VALID_TRACKING_RATE", "6-21", 10),
        ])
    );
    assert_eq!(lines[1]["demotionRisk"], true);
    // B-1's chargeback on 06-20 (in the window from 06-19); B-2 confirmed 06-07 with no first scan.
    assert_eq!(
        warnings(&lines[2]),
        owned(&[("ORDER_DEFECT_RATE_AFN", "6-20", 11), ("VALID_TRACKING_RATE", "6-07", 24)])
    );
    assert_eq!(lines[2]["accountStatus"], "ACCOUNT_STATUS_AT_RISK");
    assert_eq!(lines[2].get("demotionRisk"), None, "24 days BAD: no demotion risk (false is left out)");

    // The same events imported into the embedded store: `report --format json`
    // prints each report as batch does, on one line there.
    let data = tempfile::tempdir().unwrap();
    let imported = sellerhealth(data.path(), &["import", "events", &events()]);
    assert_eq!(
        text(&imported.stdout),
        "52 rows read as UTF-8: 51 events accepted, 1 duplicates, 0 rejected\n",
        "{}",
        text(&imported.stderr)
    );
    for ((seller, marketplace), line) in keys.iter().zip(&lines) {
        let report = sellerhealth(
            data.path(),
            &["report", seller, "--marketplace", marketplace, "--as-of", "2026-06-30", "--format", "json"],
        );
        let stored: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
        assert_eq!(&stored, line, "{seller} {marketplace}");
    }
}

/// A copy of the fixture tables in a temporary directory, with `extra` rows
/// appended to some tables.
fn tables_with(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(tables()).unwrap() {
        let path: PathBuf = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    for (table, rows) in extra {
        let path = dir.path().join(format!("{table}.csv"));
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(rows);
        std::fs::write(&path, text).unwrap();
    }
    dir
}

#[test]
fn every_bad_row_is_refused_with_its_file_line_and_reason() {
    let long = format!("seller-b,{},ATVPDKIKX0DER,1780653600,AFN,1780740000,,1,0\n", "x".repeat(2 << 20));
    let dir = tables_with(&[
        (
            "orders",
            &format!(
                "seller-b,B-9,ATVPDKIKX0DER,1780653600,AFN,1780740000,,many,0\n\
                 seller-b,B-9,ATVPDKIKX0DER\n\
                 seller-b,B-9,ATVPDKIKX0DER,1780653600,Pigeon,1780740000,,1,0\n\
                 seller-b,B-9,ATVPDKIKX0DER,99999999999,AFN,1780740000,,1,0\n\
                 seller-b,\"B-9,ATVPDKIKX0DER,1780653600,AFN,1780740000,,1,0\n\
                 {long}\
                 seller-b,B-1,ATVPDKIKX0DER,1780653601,AFN,1780740000,,1,0\n"
            ),
        ),
        ("shipments", "seller-b,B-404,S-404,1780740000,TB404,1\n"),
        ("feedback", "seller-a,A-1,1778500000,7,0\n\n"),
        ("scans", "seller-a,TA1,,\n"),
    ]);
    let output = sellerhealth(
        dir.path(),
        &["batch", dir.path().to_str().unwrap(), "--as-of", "2026-06-30", "--format", "table"],
    );
    assert_eq!(output.status.code(), Some(1));
    // The good rows still count: the same figures as without the bad ones.
    assert_eq!(text(&output.stdout), expected_table());
    assert_eq!(
        text(&output.stderr),
        "62 rows read: 51 events accepted, 1 duplicates, 10 rejected; 3 reports of 2 sellers \
         as of the end of 2026-06-30 in each marketplace's time zone\n\
         \x20 orders.csv line 17: units \"many\" is not a whole number of units\n\
         \x20 orders.csv line 18: expected 9 fields, found 3\n\
         \x20 orders.csv line 19: channel \"Pigeon\" is not one of MFN, AFN\n\
         \x20 orders.csv line 20: purchased_at: 5138-11-16 09:46:39 UTC is outside the supported range \
         1970-01-01T00:00:00Z to 2199-12-31T23:59:59.999999999Z\n\
         \x20 orders.csv line 21: field 2 opens a quote that never closes\n\
         \x20 orders.csv line 22: the line is longer than 1048576 bytes\n\
         \x20 orders.csv line 23: order \"B-1\" was already recorded under another event id\n\
         \x20 shipments.csv line 9: shipment_confirmed.order_id: unknown order \"B-404\"\n\
         \x20 scans.csv line 8: carrier_scan.first_scan_at: a scan needs first_scan_at or delivered_at\n\
         \x20 feedback.csv line 5: seller_feedback.stars: must be 1 to 5, got 7\n"
    );
}

#[test]
fn bad_event_lines_are_refused_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    let good = std::fs::read_to_string(events()).unwrap();
    std::fs::write(
        &path,
        format!(
            "{good}{{not json}}\n\
             {{\"eventId\":\"x\",\"sellerId\":\"seller-b\",\"refund\":{{\"refundId\":\"r\",\"orderId\":\"B-404\",\"refundedAt\":\"2026-06-10T00:00:00Z\"}}}}\n\
             {{\"eventId\":\"order:B-1\",\"sellerId\":\"seller-b\",\"refund\":{{\"refundId\":\"r\",\"orderId\":\"B-1\",\"refundedAt\":\"2026-06-10T00:00:00Z\"}}}}\n\
             \n\
             {{\"eventId\":\"y\",\"sellerId\":\"seller-b\",\"order\":{{\"orderId\":\"B-8\",\"purchasedAt\":\"2300-01-01T00:00:00Z\"}}}}\n"
        ),
    )
    .unwrap();
    let output =
        sellerhealth(dir.path(), &["batch", path.to_str().unwrap(), "--as-of", "2026-06-30", "--format", "table"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stdout), expected_table());
    let stderr = text(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines[0],
        "56 rows read: 51 events accepted, 1 duplicates, 4 rejected; 3 reports of 2 sellers \
         as of the end of 2026-06-30 in each marketplace's time zone"
    );
    assert!(lines[1].starts_with("  events.jsonl line 53: not a contract Event: "), "{stderr}");
    assert_eq!(lines[2], "  events.jsonl line 54: refund.order_id: unknown order \"B-404\"");
    assert_eq!(lines[3], "  events.jsonl line 55: event_id \"order:B-1\" was already used for a different fact");
    assert_eq!(
        lines[4],
        "  events.jsonl line 57: order.purchased_at: 2300-01-01 00:00:00 UTC is outside the supported range \
         1970-01-01T00:00:00Z to 2199-12-31T23:59:59.999999999Z"
    );
    assert_eq!(lines.len(), 5);
}

#[test]
fn a_data_set_that_cannot_be_read_is_refused_whole() {
    let empty = tempfile::tempdir().unwrap();
    let output = sellerhealth(empty.path(), &["batch", empty.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("holds none of the tables of a data set (orders.csv, shipments.csv,"));

    let dir = tables_with(&[]);
    std::fs::write(dir.path().join("refunds.csv"), "seller_id,order_id,refunded_at\n").unwrap();
    let output = sellerhealth(dir.path(), &["batch", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "error: refunds.csv: the header has no \"refund_id\" column (expected \"seller_id,order_id,refund_id,refunded_at\")\n"
    );
    assert!(output.stdout.is_empty());

    // Columns in another order, and one more, read the same.
    let dir = tables_with(&[]);
    std::fs::write(
        dir.path().join("refunds.csv"),
        "note,refunded_at,refund_id,order_id,seller_id\nx,1782727200,RF-A4,A-4,seller-a\n",
    )
    .unwrap();
    let output = sellerhealth(
        dir.path(),
        &["batch", dir.path().to_str().unwrap(), "--as-of", "2026-06-30", "--format", "table"],
    );
    assert_eq!((output.status.code(), text(&output.stdout)), (Some(0), expected_table()));

    let output = sellerhealth(empty.path(), &["batch", &tables(), "--as-of", "2026-02-30"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("invalid value '2026-02-30' for '--as-of <AS_OF>'"),
        "{}",
        text(&output.stderr)
    );
}
