//! Schema migrations, versioned in the repository and applied at start-up.

use sqlx::SqlitePool;

use crate::error::StoreError;

/// SQLite migrations in order; a version, once released, never changes.
const SQLITE: &[(i64, &str)] = &[(1, include_str!("../migrations/sqlite/0001_event_log.sql"))];

/// Applies every migration the database has not seen, each in its own transaction.
pub(crate) async fn run(pool: &SqlitePool) -> Result<(), StoreError> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at_us BIGINT NOT NULL)",
    )
    .execute(pool)
    .await?;
    for &(version, sql) in SQLITE {
        let mut tx = pool.begin().await?;
        let seen: Option<(i64,)> = sqlx::query_as("SELECT version FROM schema_migrations WHERE version = $1")
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?;
        if seen.is_some() {
            continue;
        }
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_migrations (version, applied_at_us) VALUES ($1, $2)")
            .bind(version)
            .bind(chrono::Utc::now().timestamp_micros())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version, "applied schema migration");
    }
    Ok(())
}
