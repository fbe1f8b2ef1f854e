//! Replicas starting together on a new PostgreSQL database take turns
//! migrating it: every one opens (an earlier version raced in CREATE TABLE IF
//! NOT EXISTS and one failed on pg_type's unique index). Run with
//! `SELLERHEALTH_TEST_POSTGRES_URL` (CI sets it; the role may create databases).

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
