//! The write path: each event is validated against the state of its subject read
//! inside the transaction (locked on PostgreSQL), and the difference between the
//! subject's contributions before and after is applied to the daily counters in
//! the same transaction.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sellerhealth_domain::{Applied, DomainError, Event, Fact, Instant, Policy, SellerBook, Subject, day_of};
use sellerhealth_metrics::{Contribution, subject_contributions};
use sqlx::{Any, Transaction};

use crate::counters::{counter_key, day_number, instant_number};
use crate::db::Backend;
use crate::error::StoreError;

/// Rows per multi-row INSERT (SQLite allows 32,766 bound values).
const ROWS_PER_INSERT: usize = 500;

/// The state a transaction has read and changed, per seller.
#[derive(Default)]
pub(crate) struct Work {
    books: HashMap<String, SellerBook>,
    loaded: HashSet<(String, String)>,
    touched: BTreeMap<(String, String), Subject>,
    accepted: Vec<(Subject, Event)>,
}

impl Work {
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

/// Reads, inside `tx`, every subject `event` needs to be judged: the subject that
/// already holds its event id, the one holding its tracking number, claim or
/// message id, and its own.
pub(crate) async fn prepare(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    work: &mut Work,
    event: &Event,
) -> Result<(), StoreError> {
    let seller = event.seller_id.as_str();
    let mut subjects = Vec::new();
    if !work.book(seller).knows_event(&event.event_id) {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT subject FROM events WHERE seller_id = $1 AND event_id = $2")
                .bind(seller)
                .bind(&event.event_id)
                .fetch_optional(&mut **tx)
                .await?;
        subjects.extend(row.map(|(s,)| s));
    }
    let reference = match &event.fact {
        Fact::CarrierScan(c) => Some(("shipment_confirmed", &c.tracking_number)),
        Fact::ShipmentConfirmed(s) => Some(("shipment_confirmed", &s.tracking_number)),
        Fact::AtozClaim(c) => Some(("atoz_claim", &c.claim_id)),
        Fact::BuyerMessage(m) => Some(("buyer_message", &m.message_id)),
        _ => None,
    };
    if let Some((kind, key)) = reference {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT subject FROM events WHERE seller_id = $1 AND kind = $2 AND ref_key = $3 LIMIT 1")
                .bind(seller)
                .bind(kind)
                .bind(key)
                .fetch_optional(&mut **tx)
                .await?;
        subjects.extend(row.map(|(s,)| s));
    }
    for subject in subjects {
        load(tx, backend, work, seller, &subject).await?;
    }
    if let Some(own) = work.book(seller).subject_of(&event.fact) {
        load(tx, backend, work, seller, &own.key()).await?;
    }
    Ok(())
}

/// Locks (PostgreSQL) and reads one subject's events into the seller's book, once.
async fn load(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    work: &mut Work,
    seller: &str,
    subject: &str,
) -> Result<(), StoreError> {
    if !work.loaded.insert((seller.to_owned(), subject.to_owned())) {
        return Ok(());
    }
    sqlx::query("INSERT INTO subjects (seller_id, subject, version) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING")
        .bind(seller)
        .bind(subject)
        .execute(&mut **tx)
        .await?;
    if backend == Backend::Postgres {
        // Writers of the same subject queue here; the winner's rows are visible after.
        sqlx::query("SELECT version FROM subjects WHERE seller_id = $1 AND subject = $2 FOR UPDATE")
            .bind(seller)
            .bind(subject)
            .execute(&mut **tx)
            .await?;
    }
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT event_id, payload FROM events WHERE seller_id = $1 AND subject = $2 ORDER BY seq")
            .bind(seller)
            .bind(subject)
            .fetch_all(&mut **tx)
            .await?;
    let book = work.book(seller);
    for (event_id, payload) in rows {
        if book.knows_event(&event_id) {
            continue;
        }
        book.restore(event_id, parse_fact(&payload)?);
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

type CounterKey = (String, String, String, i64, i64);

/// A value bound into a multi-row statement.
enum Value {
    Text(String),
    OptionalText(Option<String>),
    Int(i64),
}

/// Runs `head VALUES ($1, …), (…) tail` for `rows` of `width` values each, with
/// `$n` placeholders (valid on SQLite and PostgreSQL alike).
async fn insert_rows(
    tx: &mut Transaction<'_, Any>,
    head: &str,
    width: usize,
    rows: Vec<Vec<Value>>,
    tail: &str,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut sql = format!("{head} VALUES ");
        for (r, _) in chunk.iter().enumerate() {
            let placeholders: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            sql.push_str(if r == 0 { "(" } else { ", (" });
            sql.push_str(&placeholders.join(", "));
            sql.push(')');
        }
        sql.push_str(tail);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in chunk.iter().flatten() {
            query = match value {
                Value::Text(v) => query.bind(v.clone()),
                Value::OptionalText(v) => query.bind(v.clone()),
                Value::Int(v) => query.bind(*v),
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
            Value::Text(event.fact.kind().to_owned()),
            Value::OptionalText(reference(&event.fact)),
            Value::Text(payload),
            Value::Int(now.timestamp_micros()),
        ]);
    }
    insert_rows(
        tx,
        "INSERT INTO events (seller_id, event_id, subject, kind, ref_key, payload, ingested_at_us)",
        7,
        rows,
        "",
    )
    .await?;

    let mut changes: HashMap<CounterKey, i64> = HashMap::new();
    let mut new_rows: Vec<(String, String, Contribution)> = Vec::new();
    for ((seller, key), subject) in &work.touched {
        let old: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT marketplace_id, counter, day, at_ns, delta FROM contributions WHERE seller_id = $1 AND subject = $2",
        )
        .bind(seller)
        .bind(key)
        .fetch_all(&mut **tx)
        .await?;
        for (marketplace, counter, day, at_ns, delta) in old {
            let eff_day = day_number(day_of(chrono::DateTime::from_timestamp_nanos(at_ns)));
            *changes.entry((seller.clone(), marketplace, counter, day, eff_day)).or_insert(0) -= delta;
        }
        sqlx::query("DELETE FROM contributions WHERE seller_id = $1 AND subject = $2")
            .bind(seller)
            .bind(key)
            .execute(&mut **tx)
            .await?;
        let book = work.books.get(seller).ok_or_else(|| StoreError::Corrupt(format!("no book for {seller:?}")))?;
        for contribution in subject_contributions(book, subject, policy) {
            let counter_key = (
                seller.clone(),
                contribution.marketplace_id.clone(),
                counter_key(contribution.counter),
                day_number(contribution.day),
                day_number(day_of(contribution.at)),
            );
            *changes.entry(counter_key).or_insert(0) += contribution.delta;
            new_rows.push((seller.clone(), key.clone(), contribution));
        }
        sqlx::query("UPDATE subjects SET version = version + 1 WHERE seller_id = $1 AND subject = $2")
            .bind(seller)
            .bind(key)
            .execute(&mut **tx)
            .await?;
    }
    insert_contributions(tx, &new_rows).await?;
    let changes: Vec<(CounterKey, i64)> = changes.into_iter().filter(|(_, delta)| *delta != 0).collect();
    add_to_counters(tx, &changes).await
}

/// Inserts contribution rows (seller, subject, contribution).
pub(crate) async fn insert_contributions(
    tx: &mut Transaction<'_, Any>,
    rows: &[(String, String, Contribution)],
) -> Result<(), StoreError> {
    let rows = rows
        .iter()
        .map(|(seller, subject, c)| {
            vec![
                Value::Text(seller.clone()),
                Value::Text(subject.clone()),
                Value::Text(c.marketplace_id.clone()),
                Value::Text(counter_key(c.counter)),
                Value::Int(day_number(c.day)),
                Value::Int(instant_number(c.at)),
                Value::Int(c.delta),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "INSERT INTO contributions (seller_id, subject, marketplace_id, counter, day, at_ns, delta)",
        7,
        rows,
        "",
    )
    .await
}

/// Adds each change to its counter row, creating rows as needed.
pub(crate) async fn add_to_counters(
    tx: &mut Transaction<'_, Any>,
    changes: &[(CounterKey, i64)],
) -> Result<(), StoreError> {
    let rows = changes
        .iter()
        .map(|((seller, marketplace, counter, day, eff_day), delta)| {
            vec![
                Value::Text(seller.clone()),
                Value::Text(marketplace.clone()),
                Value::Text(counter.clone()),
                Value::Int(*day),
                Value::Int(*eff_day),
                Value::Int(*delta),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "INSERT INTO counters (seller_id, marketplace_id, counter, day, eff_day, total)",
        6,
        rows,
        " ON CONFLICT (seller_id, marketplace_id, counter, day, eff_day) DO UPDATE SET total = counters.total + excluded.total",
    )
    .await
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
