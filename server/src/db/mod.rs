//! The metadata database: connecting, migrating, and the queries of each concept.
//!
//! Owns the pool and the SQL. The same queries run on SQLite (the embedded default) and
//! PostgreSQL (scale-out) through sqlx's `Any` driver, so they use `$n` placeholders, only
//! TEXT and BIGINT columns, and `ON CONFLICT` for insert-or-ignore. Rules about access and
//! billing are not decided here but in [`crate::sharing::rules`]; this layer reads the inputs and
//! writes the outcome inside one transaction. Errors are plain [`sqlx::Error`]s; the HTTP
//! layer maps them.
//!
//! On SQLite every commit is durable before it is acknowledged (`synchronous = FULL`: the
//! write-ahead log is synced at each commit, so a CDR whose capture was answered survives
//! a power cut); `?synchronous=normal` in the URL trades the last commits before a power
//! cut for speed (the bench measures both). SQLite has one writer at a time, so the
//! read-decide-write transactions ([`Db::begin_write`]) queue for one dedicated connection
//! in this process, first come first served, instead of several connections polling for
//! the file's write lock with the busy handler's sleeps (up to 100 ms each), which is what
//! made claim latency spike under a capture flood. Reads use a pool of their own.

pub mod access;
pub mod assets;
pub mod billing;
pub mod cdrs;
pub mod facts;
pub mod group_sync;
pub mod keys;
pub mod listing;
pub mod log;
pub mod orgs;
pub mod packages;
pub mod sessions;
pub mod shares;
pub mod users;
pub mod webhooks;
pub mod write_gate;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor as _, Transaction};

use group_sync::GroupSync;
pub use write_gate::Lane;
use write_gate::{GatePermit, WriteGate};

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
    /// The SQLite URL's `synchronous` parameter is neither `full` nor `normal`.
    #[error("unsupported synchronous={0:?} in the database URL: use full (the default) or normal")]
    Synchronous(String),
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
    /// Where [`Db::begin_write`] transactions run: on SQLite one connection of its own,
    /// on PostgreSQL the same pool.
    writer: AnyPool,
    backend: Backend,
    /// On SQLite with `synchronous=full` (the default) and a database file: the group
    /// commit that makes [`Db::commit`] durable (see [`group_sync`]).
    group_sync: Option<Arc<GroupSync>>,
    /// On SQLite: the two-lane queue for the writer (see [`write_gate`]).
    gate: Option<Arc<WriteGate>>,
}

/// A [`Db::begin_write`] transaction: the transaction, and on SQLite the writer's gate,
/// held until it is committed or dropped (rolled back). Dereferences to the connection.
#[derive(Debug)]
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    _permit: Option<GatePermit>,
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// How SQLite syncs commits to disk, from the URL's `synchronous` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    /// The default: every commit is on disk before it is acknowledged.
    Full,
    /// WAL's `NORMAL`: commits are synced at checkpoints, so a power cut (not a crash of
    /// the process) may lose the last ones.
    Normal,
}

impl Synchronous {
    /// Removes a `synchronous=full|normal` query parameter from a SQLite URL (sqlx itself
    /// refuses parameters it does not know) and returns the rest with the setting.
    pub fn split_url(url: &str) -> Result<(String, Self), OpenError> {
        let Some((base, query)) = url.split_once('?') else {
            return Ok((url.to_owned(), Self::Full));
        };
        let mut setting = Self::Full;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some((key, value)) if key.eq_ignore_ascii_case("synchronous") => {
                    setting = match value.to_ascii_lowercase().as_str() {
                        "full" => Self::Full,
                        "normal" => Self::Normal,
                        _ => return Err(OpenError::Synchronous(value.into())),
                    }
                }
                _ => kept.push(pair),
            }
        }
        let rest = match kept.is_empty() {
            true => base.to_owned(),
            false => format!("{base}?{}", kept.join("&")),
        };
        Ok((rest, setting))
    }

    fn pragma(self) -> &'static str {
        match self {
            Self::Full => "PRAGMA synchronous = FULL",
            Self::Normal => "PRAGMA synchronous = NORMAL",
        }
    }
}

/// Read connections on SQLite: every claim and capture also authenticates and looks up
/// while others write, and WAL lets those reads run beside the one writer.
const SQLITE_READERS: u32 = 16;
/// Connections on PostgreSQL, readers and writers together.
const POSTGRES_CONNECTIONS: u32 = 16;

impl Db {
    /// Connects and applies pending migrations. Several processes (the server and the CLI)
    /// may do this at once on the same SQLite file: WAL mode lets readers and one writer
    /// proceed together and the busy timeout makes writers queue instead of failing.
    pub async fn open(url: &str) -> Result<Self, OpenError> {
        let backend =
            Backend::from_url(url).ok_or_else(|| OpenError::UnsupportedUrl(url.into()))?;
        install_default_drivers();
        let (pool, writer, group_sync) = match backend {
            Backend::Sqlite => {
                let (url, synchronous) = Synchronous::split_url(url)?;
                // With FULL, the writer commits at NORMAL and `commit` waits for a shared
                // sync of the log; the readers (whose rare writes commit one by one) keep
                // FULL.
                let group_sync = match (synchronous, group_sync::sqlite_file(&url)) {
                    (Synchronous::Full, Some(file)) => {
                        Some(Arc::new(GroupSync::start(&file).map_err(sqlx::Error::Io)?))
                    }
                    _ => None,
                };
                let writer_sync = match group_sync {
                    Some(_) => Synchronous::Normal,
                    None => synchronous,
                };
                let writer = sqlite_pool(1, writer_sync, Checkpoints::Background)
                    .connect(&url)
                    .await?;
                sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
                let readers = sqlite_pool(SQLITE_READERS, synchronous, Checkpoints::OnCommit)
                    .connect(&url)
                    .await?;
                tokio::spawn(checkpoint_wal(readers.clone()));
                (readers, writer, group_sync)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(POSTGRES_CONNECTIONS)
                    .connect(url)
                    .await?;
                sqlx::migrate!("./migrations/postgres").run(&pool).await?;
                (pool.clone(), pool, None)
            }
        };
        if let Some(sync) = &group_sync {
            // What the migrations wrote is durable before anything is served.
            sync.committed().await;
        }
        let gate = (backend == Backend::Sqlite).then(Arc::default);
        Ok(Self {
            pool,
            writer,
            backend,
            group_sync,
            gate,
        })
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
    ///
    /// On SQLite the transaction first waits for the writer in `lane` (see [`write_gate`]).
    pub async fn begin_write(&self, lane: Lane) -> Result<WriteTx, sqlx::Error> {
        let permit = match &self.gate {
            Some(gate) => Some(gate.enter(lane).await),
            None => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx {
            tx,
            _permit: permit,
        })
    }

    /// Commits a [`Db::begin_write`] transaction and returns once it is durable: on SQLite
    /// with `synchronous=full`, after a sync of the log that began after this commit,
    /// shared with the commits around it (group commit; the writer is already free for
    /// the next transaction meanwhile).
    pub async fn commit(&self, tx: WriteTx) -> Result<(), sqlx::Error> {
        let WriteTx {
            tx,
            _permit: permit,
        } = tx;
        tx.commit().await?;
        // The next transaction may have the writer while this one waits for its sync.
        drop(permit);
        self.durable().await;
        Ok(())
    }

    /// Returns once every commit made so far is durable; for answers that repeat what an
    /// earlier request committed (an idempotent replay may arrive while the first request
    /// still waits for its sync).
    pub async fn durable(&self) {
        if let Some(sync) = &self.group_sync {
            sync.committed().await;
        }
    }

    /// Closes the pools, waiting for connections to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// A SQLite pool of `size` connections, each set up the same way. Connections are not
/// pinged when taken from the pool (sqlx's default): a local file's connection cannot have
/// been dropped by a peer, and the ping is a round trip to the connection's worker thread
/// before every transaction and every read, while claims and captures wait for the writer.
fn sqlite_pool(size: u32, synchronous: Synchronous, checkpoints: Checkpoints) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(size)
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                // The timeout first: switching to WAL needs a lock that a running server
                // (its sequencer renews a lease every round) may hold for a moment, and a
                // CLI command opening the same file must wait for it, not fail.
                conn.execute("PRAGMA busy_timeout = 5000").await?;
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                conn.execute(synchronous.pragma()).await?;
                if checkpoints == Checkpoints::Background {
                    conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                }
                Ok(())
            })
        })
}

/// Who copies the write-ahead log into the database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checkpoints {
    /// SQLite's default: the commit that takes the log past 1,000 pages.
    OnCommit,
    /// [`checkpoint_wal`], off the writer.
    Background,
}

/// How often [`checkpoint_wal`] runs.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Checkpoints the write-ahead log from a read connection every [`CHECKPOINT_EVERY`], so
/// that the writer never does: SQLite's automatic checkpoint runs inside the commit that
/// crosses 1,000 pages, fsyncs of the log and the database file included, while every
/// claim and capture queued for the writer waits. `PASSIVE` blocks neither readers nor the
/// writer and does not change what a commit makes durable. Ends when the pool is closed.
async fn checkpoint_wal(pool: AnyPool) {
    let mut every = tokio::time::interval(CHECKPOINT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if pool.is_closed() {
            return;
        }
        let done = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await;
        if let Err(err) = done {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %err, "could not checkpoint the write-ahead log");
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    async fn synchronous_of(pool: &AnyPool) -> i64 {
        let row = sqlx::query("PRAGMA synchronous")
            .fetch_one(pool)
            .await
            .expect("PRAGMA synchronous");
        sqlx::Row::try_get::<i64, _>(&row, 0).expect("a number")
    }

    #[tokio::test]
    async fn a_sqlite_database_syncs_every_commit_unless_its_url_says_normal() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = Db::default_url(dir.path());
        let db = Db::open(&url).await.expect("open");
        // 2 is FULL, 1 NORMAL. With FULL the readers commit at FULL, and the writer at
        // NORMAL with the group commit of `Db::commit` syncing the log.
        assert_eq!(synchronous_of(&db.writer).await, 1);
        assert_eq!(synchronous_of(&db.pool).await, 2);
        // The writer leaves checkpoints to the background task; readers keep the default.
        let autocheckpoint = |pool: &AnyPool| {
            let pool = pool.clone();
            async move {
                let row = sqlx::query("PRAGMA wal_autocheckpoint")
                    .fetch_one(&pool)
                    .await
                    .expect("PRAGMA wal_autocheckpoint");
                sqlx::Row::try_get::<i64, _>(&row, 0).expect("a number")
            }
        };
        assert_eq!(autocheckpoint(&db.writer).await, 0);
        assert_eq!(autocheckpoint(&db.pool).await, 1000);
        let sync = db.group_sync.clone().expect("group commit is on");
        let (_, before, _) = sync.stats();
        let tx = db.begin_write(Lane::Interactive).await.expect("begin");
        db.commit(tx).await.expect("commit");
        let (_, issued, durable) = sync.stats();
        assert_eq!(issued, before + 1);
        assert!(durable >= issued, "commit returned before its sync");
        db.close().await;

        let db = Db::open(&format!("{url}&synchronous=normal"))
            .await
            .expect("open with synchronous=normal");
        assert_eq!(synchronous_of(&db.writer).await, 1);
        assert_eq!(synchronous_of(&db.pool).await, 1);
        assert!(db.group_sync.is_none(), "NORMAL needs no sync of its own");
        db.close().await;
    }

    #[test]
    fn the_synchronous_parameter_is_taken_out_of_the_url_and_nothing_else() {
        let split = |url: &str| Synchronous::split_url(url).map_err(|e| e.to_string());
        assert_eq!(
            split("sqlite:///d/x.db?mode=rwc"),
            Ok(("sqlite:///d/x.db?mode=rwc".into(), Synchronous::Full))
        );
        assert_eq!(
            split("sqlite:///d/x.db?synchronous=NORMAL&mode=rwc"),
            Ok(("sqlite:///d/x.db?mode=rwc".into(), Synchronous::Normal))
        );
        assert_eq!(
            split("sqlite:///d/x.db?mode=rwc&synchronous=full"),
            Ok(("sqlite:///d/x.db?mode=rwc".into(), Synchronous::Full))
        );
        assert_eq!(
            split("sqlite:///d/x.db?synchronous=normal"),
            Ok(("sqlite:///d/x.db".into(), Synchronous::Normal))
        );
        assert!(split("sqlite:///d/x.db?synchronous=off").is_err());
    }
}
