//! Seller Central files and JSON lines of events, read into contract events.
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

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use sellerhealth_domain::time::{check_day, check_instant};
use sellerhealth_proto::v1 as pb;
use sellerhealth_proto::v1::event::Fact;

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
}

/// How the day, month and year of a feedback date are ordered (Seller Central
/// writes dates in the marketplace's format).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DateOrder {
    /// `MM/DD/YY` (amazon.com).
    Mdy,
    /// `DD/MM/YY` (Europe).
    Dmy,
    /// `YY/MM/DD` (Japan).
    Ymd,
}

/// Lines of a text file without a UTF-8 byte order mark, numbered from 1;
/// `\r\n` endings are accepted.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.strip_prefix('\u{feff}').unwrap_or(text).lines().enumerate().map(|(i, line)| (i.saturating_add(1), line))
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

/// A tab-separated file's header: column name → position.
struct Header {
    columns: HashMap<String, usize>,
    width: usize,
}

impl Header {
    fn read(line: &str) -> Header {
        Header::from_names(line.split('\t'))
    }

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

    /// The data lines split into fields, counted in `parsed`; blank lines are
    /// skipped and lines of another width than the header's rejected.
    fn rows<'t>(
        &self,
        lines: impl Iterator<Item = (usize, &'t str)>,
        parsed: &mut Parsed,
    ) -> Vec<(usize, Vec<&'t str>)> {
        let mut rows = Vec::new();
        for (number, line) in lines.filter(|(_, line)| !line.trim().is_empty()) {
            parsed.count_row();
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() == self.width {
                rows.push((number, fields));
            } else {
                parsed.reject(number, format!("expected {} columns, found {}", self.width, fields.len()));
            }
        }
        rows
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

/// Field `i` of a row, trimmed; empty when the row has no such field (rows are
/// as wide as the header, so that is never the case for a header's column).
fn field<'t>(fields: &[&'t str], i: usize) -> &'t str {
    fields.get(i).map_or("", |f| f.trim())
}

/// The most handling days `--handling-days` takes: a latest ship date a month
/// after purchase is already far beyond any marketplace's handling time.
pub const MAX_HANDLING_DAYS: u32 = 30;

/// One order folded from its item rows.
struct OrderRows {
    line: usize,
    order: pb::Order,
    /// The first row's `order-status`.
    status: String,
    /// When the order was cancelled, if its `order-status` says so.
    cancelled_at: Option<DateTime<Utc>>,
    /// Units of every row, cancelled items included.
    all_units: i32,
}

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

/// Whether an `order-status` or `item-status` says cancelled (Seller Central
/// writes "Cancelled"; "Canceled" is read the same).
fn is_cancelled(status: &str) -> bool {
    status.eq_ignore_ascii_case("cancelled") || status.eq_ignore_ascii_case("canceled")
}

/// `sales-channel` of a multi-channel fulfilment order: shipped from the seller's
/// Amazon inventory for a sale elsewhere; it does not count toward account health.
fn is_multi_channel(sales_channel: &str) -> bool {
    sales_channel.eq_ignore_ascii_case("non-amazon")
}

/// Reads Seller Central's order report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL,
/// tab-separated, one row per order item) into one `Order` event per order, and a
/// `Cancellation` for each order whose `order-status` is Cancelled.
///
/// What the file cannot say is not invented (docs/RULES.md, "Seller Central's
/// order report"):
/// - it has no ship dates, so a merchant-fulfilled order is sent with
///   `shipping_unknown`: it counts in no shipping metric until a shipment
///   confirmation for it arrives;
/// - it does not say who cancelled, so a cancellation has initiator UNKNOWN (not
///   the seller's), dated by `last-updated-date` (the purchase time when that is
///   missing, unreadable or earlier);
/// - it carries no latest ship date: that is the purchase time plus
///   `handling_days` (the command line takes 0 to [`MAX_HANDLING_DAYS`]; any
///   number is safe here: a latest ship date past the supported range rejects
///   the line).
///
/// Rows of `sales-channel` "Non-Amazon" (multi-channel fulfilment) are skipped
/// and counted in a note. The marketplace comes from `sales-channel` unless
/// `marketplace` is given. Units are summed over the order's rows whose
/// `item-status` is not Cancelled (a cancelled order keeps the units of all its
/// rows, at least 1: Seller Central writes quantity 0 on them); a negative or
/// non-numeric quantity, or one that would take the order past 2,147,483,647
/// units, rejects its line. Event ids are `order:{id}` and `cancellation:{id}`,
/// so importing the file again stores nothing new.
pub fn parse_order_report(
    text: &str,
    seller_id: &str,
    marketplace: Option<&str>,
    handling_days: u32,
) -> Result<Parsed, FileError> {
    let mut lines = numbered_lines(text);
    let (_, header) = lines.next().ok_or(FileError::Empty)?;
    let header = Header::read(header);
    let order_id = header.require("amazon-order-id")?;
    let purchase_date = header.require("purchase-date")?;
    let channel = header.require("fulfillment-channel")?;
    let sales_channel = header.require("sales-channel")?;
    let quantity = header.require("quantity")?;
    let business = header.optional("is-business-order");
    let order_status = header.optional("order-status");
    let item_status = header.optional("item-status");
    let last_updated = header.optional("last-updated-date");
    // At most u32::MAX days, well inside TimeDelta's range.
    let handling = TimeDelta::try_days(i64::from(handling_days)).unwrap_or(TimeDelta::MAX);

    let mut parsed = Parsed::default();
    let mut orders: Vec<OrderRows> = Vec::new();
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut multi_channel_rows: usize = 0;
    for (number, fields) in header.rows(lines, &mut parsed) {
        let field = |i: usize| field(&fields, i);
        let id = field(order_id);
        if id.is_empty() {
            parsed.reject(number, "amazon-order-id is empty");
            continue;
        }
        if is_multi_channel(field(sales_channel)) {
            multi_channel_rows = multi_channel_rows.saturating_add(1);
            continue;
        }
        let Ok(purchased_at) = DateTime::parse_from_rfc3339(field(purchase_date)) else {
            parsed.reject(
                number,
                format!("purchase-date {:?} is not a date and time (2026-05-01T09:12:00+00:00)", field(purchase_date)),
            );
            continue;
        };
        let purchased_at = match check_instant("purchase-date", purchased_at.with_timezone(&Utc)) {
            Ok(at) => at,
            Err(error) => {
                parsed.reject(number, error.to_string());
                continue;
            }
        };
        let latest_ship_at = match purchased_at.checked_add_signed(handling) {
            Some(at) if check_instant("latest ship date", at).is_ok() => at,
            _ => {
                parsed.reject(
                    number,
                    format!(
                        "purchase-date {purchased_at} plus {handling_days} handling days is past the supported range \
                         {}",
                        sellerhealth_domain::time::RANGE_TEXT
                    ),
                );
                continue;
            }
        };
        let fulfillment_channel = match field(channel) {
            "Amazon" => pb::FulfillmentChannel::Afn,
            "Merchant" => pb::FulfillmentChannel::Mfn,
            other => {
                parsed.reject(number, format!("fulfillment-channel {other:?} is neither Amazon nor Merchant"));
                continue;
            }
        };
        let marketplace_id = match marketplace.or_else(|| marketplace_of_sales_channel(field(sales_channel))) {
            Some(m) => m.to_owned(),
            None => {
                parsed.reject(
                    number,
                    format!("sales-channel {:?} is not a known marketplace (give --marketplace)", field(sales_channel)),
                );
                continue;
            }
        };
        let units = match quantity_of(field(quantity)) {
            Ok(units) => units,
            Err(reason) => {
                parsed.reject(number, reason);
                continue;
            }
        };
        let status = order_status.map(field).unwrap_or_default();
        // A cancelled item of a live order is not part of what ships.
        let live_units = if item_status.is_some_and(|i| is_cancelled(field(i))) { 0 } else { units };
        let business_order = business.is_some_and(|i| field(i).eq_ignore_ascii_case("true"));
        if let Some(known) = position.get(id).and_then(|&at| orders.get_mut(at)) {
            let first_line = known.line;
            if known.order.purchased_at != Some(timestamp(purchased_at))
                || known.order.fulfillment_channel != fulfillment_channel as i32
                || known.order.marketplace_id != marketplace_id
                || known.status != status
            {
                parsed.reject(
                    number,
                    format!(
                        "order {id} differs from line {first_line} in purchase-date, fulfillment-channel, \
                         sales-channel or order-status"
                    ),
                );
                continue;
            }
            match (known.order.units.checked_add(live_units), known.all_units.checked_add(units)) {
                (Some(live), Some(all)) => (known.order.units, known.all_units) = (live, all),
                _ => parsed.reject(
                    number,
                    format!(
                        "quantity {units} would take order {id} past {} units ({} from the lines before)",
                        i32::MAX,
                        known.all_units
                    ),
                ),
            }
            continue;
        }
        let cancelled_at = is_cancelled(status).then(|| {
            last_updated
                .and_then(|i| DateTime::parse_from_rfc3339(field(i)).ok())
                .map(|at| at.with_timezone(&Utc))
                .filter(|at| *at >= purchased_at && check_instant("last-updated-date", *at).is_ok())
                .unwrap_or(purchased_at)
        });
        position.insert(id.to_owned(), orders.len());
        orders.push(OrderRows {
            line: number,
            order: pb::Order {
                order_id: id.to_owned(),
                marketplace_id,
                purchased_at: Some(timestamp(purchased_at)),
                fulfillment_channel: fulfillment_channel as i32,
                latest_ship_at: Some(timestamp(latest_ship_at)),
                promised_delivery_earliest_at: None,
                promised_delivery_latest_at: None,
                units: live_units,
                business_order,
                // The file has no ship dates: when (or whether) it shipped is unknown.
                shipping_unknown: fulfillment_channel == pb::FulfillmentChannel::Mfn,
            },
            status: status.to_owned(),
            cancelled_at,
            all_units: units,
        });
    }
    let (mut without_shipment_data, mut cancelled) = (0_usize, 0_usize);
    for OrderRows { line, mut order, cancelled_at, all_units, .. } in orders {
        let order_id = order.order_id.clone();
        if cancelled_at.is_some() {
            // Seller Central writes quantity 0 on a cancelled order's rows; the
            // contract needs at least one unit, and a cancelled order's units count nowhere.
            order.units = all_units.max(1);
            cancelled = cancelled.saturating_add(1);
        } else if order.shipping_unknown {
            without_shipment_data = without_shipment_data.saturating_add(1);
        }
        parsed.events.push((
            line,
            pb::Event {
                event_id: format!("order:{order_id}"),
                seller_id: seller_id.to_owned(),
                fact: Some(Fact::Order(order)),
            },
        ));
        if let Some(at) = cancelled_at {
            let cancellation = pb::Cancellation {
                order_id: order_id.clone(),
                cancelled_at: Some(timestamp(at)),
                initiator: pb::CancellationInitiator::Unknown as i32,
                reason: "order-status Cancelled in the order report".to_owned(),
            };
            parsed.events.push((
                line,
                pb::Event {
                    event_id: format!("cancellation:{order_id}"),
                    seller_id: seller_id.to_owned(),
                    fact: Some(Fact::Cancellation(cancellation)),
                },
            ));
        }
    }
    if multi_channel_rows > 0 {
        let (rows, verb) = if multi_channel_rows == 1 { ("row", "it does") } else { ("rows", "they do") };
        parsed.notes.push(format!(
            "{multi_channel_rows} multi-channel fulfilment {rows} (sales-channel Non-Amazon) skipped: {verb} not count \
             toward account health"
        ));
    }
    if cancelled > 0 {
        let (orders, none) = if cancelled == 1 { ("order", "it does not count") } else { ("orders", "none counts") };
        parsed.notes.push(format!(
            "{cancelled} cancelled {orders}: the file does not say who cancelled, so {none} as the seller's cancellation"
        ));
    }
    if without_shipment_data > 0 {
        let (orders, verb) = if without_shipment_data == 1 { ("order", "it counts") } else { ("orders", "they count") };
        parsed.notes.push(format!(
            "{without_shipment_data} merchant-fulfilled {orders} without shipment data (the order report has no ship \
             dates): {verb} in no shipping metric — import the shipment confirmation file"
        ));
    }
    Ok(parsed)
}

/// A date part: one to four ASCII digits (no sign, no spaces).
fn date_part(text: &str) -> Option<u32> {
    if (1..=4).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) { text.parse().ok() } else { None }
}

/// A feedback date in `order`; one- or two-digit years are 20YY, four-digit
/// years as written.
fn feedback_date(text: &str, order: DateOrder) -> Option<NaiveDate> {
    let parts: Vec<&str> = text.trim().split('/').collect();
    let [a, b, c] = parts.as_slice() else { return None };
    let (year, month, day) = match order {
        DateOrder::Mdy => (c, a, b),
        DateOrder::Dmy => (c, b, a),
        DateOrder::Ymd => (a, b, c),
    };
    let year = match (year.len(), date_part(year)?) {
        (1 | 2, short) => short.checked_add(2000)?,
        (4, full) => full,
        _ => return None,
    };
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, date_part(month)?, date_part(day)?)
}

/// Reads Seller Central's feedback file (GET_SELLER_FEEDBACK_DATA: `Date`,
/// `Rating`, `Comments`, `Response`, `Order ID`, `Rater Email`, tab-separated)
/// into `SellerFeedback` events, plus a `FeedbackUpdate` for each public
/// response. The file has dates only: feedback counts as left at 23:59:59 UTC
/// of its date. The rater's e-mail is personal data and is never read.
pub fn parse_feedback_file(text: &str, seller_id: &str, order: DateOrder) -> Result<Parsed, FileError> {
    let (header, records) = delimited_records(text)?;
    let date = header.require("date")?;
    let rating = header.require("rating")?;
    let comments = header.require("comments")?;
    let response = header.optional("response");
    let order_id = header.require("order id")?;

    let mut parsed = Parsed::default();
    for (number, record) in records {
        parsed.count_row();
        let record = match record {
            Ok(record) => record,
            Err(reason) => {
                parsed.reject(number, reason);
                continue;
            }
        };
        let fields: Vec<&str> = record.iter().collect();
        if fields.len() != header.width {
            parsed.reject(number, format!("expected {} columns, found {}", header.width, fields.len()));
            continue;
        }
        let field = |i: usize| field(&fields, i);
        let Some(day) = feedback_date(field(date), order) else {
            let shape = match order {
                DateOrder::Mdy => "MM/DD/YY",
                DateOrder::Dmy => "DD/MM/YY",
                DateOrder::Ymd => "YY/MM/DD",
            };
            parsed.reject(number, format!("Date {:?} is not a {shape} date", field(date)));
            continue;
        };
        let left_at = match check_day("Date", day).map(|day| day.and_hms_opt(23, 59, 59)) {
            Ok(Some(at)) => at.and_utc(),
            Ok(None) => {
                parsed.reject(number, format!("Date {day} has no 23:59:59"));
                continue;
            }
            Err(error) => {
                parsed.reject(number, error.to_string());
                continue;
            }
        };
        let stars = match field(rating).parse::<i32>() {
            Ok(stars @ 1..=5) => stars,
            _ => {
                parsed.reject(number, format!("Rating {:?} is not 1 to 5", field(rating)));
                continue;
            }
        };
        let id = field(order_id);
        if id.is_empty() {
            parsed.reject(number, "Order ID is empty");
            continue;
        }
        parsed.events.push((
            number,
            pb::Event {
                event_id: format!("feedback:{id}"),
                seller_id: seller_id.to_owned(),
                fact: Some(Fact::SellerFeedback(pb::SellerFeedback {
                    order_id: id.to_owned(),
                    left_at: Some(timestamp(left_at)),
                    stars,
                    comment: field(comments).to_owned(),
                    fulfillment_related: false,
                })),
            },
        ));
        if let Some(text) = response.map(field).filter(|r| !r.is_empty()) {
            parsed.events.push((
                number,
                pb::Event {
                    event_id: format!("feedback-response:{id}"),
                    seller_id: seller_id.to_owned(),
                    fact: Some(Fact::FeedbackUpdate(pb::FeedbackUpdate {
                        order_id: id.to_owned(),
                        updated_at: Some(timestamp(left_at)),
                        action: pb::FeedbackAction::SellerResponse as i32,
                        response_text: text.to_owned(),
                    })),
                },
            ));
        }
    }
    Ok(parsed)
}

/// Reads JSON lines, one contract `Event` each in the protobuf JSON mapping (as
/// grpcurl prints it: `{"eventId": …, "sellerId": …, "order": {…}}`).
pub fn parse_event_lines(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for (number, line) in numbered_lines(text) {
        if line.trim().is_empty() {
            continue;
        }
        parsed.count_row();
        match crate::wire_json::event_from_json(line) {
            Ok(event) => parsed.events.push((number, event)),
            Err(error) => parsed.reject(number, error),
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]

    use super::*;

    const ORDERS_HEADER: &str = "amazon-order-id\tpurchase-date\tfulfillment-channel\tsales-channel\tquantity\n";
    const FEEDBACK_HEADER: &str = "Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n";
    const RANGE: &str = "1970-01-01T00:00:00Z to 2199-12-31T23:59:59.999999999Z";

    fn reasons(parsed: &Parsed) -> Vec<(usize, &str)> {
        parsed.rejected.iter().map(|r| (r.line, r.reason.as_str())).collect()
    }

    fn units(parsed: &Parsed) -> Vec<(&str, i32)> {
        parsed
            .events
            .iter()
            .map(|(_, event)| match &event.fact {
                Some(Fact::Order(order)) => (order.order_id.as_str(), order.units),
                other => panic!("not an order: {other:?}"),
            })
            .collect()
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    /// Issue 14: what the order report says is read, what it cannot say is not invented.
    #[test]
    fn order_status_item_status_and_multi_channel_rows_are_read() {
        let report = "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t\
                      sales-channel\titem-status\tquantity\n\
                      1\t2026-05-01T09:00:00Z\t2026-05-01T11:30:00Z\tCancelled\tMerchant\tAmazon.com\tCancelled\t0\n\
                      2\t2026-05-01T09:00:00Z\t2026-05-02T09:00:00Z\tShipped\tMerchant\tAmazon.com\tShipped\t2\n\
                      2\t2026-05-01T09:00:00Z\t2026-05-02T09:00:00Z\tShipped\tMerchant\tAmazon.com\tCancelled\t1\n\
                      3\t2026-05-01T09:00:00Z\t\tPending\tAmazon\tAmazon.com\tUnshipped\t1\n\
                      4\t2026-05-01T09:00:00Z\tnot a date\tCancelled\tAmazon\tAmazon.com\tCancelled\t0\n\
                      5\t2026-05-01T09:00:00Z\t\tShipped\tAmazon\tNon-Amazon\tShipped\t1\n\
                      2\t2026-05-01T09:00:00Z\t2026-05-02T09:00:00Z\tPending\tMerchant\tAmazon.com\tShipped\t1\n";
        let parsed = parse_order_report(report, "s", None, 2).unwrap();
        let at = |text: &str| Some(timestamp(DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)));
        let events: Vec<(&str, String)> = parsed
            .events
            .iter()
            .map(|(_, e)| {
                let what = match &e.fact {
                    Some(Fact::Order(o)) => format!("{} units, shipping unknown {}", o.units, o.shipping_unknown),
                    Some(Fact::Cancellation(c)) => {
                        assert_eq!(c.initiator, pb::CancellationInitiator::Unknown as i32);
                        let expected = if c.order_id == "1" { "2026-05-01T11:30:00Z" } else { "2026-05-01T09:00:00Z" };
                        assert_eq!(c.cancelled_at, at(expected));
                        "cancelled".to_owned()
                    }
                    other => panic!("{other:?}"),
                };
                (e.event_id.as_str(), what)
            })
            .collect();
        let expected = [
            // Quantity 0 on a cancelled order: 1 unit, the least the contract takes.
            ("order:1", "1 units, shipping unknown true"),
            ("cancellation:1", "cancelled"),
            // The cancelled item of a live order is not counted.
            ("order:2", "2 units, shipping unknown true"),
            ("order:3", "1 units, shipping unknown false"),
            // An unreadable last-updated-date: the purchase time.
            ("order:4", "1 units, shipping unknown false"),
            ("cancellation:4", "cancelled"),
        ];
        assert_eq!(events, expected.map(|(id, what)| (id, what.to_owned())));
        assert_eq!(parsed.rows, 7);
        assert_eq!(
            reasons(&parsed),
            [(8, "order 2 differs from line 3 in purchase-date, fulfillment-channel, sales-channel or order-status")]
        );
        assert_eq!(
            parsed.notes,
            [
                "1 multi-channel fulfilment row (sales-channel Non-Amazon) skipped: it does not count toward account \
                 health",
                "2 cancelled orders: the file does not say who cancelled, so none counts as the seller's cancellation",
                "1 merchant-fulfilled order without shipment data (the order report has no ship dates): it counts in \
                 no shipping metric — import the shipment confirmation file",
            ]
        );
    }

    /// Issue 13: 2147483647 + 2147483647 + 3 units was stored as 1 unit.
    #[test]
    fn quantities_that_would_wrap_past_i32_max_are_refused_by_line() {
        let report = format!(
            "{ORDERS_HEADER}\
             111-1\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t2147483647\n\
             111-1\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t2147483647\n\
             111-1\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t3\n\
             111-2\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t2\n\
             111-2\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t2147483645\n"
        );
        let parsed = parse_order_report(&report, "s", None, 2).unwrap();
        assert_eq!(parsed.rows, 5);
        assert_eq!(units(&parsed), [("111-1", 2_147_483_647), ("111-2", 2_147_483_647)]);
        assert_eq!(
            reasons(&parsed),
            [
                (
                    3,
                    "quantity 2147483647 would take order 111-1 past 2147483647 units (2147483647 from the lines before)"
                ),
                (4, "quantity 3 would take order 111-1 past 2147483647 units (2147483647 from the lines before)"),
            ]
        );
    }

    /// Issue 13: negative quantities were accepted (and subtracted).
    #[test]
    fn negative_and_non_numeric_quantities_are_refused_by_line() {
        let row = |quantity: &str| format!("111-1\t2026-05-01T09:00:00Z\tMerchant\tAmazon.com\t{quantity}\n");
        let report =
            [ORDERS_HEADER, &row("2"), &row("-1"), &row("abc"), &row("1.5"), &row("2147483648"), &row("-0")].concat();
        let parsed = parse_order_report(&report, "s", None, 2).unwrap();
        assert_eq!(units(&parsed), [("111-1", 2)]);
        assert_eq!(
            reasons(&parsed),
            [
                (3, "quantity -1 is negative"),
                (4, "quantity \"abc\" is not a whole number"),
                (5, "quantity \"1.5\" is not a whole number"),
                (6, "quantity 2147483648 is more than 2147483647 units"),
            ]
        );
    }

    #[test]
    fn purchase_dates_and_latest_ship_dates_outside_the_range_are_refused_by_line() {
        let row = |at: &str| format!("111-{at}\t{at}\tMerchant\tAmazon.com\t1\n");
        let report = [
            ORDERS_HEADER,
            &row("1969-12-31T23:59:59Z"),
            &row("1970-01-01T00:00:00Z"),
            &row("2199-12-29T00:00:00Z"),
            &row("2199-12-30T00:00:00Z"),
            &row("9999-12-31T23:59:59-23:59"),
        ]
        .concat();
        let parsed = parse_order_report(&report, "s", None, 2).unwrap();
        assert_eq!(units(&parsed), [("111-1970-01-01T00:00:00Z", 1), ("111-2199-12-29T00:00:00Z", 1)]);
        assert_eq!(
            reasons(&parsed),
            [
                (2, format!("purchase-date: 1969-12-31 23:59:59 UTC is outside the supported range {RANGE}").as_str()),
                (
                    5,
                    format!(
                        "purchase-date 2199-12-30 00:00:00 UTC plus 2 handling days is past the supported range {RANGE}"
                    )
                    .as_str()
                ),
                (
                    6,
                    format!("purchase-date: +10000-01-01 23:58:59 UTC is outside the supported range {RANGE}").as_str()
                ),
            ]
        );
        // Any number of handling days is safe here (the command line allows 0 to 30).
        let parsed = parse_order_report(&report, "s", None, u32::MAX).unwrap();
        assert_eq!(parsed.events.len(), 0);
        assert_eq!(parsed.rejected.len(), 5);
    }

    #[test]
    fn feedback_dates_outside_the_range_are_refused_by_line() {
        let report = format!(
            "{FEEDBACK_HEADER}12/31/1969\t5\tok\t\t111-1\tx\n12/31/2199\t5\tok\t\t111-2\tx\n\
             01/01/2200\t5\tok\t\t111-3\tx\n-1/+1/26\t5\tok\t\t111-4\tx\n01/01/026\t5\tok\t\t111-5\tx\n"
        );
        let parsed = parse_feedback_file(&report, "s", DateOrder::Mdy).unwrap();
        assert_eq!(parsed.events.len(), 1);
        assert_eq!(
            reasons(&parsed),
            [
                (2, format!("Date: 1969-12-31 is outside the supported range {RANGE}").as_str()),
                (4, format!("Date: 2200-01-01 is outside the supported range {RANGE}").as_str()),
                (5, "Date \"-1/+1/26\" is not a MM/DD/YY date"),
                (6, "Date \"01/01/026\" is not a MM/DD/YY date"),
            ]
        );
    }

    /// Issue 14: the feedback file as a spreadsheet saves it (commas, quoted
    /// fields with commas and line breaks, CRLF, `Date` capitalised) reads like
    /// Seller Central's tab-separated download.
    #[test]
    fn the_comma_separated_spreadsheet_copy_of_the_feedback_file_is_read() {
        let csv = "Date,Rating,Comments,Response,Order ID,Rater Email\r\n\
                   05/06/26,1,\"Arrived broken, box crushed\nand late\",,111-1,b1@example.com\r\n\
                   05/07/26,5,Great mug,\"Thank you, come again!\",111-2,b2@example.com\r\n\
                   \r\n\
                   05/08/26,7,Too good,,111-3,b3@example.com\r\n\
                   05/09/26,4,\"never closed\r\n";
        let parsed = parse_feedback_file(csv, "s", DateOrder::Mdy).unwrap();
        // Records start on lines 2, 4, 6 and 7: the first spans two lines, line 5 is blank.
        assert_eq!(parsed.rows, 4);
        assert_eq!(reasons(&parsed), [(6, "Rating \"7\" is not 1 to 5"), (7, "expected 6 columns, found 3")]);
        let ids: Vec<(usize, &str)> = parsed.events.iter().map(|(line, e)| (*line, e.event_id.as_str())).collect();
        assert_eq!(ids, [(2, "feedback:111-1"), (4, "feedback:111-2"), (4, "feedback-response:111-2")]);
        let Some(Fact::SellerFeedback(first)) = &parsed.events[0].1.fact else { panic!() };
        assert_eq!((first.stars, first.comment.as_str()), (1, "Arrived broken, box crushed\nand late"));
        let Some(Fact::FeedbackUpdate(reply)) = &parsed.events[2].1.fact else { panic!() };
        assert_eq!(reply.response_text, "Thank you, come again!");

        // The same rows as Seller Central writes them, tab-separated, give the same events.
        let tsv = "Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n\
                   05/06/26\t1\tArrived broken\t\t111-1\tb1@example.com\n\
                   05/07/26\t5\tGreat mug\tThank you, come again!\t111-2\tb2@example.com\n";
        let from_tsv = parse_feedback_file(tsv, "s", DateOrder::Mdy).unwrap();
        let tsv_ids: Vec<&str> = from_tsv.events.iter().map(|(_, e)| e.event_id.as_str()).collect();
        assert_eq!(tsv_ids, ["feedback:111-1", "feedback:111-2", "feedback-response:111-2"]);
        assert_eq!(from_tsv.events[1].1, parsed.events[1].1);
    }

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
    fn event_timestamps_outside_the_range_are_refused_by_line() {
        let parsed = parse_event_lines(
            "{\"eventId\":\"c\",\"sellerId\":\"s\",\"cancellation\":{\"orderId\":\"1\",\"cancelledAt\":\"1969-12-31T23:59:59Z\"}}\n\
             {\"eventId\":\"o\",\"sellerId\":\"s\",\"order\":{\"orderId\":\"1\",\"purchasedAt\":\"2199-12-31T23:59:59Z\"}}\n",
        );
        assert_eq!(parsed.events.len(), 1);
        assert_eq!(
            reasons(&parsed),
            [(
                1,
                format!("cancellation.cancelled_at: 1969-12-31 23:59:59 UTC is outside the supported range {RANGE}")
                    .as_str()
            )]
        );
    }

    #[test]
    fn dates_follow_the_marketplace_order() {
        assert_eq!(feedback_date("05/03/26", DateOrder::Mdy), NaiveDate::from_ymd_opt(2026, 5, 3));
        assert_eq!(feedback_date("05/03/26", DateOrder::Dmy), NaiveDate::from_ymd_opt(2026, 3, 5));
        assert_eq!(feedback_date("2026/03/05", DateOrder::Ymd), NaiveDate::from_ymd_opt(2026, 3, 5));
        assert_eq!(feedback_date("13/01/26", DateOrder::Mdy), None);
        assert_eq!(feedback_date("2026-01-13", DateOrder::Mdy), None);
    }

    #[test]
    fn a_header_without_a_required_column_refuses_the_file() {
        let error = parse_order_report("amazon-order-id\tpurchase-date\n", "s", None, 2).unwrap_err();
        assert_eq!(error, FileError::MissingColumn("fulfillment-channel"));
        assert_eq!(parse_feedback_file("", "s", DateOrder::Mdy).unwrap_err(), FileError::Empty);
    }
}
