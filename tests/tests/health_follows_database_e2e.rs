//! The health service follows the database: NOT_SERVING while PostgreSQL does
//! not answer for the server's database, SERVING again once it does (what
//! readiness probes see), while the `liveness` name stays SERVING (what liveness
//! probes see). PostgreSQL only: skipped, saying why, without
//! `SELLERHEALTH_TEST_POSTGRES_URL`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, Instant};

use common::{Server, postgres_url};
use sqlx::{Connection, PgConnection};
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// `url` with its database name replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{database}")
}

/// Runs one administrative statement (names built here, not from input).
async fn run(admin: &mut PgConnection, sql: String) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(admin).await.unwrap();
}

async fn status(channel: &Channel) -> i32 {
    status_of(channel, "sellerhealth.v1.AccountHealthService").await
}

async fn status_of(channel: &Channel, service: &str) -> i32 {
    let request = HealthCheckRequest { service: service.into() };
    HealthClient::new(channel.clone()).check(request).await.unwrap().into_inner().status
}

async fn wait_for(channel: &Channel, wanted: ServingStatus) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while status(channel).await != wanted as i32 {
        assert!(Instant::now() < deadline, "health did not become {wanted:?} within 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: export SELLERHEALTH_TEST_POSTGRES_URL (.ci/postgres prints one), then cargo test --workspace -- --ignored"]
async fn health_turns_not_serving_while_the_database_is_gone() {
    let Some(url) = postgres_url("health_turns_not_serving_while_the_database_is_gone") else { return };
    let database = format!("sellerhealth_health_{}", std::process::id());
    let mut admin = PgConnection::connect(&with_database(&url, "postgres")).await.unwrap();
    run(&mut admin, format!("DROP DATABASE IF EXISTS {database}")).await;
    run(&mut admin, format!("CREATE DATABASE {database}")).await;

    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(data.path(), &["--database-url", &with_database(&url, &database)]).await;
    let channel = server.channel().await;
    assert_eq!(status(&channel).await, ServingStatus::Serving as i32);

    // The database disappears (its connections are ended): NOT_SERVING for
    // readiness (`""` too), while liveness says the process is alive (issue 19:
    // a database outage must not restart every pod).
    run(&mut admin, format!("DROP DATABASE {database} WITH (FORCE)")).await;
    wait_for(&channel, ServingStatus::NotServing).await;
    assert_eq!(status_of(&channel, "").await, ServingStatus::NotServing as i32);
    assert_eq!(status_of(&channel, "liveness").await, ServingStatus::Serving as i32);
    // It is back: SERVING.
    run(&mut admin, format!("CREATE DATABASE {database}")).await;
    wait_for(&channel, ServingStatus::Serving).await;

    drop(channel);
    server.stop().await;
    run(&mut admin, format!("DROP DATABASE {database} WITH (FORCE)")).await;
}
