//! A SQLite database written by the version-1 schema (event log only) opens under
//! the current schema with every fact carried over and counters computed; one
//! whose migrations were recorded in the old `schema_migrations` table has them
//! recorded in sqlx's `_sqlx_migrations`; one whose applied migration changed
//! since is refused. One of the schema before the projection queue (SQLite 5,
//! PostgreSQL 4) keeps its counters, and the projector maintains them from there.

#![allow(clippy::unwrap_used)]

mod common;

use chrono::{Duration, TimeZone, Utc};
use sellerhealth_domain::*;
use sellerhealth_metrics::{Counter, counter_parameters, evaluate_book};
use sellerhealth_store::Store;
use sqlx::{Connection, SqliteConnection};

const VERSION_1: &str = include_str!("../migrations/sqlite/0001_event_log.sql");

fn order(n: u32) -> Event {
    let purchased_at = Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap() + Duration::days(i64::from(n));
    Event {
        event_id: format!("order-{n}"),
        seller_id: "old-seller".into(),
        fact: Fact::Order(Order {
            order_id: format!("o{n}").into(),
            marketplace_id: "US".into(),
            purchased_at,
            fulfillment_channel: FulfillmentChannel::Mfn,
            latest_ship_at: purchased_at + Duration::days(2),
            promised_delivery_earliest_at: None,
            promised_delivery_latest_at: None,
            units: 1,
            business_order: false,
            shipping_unknown: false,
        }),
    }
}

/// The migration versions sqlx's table records (each with a 48-byte SHA-384
/// checksum), and whether the old `schema_migrations` table is still there.
async fn migrations_recorded(conn: &mut SqliteConnection) -> (Vec<i64>, bool) {
    let recorded: Vec<(i64, bool, Vec<u8>)> =
        sqlx::query_as("SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    assert!(recorded.iter().all(|(_, success, checksum)| *success && checksum.len() == 48), "{recorded:?}");
    let old: Option<(String,)> = sqlx::query_as("SELECT name FROM sqlite_master WHERE name = 'schema_migrations'")
        .fetch_optional(&mut *conn)
        .await
        .unwrap();
    (recorded.into_iter().map(|(version, ..)| version).collect(), old.is_some())
}

#[tokio::test]
async fn a_migration_changed_since_it_was_applied_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("changed.db").display());
    drop(Store::open(&url, Policy::amazon()).await.unwrap());
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    assert_eq!(migrations_recorded(&mut conn).await, (vec![1, 2, 3, 4, 5, 6, 7], false));
    // As if migration 3's SQL had been edited after this database applied it.
    sqlx::query("UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 3").execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    let refused = Store::open(&url, Policy::amazon()).await.err().unwrap();
    assert!(matches!(refused, sellerhealth_store::StoreError::Config(_)), "{refused}");
    let message = refused.to_string();
    assert!(message.contains("do not match this version of sellerhealth"), "{message}");
    assert!(message.contains("migration 3"), "{message}");
}

#[tokio::test]
async fn a_version_1_event_log_is_carried_into_the_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    let mut events: Vec<Event> = (0..3).map(order).collect();
    events.push(Event {
        event_id: "feedback-1".into(),
        seller_id: "old-seller".into(),
        fact: Fact::SellerFeedback(SellerFeedback {
            order_id: "o1".into(),
            left_at: Utc.with_ymd_and_hms(2026, 3, 9, 0, 0, 0).unwrap(),
            stars: 1,
            comment: "never arrived".into(),
            fulfillment_related: false,
        }),
    });

    // What a version-1 server left on disk.
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.unwrap();
    sqlx::raw_sql(
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at_us BIGINT NOT NULL); \
         INSERT INTO schema_migrations VALUES (1, 0);",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::raw_sql(VERSION_1).execute(&mut conn).await.unwrap();
    for event in &events {
        sqlx::query(
            "INSERT INTO events (seller_id, event_id, kind, payload, ingested_at_us) VALUES ($1, $2, $3, $4, 0)",
        )
        .bind(&event.seller_id)
        .bind(&event.event_id)
        .bind(event.fact.kind().as_str())
        .bind(serde_json::to_string(&event.fact).unwrap())
        .execute(&mut conn)
        .await
        .unwrap();
    }
    conn.close().await.unwrap();

    let now = Utc.with_ymd_and_hms(2026, 4, 20, 0, 0, 0).unwrap();
    let policy = Policy::amazon();
    let store = Store::open(&format!("sqlite://{}", path.display()), policy.clone()).await.unwrap();
    let stored = common::report(&store, "old-seller", "US", now).await.unwrap();
    // 3 MFN orders purchased 1–3 March, one with negative feedback: ODR 1/3.
    assert_eq!(stored.order_defect_rate_mfn.rate.numerator, 1);
    assert_eq!(stored.order_defect_rate_mfn.rate.denominator, 3);
    let mut book = SellerBook::new("old-seller");
    for event in &events {
        book.apply(event, now, &policy).unwrap();
    }
    assert_eq!(stored, evaluate_book(&book, &policy, "US", now));

    // The old table is gone, the same facts are duplicates now, counters equal a rebuild.
    let incremental = store.counter_totals("old-seller").await.unwrap();
    store.rebuild(|_, _| {}).await.unwrap();
    assert_eq!(store.counter_totals("old-seller").await.unwrap(), incremental);
    assert_eq!(store.ingest_batch(&events, now).await.unwrap().duplicates, 4);
    drop(store);
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    // Version 1, recorded in the old table, is recorded in sqlx's; 2–7 were applied by it.
    assert_eq!(migrations_recorded(&mut conn).await, (vec![1, 2, 3, 4, 5, 6, 7], false));
    let old: Option<(String,)> = sqlx::query_as("SELECT name FROM sqlite_master WHERE name = 'events_v1'")
        .fetch_optional(&mut conn)
        .await
        .unwrap();
    assert_eq!(old, None);
}

#[tokio::test]
async fn text_counters_of_schema_4_are_rebuilt_in_the_binary_form_before_serving() {
    const SCHEMA_4: [&str; 4] = [
        include_str!("../migrations/sqlite/0001_event_log.sql"),
        include_str!("../migrations/sqlite/0002_counters.sql"),
        include_str!("../migrations/sqlite/0003_seller_versions.sql"),
        include_str!("../migrations/sqlite/0004_store_meta.sql"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v4.db");
    let url = format!("sqlite://{}", path.display());
    let events: Vec<Event> = (0..3).map(order).collect();

    let policy = Policy::amazon();
    // What a schema-4 server left on disk: the log, and counters as text.
    let mut conn = SqliteConnection::connect(&format!("{url}?mode=rwc")).await.unwrap();
    sqlx::raw_sql("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at_us BIGINT NOT NULL)")
        .execute(&mut conn)
        .await
        .unwrap();
    for (version, sql) in (1..).zip(SCHEMA_4) {
        sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        sqlx::query("INSERT INTO schema_migrations VALUES ($1, 0)").bind(version).execute(&mut conn).await.unwrap();
    }
    sqlx::raw_sql("DROP TABLE events_v1").execute(&mut conn).await.unwrap();
    for event in &events {
        let Fact::Order(o) = &event.fact else { unreachable!() };
        sqlx::query(
            "INSERT INTO events (seller_id, event_id, subject, kind, payload, ingested_at_us) \
             VALUES ($1, $2, $3, 'order', $4, 0)",
        )
        .bind(&event.seller_id)
        .bind(&event.event_id)
        .bind(format!("order:{}", o.order_id))
        .bind(serde_json::to_string(&event.fact).unwrap())
        .execute(&mut conn)
        .await
        .unwrap();
    }
    sqlx::raw_sql(
        "INSERT INTO counters VALUES ('old-seller', 'US', 20513, '20513 1 {\"Orders\":\"MFN\"}'); \
         INSERT INTO seller_versions VALUES ('old-seller', 3);",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query("INSERT INTO store_meta VALUES ('counter_parameters', $1)")
        .bind(counter_parameters(&policy))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let store = Store::open(&url, policy.clone()).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 4, 20, 0, 0, 0).unwrap();
    let mut book = SellerBook::new("old-seller");
    for event in &events {
        book.apply(event, now, &policy).unwrap();
    }
    let stored = common::report(&store, "old-seller", "US", now).await.unwrap();
    assert_eq!(stored.order_defect_rate_mfn.rate.denominator, 3);
    assert_eq!(stored, evaluate_book(&book, &policy, "US", now));
    // One order on each of 1–3 March, each effective on its purchase day.
    let orders: Vec<_> = store
        .counter_totals("old-seller")
        .await
        .unwrap()
        .into_iter()
        .filter(|(_, counter, ..)| *counter == Counter::Orders(FulfillmentChannel::Mfn))
        .map(|(_, _, day, eff_day, total)| (day.to_string(), eff_day.to_string(), total))
        .collect();
    let day = |d: u32| format!("2026-03-0{d}");
    assert_eq!(orders, [(day(1), day(1), 1), (day(2), day(2), 1), (day(3), day(3), 1)]);
    drop(store);

    // The rebuild cleared its mark: the next start does not rebuild again.
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    assert_eq!(migrations_recorded(&mut conn).await, (vec![1, 2, 3, 4, 5, 6, 7], false));
    let mark: Option<(String,)> = sqlx::query_as("SELECT value FROM store_meta WHERE name = 'counters_to_rebuild'")
        .fetch_optional(&mut conn)
        .await
        .unwrap();
    assert_eq!(mark, None);
}

/// Three MFN orders and a 1-star feedback on o1: ODR 1/3 in March.
fn events_before_the_queue() -> Vec<Event> {
    let mut events: Vec<Event> = (0..3).map(order).collect();
    events.push(feedback("feedback-1", "o1", 9));
    events
}

fn feedback(event_id: &str, order_id: &str, day: u32) -> Event {
    Event {
        event_id: event_id.into(),
        seller_id: "old-seller".into(),
        fact: Fact::SellerFeedback(SellerFeedback {
            order_id: order_id.into(),
            left_at: Utc.with_ymd_and_hms(2026, 3, day, 0, 0, 0).unwrap(),
            stars: 1,
            comment: String::new(),
            fulfillment_related: false,
        }),
    }
}

/// Opens `url` after `before` (what the schema before the projection queue
/// left, counters up to date), checks the counters were kept, writes a
/// feedback on an order stored before (whose stored contributions the
/// projector must take back), and checks the report against the stateless
/// path and the counters against a rebuild.
async fn upgraded_from_the_schema_before_the_queue(url: &str, before: Vec<(String, Counter, Day, Day, i64)>) {
    let now = Utc.with_ymd_and_hms(2026, 4, 20, 0, 0, 0).unwrap();
    let policy = Policy::amazon();
    let store = Store::open(url, policy.clone()).await.unwrap();
    assert_eq!(store.queued_projections().await.unwrap(), 0);
    assert_eq!(store.counter_totals("old-seller").await.unwrap(), before);
    let later = feedback("feedback-2", "o2", 10);
    assert_eq!(store.ingest_batch(std::slice::from_ref(&later), now).await.unwrap().accepted, 1);
    let stored = common::report(&store, "old-seller", "US", now).await.unwrap();
    assert_eq!((stored.order_defect_rate_mfn.rate.numerator, stored.order_defect_rate_mfn.rate.denominator), (2, 3));
    let mut book = SellerBook::new("old-seller");
    for event in events_before_the_queue().iter().chain([&later]) {
        book.apply(event, now, &policy).unwrap();
    }
    assert_eq!(stored, evaluate_book(&book, &policy, "US", now));
    let incremental = store.counter_totals("old-seller").await.unwrap();
    store.rebuild(|_, _| {}).await.unwrap();
    assert_eq!(store.counter_totals("old-seller").await.unwrap(), incremental);
}

/// A store of this version with its counters projected, then its migration
/// `version` (the projection queue) taken back as if never applied, with
/// `undo` (SQL): what a server of the schema before left on disk.
async fn schema_before_the_queue(url: &str, undo: &str, version: i64) -> Vec<(String, Counter, Day, Day, i64)> {
    let now = Utc.with_ymd_and_hms(2026, 4, 20, 0, 0, 0).unwrap();
    let store = Store::open(url, Policy::amazon()).await.unwrap();
    store.ingest_batch(&events_before_the_queue(), now).await.unwrap();
    let before = store.counter_totals("old-seller").await.unwrap();
    assert_eq!(store.queued_projections().await.unwrap(), 0);
    drop(store);
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(undo.to_owned())).execute(&pool).await.unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1").bind(version).execute(&pool).await.unwrap();
    pool.close().await;
    before
}

#[tokio::test]
async fn counters_of_schema_6_are_kept_and_the_projector_maintains_them() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("v6.db").display());
    let before = schema_before_the_queue(&url, "DROP TABLE projection_queue", 7).await;
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    assert_eq!(migrations_recorded(&mut conn).await, (vec![1, 2, 3, 4, 5, 6], false));
    conn.close().await.unwrap();
    upgraded_from_the_schema_before_the_queue(&url, before).await;
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    assert_eq!(migrations_recorded(&mut conn).await, (vec![1, 2, 3, 4, 5, 6, 7], false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: export SELLERHEALTH_TEST_POSTGRES_URL (.ci/postgres prints one), then cargo test --workspace -- --ignored"]
async fn counters_of_postgres_schema_5_are_kept_and_the_projector_maintains_them() {
    use sqlx::{Executor, PgConnection};
    let url = std::env::var("SELLERHEALTH_TEST_POSTGRES_URL").unwrap_or_default();
    assert!(!url.is_empty(), "SELLERHEALTH_TEST_POSTGRES_URL is not set");
    sqlx::any::install_default_drivers();
    let (server, _) = url.rsplit_once('/').unwrap();
    let mut admin = PgConnection::connect(&format!("{server}/postgres")).await.unwrap();
    let database = format!("sellerhealth_schema5_{}", std::process::id());
    admin.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {database}"))).await.unwrap();
    admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}"))).await.unwrap();
    let old = format!("{server}/{database}");
    // Schema 5 had a `subjects` table (a row lock per subject) and no queue.
    let undo = "DROP TABLE projection_queue; \
                CREATE TABLE subjects (seller_id TEXT NOT NULL, subject TEXT NOT NULL, PRIMARY KEY (seller_id, subject))";
    let before = schema_before_the_queue(&old, undo, 6).await;
    upgraded_from_the_schema_before_the_queue(&old, before).await;
    let mut conn = PgConnection::connect(&old).await.unwrap();
    let recorded: Vec<(i64,)> =
        sqlx::query_as("SELECT version FROM _sqlx_migrations ORDER BY version").fetch_all(&mut conn).await.unwrap();
    assert_eq!(recorded, [(1,), (2,), (3,), (4,), (5,), (6,)]);
    let (subjects,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM information_schema.tables WHERE table_name = 'subjects'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(subjects, 0);
    conn.close().await.unwrap();
    admin.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE {database} WITH (FORCE)"))).await.unwrap();
}
