//! `sellerhealth batch`: every seller's and marketplace's account health from a
//! data set on files, as of an instant (or the end of a day in each
//! marketplace's time zone), with no server or database.
//!
//! The data set is a directory of CSV tables ([`tables`], as
//! `sellerhealth-bench generate` writes them) or a file of JSON-lines contract
//! events (what `sellerhealth import events` reads). [`DataSet`] reads it row
//! by row (each line bounded, [`lines`]), keeping each row's text with its
//! seller; [`DataSet::evaluate`] then takes the sellers in parallel (rayon,
//! largest first): each row becomes a fact, folded into the seller's
//! `SellerBook` by `fold` (`apply` taking the fact, and the ids apart: every rule of SPEC §1,
//! idempotence included), and `sellerhealth_metrics::evaluate_seller` gives
//! one report per marketplace.
//! A row that cannot be read or is refused is named with its file, line and
//! reason; every other row counts.

pub mod figures;
pub mod lines;
pub mod tables;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;
use chrono::{NaiveDate, Timelike};
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use rayon::iter::{ParallelBridge, ParallelIterator};
use sellerhealth_domain::{Applied, BookCapacity, Event, Instant, Policy, SellerBook};
use sellerhealth_metrics::AccountHealthReport;
use serde::Deserialize;

use self::lines::Lines;
use self::tables::{Layout, Table};
use crate::wire_json;

/// How the reports are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One report per line, as the contract's JSON (`report --format json`, on one line).
    Json,
    /// One line of [`figures::FIGURE_NAMES`] per report, tab-separated (under [`figures::header`]).
    Table,
}

/// A row refused: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRejection {
    /// The file's name (`orders.csv`, `events.jsonl`).
    pub file: String,
    /// 1-based line number (a table's header is line 1).
    pub line: u64,
    /// Why, for a person.
    pub reason: String,
}

/// Longest reason kept for a refused row, in bytes: a reason may quote its line.
const MAX_REASON_BYTES: usize = 500;

impl RowRejection {
    /// The refusal of `line` of `file`, its reason cut to [`MAX_REASON_BYTES`] (`…` marking a cut).
    fn new(file: String, line: u64, mut reason: String) -> RowRejection {
        if reason.len() > MAX_REASON_BYTES {
            let mut end = MAX_REASON_BYTES;
            while !reason.is_char_boundary(end) {
                end = end.saturating_sub(1);
            }
            reason.truncate(end);
            reason.push('…');
        }
        RowRejection { file, line, reason }
    }
}

impl std::fmt::Display for RowRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} line {}: {}", self.file, self.line, self.reason)
    }
}

/// What a file of the data set holds.
#[derive(Debug)]
enum Source {
    /// A table, laid out as its header says.
    Table(Layout),
    /// JSON lines of contract events.
    Events,
}

/// A row waiting to be read: where its text ends in its chunk's text, and
/// how many lines of its file after the chunk's first row it is. 8 bytes a
/// row, not the 16 of a line number and an offset: the 10,000,000-order set
/// has 23 million rows.
#[derive(Debug, Clone, Copy)]
struct RowAt {
    end: u32,
    lines_after_first: u32,
}

/// Rows' text, one after the other, in a buffer never grown: a chunk full,
/// the next one starts (one growing text per part copied itself at every
/// doubling).
#[derive(Debug)]
struct Chunk {
    /// The line of the chunk's first row in its file.
    first_line: u64,
    text: String,
    rows: Vec<RowAt>,
}

impl Chunk {
    /// Where `text`, of `line`, would end in this chunk, and how many lines
    /// after its first it is: `None` if the chunk has no room for it, or
    /// either count would not fit a row's 32 bits.
    fn room_for(&self, line: u64, text: &str) -> Option<RowAt> {
        let end = self.text.len().checked_add(text.len()).filter(|end| *end <= self.text.capacity())?;
        Some(RowAt {
            end: u32::try_from(end).ok()?,
            lines_after_first: u32::try_from(line.checked_sub(self.first_line)?).ok()?,
        })
    }

    /// Each row's line and text, in order.
    fn rows(&self) -> impl Iterator<Item = (u64, &str)> {
        let mut start = 0;
        self.rows.iter().map(move |row| {
            let end = usize::try_from(row.end).unwrap_or(usize::MAX);
            let text = self.text.get(start..end).unwrap_or_default();
            start = end;
            (self.first_line.saturating_add(u64::from(row.lines_after_first)), text)
        })
    }
}

/// Smallest and largest chunk, in bytes: a part's chunks grow with it (a part
/// of a few rows stays small) up to the largest.
const CHUNK_BYTES: std::ops::RangeInclusive<usize> = (4 << 10)..=(1 << 20);

/// One seller's rows of one file, in the order they were read.
#[derive(Debug)]
struct Part {
    source: usize,
    chunks: Vec<Chunk>,
    /// Bytes of text in the chunks.
    bytes: usize,
}

impl Part {
    /// Adds a row's text: to the last chunk if it has room, else to a new one
    /// (a row is at most [`lines::MAX_LINE_BYTES`], so a new chunk always has).
    fn push(&mut self, line: u64, text: &str) {
        let room = self.chunks.last().and_then(|chunk| chunk.room_for(line, text));
        let (chunk, row) = match (room, self.chunks.last_mut()) {
            (Some(row), Some(chunk)) => (chunk, row),
            _ => {
                let capacity = self.bytes.clamp(*CHUNK_BYTES.start(), *CHUNK_BYTES.end()).max(text.len());
                self.chunks.push(Chunk { first_line: line, text: String::with_capacity(capacity), rows: Vec::new() });
                let Some(chunk) = self.chunks.last_mut() else { return };
                let Some(row) = chunk.room_for(line, text) else { return };
                (chunk, row)
            }
        };
        chunk.text.push_str(text);
        chunk.rows.push(row);
        self.bytes = self.bytes.saturating_add(text.len());
    }

    /// How many rows the part has.
    fn rows(&self) -> usize {
        self.chunks.iter().map(|chunk| chunk.rows.len()).sum()
    }
}

/// One seller's rows, file after file: each chunk of a file's text is dropped
/// as soon as its rows are folded, so the book grows into memory the rows leave
/// (on 10,000,000 orders, 270 MiB less at the peak than one text per seller,
/// when it was dropped a file at a time).
#[derive(Debug)]
struct Seller {
    id: String,
    parts: Vec<Part>,
}

impl Seller {
    /// How many rows the seller has.
    fn rows(&self) -> usize {
        self.parts.iter().map(Part::rows).sum()
    }
}

/// A data set read from files: each seller's rows, not yet interpreted.
#[derive(Debug, Default)]
pub struct DataSet {
    files: Vec<(String, Source)>,
    index: HashMap<String, usize>,
    /// The seller of the last row pushed.
    last: Option<usize>,
    sellers: Vec<Seller>,
    rejected: Vec<RowRejection>,
    rows: u64,
}

/// A JSON line's seller, read without the rest of the event.
#[derive(Deserialize)]
struct SellerOfEvent<'a> {
    #[serde(borrow, rename = "sellerId", alias = "seller_id")]
    seller_id: Option<Cow<'a, str>>,
}

impl DataSet {
    /// An empty data set.
    pub fn new() -> DataSet {
        DataSet::default()
    }

    /// Reads a data set from `path`: a directory of CSV tables (every
    /// `{table}.csv` of [`Table::ALL`] there, in that order; a table without a
    /// file has no rows), or a file of JSON-lines events. A file that cannot be
    /// opened or read, or a table whose header lacks a column, fails the whole
    /// data set; a bad row is only refused. `progress` shows the bytes read on
    /// standard error.
    pub fn open(path: &Path, progress: bool, threads: usize) -> anyhow::Result<DataSet> {
        let files: Vec<(std::path::PathBuf, Option<Table>)> = if path.is_dir() {
            Table::ALL
                .iter()
                .map(|&table| (path.join(table.file_name()), Some(table)))
                .filter(|(file, _)| file.is_file())
                .collect()
        } else {
            vec![(path.to_path_buf(), None)]
        };
        if files.is_empty() {
            let names: Vec<String> = Table::ALL.iter().map(|t| t.file_name()).collect();
            anyhow::bail!("{} holds none of the tables of a data set ({})", path.display(), names.join(", "));
        }
        let sizes: Vec<u64> = files.iter().map(|(file, _)| std::fs::metadata(file).map_or(0, |m| m.len())).collect();
        let bar = bar(progress, sizes.iter().sum(), "{bar:40} {bytes}/{total_bytes} read  {msg}");
        let read = |(file, table): &(std::path::PathBuf, Option<Table>)| -> anyhow::Result<DataSet> {
            let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into());
            bar.set_message(name.clone());
            // Unbuffered and unwrapped: `Lines` reads blocks of its own
            // straight into its buffer, and counts them for the bar.
            let opened = File::open(file).with_context(|| format!("opening {}", file.display()))?;
            let mut data = DataSet::new();
            match table {
                Some(table) => data.add_table(*table, &name, opened, &bar)?,
                None => data.add_events(&name, opened, &bar)?,
            }
            Ok(data)
        };
        // Files are read side by side, the largest first, each by the next
        // thread free (the orders are half of a generated data set's bytes,
        // the other tables the other half), and put together in their
        // order: the same data set as read one by one.
        let threads = threads.clamp(1, files.len());
        let mut per_file: Vec<(usize, anyhow::Result<DataSet>)> = if threads == 1 {
            files.iter().map(read).enumerate().collect()
        } else {
            let mut largest_first: Vec<usize> = (0..files.len()).collect();
            largest_first.sort_by_key(|&i| std::cmp::Reverse(sizes.get(i).copied().unwrap_or(0)));
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .context("starting the threads that read the files")?;
            let read_at = |i: usize| files.get(i).map(|file| (i, read(file)));
            pool.install(|| largest_first.into_iter().par_bridge().filter_map(read_at).collect())
        };
        per_file.sort_unstable_by_key(|(i, _)| *i);
        let mut data = DataSet::new();
        for (_, file) in per_file {
            data.append(file?);
        }
        bar.finish_and_clear();
        Ok(data)
    }

    /// Adds the files, rows and refusals of `other`, read after this data set's.
    fn append(&mut self, other: DataSet) {
        let DataSet { files, sellers, rejected, rows, .. } = other;
        let first_source = self.files.len();
        self.files.extend(files);
        for seller in sellers {
            let at = self.seller_at(&seller.id);
            let Some(into) = self.sellers.get_mut(at) else { continue };
            into.parts.extend(
                seller.parts.into_iter().map(|part| Part { source: part.source.saturating_add(first_source), ..part }),
            );
        }
        self.rejected.extend(rejected);
        self.rows = self.rows.saturating_add(rows);
    }

    /// The position of `seller` in `sellers`, added (without rows) if new.
    /// Rows come in runs of one seller (a file is written seller by seller),
    /// so the last seller is tried before the index.
    fn seller_at(&mut self, seller: &str) -> usize {
        if let Some(at) = self.last
            && self.sellers.get(at).is_some_and(|last| last.id == seller)
        {
            return at;
        }
        let at = match self.index.get(seller) {
            Some(&at) => at,
            None => {
                self.sellers.push(Seller { id: seller.to_owned(), parts: Vec::new() });
                let at = self.sellers.len().saturating_sub(1);
                self.index.insert(seller.to_owned(), at);
                at
            }
        };
        self.last = Some(at);
        at
    }

    /// Reads a table's rows from `reader`; `file` names it in rejections, and
    /// `bar` counts the bytes read.
    pub fn add_table(&mut self, table: Table, file: &str, reader: impl Read, bar: &ProgressBar) -> anyhow::Result<()> {
        let mut lines = Lines::new(reader);
        let mut shown = Shown::default();
        let header = match lines.next_line().with_context(|| format!("reading {file}"))? {
            Some((_, Ok(header))) => header.to_owned(),
            Some((_, Err(reason))) => return Err(tables::TableError::BadHeader(file.to_owned(), reason).into()),
            None => return Err(tables::TableError::Empty(file.to_owned(), table.header()).into()),
        };
        let layout = Layout::from_header(table, file, &header)?;
        let source = self.source(file, Source::Table(layout.clone()));
        loop {
            shown.up_to(lines.bytes_read(), bar);
            let Some((line, text)) = lines.next_line().with_context(|| format!("reading {file}"))? else { break };
            match text.and_then(|text| Ok((layout.seller_of(text)?, text))) {
                Ok((_, "")) => {}
                Ok((seller, text)) => self.push(&seller, source, line, text),
                Err(reason) => self.reject(source, line, reason),
            }
        }
        shown.up_to(lines.bytes_read(), bar);
        Ok(())
    }

    /// Reads JSON lines of contract events from `reader`; `file` names it in
    /// rejections, and `bar` counts the bytes read.
    pub fn add_events(&mut self, file: &str, reader: impl Read, bar: &ProgressBar) -> anyhow::Result<()> {
        let source = self.source(file, Source::Events);
        let mut lines = Lines::new(reader);
        let mut shown = Shown::default();
        loop {
            shown.up_to(lines.bytes_read(), bar);
            let Some((line, text)) = lines.next_line().with_context(|| format!("reading {file}"))? else { break };
            let text = match text {
                Ok(text) if text.trim().is_empty() => continue,
                Ok(text) => text,
                Err(reason) => {
                    self.reject(source, line, reason);
                    continue;
                }
            };
            match serde_json::from_str::<SellerOfEvent<'_>>(text) {
                Ok(event) => self.push(&event.seller_id.unwrap_or_default(), source, line, text),
                // Not an event: the contract's reader says why (or, if it reads
                // what the quick look could not, where it belongs).
                Err(_) => match wire_json::event_from_json(text) {
                    Ok(event) => self.push(&event.seller_id, source, line, text),
                    Err(reason) => self.reject(source, line, reason),
                },
            }
        }
        shown.up_to(lines.bytes_read(), bar);
        Ok(())
    }

    fn source(&mut self, file: &str, source: Source) -> usize {
        self.files.push((file.to_owned(), source));
        self.files.len().saturating_sub(1)
    }

    fn push(&mut self, seller: &str, source: usize, line: u64, text: &str) {
        self.rows = self.rows.saturating_add(1);
        let at = self.seller_at(seller);
        let Some(seller) = self.sellers.get_mut(at) else { return };
        if seller.parts.last().is_none_or(|part| part.source != source) {
            seller.parts.push(Part { source, chunks: Vec::new(), bytes: 0 });
        }
        if let Some(part) = seller.parts.last_mut() {
            part.push(line, text);
        }
    }

    fn reject(&mut self, source: usize, line: u64, reason: String) {
        self.rows = self.rows.saturating_add(1);
        let file = self.files.get(source).map(|(name, _)| name.clone()).unwrap_or_default();
        self.rejected.push(RowRejection::new(file, line, reason));
    }

    /// Every seller's reports as of `options.as_of`, on `options.threads`
    /// threads, largest sellers first; `progress` shows the events and sellers
    /// done on standard error.
    pub fn evaluate(self, options: &Options, progress: bool) -> anyhow::Result<Evaluated> {
        let DataSet { files, mut sellers, mut rejected, rows, .. } = self;
        sellers.sort_by_cached_key(|s| std::cmp::Reverse(s.rows()));
        let total_sellers = sellers.len();
        let bar = bar(progress, rows, "{bar:40} {pos}/{len} events, {msg}  {rate}  ETA {eta}");
        bar.set_message(format!("0/{total_sellers} sellers"));
        bar.inc(rejected.len() as u64);
        let done = AtomicUsize::new(0);
        let work = |seller: Seller| {
            let outcome = evaluate_seller(seller, &files, options, &bar);
            let done = done.fetch_add(1, Ordering::Relaxed).saturating_add(1);
            bar.set_message(format!("{done}/{total_sellers} sellers"));
            outcome
        };
        let mut outcomes: Vec<SellerOutcome> = if options.threads <= 1 {
            sellers.into_iter().map(work).collect()
        } else {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(options.threads)
                .thread_name(|i| format!("batch-{i}"))
                .build()
                .context("starting the worker threads")?;
            // par_bridge hands the sellers out in order, as threads come free: largest first.
            pool.install(|| sellers.into_iter().par_bridge().map(work).collect())
        };
        bar.finish_and_clear();
        outcomes.sort_by(|a, b| a.seller.cmp(&b.seller));
        let mut evaluated = Evaluated { rows, sellers: total_sellers, ..Evaluated::default() };
        for outcome in outcomes {
            evaluated.accepted = evaluated.accepted.saturating_add(outcome.accepted);
            evaluated.duplicates = evaluated.duplicates.saturating_add(outcome.duplicates);
            evaluated.reports = evaluated.reports.saturating_add(outcome.lines.len());
            evaluated.lines.extend(outcome.lines);
            rejected.extend(outcome.rejected);
        }
        let order: HashMap<&str, usize> = files.iter().enumerate().map(|(i, (name, _))| (name.as_str(), i)).collect();
        rejected.sort_by_key(|r| (order.get(r.file.as_str()).copied(), r.line));
        evaluated.rejected = rejected;
        Ok(evaluated)
    }
}

/// The bytes of one file a progress bar has been given.
#[derive(Default)]
struct Shown(u64);

impl Shown {
    /// Gives `bar` the bytes read since the last call (once a block, not once a line).
    fn up_to(&mut self, read: u64, bar: &ProgressBar) {
        if read != self.0 {
            bar.inc(read.saturating_sub(self.0));
            self.0 = read;
        }
    }
}

/// When the reports are as of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// One instant, for every marketplace.
    Instant(Instant),
    /// The end of a day (the start of its last second) in each marketplace's
    /// time zone under the policy, as `sellerhealth report --as-of DAY` has it.
    EndOfDay(NaiveDate),
}

impl AsOf {
    /// The instant for reports of `marketplace_id`.
    pub fn instant(self, policy: &Policy, marketplace_id: &str) -> Instant {
        match self {
            AsOf::Instant(at) => at,
            AsOf::EndOfDay(day) => {
                let end = policy.calendar(marketplace_id).end_of(day);
                end.with_nanosecond(0).unwrap_or(end)
            }
        }
    }
}

impl std::fmt::Display for AsOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AsOf::Instant(at) => f.write_str(&at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            AsOf::EndOfDay(day) => write!(f, "the end of {day} in each marketplace's time zone"),
        }
    }
}

/// How to evaluate.
#[derive(Debug, Clone)]
pub struct Options {
    /// When the reports are as of.
    pub as_of: AsOf,
    /// Now, for the rule that no fact may lie more than a day in the future
    /// (`SellerBook::fold`): the later of the clock and the latest `as_of`.
    pub now: Instant,
    /// The policy profile.
    pub policy: Policy,
    /// How the reports are written.
    pub format: Format,
    /// Worker threads (1: on the calling thread).
    pub threads: usize,
}

/// What a batch evaluation gave.
#[derive(Debug, Default)]
pub struct Evaluated {
    /// Rows read (blank lines and headers aside).
    pub rows: u64,
    /// Sellers with rows.
    pub sellers: usize,
    /// Events folded in.
    pub accepted: u64,
    /// Events already folded in under the same id (rows read twice).
    pub duplicates: u64,
    /// Reports written.
    pub reports: usize,
    /// The reports in the format asked for, sorted by seller, then marketplace.
    pub lines: Vec<String>,
    /// Rows refused, in file and line order.
    pub rejected: Vec<RowRejection>,
}

impl Evaluated {
    /// The summary for a person, as of `as_of`: counts, then each refused row.
    pub fn summary(&self, as_of: AsOf) -> String {
        let mut out = format!(
            "{} rows read: {} events accepted, {} duplicates, {} rejected; {} reports of {} sellers as of {as_of}\n",
            self.rows,
            self.accepted,
            self.duplicates,
            self.rejected.len(),
            self.reports,
            self.sellers,
        );
        for rejection in &self.rejected {
            out.push_str(&format!("  {rejection}\n"));
        }
        out
    }
}

/// One seller's part of [`Evaluated`].
struct SellerOutcome {
    seller: String,
    accepted: u64,
    duplicates: u64,
    lines: Vec<String>,
    rejected: Vec<RowRejection>,
}

/// Rows between two steps of the progress bar.
const PROGRESS_STEP: u64 = 4096;

/// Folds one seller's rows into a book and evaluates it.
fn evaluate_seller(seller: Seller, files: &[(String, Source)], options: &Options, bar: &ProgressBar) -> SellerOutcome {
    let rows_of = |table: Table| -> usize {
        let of_table = |part: &&Part| matches!(files.get(part.source), Some((_, Source::Table(layout))) if layout.table() == table);
        seller.parts.iter().filter(of_table).map(Part::rows).sum()
    };
    let repeated = repeated_rows(&seller, files);
    // The book's table of event ids holds only the rows folded by id.
    let by_id = repeated.as_ref().map_or(seller.rows(), |repeated| repeated.iter().filter(|r| **r).count());
    let capacity = BookCapacity { orders: rows_of(Table::Orders), shipments: rows_of(Table::Shipments), events: by_id };
    let mut book = SellerBook::with_capacity(seller.id.clone(), capacity);
    let mut outcome =
        SellerOutcome { seller: seller.id, accepted: 0, duplicates: 0, lines: Vec::new(), rejected: Vec::new() };
    let mut unreported = 0u64;
    // One event id for every row, written over (an id per row was an allocation).
    let mut event_id = String::new();
    let (now, policy) = (options.now, &options.policy);
    let mut number = 0usize;
    for part in seller.parts {
        let Some((file, source)) = files.get(part.source) else { continue };
        for chunk in part.chunks {
            for (line, text) in chunk.rows() {
                let distinct = repeated.as_ref().is_some_and(|repeated| repeated.get(number) == Some(&false));
                number = number.saturating_add(1);
                let applied = match source {
                    Source::Table(layout) if distinct => tables::fold_row(layout, text, |seller, fact| {
                        book.fold_distinct(&seller, fact, now, policy)
                            .map(|()| Applied::Accepted)
                            .map_err(|e| e.to_string())
                    }),
                    Source::Table(layout) => tables::fold_row(layout, text, |seller, fact| {
                        tables::write_event_id(layout.table(), text, &mut event_id);
                        book.fold(&event_id, &seller, fact, now, policy).map_err(|e| e.to_string())
                    }),
                    Source::Events => read_event(text).and_then(|event| {
                        book.fold(&event.event_id, &event.seller_id, event.fact, now, policy).map_err(|e| e.to_string())
                    }),
                };
                match applied {
                    Ok(Applied::Accepted) => outcome.accepted = outcome.accepted.saturating_add(1),
                    Ok(Applied::Duplicate) => outcome.duplicates = outcome.duplicates.saturating_add(1),
                    Err(reason) => outcome.rejected.push(RowRejection::new(file.clone(), line, reason)),
                }
                unreported = unreported.saturating_add(1);
                if unreported == PROGRESS_STEP {
                    bar.inc(std::mem::take(&mut unreported));
                }
            }
            // The chunk's text is dropped here: its rows are in the book.
        }
    }
    bar.inc(unreported);
    outcome.lines = reports(&book, options).iter().map(|report| write(report, options.format)).collect();
    outcome
}

/// Which of a seller's rows share their event id with another of its rows,
/// by row number (file after file, as they are folded): the others are
/// folded with no lookup of their ids ([`SellerBook::fold_distinct`]).
/// `None` when the seller has rows of JSON lines, whose ids are their own
/// (read only by parsing them): every row is then folded by its id.
///
/// Rows are told apart by 64 bits of their ids ([`tables::row_key`]; see
/// [`sellerhealth_domain::book::repeated_keys`]).
fn repeated_rows(seller: &Seller, files: &[(String, Source)]) -> Option<Vec<bool>> {
    let mut keys = Vec::with_capacity(seller.rows());
    for part in &seller.parts {
        let Some((_, Source::Table(layout))) = files.get(part.source) else { return None };
        for chunk in &part.chunks {
            keys.extend(chunk.rows().map(|(_, text)| tables::row_key(layout.table(), text)));
        }
    }
    Some(sellerhealth_domain::book::repeated_keys(keys))
}

/// A seller's reports, one per marketplace it has orders in, sorted by
/// marketplace. As of one instant, one evaluation; as of the end of a day, one
/// per time zone among the seller's marketplaces, each keeping its zone's reports.
fn reports(book: &SellerBook, options: &Options) -> Vec<AccountHealthReport> {
    let policy = &options.policy;
    let AsOf::EndOfDay(_) = options.as_of else {
        return sellerhealth_metrics::evaluate_seller(book, policy, options.as_of.instant(policy, ""));
    };
    let marketplaces: HashSet<&str> = book.orders().iter().map(|record| record.order.marketplace_id.as_str()).collect();
    let mut instants: Vec<Instant> = marketplaces.iter().map(|m| options.as_of.instant(policy, m)).collect();
    instants.sort_unstable();
    instants.dedup();
    let mut reports: Vec<AccountHealthReport> = instants
        .into_iter()
        .flat_map(|at| {
            sellerhealth_metrics::evaluate_seller(book, policy, at)
                .into_iter()
                .filter(move |report| options.as_of.instant(policy, &report.marketplace_id) == at)
        })
        .collect();
    reports.sort_by(|a, b| a.marketplace_id.cmp(&b.marketplace_id));
    reports
}

/// A JSON line as an event, or why not.
fn read_event(text: &str) -> Result<Event, String> {
    let wire = wire_json::event_from_json(text)?;
    sellerhealth_contract::into_event(wire).map_err(|e| e.to_string())
}

/// A report in `format`, on one line.
fn write(report: &AccountHealthReport, format: Format) -> String {
    match format {
        Format::Table => figures::report_row(report),
        Format::Json => {
            let wire = sellerhealth_contract::report(report);
            match wire_json::to_json(&wire, "sellerhealth.v1.AccountHealthReport") {
                Ok(json) => json.to_string(),
                // The descriptor set is compiled in; a report it cannot hold is our bug, said on the line.
                Err(reason) => serde_json::json!({ "error": reason }).to_string(),
            }
        }
    }
}

/// A progress bar on standard error, or a hidden one.
fn bar(shown: bool, length: u64, template: &str) -> ProgressBar {
    if !shown {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(length);
    let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style.with_key("rate", |state: &ProgressState, out: &mut dyn std::fmt::Write| {
        let _ = write!(out, "{:.0}/s", state.per_sec());
    }));
    bar
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_day_ends_in_each_marketplaces_zone_and_an_instant_is_everyones() {
        let policy = Policy::amazon();
        let day = AsOf::EndOfDay(NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
        // Los Angeles is 7 hours behind UTC in summer, London 1 hour ahead.
        assert_eq!(day.instant(&policy, "ATVPDKIKX0DER").to_rfc3339(), "2026-07-01T06:59:59+00:00");
        assert_eq!(day.instant(&policy, "A1F83G8C2ARO7P").to_rfc3339(), "2026-06-30T22:59:59+00:00");
        let at = chrono::DateTime::from_timestamp(1_782_863_999, 0).unwrap();
        assert_eq!(AsOf::Instant(at).instant(&policy, "A1F83G8C2ARO7P"), at);
        assert_eq!(day.to_string(), "the end of 2026-06-30 in each marketplace's time zone");
        assert_eq!(AsOf::Instant(at).to_string(), "2026-06-30T23:59:59Z");
    }

    /// What a data set holds, in its order: each seller's rows by file, then
    /// the refusals.
    fn contents(data: &DataSet) -> Vec<String> {
        let mut out = Vec::new();
        for seller in &data.sellers {
            for part in &seller.parts {
                let file = data.files.get(part.source).map_or("?", |(name, _)| name.as_str());
                for chunk in &part.chunks {
                    out.extend(chunk.rows().map(|(line, text)| format!("{} {file}:{line} {text}", seller.id)));
                }
            }
        }
        out.extend(data.rejected.iter().map(|r| format!("refused {r}")));
        out.push(format!("{} rows", data.rows));
        out
    }

    #[test]
    fn files_read_side_by_side_make_the_data_set_read_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let write = |table: Table, rows: &[&str]| {
            let text: String = std::iter::once(table.header())
                .chain(rows.iter().map(|r| r.to_string()))
                .collect::<Vec<_>>()
                .join("\n");
            std::fs::write(dir.path().join(table.file_name()), text).unwrap();
        };
        // A row whose seller cannot be read (a quote never closed) is refused.
        write(Table::Orders, &["S2,o1", "S1,o2", "\"S3,o3", "S2,o4"]);
        write(Table::Shipments, &["S3,x", "S1,y", "\"bad", "S1,z"]);
        write(Table::Scans, &["S2,s"]);
        let one_by_one = contents(&DataSet::open(dir.path(), false, 1).unwrap());
        assert_eq!(
            one_by_one,
            [
                "S2 orders.csv:2 S2,o1",
                "S2 orders.csv:5 S2,o4",
                "S2 scans.csv:2 S2,s",
                "S1 orders.csv:3 S1,o2",
                "S1 shipments.csv:3 S1,y",
                "S1 shipments.csv:5 S1,z",
                "S3 shipments.csv:2 S3,x",
                "refused orders.csv line 4: field 1 opens a quote that never closes",
                "refused shipments.csv line 4: field 1 opens a quote that never closes",
                "9 rows",
            ]
        );
        for threads in [2, 3, 64] {
            assert_eq!(contents(&DataSet::open(dir.path(), false, threads).unwrap()), one_by_one, "{threads} threads");
        }
    }

    #[test]
    fn the_bar_is_given_every_byte_of_a_table_and_of_json_lines() {
        let table = format!("{}\nS1,o1\n\"bad\nS2,o2", Table::Orders.header());
        let bar = ProgressBar::hidden();
        DataSet::new().add_table(Table::Orders, "orders.csv", table.as_bytes(), &bar).unwrap();
        assert_eq!(bar.position(), table.len() as u64);
        let events = "{\"sellerId\":\"S1\"}\nnot json\n\n";
        DataSet::new().add_events("events.jsonl", events.as_bytes(), &bar).unwrap();
        assert_eq!(bar.position(), (table.len() + events.len()) as u64);
    }

    #[test]
    fn a_parts_rows_fill_chunks_that_grow_with_it_and_are_never_grown() {
        let mut part = Part { source: 0, chunks: Vec::new(), bytes: 0 };
        let rows: Vec<String> = (0..3000).map(|i| format!("row {i:04}")).collect();
        for (line, row) in (2..).zip(&rows) {
            part.push(line, row);
        }
        // A row longer than the largest chunk gets a chunk of its own size.
        let long = "x".repeat(2 << 20);
        part.push(3002, &long);
        part.push(3003, "after");
        let capacities: Vec<usize> = part.chunks.iter().map(|chunk| chunk.text.capacity()).collect();
        assert_eq!(capacities, [4096, 4096, 8192, 16384, 2 << 20, 1 << 20]);
        let mut read = Vec::new();
        for chunk in &part.chunks {
            read.extend(chunk.rows().map(|(line, text)| (line, text.to_owned())));
        }
        let expected: Vec<(u64, String)> =
            (2..).zip(rows.iter().chain([&long, &"after".to_owned()]).cloned()).collect();
        assert_eq!(read, expected);
        assert_eq!((part.rows(), part.bytes), (3002, 3000 * 8 + (2 << 20) + 5));
    }

    #[test]
    fn a_row_more_lines_after_its_chunks_first_than_32_bits_count_starts_a_chunk() {
        let mut part = Part { source: 0, chunks: Vec::new(), bytes: 0 };
        // The last line a row of the first chunk may have, and the next.
        let (last, next) = (2 + u64::from(u32::MAX), 3 + u64::from(u32::MAX));
        for (line, text) in [(2, "a"), (last, "b"), (next, "c"), (next + 1, "d"), (u64::MAX, "e")] {
            part.push(line, text);
        }
        let read: Vec<Vec<(u64, &str)>> = part.chunks.iter().map(|chunk| chunk.rows().collect()).collect();
        assert_eq!(read, [vec![(2, "a"), (last, "b")], vec![(next, "c"), (next + 1, "d")], vec![(u64::MAX, "e")]]);
    }

    #[test]
    fn a_long_reason_is_cut_on_a_character_boundary() {
        let rejection = RowRejection::new("e.jsonl".into(), 3, "é".repeat(400));
        // 250 two-byte characters fill the 500 bytes.
        assert_eq!(rejection.reason, format!("{}…", "é".repeat(250)));
        assert_eq!(rejection.to_string(), format!("e.jsonl line 3: {}…", "é".repeat(250)));
        assert_eq!(RowRejection::new("f".into(), 1, "short".into()).reason, "short");
    }
}
