//! Replicas starting together on a new PostgreSQL database take turns
//! migrating it: every one opens (an earlier version raced in CREATE TABLE IF
//! NOT EXISTS and one failed on pg_type's unique index). Run with
//! `SELLERHEALTH_TEST_POSTGRES_URL` (CI sets it; the role may create databases).
//! Likewise a database migrated before sqlx's migrator ran the migrations.

#![allow(clippy::unwrap_used)]

use sellerhealth_domain::Policy;
use sellerhealth_store::Store;
use sqlx::{Connection, Executor, PgConnection};

fn with_database(url: &str, database: &str) -> String {
    let (server, _) = url.rsplit_once('/').unwrap();
    format!("{server}/{database}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: export SELLERHEALTH_TEST_POSTGRES_URL (.ci/postgres prints one), then cargo test --workspace -- --ignored"]
async fn stores_opening_together_on_a_new_database_all_open() {
    let url = std::env::var("SELLERHEALTH_TEST_POSTGRES_URL").unwrap_or_default();
    assert!(!url.is_empty(), "SELLERHEALTH_TEST_POSTGRES_URL is not set");
    let mut admin = PgConnection::connect(&with_database(&url, "postgres")).await.unwrap();
    for round in 0..5 {
        let database = format!("sellerhealth_start_{}_{round}", std::process::id());
        admin.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {database}"))).await.unwrap();
        admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}"))).await.unwrap();
        let fresh = with_database(&url, &database);
        let opening: Vec<_> = (0..6)
            .map(|_| {
                let fresh = fresh.clone();
                tokio::spawn(async move { Store::open(&fresh, Policy::amazon()).await.map(drop) })
            })
            .collect();
        for store in opening {
            store.await.unwrap().unwrap();
        }
        admin.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE {database} WITH (FORCE)"))).await.unwrap();
    }
}

/// A PostgreSQL database migrated before sqlx's migrator ran the migrations
/// (versions in `schema_migrations`, schema 2) opens: 1 and 2 are recorded in
/// `_sqlx_migrations` without running again, 3 to 5 are applied, the old
/// table is gone, and the facts stored before are still there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: export SELLERHEALTH_TEST_POSTGRES_URL (.ci/postgres prints one), then cargo test --workspace -- --ignored"]
async fn migrations_recorded_in_schema_migrations_are_taken_over_by_sqlx() {
    const SCHEMA_2: [&str; 2] = [
        include_str!("../migrations/postgres/0001_schema.sql"),
        include_str!("../migrations/postgres/0002_seller_versions.sql"),
    ];
    let url = std::env::var("SELLERHEALTH_TEST_POSTGRES_URL").unwrap_or_default();
    assert!(!url.is_empty(), "SELLERHEALTH_TEST_POSTGRES_URL is not set");
    let mut admin = PgConnection::connect(&with_database(&url, "postgres")).await.unwrap();
    let database = format!("sellerhealth_adopt_{}", std::process::id());
    admin.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {database}"))).await.unwrap();
    admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}"))).await.unwrap();
    let old = with_database(&url, &database);
    let mut conn = PgConnection::connect(&old).await.unwrap();
    sqlx::raw_sql("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at_us BIGINT NOT NULL)")
        .execute(&mut conn)
        .await
        .unwrap();
    for (version, sql) in (1_i64..).zip(SCHEMA_2) {
        sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        sqlx::query("INSERT INTO schema_migrations VALUES ($1, 0)").bind(version).execute(&mut conn).await.unwrap();
    }
    sqlx::raw_sql("INSERT INTO seller_versions VALUES ('old-seller', 7)").execute(&mut conn).await.unwrap();

    let opening: Vec<_> = (0..3)
        .map(|_| {
            let old = old.clone();
            tokio::spawn(async move { Store::open(&old, Policy::amazon()).await })
        })
        .collect();
    for store in opening {
        let store = store.await.unwrap().unwrap();
        assert_eq!(store.version("old-seller").await.unwrap(), 7);
    }
    let recorded: Vec<(i64, bool, Vec<u8>)> =
        sqlx::query_as("SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(recorded.iter().map(|(v, ..)| *v).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
    assert!(recorded.iter().all(|(_, success, checksum)| *success && checksum.len() == 48), "{recorded:?}");
    let (left,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(left, 0);
    conn.close().await.unwrap();
    admin.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE {database} WITH (FORCE)"))).await.unwrap();
}
