//! Connecting to SQLite or PostgreSQL by URL, and the migrations, run by
//! sqlx's migrator (its `_sqlx_migrations` table, checksums and lock).

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::{Migrate, Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Executor, SqlStr};

use crate::error::StoreError;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (one server process).
    Sqlite,
    /// PostgreSQL (several server processes may share it).
    Postgres,
}

/// Migrations in order: (version, description, SQL). A version, once
/// released, never changes: sqlx's migrator refuses a database whose applied
/// migration's checksum differs from the one here.
const SQLITE: &[(i64, &str, &str)] = &[
    (1, "event log", include_str!("../migrations/sqlite/0001_event_log.sql")),
    (2, "counters", include_str!("../migrations/sqlite/0002_counters.sql")),
    (3, "seller versions", include_str!("../migrations/sqlite/0003_seller_versions.sql")),
    (4, "store meta", include_str!("../migrations/sqlite/0004_store_meta.sql")),
    (5, "binary counters", include_str!("../migrations/sqlite/0005_binary_counters.sql")),
    (6, "local days", include_str!("../migrations/sqlite/0006_local_days.sql")),
    (7, "projection queue", include_str!("../migrations/sqlite/0007_projection_queue.sql")),
];
const POSTGRES: &[(i64, &str, &str)] = &[
    (1, "schema", include_str!("../migrations/postgres/0001_schema.sql")),
    (2, "seller versions", include_str!("../migrations/postgres/0002_seller_versions.sql")),
    (3, "store meta", include_str!("../migrations/postgres/0003_store_meta.sql")),
    (4, "binary counters", include_str!("../migrations/postgres/0004_binary_counters.sql")),
    (5, "local days", include_str!("../migrations/postgres/0005_local_days.sql")),
    (6, "projection queue", include_str!("../migrations/postgres/0006_projection_queue.sql")),
];

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

/// sqlx's migrator over the backend's migrations: each applied in its own
/// transaction and recorded with its checksum in `_sqlx_migrations`, under
/// a lock on PostgreSQL (replicas starting together take turns).
fn migrator(backend: Backend) -> Migrator {
    let migrations = match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    Migrator::with_migrations(
        migrations
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(version, description.into(), MigrationType::Simple, SqlStr::from_static(sql), false)
            })
            .collect(),
    )
}

/// Applies every migration the database has not seen.
async fn migrate(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    let migrator = migrator(backend);
    adopt_schema_migrations(pool, backend, &migrator).await?;
    migrator.run(pool).await.map_err(migrate_error)
}

/// Databases migrated before sqlx's migrator ran them record their versions in
/// `schema_migrations` (same numbers, same SQL): record those as applied in
/// sqlx's table, with their checksums, and drop the old table. Under the
/// migrator's lock, and repeatable: a crash half-way leaves the old table,
/// and the next start records what is missing.
async fn adopt_schema_migrations(pool: &AnyPool, backend: Backend, migrator: &Migrator) -> Result<(), StoreError> {
    let exists = match backend {
        Backend::Sqlite => "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        Backend::Postgres => {
            "SELECT count(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
        }
    };
    let (found,): (i64,) = sqlx::query_as(exists).fetch_one(pool).await?;
    if found == 0 {
        return Ok(());
    }
    let mut conn = pool.acquire().await?;
    conn.lock().await.map_err(migrate_error)?;
    let adopted = adopt_locked(&mut conn, migrator).await;
    conn.unlock().await.map_err(migrate_error)?;
    adopted
}

async fn adopt_locked(conn: &mut sqlx::AnyConnection, migrator: &Migrator) -> Result<(), StoreError> {
    // Another replica may have adopted them while this one waited for the lock.
    let Ok(old) = sqlx::query_as::<_, (i64,)>("SELECT version FROM schema_migrations").fetch_all(&mut *conn).await
    else {
        return Ok(());
    };
    conn.ensure_migrations_table(&migrator.table_name).await.map_err(migrate_error)?;
    let applied = conn.list_applied_migrations(&migrator.table_name).await.map_err(migrate_error)?;
    for migration in migrator.iter() {
        let recorded_old = old.iter().any(|(version,)| *version == migration.version);
        let recorded_new = applied.iter().any(|a| a.version == migration.version);
        if recorded_old && !recorded_new {
            conn.skip(&migrator.table_name, migration).await.map_err(migrate_error)?;
        }
    }
    sqlx::query("DROP TABLE schema_migrations").execute(&mut *conn).await?;
    tracing::info!(versions = old.len(), "schema_migrations recorded in sqlx's _sqlx_migrations");
    Ok(())
}

/// A database failure stays one; anything else (a migration changed since it
/// was applied, one applied that this version does not know) is a
/// configuration error: this binary does not fit the database.
fn migrate_error(error: sqlx::migrate::MigrateError) -> StoreError {
    match error {
        sqlx::migrate::MigrateError::Execute(error) => StoreError::Database(error),
        other => {
            StoreError::Config(format!("the database's migrations do not match this version of sellerhealth: {other}"))
        }
    }
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
