//! Seller Central files and JSON lines of events, read into contract events:
//! one module per file ([`orders`], [`shipments`], [`returns`], [`feedback`],
//! [`events`]); this one holds what they share (decoding, delimited tables,
//! dates, the summary's counts).
//!
//! A bad line never stops a file: it is rejected with its line number and why,
//! and every other line is kept. A file whose header lacks a required column is
//! refused as a whole (nothing in it could be read right). Bytes become text by
//! [`decode`], which never refuses a file: UTF-8, UTF-16 with a byte order mark,
//! else Windows-1252.
//!
//! Every instant and date read from a file must lie in the supported range
//! (1970-01-01 to 2199-12-31, `sellerhealth_domain::time`): a line outside it is
//! rejected naming its column.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use sellerhealth_domain::time::{check_day, check_instant};
use sellerhealth_proto::v1 as pb;

pub mod events;
pub mod feedback;
pub mod orders;
pub mod returns;
pub mod shipments;

pub use events::parse_event_lines;
pub use feedback::{DateOrder, parse_feedback_file};
pub use orders::{MAX_HANDLING_DAYS, parse_order_report};
pub use returns::{ReturnsReport, parse_returns_report};
pub use shipments::parse_shipment_confirmations;

/// The text encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 without a byte order mark.
    Utf8,
    /// UTF-8 after a byte order mark (EF BB BF), as Excel and Seller Central write it.
    Utf8Bom,
    /// UTF-16 little-endian after its byte order mark (FF FE): Excel's "Unicode text".
    Utf16Le,
    /// UTF-16 big-endian after its byte order mark (FE FF).
    Utf16Be,
    /// Windows-1252: any file without a byte order mark that is not valid UTF-8
    /// (Seller Central's exports in Western European marketplaces).
    Windows1252,
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Windows1252 => "Windows-1252",
        })
    }
}

/// A file's bytes as text, and how they were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without the byte order mark.
    pub text: String,
    /// The encoding it was read in.
    pub encoding: TextEncoding,
    /// Some bytes were malformed in that encoding (only possible after a byte
    /// order mark) and read as U+FFFD.
    pub replaced: bool,
}

impl fmt::Display for Decoded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.encoding)?;
        if self.replaced {
            f.write_str(" (malformed bytes read as U+FFFD)")?;
        }
        Ok(())
    }
}

/// Reads a file's bytes as text; never refuses. A byte order mark decides
/// (UTF-8, UTF-16LE, UTF-16BE; malformed sequences become U+FFFD); without one,
/// valid UTF-8 is UTF-8 and anything else is Windows-1252, which gives every
/// byte a character.
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some((encoding, bom_length)) = Encoding::for_bom(bytes) {
        let body = bytes.get(bom_length..).unwrap_or_default();
        let (text, replaced) = encoding.decode_without_bom_handling(body);
        let encoding = if encoding == UTF_8 {
            TextEncoding::Utf8Bom
        } else if encoding == UTF_16LE {
            TextEncoding::Utf16Le
        } else if encoding == UTF_16BE {
            TextEncoding::Utf16Be
        } else {
            // for_bom knows no other encodings; read as Windows-1252 all the same.
            let (text, replaced) = WINDOWS_1252.decode_without_bom_handling(bytes);
            return Decoded { text: text.into_owned(), encoding: TextEncoding::Windows1252, replaced };
        };
        return Decoded { text: text.into_owned(), encoding, replaced };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded { text: text.to_owned(), encoding: TextEncoding::Utf8, replaced: false },
        Err(_) => {
            let (text, replaced) = WINDOWS_1252.decode_without_bom_handling(bytes);
            Decoded { text: text.into_owned(), encoding: TextEncoding::Windows1252, replaced }
        }
    }
}

/// Why a whole file cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FileError {
    /// The file has no header line.
    #[error("the file is empty: expected a header line")]
    Empty,
    /// A column the file type needs is missing from the header.
    #[error("the header has no {0:?} column")]
    MissingColumn(&'static str),
    /// The header is that of no returns report this reads.
    #[error(
        "the header is neither the FBA customer returns report's (return-date, order-id, detailed-disposition, …) \
         nor the seller-fulfilled returns report's (Order ID, Return request date, Return request status, …)"
    )]
    NotAReturnsReport,
}

/// A line that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// 1-based line number in the file (the header is line 1).
    pub line: usize,
    /// Why, for a person.
    pub reason: String,
}

/// What a file holds: events with the lines they came from, and rejected lines.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Data lines read (not counting the header and blank lines).
    pub rows: usize,
    /// Events in file order, each with the first line it came from.
    pub events: Vec<(usize, pb::Event)>,
    /// Lines that could not be used.
    pub rejected: Vec<Rejection>,
    /// What a person should know about what the file could not say (rows
    /// skipped, data missing), one sentence each.
    pub notes: Vec<String>,
}

impl Parsed {
    fn reject(&mut self, line: usize, reason: impl Into<String>) {
        self.rejected.push(Rejection { line, reason: reason.into() });
    }

    fn count_row(&mut self) {
        self.rows = self.rows.saturating_add(1);
    }

    /// Notes something about `n` rows or facts, unless there are none: `one` when
    /// there is one, else `many` with `{n}` replaced by the number.
    fn note_count(&mut self, n: usize, one: &str, many: &str) {
        match n {
            0 => {}
            1 => self.notes.push(one.to_owned()),
            n => self.notes.push(many.replace("{n}", &n.to_string())),
        }
    }

    /// Counts a row of [`read_table`] and gives its record, or rejects it.
    fn row<'r>(&mut self, line: usize, row: &'r Result<csv::StringRecord, String>) -> Option<&'r csv::StringRecord> {
        self.count_row();
        match row {
            Ok(record) => Some(record),
            Err(reason) => {
                self.reject(line, reason.clone());
                None
            }
        }
    }
}

/// A delimited file's header and its records with their first line numbers,
/// read by the `csv` crate: Seller Central writes tab-separated files, and the
/// copy a spreadsheet saves is comma-separated with quoted fields (commas and
/// line breaks inside comments). The header line decides: a tab in it means
/// tabs, else commas. Blank lines are skipped; a record that cannot be read
/// (quoting that never closes) ends the records with a rejection of its own.
fn delimited_records(text: &str) -> Result<(Header, Vec<DelimitedRecord>), FileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().find(|line| !line.trim().is_empty()).ok_or(FileError::Empty)?;
    let delimiter = if first.contains('\t') { b'\t' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        // Seller Central's tab-separated files do not quote: a quote there is text.
        .quoting(delimiter == b',')
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(names)) => Header::from_names(names.iter()),
        _ => return Err(FileError::Empty),
    };
    let mut rows = Vec::new();
    for record in records {
        match record {
            Ok(record) if record.iter().all(|f| f.trim().is_empty()) => {}
            Ok(record) => rows.push((line_of(text, record.position()), Ok(record))),
            Err(error) => {
                rows.push((line_of(text, error.position()), Err(error.to_string())));
                break;
            }
        }
    }
    Ok((header, rows))
}

/// A record of a delimited file with its first line number, or why it could not be read.
type DelimitedRecord = (usize, Result<csv::StringRecord, String>);

/// The 1-based line of `text` a record starts on, counted from its byte offset:
/// the csv crate's own line count skips quoted line breaks, and its offset may
/// point at the line ends before the record, which are passed over first.
fn line_of(text: &str, position: Option<&csv::Position>) -> usize {
    let bytes = text.as_bytes();
    let mut offset = position.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX)).min(bytes.len());
    while bytes.get(offset).is_some_and(|b| *b == b'\r' || *b == b'\n') {
        offset = offset.saturating_add(1);
    }
    bytes.get(..offset).unwrap_or(bytes).iter().filter(|&&b| b == b'\n').count().saturating_add(1)
}

/// A delimited file's header: column name → position.
struct Header {
    columns: HashMap<String, usize>,
    width: usize,
}

impl Header {
    /// Column names match trimmed and in any case (`Date` and `date`).
    fn from_names<'n>(names: impl Iterator<Item = &'n str>) -> Header {
        let names: Vec<String> = names.map(|name| name.trim().to_ascii_lowercase()).collect();
        let width = names.len();
        Header { columns: names.into_iter().enumerate().map(|(i, name)| (name, i)).collect(), width }
    }

    fn require(&self, name: &'static str) -> Result<usize, FileError> {
        self.columns.get(name).copied().ok_or(FileError::MissingColumn(name))
    }

    fn optional(&self, name: &str) -> Option<usize> {
        self.columns.get(name).copied()
    }
}

/// Marketplace ids of Seller Central's sales channels.
pub fn marketplace_of_sales_channel(channel: &str) -> Option<&'static str> {
    Some(match channel.trim().to_ascii_lowercase().as_str() {
        "amazon.com" => "ATVPDKIKX0DER",
        "amazon.ca" => "A2EUQ1WTGCTBG2",
        "amazon.com.mx" => "A1AM78C64UM0Y8",
        "amazon.com.br" => "A2Q3Y263D00KWC",
        "amazon.co.uk" => "A1F83G8C2ARO7P",
        "amazon.de" => "A1PA6795UKMFR9",
        "amazon.fr" => "A13V1IB3VIYZZH",
        "amazon.it" => "APJ6JRA9NG5V4",
        "amazon.es" => "A1RKKUPIHCS9HS",
        "amazon.nl" => "A1805IZSGTT6HS",
        "amazon.co.jp" => "A1VC38T7YXB528",
        "amazon.com.au" => "A39IBJ37TRP1C6",
        "amazon.in" => "A21TJRUUN4KGV",
        _ => return None,
    })
}

fn timestamp(at: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp { seconds: at.timestamp(), nanos: 0 }
}

/// A record's field `i`, trimmed; empty when the record has no such field
/// (records are as wide as the header, so never for a header's column).
fn field(record: &csv::StringRecord, i: usize) -> &str {
    record.get(i).map_or("", str::trim)
}

/// A delimited file's header, and its records with the line each starts on:
/// a record as wide as the header, or why it cannot be used (unreadable, or of
/// another width). [`Parsed::row`] takes them in file order.
fn read_table(text: &str) -> Result<(Header, Vec<DelimitedRecord>), FileError> {
    let (header, records) = delimited_records(text)?;
    let width = header.width;
    let rows = records
        .into_iter()
        .map(|(line, record)| {
            let record = record.and_then(|record| {
                if record.len() == width {
                    Ok(record)
                } else {
                    Err(format!("expected {width} columns, found {}", record.len()))
                }
            });
            (line, record)
        })
        .collect();
    Ok((header, rows))
}

/// An instant as Seller Central writes it: ISO 8601 with an offset
/// (`2026-05-01T09:12:00+00:00`, `2026-05-01T09:12:00Z`), in the supported
/// range; `column` names it in the reason why not.
fn instant(column: &str, text: &str) -> Result<DateTime<Utc>, String> {
    let at = DateTime::parse_from_rfc3339(text)
        .map_err(|_| format!("{column} {text:?} is not a date and time (2026-05-01T09:12:00+00:00)"))?;
    check_instant(column, at.with_timezone(&Utc)).map_err(|e| e.to_string())
}

/// A day (`2026-05-01`) or an instant as [`instant`] reads it: the instant, or
/// for a bare day the given time of that day (UTC), in the supported range.
fn instant_or_day(column: &str, text: &str, time_of_day: NaiveTime) -> Result<DateTime<Utc>, String> {
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(day) => check_day(column, day).map(|day| day.and_time(time_of_day).and_utc()).map_err(|e| e.to_string()),
        Err(_) => instant(column, text).map_err(|_| {
            format!("{column} {text:?} is not a date (2026-05-01) or a date and time (2026-05-01T09:12:00+00:00)")
        }),
    }
}

/// The last second of a day: a file's bare date counts as this time of it.
const END_OF_DAY: NaiveTime = match NaiveTime::from_hms_opt(23, 59, 59) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

/// A row's `quantity`: a whole number from 0 to 2,147,483,647, else why not.
fn quantity_of(text: &str) -> Result<i32, String> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("quantity {text:?} is not a whole number"));
    }
    if text.starts_with('-') && digits.bytes().any(|b| b != b'0') {
        return Err(format!("quantity {text} is negative"));
    }
    text.parse::<i32>().map_err(|_| format!("quantity {text} is more than {} units", i32::MAX))
}

/// What the importers' tests share.
#[cfg(test)]
mod testing {
    #![allow(clippy::unwrap_used)]

    use super::Parsed;

    pub(super) const FEEDBACK_HEADER: &str = "Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n";
    pub(super) const RANGE: &str = "1970-01-01T00:00:00Z to 2199-12-31T23:59:59.999999999Z";

    pub(super) fn reasons(parsed: &Parsed) -> Vec<(usize, &str)> {
        parsed.rejected.iter().map(|r| (r.line, r.reason.as_str())).collect()
    }

    pub(super) fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]

    use sellerhealth_proto::v1::event::Fact;

    use super::*;
    use crate::files::testing::*;

    /// Issue 13: one byte that is not UTF-8 refused the whole file.
    #[test]
    fn a_windows_1252_file_is_read_with_its_accents() {
        let bytes =
            [FEEDBACK_HEADER.as_bytes(), b"05/06/26\t4\tCaf\xe9 tr\xe8s bon\tMerci \x96 \x80\t111-1\tx@example.com\n"]
                .concat();
        let decoded = decode(&bytes);
        assert_eq!((decoded.encoding, decoded.replaced), (TextEncoding::Windows1252, false));
        assert_eq!(decoded.to_string(), "Windows-1252");
        let parsed = parse_feedback_file(&decoded.text, "s", DateOrder::Mdy).unwrap();
        assert_eq!(reasons(&parsed), []);
        let Some(Fact::SellerFeedback(feedback)) = &parsed.events[0].1.fact else { panic!() };
        assert_eq!(feedback.comment, "Café très bon");
        let Some(Fact::FeedbackUpdate(update)) = &parsed.events[1].1.fact else { panic!() };
        assert_eq!(update.response_text, "Merci – €");
    }

    #[test]
    fn a_utf16le_copy_of_the_orders_fixture_reads_the_same() {
        let utf8 = decode(&fixture("orders.txt"));
        assert_eq!(utf8.encoding, TextEncoding::Utf8Bom);
        let utf16: Vec<u8> =
            [0xff, 0xfe].into_iter().chain(utf8.text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let decoded = decode(&utf16);
        assert_eq!((decoded.encoding, decoded.replaced), (TextEncoding::Utf16Le, false));
        assert_eq!(decoded.text, utf8.text);
        let (a, b) = (
            parse_order_report(&utf8.text, "s", None, 2).unwrap(),
            parse_order_report(&decoded.text, "s", None, 2).unwrap(),
        );
        assert_eq!((a.rows, &a.events, &a.rejected), (b.rows, &b.events, &b.rejected));
        assert_eq!(b.events.len(), 3);
        // Big-endian too; an odd trailing byte is malformed and says so.
        let utf16be: Vec<u8> =
            [0xfe, 0xff].into_iter().chain(utf8.text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(decode(&utf16be).text, utf8.text);
        let odd = decode(&[&utf16[..], &[0x41]].concat());
        assert!(odd.replaced);
        assert_eq!(odd.to_string(), "UTF-16LE (malformed bytes read as U+FFFD)");
    }

    #[test]
    fn utf8_with_or_without_a_bom_reads_the_same() {
        let plain = fixture("feedback.txt");
        let with_bom = [&b"\xef\xbb\xbf"[..], &plain].concat();
        let (a, b) = (decode(&plain), decode(&with_bom));
        assert_eq!((a.encoding, b.encoding), (TextEncoding::Utf8, TextEncoding::Utf8Bom));
        assert_eq!(a.text, b.text);
        let (a, b) = (
            parse_feedback_file(&a.text, "s", DateOrder::Mdy).unwrap(),
            parse_feedback_file(&b.text, "s", DateOrder::Mdy).unwrap(),
        );
        assert_eq!((a.rows, a.events.len(), &a.events, &a.rejected), (b.rows, 4, &b.events, &b.rejected));
    }

    #[test]
    fn a_header_without_a_required_column_refuses_the_file() {
        let error = parse_order_report("amazon-order-id\tpurchase-date\n", "s", None, 2).unwrap_err();
        assert_eq!(error, FileError::MissingColumn("fulfillment-channel"));
        assert_eq!(parse_feedback_file("", "s", DateOrder::Mdy).unwrap_err(), FileError::Empty);
    }
}
