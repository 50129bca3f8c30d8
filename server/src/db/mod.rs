//! The metadata database: connecting, migrating, and the queries of each concept.
//!
//! Owns the pool and the SQL. The same queries run on SQLite (the embedded default) and
//! PostgreSQL (scale-out) through sqlx's `Any` driver, so they use `$n` placeholders, only
//! TEXT and BIGINT columns, and `ON CONFLICT` for insert-or-ignore. Rules about access and
//! billing are not decided here but in [`crate::rules`]; this layer reads the inputs and
//! writes the outcome inside one transaction. Errors are plain [`sqlx::Error`]s; the HTTP
//! layer maps them.

pub mod access;
pub mod billing;
pub mod cdrs;
pub mod facts;
pub mod keys;
pub mod orgs;
pub mod packages;
pub mod shares;

use std::future::Future;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor as _, Transaction};

/// Which database the URL selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlite://…`: one file beside the evidence.
    Sqlite,
    /// `postgres://…` or `postgresql://…`.
    Postgres,
}

impl Backend {
    /// Picks the backend from a database URL's scheme.
    pub fn from_url(url: &str) -> Option<Self> {
        let scheme = url.split(':').next()?.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }
}

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The URL names no supported database.
    #[error("unsupported database URL {0:?}: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    /// Connecting failed.
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] sqlx::Error),
    /// Applying the migrations failed.
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Connects and applies pending migrations. Several processes (the server and the CLI)
    /// may do this at once on the same SQLite file: WAL mode lets readers and one writer
    /// proceed together and the busy timeout makes writers queue instead of failing.
    pub async fn open(url: &str) -> Result<Self, OpenError> {
        let backend =
            Backend::from_url(url).ok_or_else(|| OpenError::UnsupportedUrl(url.into()))?;
        install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        Ok(Self { pool, backend })
    }

    /// The default database: a SQLite file in the data folder, created when missing.
    pub fn default_url(data_dir: &Path) -> String {
        format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("expressconsent.db").display()
        )
    }

    /// The pool, for queries.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begins a transaction that reads, decides and writes. On SQLite it takes the write
    /// lock up front (`BEGIN IMMEDIATE`): a deferred transaction that read first would fail
    /// with `BUSY_SNAPSHOT` whenever another writer committed meanwhile, while an immediate
    /// one simply queues behind the busy timeout. On PostgreSQL a plain `BEGIN` (READ
    /// COMMITTED) is enough, because every write that matters is an `ON CONFLICT` insert
    /// or an upsert that re-checks the row it conflicts with.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Current time in epoch milliseconds, the unit of every time column.
pub fn now_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// `0`/`1` for the BIGINT columns that hold booleans.
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// Whether an error is a unique-constraint violation.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Runs a read-then-write transaction again when the database refused it because another
/// writer got there first: SQLite's `BUSY`/`BUSY_SNAPSHOT` (a deferred transaction cannot
/// upgrade a stale snapshot), PostgreSQL's serialization failure or deadlock. The rules
/// are then re-decided on fresh data, which is what makes retrying safe.
pub(crate) async fn retry_on_contention<T, F, Fut>(mut attempt: F) -> Result<T, sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    const ATTEMPTS: u32 = 6;
    for n in 1.. {
        match attempt().await {
            Err(err) if n < ATTEMPTS && is_contention(&err) => {
                tracing::debug!(attempt = n, error = %err, "transaction contended; retrying");
                tokio::time::sleep(Duration::from_millis(5 << n)).await;
            }
            other => return other,
        }
    }
    unreachable!("the loop returns on the last attempt")
}

fn is_contention(err: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = err else {
        return false;
    };
    let code = db.code();
    let code = code.as_deref().unwrap_or("");
    // SQLite: 5 BUSY, 517 BUSY_SNAPSHOT, 6 LOCKED; PostgreSQL: 40001, 40P01.
    matches!(code, "5" | "517" | "6" | "262" | "40001" | "40P01")
        || db.message().contains("database is locked")
}
