//! The write path: each event is validated against the state of its subject read
//! inside the transaction (locked on PostgreSQL), and the difference between the
//! subject's contributions before and after is applied to the daily counters in
//! the same transaction.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sellerhealth_domain::{Applied, DomainError, Event, Fact, FactKind, Instant, Policy, SellerBook, Subject};
use sellerhealth_metrics::{Contribution, Counter, subject_contributions};
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
    /// can have stored contributions.
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

/// Runs `SELECT … WHERE seller_id = $1 AND {column} IN (…) {tail}` over `keys`
/// in lists of [`KEYS_PER_LOOKUP`]. `column` may carry further fixed conditions
/// before the column name (`kind = 'x' AND ref_key`).
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
    let mut out = Vec::new();
    for keys in keys.chunks(KEYS_PER_LOOKUP) {
        let seller_placeholder = placeholders(backend, 1, 1);
        let keys_placeholders = placeholders(backend, 2, keys.len());
        let sql = format!("{head} WHERE seller_id = {seller_placeholder} AND {column} IN ({keys_placeholders}) {tail}");
        let mut query = sqlx::query_as::<_, R>(sqlx::AssertSqlSafe(sql)).bind(seller.to_owned());
        for key in keys {
            query = query.bind(key.clone());
        }
        out.extend(query.fetch_all(&mut **tx).await?);
    }
    Ok(out)
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
        // (SQLite has one writer at a time and needs no row to lock.)
        let rows = fresh.iter().map(|s| vec![Value::Text(seller.to_owned()), Value::Text(s.clone())]).collect();
        insert_rows(tx, backend, "INSERT INTO subjects (seller_id, subject)", 2, rows, " ON CONFLICT DO NOTHING")
            .await?;
        let _: Vec<(String,)> = select_in(
            tx,
            backend,
            "SELECT subject FROM subjects",
            "subject",
            "ORDER BY subject FOR UPDATE",
            seller,
            &fresh,
        )
        .await?;
    }
    let mut rows: Vec<(i64, String, String, String)> =
        select_in(tx, backend, "SELECT seq, subject, event_id, payload FROM events", "subject", "", seller, &fresh)
            .await?;
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
/// the other processes (delivered at commit). Run it last in the transaction:
/// the version row stays locked from here to the commit.
pub(crate) async fn raise_versions(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    origin: &str,
    sellers: impl IntoIterator<Item = &str>,
) -> Result<(), StoreError> {
    for seller in sellers {
        sqlx::query(
            "INSERT INTO seller_versions (seller_id, version) VALUES ($1, 1) \
             ON CONFLICT (seller_id) DO UPDATE SET version = seller_versions.version + 1",
        )
        .bind(seller)
        .execute(&mut **tx)
        .await?;
        if backend == Backend::Postgres {
            // pg_notify returns void, which the Any driver cannot decode: select a number instead.
            sqlx::query("SELECT 1 FROM (SELECT pg_notify($1, $2)) AS notified")
                .bind(WRITES_CHANNEL)
                .bind(format!("{origin} {seller}"))
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// A value bound into a multi-row statement.
enum Value {
    Text(String),
    OptionalText(Option<String>),
    Int(i64),
    Bytes(Vec<u8>),
}

/// Runs `head VALUES ($1, …), (…) tail` for `rows` of `width` values each, with
/// `$n` placeholders (valid on SQLite and PostgreSQL alike).
async fn insert_rows(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    head: &str,
    width: usize,
    rows: Vec<Vec<Value>>,
    tail: &str,
) -> Result<(), StoreError> {
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

/// Writes the accepted events, each touched subject's new contributions, and the
/// counters' changes.
pub(crate) async fn commit(
    tx: &mut Transaction<'_, Any>,
    work: &Work,
    policy: &Policy,
    now: Instant,
) -> Result<(), StoreError> {
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
        7,
        rows,
        "",
    )
    .await?;

    let mut changes: HashMap<CounterKey, i64> = HashMap::new();
    let mut new_rows: Vec<(String, String, Contribution)> = Vec::new();
    let mut by_seller: BTreeMap<&str, Vec<(&String, &Subject)>> = BTreeMap::new();
    for ((seller, key), subject) in &work.touched {
        by_seller.entry(seller.as_str()).or_default().push((key, subject));
    }
    for (seller, subjects) in by_seller {
        let keys: Vec<String> = subjects
            .iter()
            .filter(|(key, _)| work.stored.contains(&(seller.to_owned(), (*key).clone())))
            .map(|(key, _)| (*key).clone())
            .collect();
        let old: Vec<(String, i64, Vec<u8>)> = select_in(
            tx,
            work.backend,
            "SELECT marketplace_id, at_ns, changes FROM contributions",
            "subject",
            "",
            seller,
            &keys,
        )
        .await?;
        for (marketplace, at_ns, packed) in old {
            let at = chrono::DateTime::from_timestamp_nanos(at_ns);
            let eff_day = day_number(policy.calendar(&marketplace).day_of(at));
            for record in unpack_records(&packed) {
                let (counter, day, delta) = record?;
                let key = (seller.to_owned(), marketplace.clone(), counter, day, eff_day);
                // Counter deltas are counts: saturating only matters for nonsense input.
                let change = changes.entry(key).or_insert(0);
                *change = change.saturating_sub(delta);
            }
        }
        for keys in keys.chunks(KEYS_PER_LOOKUP) {
            let sql = format!(
                "DELETE FROM contributions WHERE seller_id = {} AND subject IN ({})",
                placeholders(work.backend, 1, 1),
                placeholders(work.backend, 2, keys.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(seller.to_owned());
            for key in keys {
                query = query.bind(key.clone());
            }
            query.execute(&mut **tx).await?;
        }
        let book = work.books.get(seller).ok_or_else(|| StoreError::Corrupt(format!("no book for {seller:?}")))?;
        for (key, subject) in subjects {
            for contribution in subject_contributions(book, subject, policy) {
                let counter_key = (
                    seller.to_owned(),
                    contribution.marketplace_id.clone(),
                    contribution.counter,
                    day_number(contribution.day),
                    day_number(policy.calendar(&contribution.marketplace_id).day_of(contribution.at)),
                );
                let change = changes.entry(counter_key).or_insert(0);
                *change = change.saturating_add(contribution.delta);
                new_rows.push((seller.to_owned(), key.clone(), contribution));
            }
        }
    }
    insert_contributions(tx, work.backend, &new_rows).await?;
    let changes: Vec<(CounterKey, i64)> = changes.into_iter().filter(|(_, delta)| *delta != 0).collect();
    add_to_counters(tx, work.backend, &changes).await
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
        5,
        rows,
        "",
    )
    .await
}

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
        insert_rows(tx, backend, head, 4, rows, " ON CONFLICT DO NOTHING").await?;
        let day_list: Vec<i64> = days.keys().copied().collect();
        let mut stored: BTreeMap<i64, DayTotals> = BTreeMap::new();
        for chunk in day_list.chunks(KEYS_PER_LOOKUP) {
            let sql = format!(
                "SELECT day, totals FROM counters WHERE seller_id = {} AND marketplace_id = {} AND day IN ({}) \
                 ORDER BY day{}",
                placeholders(backend, 1, 1),
                placeholders(backend, 2, 1),
                placeholders(backend, 3, chunk.len()),
                if backend == Backend::Postgres { " FOR UPDATE" } else { "" },
            );
            let mut query = sqlx::query_as::<_, (i64, Vec<u8>)>(sqlx::AssertSqlSafe(sql))
                .bind(seller.to_owned())
                .bind(marketplace.to_owned());
            for day in chunk {
                query = query.bind(*day);
            }
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
        insert_rows(tx, backend, head, 4, rows, tail).await?;
    }
    Ok(())
}

/// The secondary key a fact is found by: tracking number, claim, message or review id.
fn reference(fact: &Fact) -> Option<String> {
    match fact {
        Fact::ShipmentConfirmed(s) => Some(s.tracking_number.clone()),
        Fact::CarrierScan(c) => Some(c.tracking_number.clone()),
        Fact::AtozClaim(c) => Some(c.claim_id.clone()),
        Fact::BuyerMessage(m) => Some(m.message_id.clone()),
        Fact::ProductReview(r) => Some(r.review_id.clone()),
        Fact::ProductReviewRemoval(r) => Some(r.review_id.clone()),
        _ => None,
    }
}
