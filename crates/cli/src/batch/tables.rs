//! The data set's CSV tables: one file per kind of fact (`orders.csv`,
//! `shipments.csv`, …), written by `sellerhealth-bench generate` and read by
//! `sellerhealth batch` (docs/BATCH.md describes the format). Both directions
//! live here, so a row and the fact it stands for are defined once.
//!
//! A row is one line: fields separated by commas, a field holding a comma or a
//! double quote is quoted (`"a,b"`, a quote inside doubled), as RFC 4180 says.
//! No field holds a line break (ids may not hold control characters). Instants
//! are whole seconds since 1970-01-01 UTC, flags `0` or `1`, enums by their
//! contract names without prefix (`MFN`, `SYSTEM_UNSHIPPED`), and an absent
//! value is an empty field.

use std::borrow::Cow;
use std::fmt::Write as _;

use sellerhealth_domain::time::{RANGE_TEXT, check_instant, from_unix};
use sellerhealth_domain::{
    AtozClaim, BuyerMessage, Cancellation, CarrierScan, Chargeback, Event, Fact, FeedbackUpdate, Id, Instant, Order,
    ProductReview, Refund, ReturnRequest, SellerFeedback, ShipmentConfirmed,
};
use serde::Serialize;
use serde::de::{DeserializeOwned, IntoDeserializer};

/// A table of the data set: one kind of fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// `orders.csv`: [`Fact::Order`].
    Orders,
    /// `shipments.csv`: [`Fact::ShipmentConfirmed`].
    Shipments,
    /// `scans.csv`: [`Fact::CarrierScan`].
    Scans,
    /// `cancellations.csv`: [`Fact::Cancellation`].
    Cancellations,
    /// `feedback.csv`: [`Fact::SellerFeedback`].
    Feedback,
    /// `feedback_updates.csv`: [`Fact::FeedbackUpdate`].
    FeedbackUpdates,
    /// `claims.csv`: [`Fact::AtozClaim`].
    Claims,
    /// `chargebacks.csv`: [`Fact::Chargeback`].
    Chargebacks,
    /// `refunds.csv`: [`Fact::Refund`].
    Refunds,
    /// `returns.csv`: [`Fact::ReturnRequest`].
    Returns,
    /// `messages.csv`: [`Fact::BuyerMessage`].
    Messages,
    /// `reviews.csv`: [`Fact::ProductReview`].
    Reviews,
}

impl Table {
    /// Every table, in the order they are read: a fact's table comes after the
    /// tables of the facts it refers to (orders, then their shipments, then the
    /// scans of those shipments' tracking numbers; feedback before its updates).
    pub const ALL: [Table; 12] = [
        Table::Orders,
        Table::Shipments,
        Table::Scans,
        Table::Cancellations,
        Table::Feedback,
        Table::FeedbackUpdates,
        Table::Claims,
        Table::Chargebacks,
        Table::Refunds,
        Table::Returns,
        Table::Messages,
        Table::Reviews,
    ];

    /// The table's name: its file is `{name}.csv`.
    pub const fn name(self) -> &'static str {
        match self {
            Table::Orders => "orders",
            Table::Shipments => "shipments",
            Table::Scans => "scans",
            Table::Cancellations => "cancellations",
            Table::Feedback => "feedback",
            Table::FeedbackUpdates => "feedback_updates",
            Table::Claims => "claims",
            Table::Chargebacks => "chargebacks",
            Table::Refunds => "refunds",
            Table::Returns => "returns",
            Table::Messages => "messages",
            Table::Reviews => "reviews",
        }
    }

    /// The table's file name.
    pub fn file_name(self) -> String {
        format!("{}.csv", self.name())
    }

    /// The columns, as the header names them and [`row`] writes them.
    pub const fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Orders => &[
                "seller_id",
                "order_id",
                "marketplace_id",
                "purchased_at",
                "channel",
                "latest_ship_at",
                "promised_latest_at",
                "units",
                "business_order",
            ],
            Table::Shipments => &["seller_id", "order_id", "shipment_id", "confirmed_at", "tracking_number", "units"],
            Table::Scans => &["seller_id", "tracking_number", "first_scan_at", "delivered_at"],
            Table::Cancellations => &["seller_id", "order_id", "cancelled_at", "initiator"],
            Table::Feedback => &["seller_id", "order_id", "left_at", "stars", "fulfillment_related"],
            Table::FeedbackUpdates => &["seller_id", "order_id", "updated_at", "action"],
            Table::Claims => &["seller_id", "order_id", "claim_id", "filed_at", "outcome", "decided_at"],
            Table::Chargebacks => &["seller_id", "order_id", "chargeback_id", "received_at", "service_related"],
            Table::Refunds => &["seller_id", "order_id", "refund_id", "refunded_at"],
            Table::Returns => {
                &["seller_id", "order_id", "return_id", "requested_at", "responded_at", "outcome", "negative_feedback"]
            }
            Table::Messages => {
                &["seller_id", "message_id", "marketplace_id", "order_id", "received_at", "first_replied_at"]
            }
            Table::Reviews => &[
                "seller_id",
                "review_id",
                "marketplace_id",
                "asin",
                "reviewer_id",
                "stars",
                "reviewed_at",
                "verified",
                "helpful_votes",
            ],
        }
    }

    /// The header line (without its line end).
    pub fn header(self) -> String {
        self.columns().join(",")
    }

    /// The table a fact is written to; `None` for the kinds no table holds
    /// (invoices, surveys, policy violations, review removals).
    pub fn of(fact: &Fact) -> Option<Table> {
        Some(match fact {
            Fact::Order(_) => Table::Orders,
            Fact::ShipmentConfirmed(_) => Table::Shipments,
            Fact::CarrierScan(_) => Table::Scans,
            Fact::Cancellation(_) => Table::Cancellations,
            Fact::SellerFeedback(_) => Table::Feedback,
            Fact::FeedbackUpdate(_) => Table::FeedbackUpdates,
            Fact::AtozClaim(_) => Table::Claims,
            Fact::Chargeback(_) => Table::Chargebacks,
            Fact::Refund(_) => Table::Refunds,
            Fact::ReturnRequest(_) => Table::Returns,
            Fact::BuyerMessage(_) => Table::Messages,
            Fact::ProductReview(_) => Table::Reviews,
            Fact::Invoice(_)
            | Fact::CustomerServiceSurvey(_)
            | Fact::PolicyViolation(_)
            | Fact::ProductReviewRemoval(_) => return None,
        })
    }
}

/// Fields of one row being written.
struct Writer(String);

impl Writer {
    /// A text field, quoted when it holds a comma or a quote.
    fn text(&mut self, value: &str) -> &mut Self {
        if !self.0.is_empty() {
            self.0.push(',');
        }
        if value.contains([',', '"']) {
            self.0.push('"');
            self.0.push_str(&value.replace('"', "\"\""));
            self.0.push('"');
        } else {
            self.0.push_str(value);
        }
        self
    }

    fn number(&mut self, value: impl std::fmt::Display) -> &mut Self {
        if !self.0.is_empty() {
            self.0.push(',');
        }
        let _ = write!(self.0, "{value}");
        self
    }

    fn at(&mut self, at: Instant) -> &mut Self {
        self.number(at.timestamp())
    }

    fn maybe(&mut self, at: Option<Instant>) -> &mut Self {
        match at {
            Some(at) => self.at(at),
            None => self.text(""),
        }
    }

    fn flag(&mut self, value: bool) -> &mut Self {
        self.text(if value { "1" } else { "0" })
    }

    /// An enum by its contract name (`MFN`, `SYSTEM_UNSHIPPED`), as the domain serialises it.
    fn name(&mut self, value: &impl Serialize) -> &mut Self {
        let name = match serde_json::to_value(value) {
            Ok(serde_json::Value::String(name)) => name,
            _ => String::new(),
        };
        self.text(&name)
    }
}

/// The row of `event` in its table, without a line end; `None` for the kinds
/// no table holds. What the tables have no column for is not written: an
/// order's earliest promised delivery and `shipping_unknown`, a shipment's
/// carrier, `carrier_data_unknown` and `whole_order`, texts (comments,
/// reasons, responses, review titles and bodies), a refund's amount, and a
/// return's `handled_by_marketplace` and `response_time_unknown`; reading the
/// row back gives them empty or `false`. Instants are cut to whole seconds.
pub fn row(event: &Event) -> Option<(Table, String)> {
    let table = Table::of(&event.fact)?;
    let mut w = Writer(String::with_capacity(96));
    w.text(&event.seller_id);
    match &event.fact {
        Fact::Order(o) => w
            .text(&o.order_id)
            .text(&o.marketplace_id)
            .at(o.purchased_at)
            .name(&o.fulfillment_channel)
            .at(o.latest_ship_at)
            .maybe(o.promised_delivery_latest_at)
            .number(o.units)
            .flag(o.business_order),
        Fact::ShipmentConfirmed(s) => {
            w.text(&s.order_id).text(&s.shipment_id).at(s.confirmed_at).text(&s.tracking_number).number(s.units)
        }
        Fact::CarrierScan(c) => w.text(&c.tracking_number).maybe(c.first_scan_at).maybe(c.delivered_at),
        Fact::Cancellation(c) => w.text(&c.order_id).at(c.cancelled_at).name(&c.initiator),
        Fact::SellerFeedback(f) => w.text(&f.order_id).at(f.left_at).number(f.stars).flag(f.fulfillment_related),
        Fact::FeedbackUpdate(u) => w.text(&u.order_id).at(u.updated_at).name(&u.action),
        Fact::AtozClaim(c) => w.text(&c.order_id).text(&c.claim_id).at(c.filed_at).name(&c.outcome).maybe(c.decided_at),
        Fact::Chargeback(c) => w.text(&c.order_id).text(&c.chargeback_id).at(c.received_at).flag(c.service_related),
        Fact::Refund(r) => w.text(&r.order_id).text(&r.refund_id).at(r.refunded_at),
        Fact::ReturnRequest(r) => w
            .text(&r.order_id)
            .text(&r.return_id)
            .at(r.requested_at)
            .maybe(r.responded_at)
            .name(&r.outcome)
            .flag(r.negative_return_feedback),
        Fact::BuyerMessage(m) => w
            .text(&m.message_id)
            .text(&m.marketplace_id)
            .text(m.order_id.as_deref().unwrap_or_default())
            .at(m.received_at)
            .maybe(m.first_replied_at),
        Fact::ProductReview(r) => w
            .text(&r.review_id)
            .text(&r.marketplace_id)
            .text(&r.asin)
            .text(&r.reviewer_id)
            .number(r.stars)
            .at(r.reviewed_at)
            .flag(r.verified_purchase)
            .number(r.helpful_votes),
        Fact::Invoice(_)
        | Fact::CustomerServiceSurvey(_)
        | Fact::PolicyViolation(_)
        | Fact::ProductReviewRemoval(_) => {
            return None;
        }
    };
    Some((table, w.0))
}

/// Why a table file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// The file has no header line.
    #[error("{0}: the file is empty: expected the header line {1:?}")]
    Empty(String, String),
    /// A column of the table is missing from the header.
    #[error("{file}: the header has no {column:?} column (expected {header:?})")]
    MissingColumn {
        /// The file.
        file: String,
        /// The column.
        column: &'static str,
        /// The table's header.
        header: String,
    },
    /// The header itself cannot be read.
    #[error("{0}: the header line cannot be read: {1}")]
    BadHeader(String, String),
}

/// Where a table file holds each of the table's columns (its header decides;
/// columns may come in any order, and columns the table does not have are
/// ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    table: Table,
    /// For each of `table.columns()`, its field in the file.
    positions: Vec<usize>,
    /// For each field of the file, the column of `table.columns()` it holds
    /// (`None`: a column the table does not have): a row's fields go straight
    /// to their columns.
    columns: Vec<Option<usize>>,
    /// Fields in a row.
    width: usize,
}

impl Layout {
    /// The layout of a file of `table` from its header line; `file` names it in errors.
    pub fn from_header(table: Table, file: &str, header: &str) -> Result<Layout, TableError> {
        let names = split(header).map_err(|reason| TableError::BadHeader(file.to_owned(), reason))?;
        let positions = table
            .columns()
            .iter()
            .map(|column| {
                names.iter().position(|name| name.trim() == *column).ok_or_else(|| TableError::MissingColumn {
                    file: file.to_owned(),
                    column,
                    header: table.header(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Layout::new(table, positions, names.len()))
    }

    /// The layout of a file written by [`row`].
    pub fn of(table: Table) -> Layout {
        let width = table.columns().len();
        Layout::new(table, (0..width).collect(), width)
    }

    fn new(table: Table, positions: Vec<usize>, width: usize) -> Layout {
        let mut columns = vec![None; width];
        for (column, &position) in positions.iter().enumerate() {
            if let Some(slot) = columns.get_mut(position) {
                *slot = Some(column);
            }
        }
        Layout { table, positions, columns, width }
    }

    /// The table.
    pub fn table(&self) -> Table {
        self.table
    }

    /// A row's `seller_id` (the column every table starts with), without reading the rest.
    pub fn seller_of<'l>(&self, line: &'l str) -> Result<Cow<'l, str>, String> {
        let position = self.positions.first().copied().unwrap_or(0);
        if position == 0 && !line.starts_with('"') {
            let end = comma_at(line.as_bytes()).unwrap_or(line.len());
            return Ok(Cow::Borrowed(line.get(..end).unwrap_or_default()));
        }
        split(line)?.into_iter().nth(position).ok_or_else(|| format!("no seller_id: the row has no field {position}"))
    }
}

/// The fields of a row, unquoted.
pub fn split(line: &str) -> Result<Vec<Cow<'_, str>>, String> {
    let mut fields = Vec::with_capacity(10);
    for field in Split::new(line) {
        fields.push(field?);
    }
    Ok(fields)
}

/// The fields of a row one at a time, unquoted: a field is only copied when
/// it holds a doubled quote. After an error, nothing more.
struct Split<'a> {
    /// What follows the last field read; `None` after the last field.
    rest: Option<&'a str>,
    /// The number of the last field read, from 1.
    number: usize,
}

impl<'a> Split<'a> {
    fn new(line: &'a str) -> Split<'a> {
        Split { rest: Some(line), number: 0 }
    }
}

impl<'a> Iterator for Split<'a> {
    type Item = Result<Cow<'a, str>, String>;

    /// Inlined into the loop over a row's fields: called, its result went
    /// through memory, and reading it back stalled (a third of `read_row`).
    /// Always: with [`comma_at`] in it, the compiler stopped inlining it.
    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest.take()?;
        self.number = self.number.saturating_add(1);
        if rest.starts_with('"') {
            return Some(self.quoted(rest));
        }
        let Some(at) = comma_at(rest.as_bytes()) else { return Some(Ok(Cow::Borrowed(rest))) };
        self.rest = rest.get(at.saturating_add(1)..);
        Some(Ok(Cow::Borrowed(rest.get(..at).unwrap_or_default())))
    }
}

/// Where the first comma of `bytes` is, eight bytes at a time. Bytes, not
/// chars: the delimiter is ASCII, and `str::find` of a char compares its
/// UTF-8 bytes at every hit. Not `memchr` either: a field is a few bytes,
/// shorter than its setup. A byte at a time, finding a row's commas took
/// about 240 instructions, 3.5% of a batch run's (cachegrind, 200,000
/// orders); eight at a time, 3.2% of the run's instructions fewer.
#[inline]
fn comma_at(bytes: &[u8]) -> Option<usize> {
    const COMMAS: u64 = 0x2c2c_2c2c_2c2c_2c2c;
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    let mut start = 0usize;
    for word in &mut words {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        // A comma's byte is zero here: the lowest byte flagged is the
        // first zero (a borrow only flags bytes above a zero).
        let x = u64::from_le_bytes(eight) ^ COMMAS;
        let zeros = x.wrapping_sub(LOW) & !x & HIGH;
        if zeros != 0 {
            return Some(start.saturating_add((zeros.trailing_zeros() / 8) as usize));
        }
        start = start.saturating_add(8);
    }
    words.remainder().iter().position(|b| *b == b',').map(|at| start.saturating_add(at))
}

impl<'a> Split<'a> {
    /// A quoted field at the start of `rest`: up to the quote not followed by another quote.
    fn quoted(&mut self, rest: &'a str) -> Result<Cow<'a, str>, String> {
        let quoted = rest.get(1..).unwrap_or_default();
        let mut unquoted: Option<String> = None;
        let mut inner = quoted;
        loop {
            let Some(at) = memchr::memchr(b'"', inner.as_bytes()) else {
                return Err(format!("field {} opens a quote that never closes", self.number));
            };
            let text = inner.get(..at).unwrap_or_default();
            let after = inner.get(at.saturating_add(1)..).unwrap_or_default();
            if let Some(after) = after.strip_prefix('"') {
                let value = unquoted.get_or_insert_with(String::new);
                value.push_str(text);
                value.push('"');
                inner = after;
                continue;
            }
            let value = match unquoted {
                Some(mut value) => {
                    value.push_str(text);
                    Cow::Owned(value)
                }
                None => Cow::Borrowed(text),
            };
            return match after.strip_prefix(',') {
                Some(next) => {
                    self.rest = Some(next);
                    Ok(value)
                }
                None if after.is_empty() => Ok(value),
                None => Err(format!("field {} has text after its closing quote", self.number)),
            };
        }
    }
}

/// Most columns a table has.
const MAX_COLUMNS: usize = 9;

/// The index of column `name` among `table`'s columns, for [`col!`]: found
/// while compiling, a name the table lacks failing the build.
const fn column(table: Table, name: &str) -> usize {
    let mut columns = table.columns();
    let mut index = 0;
    while let Some((first, rest)) = columns.split_first() {
        if same(first.as_bytes(), name.as_bytes()) {
            return index;
        }
        columns = rest;
        index = index.saturating_add(1);
    }
    usize::MAX
}

/// Whether two byte strings are equal (`==` is not `const`).
const fn same(mut a: &[u8], mut b: &[u8]) -> bool {
    loop {
        match (a.split_first(), b.split_first()) {
            (Some((x, rest_a)), Some((y, rest_b))) if *x == *y => {
                a = rest_a;
                b = rest_b;
            }
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// The index of a column of a table, `col!(Orders, "order_id")`, found while
/// compiling: reading a field costs no search of the column names.
macro_rules! col {
    ($table:ident, $name:literal) => {
        const {
            let index = column(Table::$table, $name);
            assert!(index < MAX_COLUMNS, concat!("no column ", $name));
            index
        }
    };
}

/// `seller_id`, the column every table starts with.
const SELLER_ID: usize = 0;

/// A row's fields by the table's column numbers (its columns' names for messages).
struct Fields<'a> {
    table: Table,
    values: [Cow<'a, str>; MAX_COLUMNS],
}

impl Fields<'_> {
    fn text(&self, column: usize) -> &str {
        self.values.get(column).map_or("", |value| value.as_ref())
    }

    /// An id field, held inline when short ([`Id`]): no allocation.
    fn id(&self, column: usize) -> Id {
        Id::from(self.text(column))
    }

    fn name_of(&self, column: usize) -> &'static str {
        self.table.columns().get(column).copied().unwrap_or_default()
    }

    fn optional_instant(&self, column: usize) -> Result<Option<Instant>, String> {
        let text = self.text(column);
        if text.is_empty() {
            return Ok(None);
        }
        let name = self.name_of(column);
        let seconds = whole(text)
            .map_err(|_| format!("{name} {:?} is not a whole number of seconds since 1970-01-01 UTC", cut(text)))?;
        let at = from_unix(seconds, 0)
            .ok_or_else(|| format!("{name}: {seconds} s is outside the supported range {RANGE_TEXT}"))?;
        check_instant(name, at).map(Some).map_err(|e| e.to_string())
    }

    fn instant(&self, column: usize) -> Result<Instant, String> {
        self.optional_instant(column)?.ok_or_else(|| format!("{} is required", self.name_of(column)))
    }

    fn number<N: std::str::FromStr>(&self, column: usize, what: &str) -> Result<N, String> {
        let text = self.text(column);
        text.parse().map_err(|_| format!("{} {:?} is not {what}", self.name_of(column), cut(text)))
    }

    fn flag(&self, column: usize) -> Result<bool, String> {
        match self.text(column) {
            "1" => Ok(true),
            "0" | "" => Ok(false),
            other => Err(format!("{} {:?} is not 0 or 1", self.name_of(column), cut(other))),
        }
    }

    /// An enum by its contract name, as the domain deserialises it.
    fn name<E: DeserializeOwned>(&self, column: usize, names: &str) -> Result<E, String> {
        let text = self.text(column);
        let deserializer: serde::de::value::StrDeserializer<'_, serde::de::value::Error> = text.into_deserializer();
        E::deserialize(deserializer)
            .map_err(|_| format!("{} {:?} is not one of {names}", self.name_of(column), cut(text)))
    }
}

/// At most 40 characters of a field, for a message.
fn cut(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(40) {
        Some((at, _)) => Cow::Owned(format!("{}…", text.get(..at).unwrap_or_default())),
        None => Cow::Borrowed(text),
    }
}

/// A 128-bit XXH3 digest: the same row always gives the same event id.
fn digest(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// The event a row of a file with `layout` stands for, or why it cannot be
/// read. Its id is the table's name and a digest of the row, so a row repeated
/// word for word is one fact, read once.
pub fn read_row(layout: &Layout, line: &str) -> Result<Event, String> {
    fold_row(layout, line, |seller_id, fact| {
        let mut event_id = String::new();
        write_event_id(layout.table(), line, &mut event_id);
        Ok(Event { event_id, seller_id: seller_id.into_owned(), fact })
    })
}

/// [`read_row`] in parts, allocating no id: the row's seller id (borrowed
/// from the row) and its fact, handed to `fold` where the fact was made
/// (returned, a fact of 168 bytes was copied twice more on its way into a
/// book: 0.5% of a batch run's instructions); [`write_event_id`] writes
/// its event id where a batch needs it.
pub fn fold_row<'l, T>(
    layout: &Layout,
    line: &'l str,
    fold: impl FnOnce(Cow<'l, str>, Fact) -> Result<T, String>,
) -> Result<T, String> {
    let mut values: [Cow<'_, str>; MAX_COLUMNS] = Default::default();
    let mut found = 0usize;
    for value in Split::new(line) {
        let value = value?;
        if let Some(&Some(column)) = layout.columns.get(found)
            && let Some(slot) = values.get_mut(column)
        {
            *slot = value;
        }
        found = found.saturating_add(1);
    }
    if found != layout.width {
        return Err(format!("expected {} fields, found {found}", layout.width));
    }
    let mut r = Fields { table: layout.table, values };
    let fact = match layout.table {
        Table::Orders => Fact::Order(Order {
            order_id: r.id(col!(Orders, "order_id")),
            marketplace_id: r.id(col!(Orders, "marketplace_id")),
            purchased_at: r.instant(col!(Orders, "purchased_at"))?,
            fulfillment_channel: r.name(col!(Orders, "channel"), "MFN, AFN")?,
            latest_ship_at: r.instant(col!(Orders, "latest_ship_at"))?,
            promised_delivery_earliest_at: None,
            promised_delivery_latest_at: r.optional_instant(col!(Orders, "promised_latest_at"))?,
            units: r.number(col!(Orders, "units"), "a whole number of units")?,
            business_order: r.flag(col!(Orders, "business_order"))?,
            shipping_unknown: false,
        }),
        Table::Shipments => Fact::ShipmentConfirmed(ShipmentConfirmed {
            shipment_id: r.id(col!(Shipments, "shipment_id")),
            order_id: r.id(col!(Shipments, "order_id")),
            confirmed_at: r.instant(col!(Shipments, "confirmed_at"))?,
            carrier: String::new(),
            tracking_number: r.id(col!(Shipments, "tracking_number")),
            units: r.number(col!(Shipments, "units"), "a whole number of units")?,
            carrier_data_unknown: false,
            whole_order: false,
        }),
        Table::Scans => Fact::CarrierScan(CarrierScan {
            tracking_number: r.id(col!(Scans, "tracking_number")),
            first_scan_at: r.optional_instant(col!(Scans, "first_scan_at"))?,
            delivered_at: r.optional_instant(col!(Scans, "delivered_at"))?,
        }),
        Table::Cancellations => Fact::Cancellation(Cancellation {
            order_id: r.id(col!(Cancellations, "order_id")),
            cancelled_at: r.instant(col!(Cancellations, "cancelled_at"))?,
            initiator: r.name(col!(Cancellations, "initiator"), "SELLER, BUYER, SYSTEM_UNSHIPPED, UNKNOWN")?,
            reason: String::new(),
        }),
        Table::Feedback => Fact::SellerFeedback(SellerFeedback {
            order_id: r.id(col!(Feedback, "order_id")),
            left_at: r.instant(col!(Feedback, "left_at"))?,
            stars: r.number(col!(Feedback, "stars"), "a whole number")?,
            comment: String::new(),
            fulfillment_related: r.flag(col!(Feedback, "fulfillment_related"))?,
        }),
        Table::FeedbackUpdates => Fact::FeedbackUpdate(FeedbackUpdate {
            order_id: r.id(col!(FeedbackUpdates, "order_id")),
            updated_at: r.instant(col!(FeedbackUpdates, "updated_at"))?,
            action: r.name(col!(FeedbackUpdates, "action"), "SELLER_RESPONSE, REMOVED, STRUCK_THROUGH")?,
            response_text: String::new(),
        }),
        Table::Claims => Fact::AtozClaim(AtozClaim {
            claim_id: r.id(col!(Claims, "claim_id")),
            order_id: r.id(col!(Claims, "order_id")),
            filed_at: r.instant(col!(Claims, "filed_at"))?,
            outcome: r.name(col!(Claims, "outcome"), "PENDING, GRANTED, DENIED, WITHDRAWN")?,
            decided_at: r.optional_instant(col!(Claims, "decided_at"))?,
        }),
        Table::Chargebacks => Fact::Chargeback(Chargeback {
            chargeback_id: r.id(col!(Chargebacks, "chargeback_id")),
            order_id: r.id(col!(Chargebacks, "order_id")),
            received_at: r.instant(col!(Chargebacks, "received_at"))?,
            service_related: r.flag(col!(Chargebacks, "service_related"))?,
        }),
        Table::Refunds => Fact::Refund(Refund {
            refund_id: r.id(col!(Refunds, "refund_id")),
            order_id: r.id(col!(Refunds, "order_id")),
            refunded_at: r.instant(col!(Refunds, "refunded_at"))?,
            amount: None,
        }),
        Table::Returns => Fact::ReturnRequest(ReturnRequest {
            return_id: r.id(col!(Returns, "return_id")),
            order_id: r.id(col!(Returns, "order_id")),
            requested_at: r.instant(col!(Returns, "requested_at"))?,
            responded_at: r.optional_instant(col!(Returns, "responded_at"))?,
            outcome: r.name(col!(Returns, "outcome"), "PENDING, AUTHORIZED, REJECTED_VALID, REJECTED_INVALID")?,
            negative_return_feedback: r.flag(col!(Returns, "negative_feedback"))?,
            handled_by_marketplace: false,
            response_time_unknown: false,
        }),
        Table::Messages => Fact::BuyerMessage(BuyerMessage {
            message_id: r.id(col!(Messages, "message_id")),
            marketplace_id: r.id(col!(Messages, "marketplace_id")),
            order_id: Some(r.id(col!(Messages, "order_id"))).filter(|id| !id.is_empty()),
            received_at: r.instant(col!(Messages, "received_at"))?,
            first_replied_at: r.optional_instant(col!(Messages, "first_replied_at"))?,
        }),
        Table::Reviews => Fact::ProductReview(ProductReview {
            review_id: r.id(col!(Reviews, "review_id")),
            marketplace_id: r.id(col!(Reviews, "marketplace_id")),
            asin: r.id(col!(Reviews, "asin")),
            reviewer_id: r.id(col!(Reviews, "reviewer_id")),
            stars: r.number(col!(Reviews, "stars"), "a whole number")?,
            reviewed_at: r.instant(col!(Reviews, "reviewed_at"))?,
            verified_purchase: r.flag(col!(Reviews, "verified"))?,
            helpful_votes: r.number(col!(Reviews, "helpful_votes"), "a whole number of votes")?,
            title: String::new(),
            body: String::new(),
        }),
    };
    let seller_id = r.values.get_mut(SELLER_ID).map(std::mem::take).unwrap_or_default();
    fold(seller_id, fact)
}

/// 64 bits of the event id of a row of `table`: rows with the same event id
/// have the same key, and rows with different ids the same key only by
/// chance (2⁻⁶⁴ a pair), for [`crate::batch`] to tell the rows whose ids
/// are unique without writing one.
pub fn row_key(table: Table, line: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(line.as_bytes(), table as u64)
}

/// Writes a row's event id into `id`: its table and the 128-bit digest of its
/// text in hex, so the same row twice is one event. The digits are written
/// into an array and copied once: `format!` spent 6% of a batch run on them,
/// and pushing them one `char` at a time 1.6%.
pub fn write_event_id(table: Table, line: &str, id: &mut String) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [b'0'; 32];
    for (pair, byte) in hex.chunks_exact_mut(2).zip(digest(line.as_bytes()).to_be_bytes()) {
        for (digit, nibble) in pair.iter_mut().zip([byte >> 4, byte & 0xf]) {
            *digit = DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0');
        }
    }
    // The name, a colon and 32 digits.
    id.clear();
    id.push_str(table.name());
    id.push(':');
    id.push_str(std::str::from_utf8(&hex).unwrap_or_default());
}

/// A whole number as `str::parse` reads it, 1 to 18 plain digits (every
/// instant of a data set) read without its checks of sign and overflow,
/// which no number of 18 digits needs, eight digits at a time after the
/// first few; anything else is `str::parse`'s.
fn whole(text: &str) -> Result<i64, std::num::ParseIntError> {
    if (1..=18).contains(&text.len()) {
        let (head, eights) = text.as_bytes().split_at(text.len() % 8);
        let (mut value, mut digits) = (0u64, true);
        for byte in head {
            let digit = byte.wrapping_sub(b'0');
            digits &= digit < 10;
            value = value.wrapping_mul(10).wrapping_add(u64::from(digit));
        }
        for eight in eights.chunks_exact(8) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(eight);
            match eight_digits(bytes) {
                Some(number) => value = value.wrapping_mul(100_000_000).wrapping_add(number),
                None => digits = false,
            }
        }
        // At most 18 digits: below 10^18, so it fits.
        if digits && let Ok(value) = i64::try_from(value) {
            return Ok(value);
        }
    }
    text.parse()
}

/// Eight ASCII digits, the first the most significant, as their number
/// (three multiplications, each joining pairs of neighbours); `None` if a
/// byte is not a digit. A digit at a time took about 55 instructions of a
/// ten-digit instant, this about 25.
fn eight_digits(bytes: [u8; 8]) -> Option<u64> {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    const HIGH_NIBBLES: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    let x = u64::from_le_bytes(bytes);
    // Every byte 0x30 to 0x39: its high nibble 3, and still 3 with 6 added
    // (no byte carries into the next: each is at most 0x3f).
    if x & HIGH_NIBBLES != ZEROS || x.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES != ZEROS {
        return None;
    }
    // Little-endian: the first digit is the lowest byte.
    let digits = x.wrapping_sub(ZEROS);
    let pairs = (digits.wrapping_mul(10).wrapping_add(digits >> 8)) & 0x00ff_00ff_00ff_00ff;
    let fours = (pairs.wrapping_mul(100).wrapping_add(pairs >> 16)) & 0x0000_ffff_0000_ffff;
    Some((fours.wrapping_mul(10_000).wrapping_add(fours >> 32)) & 0xffff_ffff)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use chrono::{TimeZone, Utc};
    use sellerhealth_domain::{ClaimOutcome, FulfillmentChannel};

    use super::*;

    fn at(seconds: i64) -> Instant {
        Utc.timestamp_opt(seconds, 0).single().unwrap()
    }

    #[test]
    fn fields_are_split_with_quotes_as_rfc_4180_has_them() {
        assert_eq!(split("a,,b").unwrap(), ["a", "", "b"]);
        assert_eq!(split("").unwrap(), [""]);
        assert_eq!(split("\"a,b\",\"say \"\"hi\"\"\",c").unwrap(), ["a,b", "say \"hi\"", "c"]);
        assert_eq!(split("\"\",x,\"\"").unwrap(), ["", "x", ""]);
        assert_eq!(split("a,\"b").unwrap_err(), "field 2 opens a quote that never closes");
        assert_eq!(split("\"b\"c,d").unwrap_err(), "field 1 has text after its closing quote");
        // A quote inside an unquoted field is text, as DuckDB and Python's csv read it.
        assert_eq!(split("a\"b,c").unwrap(), ["a\"b", "c"]);
    }

    #[test]
    fn a_row_reads_back_as_the_event_it_was_written_from() {
        let order = Event {
            event_id: "anything".into(),
            seller_id: "seller, \"one\"".into(),
            fact: Fact::Order(Order {
                order_id: "111-1".into(),
                marketplace_id: "ATVPDKIKX0DER".into(),
                purchased_at: at(1_777_888_800),
                fulfillment_channel: FulfillmentChannel::Mfn,
                latest_ship_at: at(1_778_111_999),
                promised_delivery_earliest_at: None,
                promised_delivery_latest_at: Some(at(1_778_400_000)),
                units: 2,
                business_order: true,
                shipping_unknown: false,
            }),
        };
        let (table, row) = row(&order).unwrap();
        assert_eq!(table, Table::Orders);
        assert_eq!(row, "\"seller, \"\"one\"\"\",111-1,ATVPDKIKX0DER,1777888800,MFN,1778111999,1778400000,2,1");
        let read = read_row(&Layout::of(Table::Orders), &row).unwrap();
        assert_eq!((&read.seller_id, &read.fact), (&order.seller_id, &order.fact));
        assert_eq!(read.event_id, format!("orders:{:032x}", digest(row.as_bytes())));
        assert_eq!(Layout::of(Table::Orders).seller_of(&row).unwrap(), "seller, \"one\"");

        let claim = Event {
            event_id: "c".into(),
            seller_id: "s".into(),
            fact: Fact::AtozClaim(AtozClaim {
                claim_id: "c-1".into(),
                order_id: "111-1".into(),
                filed_at: at(1_778_000_000),
                outcome: ClaimOutcome::Pending,
                decided_at: None,
            }),
        };
        let (table, row) = super::row(&claim).unwrap();
        assert_eq!((table, row.as_str()), (Table::Claims, "s,111-1,c-1,1778000000,PENDING,"));
        assert_eq!(read_row(&Layout::of(Table::Claims), &row).unwrap().fact, claim.fact);
    }

    #[test]
    fn a_line_without_quotes_splits_at_every_comma() {
        // Every line of up to six characters from a comma, a letter and a
        // two-byte letter: the commas found in one pass give str::split's fields.
        let mut lines = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> =
                lines.iter().flat_map(|line| [",", "a", "é"].map(|c| format!("{line}{c}"))).collect();
            lines.extend(longer);
        }
        lines.sort();
        lines.dedup();
        assert_eq!(lines.len(), 1 + 3 + 9 + 27 + 81 + 243 + 729);
        for line in &lines {
            let fields: Vec<Cow<'_, str>> = Split::new(line).collect::<Result<_, _>>().unwrap();
            let expected: Vec<&str> = line.split(',').collect();
            assert_eq!(fields, expected, "{line:?}");
        }
    }

    #[test]
    fn fields_split_one_at_a_time_are_borrowed_unless_a_quote_is_doubled() {
        let fields: Vec<_> = Split::new("a,\"b,c\",\"d \"\"e\"\"\",,\"\"").collect::<Result<_, _>>().unwrap();
        assert_eq!(fields, ["a", "b,c", "d \"e\"", "", ""]);
        let owned: Vec<bool> = fields.iter().map(|field| matches!(field, Cow::Owned(_))).collect();
        assert_eq!(owned, [false, false, true, false, false]);
        // An error ends the fields.
        let mut fields = Split::new("x,\"y\"z,w");
        assert_eq!(fields.next(), Some(Ok(Cow::Borrowed("x"))));
        assert_eq!(fields.next(), Some(Err("field 2 has text after its closing quote".to_owned())));
        assert_eq!(fields.next(), None);
        assert_eq!(split("x,y,\"\"\"z").unwrap_err(), "field 3 opens a quote that never closes");
        assert_eq!(split("\"a\"\"\",\"\"\"\"").unwrap(), ["a\"", "\""]);
    }

    #[test]
    fn the_first_comma_is_found_wherever_it_lies_among_eight_bytes() {
        for len in 0..20 {
            let mut line = vec![b'x'; len];
            assert_eq!(comma_at(&line), None, "{len}");
            for at in 0..len {
                line[at] = b',';
                assert_eq!(comma_at(&line), Some(at), "{len} {at}");
                // A second comma after it, and bytes one away from a comma's
                // (a borrow across bytes), change nothing.
                if at + 1 < len {
                    line[at + 1] = b',';
                    assert_eq!(comma_at(&line), Some(at), "{len} {at}");
                    line[at + 1] = b'-';
                    assert_eq!(comma_at(&line), Some(at), "{len} {at}");
                    line[at + 1] = b'x';
                }
                if at > 0 {
                    line[at - 1] = b'+';
                    assert_eq!(comma_at(&line), Some(at), "{len} {at}");
                    line[at - 1] = 0xac;
                    assert_eq!(comma_at(&line), Some(at), "{len} {at}");
                    line[at - 1] = b'x';
                }
                line[at] = b'x';
            }
        }
    }

    #[test]
    fn whole_numbers_read_as_str_parse_reads_them() {
        let texts = [
            "0",
            "7",
            "1777888800",
            "000000000000000012",
            "999999999999999999",
            "9999999999999999999",
            "9223372036854775807",
            "9223372036854775808",
            "-5",
            "+5",
            "",
            "1e9",
            "12 ",
            "١٢",
            "/",
            ":",
        ];
        for text in texts {
            assert_eq!(whole(text), text.parse::<i64>(), "{text:?}");
        }
        assert_eq!(whole("1777888800"), Ok(1_777_888_800));
        assert_eq!(whole("123456789012345678"), Ok(123_456_789_012_345_678));
        // Every length, and a wrong byte at every place of each: one byte
        // off a digit at either end (a borrow or carry across bytes) too.
        let number = "918273645546372819";
        for len in 1..=number.len() {
            let text = &number[..len];
            assert_eq!(whole(text), text.parse::<i64>(), "{text:?}");
            for at in 0..len {
                for wrong in [b'/', b':', b' ', b'?', b'@', 0x80, 0xb9] {
                    let mut bytes = text.as_bytes().to_vec();
                    bytes[at] = wrong;
                    let text = String::from_utf8_lossy(&bytes);
                    assert_eq!(whole(&text), text.parse::<i64>(), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn columns_are_found_while_compiling() {
        assert!(Table::ALL.iter().all(|t| t.columns().len() <= MAX_COLUMNS && t.columns()[SELLER_ID] == "seller_id"));
        assert_eq!(
            [col!(Orders, "seller_id"), col!(Orders, "business_order"), col!(Reviews, "helpful_votes")],
            [0, 8, 8]
        );
        assert_eq!((column(Table::Refunds, "refund_id"), column(Table::Refunds, "units")), (2, usize::MAX));
        assert!(same(b"ab", b"ab") && !same(b"ab", b"abc") && !same(b"ab", b"ac") && same(b"", b""));
    }

    #[test]
    fn extra_columns_in_any_order_are_skipped_and_quoted_fields_read_whole() {
        let header = "extra one,units,business_order,\"seller_id\",latest_ship_at,order_id,channel,purchased_at,\
                      marketplace_id,promised_latest_at,last";
        let layout = Layout::from_header(Table::Orders, "orders.csv", header).unwrap();
        let row = "\"x,\"\"y\"\"\",3,1,\"s, \"\"1\"\"\",1778111999,\"o,1\",AFN,1777888800,ATVPDKIKX0DER,,\"z\"";
        let event = read_row(&layout, row).unwrap();
        assert_eq!(event.seller_id, "s, \"1\"");
        assert_eq!(event.event_id, format!("orders:{:032x}", digest(row.as_bytes())));
        let Fact::Order(order) = event.fact else { panic!("{event:?}") };
        assert_eq!(
            (order.order_id.as_str(), order.marketplace_id.as_str(), order.units, order.business_order),
            ("o,1", "ATVPDKIKX0DER", 3, true)
        );
        assert_eq!((order.purchased_at, order.latest_ship_at), (at(1_777_888_800), at(1_778_111_999)));
        assert_eq!((order.fulfillment_channel, order.promised_delivery_latest_at), (FulfillmentChannel::Afn, None));
        assert_eq!(layout.seller_of(row).unwrap(), "s, \"1\"");
        // Fields counted over every column, errors numbered over every field.
        assert_eq!(read_row(&layout, "a,b").unwrap_err(), "expected 11 fields, found 2");
        assert_eq!(read_row(&layout, "a,b,c,d,e,f,g,h,i,j,k,l").unwrap_err(), "expected 11 fields, found 12");
        assert_eq!(read_row(&layout, "\"a\"b,c").unwrap_err(), "field 1 has text after its closing quote");
        assert_eq!(
            read_row(&layout, "x,3,1,s,1778111999,o,AFN,1777888800,M,,z").map(|e| e.seller_id),
            Ok("s".to_owned())
        );
        assert_eq!(
            read_row(&layout, "x,3,7,s,1778111999,o,AFN,1777888800,M,,z").unwrap_err(),
            "business_order \"7\" is not 0 or 1"
        );
    }

    #[test]
    fn a_header_may_order_the_columns_its_own_way() {
        let layout =
            Layout::from_header(Table::Refunds, "refunds.csv", "refunded_at,x,seller_id,refund_id,order_id").unwrap();
        let event = read_row(&layout, "1782727200,ignored,s,r-1,o-1").unwrap();
        assert_eq!(event.seller_id, "s");
        let Fact::Refund(refund) = event.fact else { panic!("{event:?}") };
        assert_eq!(
            (refund.refund_id.as_str(), refund.order_id.as_str(), refund.refunded_at),
            ("r-1", "o-1", at(1_782_727_200))
        );
        assert_eq!(layout.seller_of("1782727200,ignored,s,r-1,o-1").unwrap(), "s");
        assert_eq!(
            Layout::from_header(Table::Refunds, "refunds.csv", "seller_id,order_id").unwrap_err().to_string(),
            "refunds.csv: the header has no \"refund_id\" column (expected \"seller_id,order_id,refund_id,refunded_at\")"
        );
    }

    #[test]
    fn field_errors_name_the_column_and_cut_long_values() {
        let layout = Layout::of(Table::Feedback);
        let reason = |line: &str| read_row(&layout, line).unwrap_err();
        assert_eq!(reason("s,o,,5,0"), "left_at is required");
        assert_eq!(reason("s,o,1e9,5,0"), "left_at \"1e9\" is not a whole number of seconds since 1970-01-01 UTC");
        assert_eq!(
            reason("s,o,-9223372036854775808,5,0"),
            "left_at: -9223372036854775808 s is outside the supported range \
             1970-01-01T00:00:00Z to 2199-12-31T23:59:59.999999999Z"
        );
        assert_eq!(reason("s,o,0,5,2"), "fulfillment_related \"2\" is not 0 or 1");
        let long = "9".repeat(100);
        assert_eq!(reason(&format!("s,o,0,{long},0")), format!("stars \"{}…\" is not a whole number", &long[..40]));
    }
}
