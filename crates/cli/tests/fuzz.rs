//! Fuzzing every importer of the command line: the order report, the shipment
//! confirmation file, both returns reports, the feedback file, events as JSON lines, Amazon's performance report read by `reconcile`,
//! and the byte decoding in front of all of them; and the readers of `batch`
//! (the data set's CSV tables and JSON lines), through folding and evaluation.
//!
//! Each `fuzz_*` test feeds its reader (a) arbitrary bytes and (b) mutations of
//! the real fixtures in `tests/fixtures` (bit flips, truncation, duplicated,
//! swapped and shuffled lines, huge numbers, odd dates, other encodings) and
//! requires that it returns — the file parsed with bad lines rejected, or the
//! whole file refused for a missing header column — and never panics; what it
//! returns must also keep the importers' promises (units never negative, every
//! instant in the supported range, each line counted once).
//!
//! The cases are drawn from a seeded generator, so a run is repeatable:
//! `SELLERHEALTH_FUZZ_CASES=N` sets the cases per importer (default 1,000),
//! `SELLERHEALTH_FUZZ_SEED=S` the seed. A failing input is written to
//! `CARGO_TARGET_TMPDIR/fuzz-failures/`. The long run (README):
//! `SELLERHEALTH_FUZZ_CASES=1000000 cargo test -p sellerhealth-cli --release fuzz`.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::process::Command;

use indicatif::ProgressBar;
use sellerhealth_cli::batch::tables::{Table, TableError};
use sellerhealth_cli::batch::{self, DataSet};
use sellerhealth_cli::files::{
    DateOrder, FileError, MAX_HANDLING_DAYS, Parsed, TextEncoding, decode, parse_event_lines, parse_feedback_file,
    parse_order_report, parse_returns_report, parse_shipment_confirmations,
};
use sellerhealth_cli::reconcile;
use sellerhealth_proto::v1::event::Fact;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

/// Cases per importer: `SELLERHEALTH_FUZZ_CASES`, else 1,000.
fn cases() -> u64 {
    std::env::var("SELLERHEALTH_FUZZ_CASES").ok().and_then(|n| n.trim().parse().ok()).unwrap_or(1_000)
}

fn seed() -> u64 {
    std::env::var("SELLERHEALTH_FUZZ_SEED").ok().and_then(|n| n.trim().parse().ok()).unwrap_or(0x5e11_e4ea_17a7)
}

/// SplitMix64: small, fast, and the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when n is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Field values that have broken parsers before, or might: numbers at and past
/// every integer width, negative and fractional quantities, dates at and past
/// the supported range (1970 to 2199) and chrono's, separators, encodings.
const ODD_VALUES: &[&str] = &[
    "0",
    "-0",
    "-1",
    "+1",
    "1.5",
    "1e9",
    "2147483647",
    "2147483648",
    "-2147483648",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551616",
    "99999999999999999999999999999999999999999",
    "NaN",
    "inf",
    "1e400",
    "",
    " ",
    "1970-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "2199-12-31T23:59:59Z",
    "2199-12-31T23:59:59-23:59",
    "2200-01-01T00:00:00Z",
    "0000-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-23:59",
    "+262143-12-31T23:59:59Z",
    "2026-02-30T00:00:00Z",
    "2026-05-01T25:61:61Z",
    "2026-05-01T09:00:00.999999999999Z",
    "00/00/00",
    "12/31/99",
    "31/12/1969",
    "2199/12/31",
    "2200/01/01",
    "02/29/2100",
    "9999/99/99",
    "1/1/1",
    "-1/-1/-1",
    "+5/+5/+26",
    "Amazon",
    "Merchant",
    "Amazon.co.uk",
    "\t",
    "\t\t\t",
    "\r",
    "\u{feff}",
    "\u{fffd}",
    "é",
    "\"",
    "{",
    "[]",
    "null",
    "{\"seconds\":1}",
];

/// Byte order marks and bytes that are not UTF-8 on their own.
const ODD_BYTES: &[&[u8]] =
    &[b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xe9", b"\x80", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\0", b"\x81"];

/// One fuzz input: arbitrary bytes one time in eight, else a mutated fixture.
fn input(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    if rng.below(8) == 0 {
        let most = if rng.below(4) == 0 { 4096 } else { 64 };
        let length = rng.below(most);
        return (0..length).map(|_| rng.next() as u8).collect();
    }
    let mut bytes = corpus[rng.below(corpus.len())].clone();
    for _ in 0..=rng.below(4) {
        mutate(rng, &mut bytes, corpus);
    }
    bytes
}

fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

/// Spans of `bytes` between separators (tab, comma, colon, quote, newline).
fn fields(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        if matches!(b, b'\t' | b',' | b':' | b'"' | b'\n' | b'\r') {
            if i > start {
                spans.push((start, i));
            }
            start = i + 1;
        }
    }
    if bytes.len() > start {
        spans.push((start, bytes.len()));
    }
    spans
}

fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    let len = bytes.len();
    match rng.below(16) {
        // Flip a bit, or set a byte.
        0 if len > 0 => {
            let at = rng.below(len);
            bytes[at] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let at = rng.below(len);
            bytes[at] = rng.next() as u8;
        }
        // Truncate, or cut a range out.
        2 => bytes.truncate(rng.below(len + 1)),
        3 if len > 0 => {
            let start = rng.below(len);
            let end = (start + rng.below(64) + 1).min(len);
            bytes.drain(start..end);
        }
        // Insert random or odd bytes.
        4 => {
            let at = rng.below(len + 1);
            let extra: Vec<u8> = (0..=rng.below(16)).map(|_| rng.next() as u8).collect();
            bytes.splice(at..at, extra);
        }
        5 => {
            let at = rng.below(len + 1);
            bytes.splice(at..at, rng.pick(ODD_BYTES).iter().copied());
        }
        // Duplicate a line (sometimes many times: huge sums), swap two, shuffle all.
        6 => {
            let mut all = lines(bytes);
            if !all.is_empty() {
                let line = all[rng.below(all.len())].clone();
                let copies = if rng.below(4) == 0 { 1 + rng.below(200) } else { 1 };
                let at = rng.below(all.len() + 1);
                all.splice(at..at, std::iter::repeat_n(line, copies));
                *bytes = all.concat();
            }
        }
        7 => {
            let mut all = lines(bytes);
            if all.len() > 1 {
                let (a, b) = (rng.below(all.len()), rng.below(all.len()));
                all.swap(a, b);
                *bytes = all.concat();
            }
        }
        8 => {
            let mut all = lines(bytes);
            for i in (1..all.len()).rev() {
                let j = rng.below(i + 1);
                all.swap(i, j);
            }
            *bytes = all.concat();
        }
        // Replace a field (or a JSON value) with an odd value.
        9..=11 => {
            let spans = fields(bytes);
            if !spans.is_empty() {
                let (start, end) = spans[rng.below(spans.len())];
                bytes.splice(start..end, rng.pick(ODD_VALUES).bytes());
            }
        }
        // A run of digits made huge or negative.
        12 => {
            let digits: Vec<usize> = (0..len).filter(|&i| bytes[i].is_ascii_digit()).collect();
            if !digits.is_empty() {
                let at = digits[rng.below(digits.len())];
                let huge = rng.pick(&["9999999999999999999999", "2147483647", "-1", "-", "4294967295", "0"]);
                bytes.splice(at..at, huge.bytes());
            }
        }
        // A line of another fixture spliced in.
        13 => {
            let other = lines(&corpus[rng.below(corpus.len())]);
            if !other.is_empty() {
                let line = other[rng.below(other.len())].clone();
                let at = rng.below(len + 1);
                bytes.splice(at..at, line);
            }
        }
        // The whole file in another encoding.
        14 => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            *bytes = match rng.below(3) {
                0 => [&[0xff, 0xfe][..], &text.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>()].concat(),
                1 => [&[0xfe, 0xff][..], &text.encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<u8>>()].concat(),
                _ => text.chars().map(|c| if c.is_ascii() { c as u8 } else { 0xe9 }).collect(),
            };
        }
        // An odd byte order mark or none.
        _ => {
            if bytes.starts_with(b"\xef\xbb\xbf") {
                bytes.drain(..3);
            } else {
                bytes.splice(0..0, rng.pick(ODD_BYTES).iter().copied());
            }
        }
    }
}

/// Runs `check` on `cases` inputs for `name`; a panic is caught, its input
/// written to a file, and the test fails naming every such case.
fn fuzz(name: &str, corpus: &[Vec<u8>], check: impl Fn(&[u8], &mut Rng)) {
    let (cases, seed) = (cases(), seed());
    let mut rng = Rng(seed ^ name.bytes().fold(0_u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
    let mut failures = Vec::new();
    let started = std::time::Instant::now();
    for case in 0..cases {
        let bytes = input(&mut rng, corpus);
        let mut case_rng = Rng(rng.next());
        if catch_unwind(AssertUnwindSafe(|| check(&bytes, &mut case_rng))).is_err() {
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("{name}-{seed}-{case}.bin"));
            std::fs::write(&path, &bytes).unwrap();
            failures.push(path.display().to_string());
            if failures.len() >= 10 {
                break;
            }
        }
    }
    eprintln!("{name}: {cases} cases (seed {seed}) in {:.1?}", started.elapsed());
    assert!(failures.is_empty(), "{name} panicked on {} input(s), written to {failures:#?}", failures.len());
}

fn in_range(at: Option<&prost_types::Timestamp>) -> bool {
    // 1970-01-01T00:00:00Z ..= 2199-12-31T23:59:59Z
    at.is_some_and(|t| (0..7_258_118_400).contains(&t.seconds))
}

/// What every line-based importer promises: each data line counted once and
/// either rejected (with its own line number) or the source of events.
fn check_lines(text: &str, parsed: &Parsed) {
    let last_line = text.lines().count().max(1);
    assert!(parsed.rejected.len() <= parsed.rows, "more rejections than rows");
    for rejection in &parsed.rejected {
        assert!((1..=last_line).contains(&rejection.line), "rejection on line {} of {last_line}", rejection.line);
        assert!(!rejection.reason.is_empty());
    }
    for (line, _) in &parsed.events {
        assert!((1..=last_line).contains(line), "event from line {line} of {last_line}");
    }
}

#[test]
fn fuzz_order_report() {
    let header = b"amazon-order-id\tpurchase-date\tfulfillment-channel\tsales-channel\tquantity\n".to_vec();
    let small = [
        header.clone(),
        b"111-1\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t2147483647\n".to_vec(),
        b"111-1\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t2147483647\n".to_vec(),
        b"111-1\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t3\n".to_vec(),
        b"111-2\t2199-12-31T23:00:00Z\tAmazon\tAmazon.de\t-1\n".to_vec(),
    ]
    .concat();
    let corpus = [fixture("orders.txt"), small, header];
    fuzz("orders", &corpus, |bytes, rng| {
        let decoded = decode(bytes);
        let handling_days = match rng.below(8) {
            0 => u32::MAX,
            1 => rng.next() as u32,
            _ => rng.below(MAX_HANDLING_DAYS as usize + 1) as u32,
        };
        let marketplace = if rng.below(4) == 0 { Some("A1PA6795UKMFR9") } else { None };
        match parse_order_report(&decoded.text, "fuzz-seller", marketplace, handling_days) {
            Err(FileError::Empty | FileError::MissingColumn(_)) => {}
            Err(other) => panic!("an order report refused as {other}"),
            Ok(parsed) => {
                check_lines(&decoded.text, &parsed);
                assert!(parsed.events.len() <= parsed.rows);
                for (_, event) in &parsed.events {
                    let Some(Fact::Order(order)) = &event.fact else { panic!("not an order: {event:?}") };
                    assert!(order.units >= 0, "negative units {}", order.units);
                    assert!(in_range(order.purchased_at.as_ref()), "purchased_at {:?}", order.purchased_at);
                    assert!(in_range(order.latest_ship_at.as_ref()), "latest_ship_at {:?}", order.latest_ship_at);
                }
            }
        }
    });
}

#[test]
fn fuzz_feedback_file() {
    let header = b"Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n".to_vec();
    let windows_1252 = [header.clone(), b"05/06/26\t4\tTr\xe8s bien\tMerci\t111-1\tx@example.com\n".to_vec()].concat();
    let corpus = [fixture("feedback.txt"), windows_1252, header];
    fuzz("feedback", &corpus, |bytes, rng| {
        let decoded = decode(bytes);
        let order = *rng.pick(&[DateOrder::Mdy, DateOrder::Dmy, DateOrder::Ymd]);
        match parse_feedback_file(&decoded.text, "fuzz-seller", order) {
            Err(FileError::Empty | FileError::MissingColumn(_)) => {}
            Err(other) => panic!("a feedback file refused as {other}"),
            Ok(parsed) => {
                check_lines(&decoded.text, &parsed);
                for (_, event) in &parsed.events {
                    match &event.fact {
                        Some(Fact::SellerFeedback(feedback)) => {
                            assert!((1..=5).contains(&feedback.stars));
                            assert!(in_range(feedback.left_at.as_ref()), "left_at {:?}", feedback.left_at);
                        }
                        Some(Fact::FeedbackUpdate(update)) => assert!(in_range(update.updated_at.as_ref())),
                        other => panic!("not feedback: {other:?}"),
                    }
                }
            }
        }
    });
}

#[test]
fn fuzz_shipment_confirmations() {
    let header =
        b"order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\n".to_vec();
    let small = [
        header.clone(),
        b"111-1\t1\t2147483647\t2026-05-03\tUPS\t\t1Z\n".to_vec(),
        b"111-1\t2\t2147483647\t2026-05-03\tUPS\t\t1Z\n".to_vec(),
        b"111-2\t\t\t2199-12-31T23:59:59Z\tOther\t\tNULL\n".to_vec(),
    ]
    .concat();
    let corpus = [fixture("seller-set/shipments.txt"), small, header];
    fuzz("shipments", &corpus, |bytes, _| {
        let decoded = decode(bytes);
        match parse_shipment_confirmations(&decoded.text, "fuzz-seller") {
            Err(FileError::Empty | FileError::MissingColumn(_)) => {}
            Err(other) => panic!("a shipment file refused as {other}"),
            Ok(parsed) => {
                check_lines(&decoded.text, &parsed);
                assert!(parsed.events.len() <= parsed.rows);
                for (_, event) in &parsed.events {
                    let Some(Fact::ShipmentConfirmed(s)) = &event.fact else { panic!("not a shipment: {event:?}") };
                    // Counted, or a whole order with no count of its own.
                    assert!(if s.whole_order { s.units == 0 } else { s.units >= 1 }, "{s:?}");
                    assert!(in_range(s.confirmed_at.as_ref()), "confirmed_at {:?}", s.confirmed_at);
                }
            }
        }
    });
}

#[test]
fn fuzz_returns_reports() {
    let corpus = [fixture("seller-set/returns.txt"), fixture("seller-set/fba-returns.txt")];
    fuzz("returns", &corpus, |bytes, _| {
        let decoded = decode(bytes);
        match parse_returns_report(&decoded.text, "fuzz-seller") {
            Err(FileError::Empty | FileError::MissingColumn(_) | FileError::NotAReturnsReport) => {}
            Ok(parsed) => {
                check_lines(&decoded.text, &parsed);
                assert!(parsed.events.len() <= parsed.rows);
                for (_, event) in &parsed.events {
                    let Some(Fact::ReturnRequest(r)) = &event.fact else { panic!("not a return: {event:?}") };
                    assert!(in_range(r.requested_at.as_ref()), "requested_at {:?}", r.requested_at);
                    // Amazon's answers carry their time; the seller's have none.
                    assert_eq!(r.responded_at.is_some(), r.handled_by_marketplace, "{r:?}");
                }
            }
        }
    });
}

/// Contract events of several kinds, as grpcurl prints them.
const MORE_EVENTS: &str = r#"{"eventId":"o1","sellerId":"s","order":{"orderId":"111-1","marketplaceId":"ATVPDKIKX0DER","purchasedAt":"2026-05-01T09:00:00Z","fulfillmentChannel":"FULFILLMENT_CHANNEL_MFN","latestShipAt":"2026-05-03T09:00:00Z","promisedDeliveryEarliestAt":"2026-05-05T00:00:00Z","promisedDeliveryLatestAt":"2026-05-07T00:00:00.5Z","units":2147483647,"businessOrder":true}}
{"eventId":"c1","sellerId":"s","cancellation":{"orderId":"111-1","cancelledAt":"2026-05-02T00:00:00Z","initiator":"CANCELLATION_INITIATOR_BUYER","reason":"x"}}
{"eventId":"f1","sellerId":"s","sellerFeedback":{"orderId":"111-1","leftAt":"1970-01-01T00:00:00Z","stars":1,"comment":"Tr\u00e8s bien"}}
{"eventId":"t1","sellerId":"s","carrierScan":{"trackingNumber":"1Z","firstScanAt":"2199-12-31T23:59:59Z","deliveredAt":"2200-01-01T00:00:00Z"}}
"#;

#[test]
fn fuzz_event_lines() {
    let corpus = [fixture("events.jsonl"), MORE_EVENTS.as_bytes().to_vec()];
    fuzz("events", &corpus, |bytes, _| {
        let decoded = decode(bytes);
        let parsed = parse_event_lines(&decoded.text);
        check_lines(&decoded.text, &parsed);
        assert_eq!(parsed.events.len() + parsed.rejected.len(), parsed.rows, "each line an event or a rejection");
        for (_, event) in &parsed.events {
            let times: Vec<Option<&prost_types::Timestamp>> = match &event.fact {
                Some(Fact::Order(o)) => vec![o.purchased_at.as_ref(), o.latest_ship_at.as_ref()],
                Some(Fact::SellerFeedback(f)) => vec![f.left_at.as_ref()],
                Some(Fact::CarrierScan(s)) => vec![s.first_scan_at.as_ref(), s.delivered_at.as_ref()],
                Some(Fact::Cancellation(c)) => vec![c.cancelled_at.as_ref()],
                _ => vec![],
            };
            for at in times.into_iter().flatten() {
                assert!(in_range(Some(at)), "{at:?} in {event:?}");
            }
        }
    });
}

#[test]
fn fuzz_reconcile_report() {
    let (ours, _) = reconcile::read_report(&fixture("amazon-report.json")).unwrap();
    let corpus = [
        fixture("amazon-report.json"),
        fixture("amazon-report-variants.json"),
        br#"{"performanceMetrics":[{"orderDefectRate":{"mfn":{"rate":1e308,"orderCount":{"count":-1}}},"warningStates":[1,2]}]}"#.to_vec(),
    ];
    fuzz("reconcile", &corpus, |bytes, rng| {
        if let Ok((amazon, _)) = reconcile::read_report(bytes) {
            let marketplace = if rng.below(2) == 0 { Some("ATVPDKIKX0DER") } else { None };
            // A marketplace the document does not hold is refused, never a panic.
            if let Ok(comparison) = reconcile::compare(&amazon, &ours, marketplace) {
                let table = reconcile::render(&comparison);
                // Two tables with a header each and a blank line between.
                assert_eq!(table.lines().count(), comparison.texts.len() + comparison.lines.len() + 3);
            }
            // Both sides from the file, too.
            if let Ok(comparison) = reconcile::compare(&ours, &amazon, marketplace) {
                reconcile::render(&comparison);
            }
        }
    });
}

#[test]
fn fuzz_decode() {
    let corpus = [fixture("orders.txt"), fixture("feedback.txt"), fixture("events.jsonl")];
    fuzz("decode", &corpus, |bytes, _| {
        let decoded = decode(bytes);
        match decoded.encoding {
            TextEncoding::Utf8 => assert_eq!(decoded.text.as_bytes(), bytes),
            TextEncoding::Utf8Bom => assert!(bytes.starts_with(b"\xef\xbb\xbf")),
            TextEncoding::Utf16Le => assert!(bytes.starts_with(b"\xff\xfe")),
            TextEncoding::Utf16Be => assert!(bytes.starts_with(b"\xfe\xff")),
            // One character a byte.
            TextEncoding::Windows1252 => {
                assert!(std::str::from_utf8(bytes).is_err());
                assert_eq!(decoded.text.chars().count(), bytes.len());
            }
        }
    });
}

/// `batch`'s options for the fuzzing: as of the end of the fixtures' day in
/// each marketplace's time zone, on this thread.
fn batch_options(format: batch::Format) -> batch::Options {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let now = chrono::DateTime::from_timestamp(1_782_950_399, 0).unwrap(); // 2026-07-01T23:59:59Z
    let policy = sellerhealth_domain::Policy::amazon();
    batch::Options { as_of: batch::AsOf::EndOfDay(day), now, policy, format, threads: 1 }
}

/// What `batch` promises: every row read is accepted, a duplicate or refused
/// (on a line of its file, never the header of a table), and each report is
/// one line (JSON that parses, or the 43 fields of the table).
fn check_batch(data: DataSet, lines: &[(&str, usize)], format: batch::Format) {
    let evaluated = data.evaluate(&batch_options(format), false).unwrap();
    let counted = evaluated.accepted + evaluated.duplicates + evaluated.rejected.len() as u64;
    assert_eq!(counted, evaluated.rows, "each row once");
    for rejection in &evaluated.rejected {
        let (name, last) = lines.iter().find(|(name, _)| *name == rejection.file).unwrap();
        let first = if name.ends_with(".csv") { 2 } else { 1 };
        assert!((first..=*last as u64).contains(&rejection.line), "{rejection} of {last} lines");
        assert!(!rejection.reason.is_empty());
    }
    assert_eq!(evaluated.lines.len(), evaluated.reports);
    for line in &evaluated.lines {
        match format {
            batch::Format::Json => drop(serde_json::from_str::<serde_json::Value>(line).unwrap()),
            batch::Format::Table => assert_eq!(line.split('\t').count(), 43, "{line}"),
        }
    }
}

fn batch_table(table: Table) -> Vec<u8> {
    fixture(&format!("batch/{}", table.file_name()))
}

#[test]
fn fuzz_batch_tables() {
    let corpus: Vec<Vec<u8>> = Table::ALL.iter().map(|&t| batch_table(t)).collect();
    let orders = batch_table(Table::Orders);
    fuzz("batch-tables", &corpus, |bytes, rng| {
        // The table whose header the bytes start with (its rows then get past the header), else any.
        let text = String::from_utf8_lossy(bytes);
        let table =
            Table::ALL.into_iter().find(|t| text.starts_with(&t.header())).unwrap_or_else(|| *rng.pick(&Table::ALL));
        let mut data = DataSet::new();
        // The orders as they are, so the other tables' rows find their orders.
        if table != Table::Orders {
            data.add_table(Table::Orders, "orders.csv", orders.as_slice(), &ProgressBar::hidden()).unwrap();
        }
        match data.add_table(table, "fuzzed.csv", bytes, &ProgressBar::hidden()) {
            Err(error) => {
                let error = error.downcast_ref::<TableError>().unwrap_or_else(|| panic!("{error:#}"));
                assert!(matches!(
                    error,
                    TableError::Empty(..) | TableError::MissingColumn { .. } | TableError::BadHeader(..)
                ));
            }
            Ok(()) => {
                let lines = [("orders.csv", 16), ("fuzzed.csv", bytes.split(|&b| b == b'\n').count())];
                let format = if rng.below(2) == 0 { batch::Format::Json } else { batch::Format::Table };
                check_batch(data, &lines, format);
            }
        }
    });
}

#[test]
fn fuzz_batch_event_lines() {
    let corpus = [fixture("batch-events.jsonl"), MORE_EVENTS.as_bytes().to_vec()];
    fuzz("batch-events", &corpus, |bytes, rng| {
        let mut data = DataSet::new();
        data.add_events("events.jsonl", bytes, &ProgressBar::hidden()).unwrap();
        let lines = [("events.jsonl", bytes.split(|&b| b == b'\n').count())];
        let format = if rng.below(2) == 0 { batch::Format::Json } else { batch::Format::Table };
        check_batch(data, &lines, format);
    });
}

/// The built binary's `batch` on data sets with a mangled table: it may refuse
/// rows (exit 1) or the data set (exit 2), never panic (exit 101). 24 data sets.
#[test]
fn fuzz_mangled_data_sets_never_panic_the_binary() {
    let mut rng = Rng(seed());
    let scratch = tempfile::tempdir().unwrap();
    for case in 0..24 {
        let dir = scratch.path().join(format!("set-{case}"));
        std::fs::create_dir(&dir).unwrap();
        for table in Table::ALL {
            std::fs::write(dir.join(table.file_name()), batch_table(table)).unwrap();
        }
        let table = *rng.pick(&Table::ALL);
        let mut bytes = batch_table(table);
        for _ in 0..=rng.below(4) {
            mutate(&mut rng, &mut bytes, std::slice::from_ref(&batch_table(table)));
        }
        std::fs::write(dir.join(table.file_name()), &bytes).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_sellerhealth"))
            .args(["batch", "--as-of", "2026-06-30", "--format", "table"])
            .arg(&dir)
            .output()
            .unwrap();
        let code = output.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "{} exited {code:?}: {}\n{:?}",
            table.file_name(),
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&bytes)
        );
    }
}

/// The built binary on mangled files of every kind: it may refuse lines (exit
/// 1) or the file (exit 2), never panic (exit 101). A fixed 12 files a kind.
#[test]
fn fuzz_mangled_files_never_panic_the_binary() {
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sellerhealth"))
            .arg("--data-dir")
            .arg(data.path())
            .args(args)
            .env_remove("SELLERHEALTH_SERVER")
            .env_remove("SELLERHEALTH_DATABASE_URL")
            .output()
            .unwrap()
    };
    let orders = format!("{FIXTURES}/orders.txt");
    assert_eq!(run(&["import", "orders", &orders, "--seller", "fuzz-seller"]).status.code(), Some(1));
    let mut rng = Rng(seed());
    let kinds: [(&str, Vec<u8>, &[&str]); 8] = [
        ("orders.txt", fixture("orders.txt"), &["import", "orders", "FILE", "--seller", "fuzz-seller"]),
        (
            "shipments.txt",
            fixture("seller-set/shipments.txt"),
            &["import", "shipments", "FILE", "--seller", "fuzz-seller"],
        ),
        ("returns.txt", fixture("seller-set/returns.txt"), &["import", "returns", "FILE", "--seller", "fuzz-seller"]),
        (
            "fba-returns.txt",
            fixture("seller-set/fba-returns.txt"),
            &["import", "returns", "FILE", "--seller", "fuzz-seller"],
        ),
        ("feedback.txt", fixture("feedback.txt"), &["import", "feedback", "FILE", "--seller", "fuzz-seller"]),
        ("events.jsonl", fixture("events.jsonl"), &["import", "events", "FILE"]),
        ("batch-events.jsonl", fixture("batch-events.jsonl"), &["batch", "FILE"]),
        ("amazon-report.json", fixture("amazon-report.json"), &["reconcile", "fuzz-seller", "FILE"]),
    ];
    for (name, original, args) in &kinds {
        for case in 0..12 {
            let mut bytes = original.clone();
            for _ in 0..=rng.below(4) {
                mutate(&mut rng, &mut bytes, std::slice::from_ref(original));
            }
            let path = data.path().join(format!("{case}-{name}"));
            std::fs::write(&path, &bytes).unwrap();
            let path = path.to_str().unwrap();
            let args: Vec<&str> = args.iter().map(|a| if *a == "FILE" { path } else { a }).collect();
            let output = run(&args);
            let code = output.status.code();
            assert!(
                matches!(code, Some(0..=2)),
                "{args:?} exited {code:?}: {}\n{:?}",
                String::from_utf8_lossy(&output.stderr),
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}

/// Makes sure the fuzz corpus parses at all before mutation (a fixture the
/// parser refused whole would make the order fuzzing shallow).
#[test]
fn fuzz_corpus_parses() {
    let orders = decode(&fixture("orders.txt"));
    assert_eq!(parse_order_report(&orders.text, "s", None, 2).unwrap().events.len(), 3);
    let events = parse_event_lines(MORE_EVENTS);
    let reasons: Vec<&str> = events.rejected.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(events.events.len(), 3, "{reasons:?}");
    assert_eq!(
        reasons,
        ["carrier_scan.delivered_at: 2200-01-01 00:00:00 UTC is outside the supported range \
          1970-01-01T00:00:00Z to 2199-12-31T23:59:59.999999999Z"]
    );
    let Some(Fact::Order(order)) = &events.events[0].1.fact else { panic!() };
    assert_eq!(order.units, i32::MAX);
}
