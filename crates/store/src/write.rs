//! The write path: each event is validated against the state of its subject read
//! inside the transaction (locked on PostgreSQL), appended to the log, and its
//! subject queued for the projector (`project`), which applies the difference
//! between the subject's contributions before and after to the daily counters;
//! and the statements of both.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sellerhealth_domain::{Applied, DomainError, Event, Fact, FactKind, Instant, Policy, SellerBook, Subject};
use sellerhealth_metrics::{Contribution, Counter};
use sqlx::{Any, Transaction};

use crate::counters::{DayTotals, day_number, instant_number, pack_records, pack_totals, unpack_records};
use crate::db::Backend;
use crate::error::StoreError;

/// Rows per multi-row INSERT (SQLite allows 32,766 bound values).
const ROWS_PER_INSERT: usize = 500;

/// The state a transaction has read and changed, per seller.
pub(crate) struct Work {
    backend: Backend,
    books: HashMap<String, SellerBook>,
    loaded: HashSet<(String, String)>,
    /// (seller, subject) with events stored before this transaction: only these
    /// can have stored contributions (the projector looks no others up).
    stored: HashSet<(String, String)>,
    touched: BTreeMap<(String, String), Subject>,
    accepted: Vec<(Subject, Event)>,
}

impl Work {
    pub(crate) fn new(backend: Backend) -> Work {
        Work {
            backend,
            books: HashMap::new(),
            loaded: HashSet::new(),
            stored: HashSet::new(),
            touched: BTreeMap::new(),
            accepted: Vec::new(),
        }
    }

    fn book(&mut self, seller_id: &str) -> &mut SellerBook {
        self.books.entry(seller_id.to_owned()).or_insert_with(|| SellerBook::new(seller_id))
    }

    /// Accepted events in order, for notifications.
    pub(crate) fn sellers(&self) -> BTreeSet<String> {
        self.accepted.iter().map(|(_, e)| e.seller_id.clone()).collect()
    }

    /// Number of accepted events.
    pub(crate) fn accepted(&self) -> usize {
        self.accepted.len()
    }
}

/// Statements bind at most this many keys in an `IN (…)` list.
const KEYS_PER_LOOKUP: usize = 500;

/// The key another subject's event holds that `fact` must be judged with: a
/// tracking number (of the shipment a scan refers to, or one reused), a claim id
/// or a message id, with the kind of fact that holds it.
fn lookup_reference(fact: &Fact) -> Option<(&'static str, &str)> {
    match fact {
        Fact::CarrierScan(c) => Some((FactKind::ShipmentConfirmed.as_str(), &c.tracking_number)),
        Fact::ShipmentConfirmed(s) => Some((FactKind::ShipmentConfirmed.as_str(), &s.tracking_number)),
        Fact::AtozClaim(c) => Some((FactKind::AtozClaim.as_str(), &c.claim_id)),
        Fact::BuyerMessage(m) => Some((FactKind::BuyerMessage.as_str(), &m.message_id)),
        _ => None,
    }
}

/// Placeholders for the values `first ..= first + count - 1` of a statement:
/// `$n` on PostgreSQL; on SQLite anonymous `?`, because binding numbered
/// parameters there costs time quadratic in their number (SQLite looks each
/// name up in a list).
fn placeholders(backend: Backend, first: usize, count: usize) -> String {
    match backend {
        Backend::Sqlite => vec!["?"; count].join(", "),
        // Parameter numbers are bounded by the rows of one statement: no overflow.
        Backend::Postgres => {
            (first..first.saturating_add(count)).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
        }
    }
}

/// Runs `SELECT … WHERE seller_id = $1 AND {column} IN (…) {tail}` over `keys`:
/// on SQLite in lists of [`KEYS_PER_LOOKUP`]; on PostgreSQL as one statement
/// of fixed shape whatever the number of keys, the keys bound as one array.
/// `column` may carry further fixed conditions before the column name
/// (`kind = 'x' AND ref_key`).
///
/// On PostgreSQL each key is looked up on its own (a lateral sub-select per
/// element of `unnest($2::text[])`, kept apart by `OFFSET 0`), and the seller
/// is compared through a sub-select, `(SELECT $1::text)`, which the planner
/// estimates as an average seller. Both keep it on the index that holds
/// `{column}`: a seller new since the last `ANALYZE` (every bulk load) is
/// estimated at one row by its value, and then any index led by `seller_id`
/// looks as good, and with a list of keys (`= ANY`) cheaper — PostgreSQL 15
/// took one and filtered every row of the seller, seconds per statement.
async fn select_in<R>(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    head: &str,
    column: &str,
    tail: &str,
    seller: &str,
    keys: &[String],
) -> Result<Vec<R>, StoreError>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    if backend == Backend::Postgres {
        let sql = format!(
            "SELECT found.* FROM unnest($2::text[]) AS k(key) CROSS JOIN LATERAL \
             ({head} WHERE seller_id = (SELECT $1::text) AND {column} = k.key {tail} OFFSET 0) AS found"
        );
        let keys = array_literal(keys.iter().map(|key| Value::Text(key.clone())));
        return Ok(sqlx::query_as::<_, R>(sqlx::AssertSqlSafe(sql))
            .bind(seller)
            .bind(keys)
            .fetch_all(&mut **tx)
            .await?);
    }
    let mut out = Vec::new();
    for keys in keys.chunks(KEYS_PER_LOOKUP) {
        let keys_placeholders = placeholders(backend, 2, keys.len());
        let sql = format!("{head} WHERE seller_id = ? AND {column} IN ({keys_placeholders}) {tail}");
        let mut query = sqlx::query_as::<_, R>(sqlx::AssertSqlSafe(sql)).bind(seller.to_owned());
        for key in keys {
            query = query.bind(key.clone());
        }
        out.extend(query.fetch_all(&mut **tx).await?);
    }
    Ok(out)
}

/// Texts that serde_json wrote, joined by the unit separator U+001F for
/// `string_to_array($n, chr(31))`: JSON escapes every control character in
/// its strings and writes none outside them, so the separator cannot occur in
/// one, and nothing needs escaping (an array literal would escape every
/// quote of the JSON, and PostgreSQL unescape them).
fn joined(values: Vec<Value>) -> String {
    let mut out = String::new();
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            out.push('\u{1f}');
        }
        if let Value::Text(text) = value {
            out.push_str(&text);
        }
    }
    out
}

/// A PostgreSQL array literal of `values` (`{"a","b\"c",NULL}`), bound as text
/// and cast in the statement (`$1::text[]`): the `Any` driver binds no arrays.
/// Text is quoted with `\` and `"` escaped; bytes are `\x…` hex.
fn array_literal(values: impl IntoIterator<Item = Value>) -> String {
    let mut out = String::from("{");
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match value {
            Value::Text(text) | Value::OptionalText(Some(text)) => {
                out.push('"');
                for c in text.chars() {
                    if c == '"' || c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
            }
            Value::OptionalText(None) => out.push_str("NULL"),
            Value::Int(n) => out.push_str(&n.to_string()),
            Value::Bytes(bytes) => {
                // The element is bytea's hex form `\x…`, its backslash escaped for the array.
                out.push_str("\"\\\\x");
                for byte in bytes {
                    for nibble in [byte >> 4, byte & 0x0f] {
                        out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
                    }
                }
                out.push('"');
            }
        }
    }
    out.push('}');
    out
}

/// Reads, inside `tx` and with a few statements per seller, every subject the
/// events of a batch need to be judged: the subjects already holding their event
/// ids, those holding their tracking numbers, claim or message ids, and their own.
/// [`load_own_subject`] completes what only applying the batch reveals.
pub(crate) async fn prefetch(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    work: &mut Work,
    events: &[Event],
) -> Result<(), StoreError> {
    let mut by_seller: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
    for event in events {
        by_seller.entry(event.seller_id.as_str()).or_default().push(event);
    }
    for (seller, events) in by_seller {
        let ids: Vec<String> = events.iter().map(|e| e.event_id.clone()).collect();
        let mut subjects: Vec<String> =
            select_in::<(String,)>(tx, backend, "SELECT subject FROM events", "event_id", "", seller, &ids)
                .await?
                .into_iter()
                .map(|(s,)| s)
                .collect();
        let references: BTreeSet<(&str, &str)> = events.iter().filter_map(|e| lookup_reference(&e.fact)).collect();
        let kinds: BTreeSet<&str> = references.iter().map(|(kind, _)| *kind).collect();
        for kind in kinds {
            let keys: Vec<String> =
                references.iter().filter(|(k, _)| *k == kind).map(|(_, key)| (*key).to_owned()).collect();
            // `kind` is a FactKind's name (lookup_reference); the index is (seller, kind, ref_key).
            let column = format!("kind = '{kind}' AND ref_key");
            let found: Vec<(String,)> =
                select_in(tx, backend, "SELECT subject FROM events", &column, "", seller, &keys).await?;
            subjects.extend(found.into_iter().map(|(subject,)| subject));
        }
        subjects.extend(events.iter().filter_map(|e| work.book(seller).subject_of(&e.fact)).map(|s| s.key()));
        load(tx, backend, work, seller, subjects).await?;
    }
    Ok(())
}

/// Reads, inside `tx`, the subject `event` belongs to when [`prefetch`] could
/// not know it: a carrier scan's order is known only once the book holds the
/// shipment of its tracking number (loaded by the prefetch, or applied earlier
/// in the batch). Every other lookup of the batch's events is done by then.
pub(crate) async fn load_own_subject(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    work: &mut Work,
    event: &Event,
) -> Result<(), StoreError> {
    let seller = event.seller_id.as_str();
    let Some(own) = work.book(seller).subject_of(&event.fact) else { return Ok(()) };
    load(tx, backend, work, seller, vec![own.key()]).await
}

/// Locks (PostgreSQL) and reads the events of the seller's `subjects` not yet
/// read into the seller's book.
async fn load(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    work: &mut Work,
    seller: &str,
    subjects: Vec<String>,
) -> Result<(), StoreError> {
    let mut fresh: Vec<String> =
        subjects.into_iter().filter(|s| work.loaded.insert((seller.to_owned(), s.clone()))).collect();
    if fresh.is_empty() {
        return Ok(());
    }
    // One order of locking for every writer, so two batches cannot wait on each other.
    fresh.sort();
    if backend == Backend::Postgres {
        // Writers of the same subject queue here; the winner's rows are visible after.
        // (SQLite has one writer at a time and needs no lock.) The locks are
        // advisory, one per seller and bucket of subjects, taken in bucket
        // order, and held to the end of the transaction: nothing is written.
        let mut buckets: Vec<i32> = fresh.iter().map(|subject| subject_bucket(subject)).collect();
        buckets.sort_unstable();
        buckets.dedup();
        // pg_advisory_xact_lock returns void, which the Any driver cannot decode: count the locks.
        sqlx::query(
            "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext($1), bucket) \
             FROM unnest($2::int[]) AS bucket) AS locked",
        )
        .bind(seller)
        .bind(array_literal(buckets.into_iter().map(|b| Value::Int(i64::from(b)))))
        .execute(&mut **tx)
        .await?;
    }
    let mut rows = events_of_subjects(tx, backend, seller, &fresh).await?;
    rows.sort_by_key(|(seq, ..)| *seq);
    for (_, subject, ..) in &rows {
        work.stored.insert((seller.to_owned(), subject.clone()));
    }
    let book = work.book(seller);
    for (_, _, event_id, payload) in rows {
        if book.knows_event(&event_id) {
            continue;
        }
        book.restore(&event_id, &parse_fact(&payload)?);
    }
    Ok(())
}

/// Subjects locked together on PostgreSQL: a writer takes at most this many
/// advisory locks per seller (the server's lock table has room for about
/// 6,400 at default settings, shared by every connection).
const SUBJECT_BUCKETS: u32 = 128;

/// The lock bucket of a subject key: FNV-1a, the same in every process and build.
fn subject_bucket(subject: &str) -> i32 {
    let hash = subject.bytes().fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193));
    // Below SUBJECT_BUCKETS: fits an i32.
    i32::try_from(hash % SUBJECT_BUCKETS).unwrap_or_default()
}

/// Reads a stored fact.
pub(crate) fn parse_fact(payload: &str) -> Result<Fact, StoreError> {
    serde_json::from_str(payload).map_err(|e| StoreError::Corrupt(format!("stored fact {payload:?}: {e}")))
}

/// Judges `event` against the prepared state and folds it in when accepted.
pub(crate) fn apply(work: &mut Work, event: &Event, now: Instant, policy: &Policy) -> Result<Applied, DomainError> {
    let book = work.book(&event.seller_id);
    let applied = book.apply(event, now, policy)?;
    if applied == Applied::Accepted
        && let Some(subject) = book.subject_of(&event.fact)
    {
        work.touched.insert((event.seller_id.clone(), subject.key()), subject.clone());
        work.accepted.push((subject, event.clone()));
    }
    Ok(applied)
}

/// (seller, marketplace, counter, attribution day, effective day).
pub(crate) type CounterKey = (String, String, Counter, i64, i64);

/// The channel server processes sharing a PostgreSQL database LISTEN on: each
/// write transaction notifies `"{origin} {seller}"` for every seller it changed.
pub(crate) const WRITES_CHANNEL: &str = "sellerhealth_writes";

/// Raises the write version of each of `sellers` and, on PostgreSQL, notifies
/// the other processes (delivered at commit); gives each seller's new version.
/// Run it last in the transaction: the version row stays locked from here to
/// the commit, so one seller's versions are raised in commit order.
pub(crate) async fn raise_versions(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    origin: &str,
    sellers: impl IntoIterator<Item = &str>,
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut versions = Vec::new();
    for seller in sellers {
        let (version,): (i64,) = sqlx::query_as(
            "INSERT INTO seller_versions (seller_id, version) VALUES ($1, 1) \
             ON CONFLICT (seller_id) DO UPDATE SET version = seller_versions.version + 1 RETURNING version",
        )
        .bind(seller)
        .fetch_one(&mut **tx)
        .await?;
        versions.push((seller.to_owned(), version));
        if backend == Backend::Postgres {
            // pg_notify returns void, which the Any driver cannot decode: select a number instead.
            sqlx::query("SELECT 1 FROM (SELECT pg_notify($1, $2)) AS notified")
                .bind(WRITES_CHANNEL)
                .bind(format!("{origin} {seller}"))
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(versions)
}

/// A value bound into a multi-row statement.
enum Value {
    Text(String),
    OptionalText(Option<String>),
    Int(i64),
    Bytes(Vec<u8>),
}

/// Inserts `rows`, each a value per column of `types` (PostgreSQL's names:
/// `text`, `bigint`, `bytea`; or `json`, text that serde_json wrote, never
/// empty): on SQLite `head VALUES (?, …), (…) tail`,
/// [`ROWS_PER_INSERT`] rows a statement; on PostgreSQL one statement of fixed
/// shape, `head SELECT * FROM unnest($1::text[], …) tail`, a column an array.
async fn insert_rows(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    head: &str,
    types: &[&str],
    rows: Vec<Vec<Value>>,
    tail: &str,
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    if backend == Backend::Postgres {
        let arrays: Vec<String> = types
            .iter()
            .enumerate()
            .map(|(i, t)| match *t {
                "json" => format!("string_to_array(${}, chr(31))", i.saturating_add(1)),
                t => format!("${}::{t}[]", i.saturating_add(1)),
            })
            .collect();
        let sql = format!("{head} SELECT * FROM unnest({}){tail}", arrays.join(", "));
        let mut columns: Vec<Vec<Value>> = types.iter().map(|_| Vec::with_capacity(rows.len())).collect();
        for row in rows {
            for (column, value) in columns.iter_mut().zip(row) {
                column.push(value);
            }
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (column, t) in columns.into_iter().zip(types) {
            query = query.bind(if *t == "json" { joined(column) } else { array_literal(column) });
        }
        query.execute(&mut **tx).await?;
        return Ok(());
    }
    let width = types.len();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut sql = format!("{head} VALUES ");
        for (r, _) in chunk.iter().enumerate() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            sql.push_str(&placeholders(backend, r.saturating_mul(width).saturating_add(1), width));
            sql.push(')');
        }
        sql.push_str(tail);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in chunk.iter().flatten() {
            query = match value {
                Value::Text(v) => query.bind(v.clone()),
                Value::OptionalText(v) => query.bind(v.clone()),
                Value::Int(v) => query.bind(*v),
                Value::Bytes(v) => query.bind(v.clone()),
            };
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Appends the accepted events to the log.
pub(crate) async fn append(tx: &mut Transaction<'_, Any>, work: &Work, now: Instant) -> Result<(), StoreError> {
    let mut rows = Vec::with_capacity(work.accepted.len());
    for (subject, event) in &work.accepted {
        let payload = serde_json::to_string(&event.fact)
            .map_err(|e| StoreError::Corrupt(format!("cannot encode event {:?}: {e}", event.event_id)))?;
        rows.push(vec![
            Value::Text(event.seller_id.clone()),
            Value::Text(event.event_id.clone()),
            Value::Text(subject.key()),
            Value::Text(event.fact.kind().as_str().to_owned()),
            Value::OptionalText(reference(&event.fact)),
            Value::Text(payload),
            Value::Int(now.timestamp_micros()),
        ]);
    }
    insert_rows(
        tx,
        work.backend,
        "INSERT INTO events (seller_id, event_id, subject, kind, ref_key, payload, ingested_at_us)",
        &["text", "text", "text", "text", "text", "json", "bigint"],
        rows,
        "",
    )
    .await
}

/// What a write queues for the projector, per seller (stored as JSON in
/// `projection_queue.subjects`): the subjects its events touched, split by
/// whether events of theirs were stored before (only those can have stored
/// contributions to take back).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Queued {
    /// Subjects with no event stored before the write.
    pub(crate) new: Vec<String>,
    /// Subjects with events stored before the write.
    pub(crate) changed: Vec<String>,
}

/// Queues the subjects each seller's events touched for the projector, under
/// the seller's new write `versions` (see the `project` module).
pub(crate) async fn queue_projection(
    tx: &mut Transaction<'_, Any>,
    work: &Work,
    versions: &[(String, i64)],
) -> Result<(), StoreError> {
    let mut rows = Vec::with_capacity(versions.len());
    for (seller, version) in versions {
        let mut queued = Queued::default();
        for ((_, key), _) in work.touched.range((seller.clone(), String::new())..).take_while(|((s, _), _)| s == seller)
        {
            let list = if work.stored.contains(&(seller.clone(), key.clone())) {
                &mut queued.changed
            } else {
                &mut queued.new
            };
            list.push(key.clone());
        }
        let subjects = serde_json::to_string(&queued)
            .map_err(|e| StoreError::Corrupt(format!("cannot encode subjects of {seller:?}: {e}")))?;
        rows.push(vec![Value::Text(seller.clone()), Value::Int(*version), Value::Text(subjects)]);
    }
    let head = "INSERT INTO projection_queue (seller_id, version, subjects)";
    insert_rows(tx, work.backend, head, &["text", "bigint", "text"], rows, "").await
}

/// The stored events of the seller's subjects `keys`: (seq, subject, event id, payload).
pub(crate) async fn events_of_subjects(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    seller: &str,
    keys: &[String],
) -> Result<Vec<(i64, String, String, String)>, StoreError> {
    select_in(tx, backend, "SELECT seq, subject, event_id, payload FROM events", "subject", "", seller, keys).await
}

/// The stored contributions of the seller's subjects `keys`: (marketplace, instant, packed changes).
pub(crate) async fn stored_contributions(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    seller: &str,
    keys: &[String],
) -> Result<Vec<(String, i64, Vec<u8>)>, StoreError> {
    select_in(tx, backend, "SELECT marketplace_id, at_ns, changes FROM contributions", "subject", "", seller, keys)
        .await
}

/// Deletes the stored contributions of the seller's subjects `keys`.
pub(crate) async fn delete_contributions(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    seller: &str,
    keys: &[String],
) -> Result<(), StoreError> {
    if keys.is_empty() {
        return Ok(());
    }
    if backend == Backend::Postgres {
        // The rows as `select_in` finds them (see there), deleted by their ctid.
        sqlx::query(
            "DELETE FROM contributions WHERE ctid = ANY(ARRAY(SELECT found.ctid FROM unnest($2::text[]) AS k(key) \
             CROSS JOIN LATERAL (SELECT ctid FROM contributions \
             WHERE seller_id = (SELECT $1::text) AND subject = k.key OFFSET 0) AS found))",
        )
        .bind(seller)
        .bind(array_literal(keys.iter().map(|key| Value::Text(key.clone()))))
        .execute(&mut **tx)
        .await?;
        return Ok(());
    }
    for keys in keys.chunks(KEYS_PER_LOOKUP) {
        let sql = format!(
            "DELETE FROM contributions WHERE seller_id = ? AND subject IN ({})",
            placeholders(backend, 2, keys.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(seller.to_owned());
        for key in keys {
            query = query.bind(key.clone());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Inserts contributions (seller, subject, contribution), one row per seller,
/// subject, marketplace and instant, each counter's deltas summed; counters whose
/// sum is zero are left out.
pub(crate) async fn insert_contributions(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    rows: &[(String, String, Contribution)],
) -> Result<(), StoreError> {
    type RowKey<'a> = (&'a str, &'a str, &'a str, i64);
    let mut grouped: BTreeMap<RowKey<'_>, BTreeMap<(i64, Counter), i64>> = BTreeMap::new();
    for (seller, subject, c) in rows {
        let row = (seller.as_str(), subject.as_str(), c.marketplace_id.as_str(), instant_number(c.at));
        // Counter deltas are counts: saturating only matters for nonsense input.
        let total = grouped.entry(row).or_default().entry((day_number(c.day), c.counter)).or_insert(0);
        *total = total.saturating_add(c.delta);
    }
    let rows = grouped
        .into_iter()
        .filter_map(|((seller, subject, marketplace, at_ns), changes)| {
            let changes: Vec<(Counter, i64, i64)> = changes
                .iter()
                .filter(|(_, delta)| **delta != 0)
                .map(|((day, counter), delta)| (*counter, *day, *delta))
                .collect();
            (!changes.is_empty()).then(|| {
                vec![
                    Value::Text(seller.to_owned()),
                    Value::Text(subject.to_owned()),
                    Value::Text(marketplace.to_owned()),
                    Value::Int(at_ns),
                    Value::Bytes(pack_records(changes)),
                ]
            })
        })
        .collect();
    insert_rows(
        tx,
        backend,
        "INSERT INTO contributions (seller_id, subject, marketplace_id, at_ns, changes)",
        &["text", "text", "text", "bigint", "bytea"],
        rows,
        "",
    )
    .await
}

/// The column types of a `counters` row.
const COUNTER_COLUMNS: &[&str] = &["text", "text", "bigint", "bytea"];

/// Adds each change to its day's counter row, creating rows as needed. The
/// rows are created empty first and then read locked (PostgreSQL), so two
/// writers of one day take turns instead of overwriting each other.
pub(crate) async fn add_to_counters(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    changes: &[(CounterKey, i64)],
) -> Result<(), StoreError> {
    /// Per attribution day: (counter, effective day, delta).
    type DayChanges = BTreeMap<i64, Vec<(Counter, i64, i64)>>;
    let mut by_day: BTreeMap<(&str, &str), DayChanges> = BTreeMap::new();
    for ((seller, marketplace, counter, day, eff_day), delta) in changes {
        by_day.entry((seller, marketplace)).or_default().entry(*day).or_default().push((*counter, *eff_day, *delta));
    }
    for ((seller, marketplace), days) in by_day {
        let rows = days
            .keys()
            .map(|day| {
                vec![
                    Value::Text(seller.to_owned()),
                    Value::Text(marketplace.to_owned()),
                    Value::Int(*day),
                    Value::Bytes(Vec::new()),
                ]
            })
            .collect();
        let head = "INSERT INTO counters (seller_id, marketplace_id, day, totals)";
        insert_rows(tx, backend, head, COUNTER_COLUMNS, rows, " ON CONFLICT DO NOTHING").await?;
        let day_list: Vec<i64> = days.keys().copied().collect();
        let mut stored: BTreeMap<i64, DayTotals> = BTreeMap::new();
        for chunk in day_list.chunks(if backend == Backend::Postgres { day_list.len() } else { KEYS_PER_LOOKUP }) {
            let query = if backend == Backend::Postgres {
                let days = array_literal(chunk.iter().map(|day| Value::Int(*day)));
                sqlx::query_as::<_, (i64, Vec<u8>)>(
                    "SELECT day, totals FROM counters WHERE seller_id = $1 AND marketplace_id = $2 \
                     AND day = ANY($3::bigint[]) ORDER BY day FOR UPDATE",
                )
                .bind(seller.to_owned())
                .bind(marketplace.to_owned())
                .bind(days)
            } else {
                let sql = format!(
                    "SELECT day, totals FROM counters WHERE seller_id = ? AND marketplace_id = ? AND day IN ({}) \
                     ORDER BY day",
                    placeholders(backend, 3, chunk.len()),
                );
                let mut query = sqlx::query_as::<_, (i64, Vec<u8>)>(sqlx::AssertSqlSafe(sql))
                    .bind(seller.to_owned())
                    .bind(marketplace.to_owned());
                for day in chunk {
                    query = query.bind(*day);
                }
                query
            };
            for (day, packed) in query.fetch_all(&mut **tx).await? {
                let totals = unpack_records(&packed)
                    .map(|record| record.map(|(counter, eff_day, total)| ((counter, eff_day), total)))
                    .collect::<Result<DayTotals, StoreError>>()?;
                stored.insert(day, totals);
            }
        }
        let mut rows = Vec::with_capacity(days.len());
        for (day, day_changes) in days {
            let totals = stored.entry(day).or_default();
            for (counter, eff_day, delta) in day_changes {
                let total = totals.entry((counter, eff_day)).or_insert(0);
                *total = total.saturating_add(delta);
            }
            rows.push(vec![
                Value::Text(seller.to_owned()),
                Value::Text(marketplace.to_owned()),
                Value::Int(day),
                Value::Bytes(pack_totals(totals)),
            ]);
        }
        let tail = " ON CONFLICT (seller_id, marketplace_id, day) DO UPDATE SET totals = excluded.totals";
        insert_rows(tx, backend, head, COUNTER_COLUMNS, rows, tail).await?;
    }
    Ok(())
}

/// The secondary key a fact is found by: tracking number, claim, message or review id.
fn reference(fact: &Fact) -> Option<String> {
    let id = match fact {
        Fact::ShipmentConfirmed(s) => Some(s.tracking_number.as_str()),
        Fact::CarrierScan(c) => Some(c.tracking_number.as_str()),
        Fact::AtozClaim(c) => Some(c.claim_id.as_str()),
        Fact::BuyerMessage(m) => Some(m.message_id.as_str()),
        Fact::ProductReview(r) => Some(r.review_id.as_str()),
        Fact::ProductReviewRemoval(r) => Some(r.review_id.as_str()),
        _ => None,
    };
    id.map(str::to_owned)
}
