//! Group commit for SQLite: every acknowledged write is on disk, with one fsync shared by
//! all the commits that landed while the previous one ran.
//!
//! `synchronous = FULL` syncs the write-ahead log inside each `COMMIT`, while the one
//! writer connection is held: under load every transaction waits for every earlier
//! transaction's fsync. Instead the writer runs at `synchronous = NORMAL` (a commit only
//! writes its frames to the WAL) and, after `COMMIT` returns and the writer is free again,
//! [`Db::commit`](super::Db::commit) waits here until a sync of the WAL that started after
//! its commit has finished. One thread does the syncing: it takes the highest commit
//! ticket issued, `fdatasync`s the WAL file, marks everything up to that ticket durable and
//! starts again if more commits arrived meanwhile — PostgreSQL's WAL flush works the same
//! way. The guarantee a caller gets is FULL's: when `commit` returns, the transaction
//! survives a power cut.
//!
//! Why this is sound with SQLite's WAL: a committed transaction's frames are in the WAL
//! file (written before `COMMIT` returned), or, if a checkpoint ran since, in the database
//! file — and in NORMAL mode SQLite syncs the WAL before each checkpoint and the database
//! file after it, and only reuses the WAL from its start after a complete checkpoint. So
//! syncing the WAL file found at its path covers every commit made before the sync began.
//! When the WAL file is new (SQLite deletes it when the last connection closes), its
//! directory is synced too, so the file's name is durable as well.
//!
//! A failed fsync is not retried: after one, the kernel may already have dropped the dirty
//! pages, and a later fsync would report success for data that is gone (PostgreSQL's
//! "fsyncgate"). Like PostgreSQL, the process stops at once; no commit waiting for that
//! sync was acknowledged, SQLite recovers from what is on disk at the next start, and the
//! SDK retries unanswered captures with their idempotency keys.

use std::fs::File;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

use tokio::sync::watch;

/// The syncer shared by a [`super::Db`]'s clones; dropping the last one ends the thread.
#[derive(Debug)]
pub struct GroupSync {
    shared: Arc<Shared>,
}

/// What the callers and the sync thread share.
#[derive(Debug)]
struct Shared {
    /// The highest ticket issued (commits counted from 1) and whether the thread should
    /// stop, guarded together so the thread can sleep on `wake`.
    issued: Mutex<Tickets>,
    wake: Condvar,
    /// The highest ticket known durable.
    durable: watch::Sender<u64>,
    /// How many fsyncs ran, for tests and the bench.
    syncs: Mutex<u64>,
}

#[derive(Debug, Default)]
struct Tickets {
    issued: u64,
    stop: bool,
}

impl GroupSync {
    /// Starts the sync thread for the database file `db_file` (its WAL is `<db_file>-wal`).
    pub fn start(db_file: &Path) -> std::io::Result<Self> {
        let (durable, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            issued: Mutex::new(Tickets::default()),
            wake: Condvar::new(),
            durable,
            syncs: Mutex::new(0),
        });
        let wal = wal_path(db_file);
        let worker = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("sqlite-group-sync".into())
            .spawn(move || worker.run(&wal))?;
        Ok(Self { shared })
    }

    /// Waits until a commit that has just returned is on disk.
    pub async fn committed(&self) {
        self.shared.committed().await;
    }

    /// How many fsyncs have run, and the highest ticket issued and known durable.
    pub fn stats(&self) -> (u64, u64, u64) {
        let shared = &self.shared;
        let issued = lock(&shared.issued).issued;
        (*lock(&shared.syncs), issued, *shared.durable.borrow())
    }
}

impl Drop for GroupSync {
    /// Ends the sync thread once it has synced every ticket issued.
    fn drop(&mut self) {
        lock(&self.shared.issued).stop = true;
        self.shared.wake.notify_one();
    }
}

impl Shared {
    async fn committed(&self) {
        let ticket = {
            let mut tickets = lock(&self.issued);
            tickets.issued += 1;
            tickets.issued
        };
        self.wake.notify_one();
        let mut durable = self.durable.subscribe();
        // The sender lives as long as `self`, so the wait only ends at the ticket.
        let _ = durable.wait_for(|&done| done >= ticket).await;
    }

    fn run(&self, wal: &Path) {
        let mut synced_inode = None;
        loop {
            let target = {
                let mut tickets = lock(&self.issued);
                while tickets.issued == *self.durable.borrow() && !tickets.stop {
                    tickets = self.wake.wait(tickets).unwrap_or_else(|e| e.into_inner());
                }
                if tickets.issued == *self.durable.borrow() {
                    return;
                }
                tickets.issued
            };
            if let Err(err) = sync_wal(wal, &mut synced_inode) {
                tracing::error!(wal = %wal.display(), error = %err,
                    "fsync of the SQLite write-ahead log failed; stopping so that nothing unsynced is acknowledged");
                std::process::abort();
            }
            *lock(&self.syncs) += 1;
            self.durable.send_replace(target);
        }
    }
}

/// `<db>-wal`, SQLite's name for a database's write-ahead log.
fn wal_path(db_file: &Path) -> PathBuf {
    let mut name = db_file.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Syncs the WAL file's data; when the file is not the one synced last time (created since),
/// its directory too. A missing WAL means SQLite checkpointed everything into the database
/// file, synced it and removed the log: nothing is left to sync.
fn sync_wal(wal: &Path, synced_inode: &mut Option<u64>) -> std::io::Result<()> {
    let file = match File::open(wal) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err),
    };
    file.sync_data()?;
    let inode = file.metadata()?.ino();
    if *synced_inode != Some(inode) {
        if let Some(dir) = wal.parent() {
            File::open(dir)?.sync_all()?;
        }
        *synced_inode = Some(inode);
    }
    Ok(())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The database file of a SQLite URL (`sqlite://PATH?…` or `sqlite:PATH`), when it names a
/// file (not `:memory:`).
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    Some(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_read_from_the_url() {
        assert_eq!(
            sqlite_file("sqlite:///d/x.db?mode=rwc"),
            Some(PathBuf::from("/d/x.db"))
        );
        assert_eq!(sqlite_file("sqlite:rel.db"), Some(PathBuf::from("rel.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("sqlite://x.db?mode=memory"), None);
        assert_eq!(sqlite_file("postgres://h/db"), None);
    }

    #[tokio::test]
    async fn every_commit_waits_for_a_sync_that_began_after_it_and_syncs_are_shared() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let db = dir.path().join("x.db");
        std::fs::write(wal_path(&db), b"frames").expect("a WAL file");
        let sync = Arc::new(GroupSync::start(&db).expect("the sync thread"));
        let waits: Vec<_> = (0..64)
            .map(|_| {
                let sync = Arc::clone(&sync);
                tokio::spawn(async move { sync.committed().await })
            })
            .collect();
        for wait in waits {
            wait.await.expect("a commit's wait");
        }
        let (syncs, issued, durable) = sync.stats();
        assert_eq!(issued, 64);
        assert_eq!(
            durable, 64,
            "every ticket is durable once its wait returned"
        );
        assert!(
            (1..=64).contains(&syncs),
            "at most one sync per commit: {syncs}"
        );
        sync.committed().await;
        assert_eq!(sync.stats().2, 65, "a later commit gets a sync of its own");
    }
}
