//! Connecting to SQLite or PostgreSQL by URL, and the versioned migrations.

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

use crate::error::StoreError;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (one server process).
    Sqlite,
    /// PostgreSQL (several server processes may share it).
    Postgres,
}

/// Migrations in order; a version, once released, never changes.
const SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_event_log.sql")),
    (2, include_str!("../migrations/sqlite/0002_counters.sql")),
    (3, include_str!("../migrations/sqlite/0003_seller_versions.sql")),
    (4, include_str!("../migrations/sqlite/0004_store_meta.sql")),
    (5, include_str!("../migrations/sqlite/0005_binary_counters.sql")),
];
const POSTGRES: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_schema.sql")),
    (2, include_str!("../migrations/postgres/0002_seller_versions.sql")),
    (3, include_str!("../migrations/postgres/0003_store_meta.sql")),
    (4, include_str!("../migrations/postgres/0004_binary_counters.sql")),
];

/// The PostgreSQL advisory lock key replicas take turns under while creating
/// the migration table (any fixed number; "shmigr" in ASCII).
const MIGRATION_LOCK: i64 = 0x73_68_6d_69_67_72;

/// The PostgreSQL advisory lock a server holds while it rebuilds the counters
/// a migration emptied, so replicas starting together rebuild once ("shrebu").
pub(crate) const REBUILD_LOCK: i64 = 0x73_68_72_65_62_75;

/// Opens a pool on `url` (`sqlite://PATH`, `sqlite::memory:` or `postgres://…`),
/// creating a SQLite file and its directory when missing.
pub(crate) async fn connect(url: &str) -> Result<(AnyPool, Backend), StoreError> {
    install_default_drivers();
    let (backend, url) = if let Some(rest) = url.strip_prefix("sqlite:") {
        let in_memory = rest.starts_with(":memory:");
        if !in_memory {
            let path = rest.trim_start_matches("//");
            let path = path.split('?').next().unwrap_or(path);
            if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Config(format!("cannot create data directory {}: {e}", dir.display())))?;
            }
        }
        let url = if in_memory || url.contains("mode=") {
            url.to_owned()
        } else if url.contains('?') {
            format!("{url}&mode=rwc")
        } else {
            format!("{url}?mode=rwc")
        };
        (Backend::Sqlite, url)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        (Backend::Postgres, url.to_owned())
    } else {
        return Err(StoreError::Config(format!(
            "unsupported database URL {url:?}: expected sqlite://PATH, sqlite::memory: or postgres://…"
        )));
    };
    let in_memory = url.starts_with("sqlite::memory:");
    let pool = AnyPoolOptions::new()
        // An in-memory SQLite database lives in its one connection.
        .max_connections(if in_memory {
            1
        } else if backend == Backend::Sqlite {
            4
        } else {
            16
        })
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .idle_timeout(if in_memory { None } else { Some(Duration::from_secs(600)) })
        .max_lifetime(if in_memory { None } else { Some(Duration::from_secs(3600)) })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL with synchronous commits: an acknowledged write survives a crash.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await?;
    migrate(&pool, backend).await?;
    Ok((pool, backend))
}

/// Applies every migration the database has not seen, each in its own transaction.
async fn migrate(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    if backend == Backend::Postgres {
        // Replicas starting together on a new database would race in CREATE
        // TABLE IF NOT EXISTS (it can fail on pg_type's unique index): one at
        // a time. pg_advisory_xact_lock returns void, which the Any driver
        // cannot decode: select a number instead.
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS locked")
            .bind(MIGRATION_LOCK)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at_us BIGINT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let migrations = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    for &(version, sql) in migrations {
        let mut tx = pool.begin().await?;
        if backend == Backend::Postgres {
            // Several replicas may start at once: one migrates, the others wait.
            sqlx::query("LOCK TABLE schema_migrations IN EXCLUSIVE MODE").execute(&mut *tx).await?;
        }
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

/// Whether a database error is a conflict worth retrying the transaction for:
/// a unique key taken by a concurrent writer, a deadlock, a serialization failure.
pub(crate) fn is_retryable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => {
            matches!(db.code().as_deref(), Some("23505" | "40P01" | "40001" | "2067" | "1555" | "5"))
        }
        _ => false,
    }
}
