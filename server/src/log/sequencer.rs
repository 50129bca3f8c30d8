//! The sequencer: appends CDRs to the log, publishes tiles and a signed checkpoint, and
//! collects the witnesses' cosignatures. It runs in every server process, but only the
//! holder of the lease row (`log_lease`, taken with a conditional UPDATE and renewed while
//! held) works; the others take over when the holder's lease expires. Even two holders
//! could not corrupt the log: an entry's index is the primary key and its CDR is unique, so
//! the later of two racing appends fails and is retried.
//!
//! Each round, woken by an ingest (the jobs' [`Wakeup`]) or every [`POLL`]:
//! 1. one writer transaction (`Lane::Background`) appends up to [`BATCH`] CDRs not yet in
//!    the log, oldest first, with their stored hashes (`tlog_tiles::stored_hashes`); the
//!    CDRs are looked for among those received since [`LOOK_BACK_MS`] before the newest
//!    logged one (an index on `cdrs.created_at`), and among all every [`FULL_SCAN_EVERY`];
//! 2. the tiles and entry bundles the new size needs are written to the evidence store;
//! 3. only then is the checkpoint signed and stored (`log/checkpoint` and the database);
//! 4. the witnesses are asked to cosign it, in a task of its own (a slow witness never
//!    delays sequencing); the cosigned version replaces it. A checkpoint no witness
//!    cosigned is sent again after [`WITNESS_RETRY`].
//!
//! A crash between any two steps leaves entries beyond the latest checkpoint; the next
//! round (in whichever process) writes their tiles again (they are a function of the
//! entries) and publishes. A checkpoint is never published before its tiles.

use std::sync::Arc;
use std::time::Duration;

use signed_note::Note;
use tlog_tiles::{Checkpoint, Tile};
use tokio::task::JoinHandle;

use super::entry::Entry;
use super::hashes::{to_hex, with_stored, Known};
use super::tiles::{self, CHECKPOINT_KEY, HEIGHT, WIDTH};
use super::witness::{self, Answer};
use super::{LogError, LogState};
use crate::db::log::{self as queries, StoredCheckpoint};
use crate::db::{now_ms, Db, Lane};
use crate::evidence::store::EvidenceStore;
use crate::jobs::worker::Wakeup;

/// The longest wait between rounds when no ingest wakes the sequencer.
pub const POLL: Duration = Duration::from_millis(500);
/// The most CDRs appended in one transaction.
pub const BATCH: u64 = 256;
/// How long the lease lasts; it is renewed when half of it is left.
pub const LEASE_MS: i64 = 10_000;
/// How far before the newest logged CDR a round looks for CDRs not yet logged: a CDR is
/// committed well within this of its receive time (ingest answers in seconds), so rounds
/// read only recent rows through an index instead of every CDR.
pub const LOOK_BACK_MS: i64 = 10 * 60 * 1000;
/// How long before a checkpoint no witness cosigned is sent again.
pub const WITNESS_RETRY: Duration = Duration::from_secs(5);
/// How often a round looks at every CDR anyway, for one committed later than that.
pub const FULL_SCAN_EVERY: Duration = Duration::from_secs(5 * 60);

/// The sequencer of one process.
pub struct Sequencer {
    db: Db,
    store: EvidenceStore,
    log: LogState,
    holder: String,
    held_until: i64,
    witnesses: Witnessing,
    /// The cosigning round in flight (aborted with the sequencer).
    cosigning: tokio::task::JoinSet<()>,
    /// The size last sent to the witnesses, and when.
    last_sent: Option<(u64, tokio::time::Instant)>,
    /// The newest receive time this process appended or saw appended (`None`: scan all).
    newest: Option<i64>,
    /// When the last scan of every CDR ran.
    full_scan: Option<tokio::time::Instant>,
}

impl Sequencer {
    /// A sequencer; `start` runs it.
    pub fn new(db: Db, store: EvidenceStore, log: LogState) -> Self {
        let holder = format!("{}-{:016x}", std::process::id(), rand::random::<u64>());
        Self {
            witnesses: Witnessing {
                db: db.clone(),
                store: store.clone(),
                log: log.clone(),
                client: reqwest::Client::new(),
                witnessed: Arc::new(witness::Known::default()),
            },
            db,
            store,
            log,
            holder,
            held_until: 0,
            cosigning: tokio::task::JoinSet::new(),
            last_sent: None,
            newest: None,
            full_scan: None,
        }
    }

    /// Runs rounds until [`Running::stop`].
    pub fn start(self, wakeup: Wakeup) -> Running {
        let db = self.db.clone();
        let holder = self.holder.clone();
        Running {
            task: tokio::spawn(self.run(wakeup)),
            db,
            holder,
        }
    }

    async fn run(mut self, wakeup: Wakeup) {
        loop {
            let more = match self.round().await {
                Ok(more) => more,
                Err(err) => {
                    tracing::warn!(error = %err, "the log's sequencer failed a round; it tries again");
                    false
                }
            };
            if !more {
                tokio::select! {
                    () = wakeup.notified() => {}
                    () = tokio::time::sleep(POLL) => {}
                }
            }
        }
    }

    /// One round; whether a full batch was appended (so more may wait).
    pub async fn round(&mut self) -> Result<bool, LogError> {
        if !self.hold_lease().await? {
            return Ok(false);
        }
        let appended = self.append().await?;
        self.publish().await?;
        self.send_to_witnesses().await?;
        Ok(appended == BATCH)
    }

    async fn hold_lease(&mut self) -> Result<bool, LogError> {
        let now = now_ms();
        if self.held_until - now > LEASE_MS / 2 {
            return Ok(true);
        }
        let (holder, until) = queries::lease(&self.db).await?;
        if holder.as_deref().is_some_and(|h| h != self.holder) && until >= now {
            return Ok(false);
        }
        let mut tx = self.db.begin_write(Lane::Background).await?;
        let taken = queries::take_lease(&mut tx, &self.holder, now, now + LEASE_MS).await?;
        self.db.commit(tx).await?;
        self.held_until = match taken {
            true => now + LEASE_MS,
            false => 0,
        };
        Ok(taken)
    }

    /// Appends the oldest CDRs not yet in the log; returns how many.
    async fn append(&mut self) -> Result<u64, LogError> {
        let full = match (self.newest, self.full_scan) {
            (Some(_), Some(at)) => at.elapsed() >= FULL_SCAN_EVERY,
            _ => true,
        };
        let since = match (full, self.newest) {
            (false, Some(newest)) => newest - LOOK_BACK_MS,
            _ => i64::MIN,
        };
        // Read outside the writer: a long scan must not hold SQLite's write lock. A CDR
        // logged meanwhile by another sequencer makes the insert fail (it is unique); the
        // next round reads again.
        let newest_before = queries::newest_cdr(&self.db).await?;
        let pending = {
            let mut conn = self.db.pool().acquire().await?;
            queries::pending(&mut conn, since, BATCH).await?
        };
        if full && (pending.len() as u64) < BATCH {
            // Every CDR received up to `newest_before` is now logged or in `pending`.
            self.full_scan = Some(tokio::time::Instant::now());
            self.newest = self.newest.max(Some(newest_before));
        }
        if pending.is_empty() {
            return Ok(0);
        }
        let mut tx = self.db.begin_write(Lane::Background).await?;
        let size = queries::size(&mut tx).await?;
        // Appending reads only the roots of the complete subtrees of the current tree and
        // hashes made in this batch.
        let mut known = Known::default();
        known
            .fetch(&mut tx, &tlog_tiles::sub_tree_index(0, size, vec![]))
            .await?;
        let mut entries = Vec::with_capacity(pending.len());
        let mut hashes = Vec::new();
        for (index, cdr) in (size..).zip(&pending) {
            let entry = Entry {
                cdr_id: cdr.id.clone(),
                org_id: cdr.org_id.clone(),
                domain_id: cdr.domain_id.clone(),
                content_sha256: cdr.content_sha256.clone(),
                received_ms: cdr.created_at,
            }
            .to_bytes();
            let stored = tlog_tiles::stored_hashes(index, &entry, &known)?;
            let first = tlog_tiles::stored_hash_index(0, index);
            for (at, hash) in (first..).zip(stored) {
                known.0.insert(at, hash);
                hashes.push((at, to_hex(&hash)));
            }
            let text = String::from_utf8(entry).map_err(|_| LogError::Corrupt("entry"))?;
            entries.push((index, cdr.id.clone(), text));
        }
        queries::append(&mut tx, &entries, &hashes, now_ms()).await?;
        self.db.commit(tx).await?;
        let newest = pending.iter().map(|c| c.created_at).max();
        self.newest = self.newest.max(newest);
        Ok(pending.len() as u64)
    }

    /// Writes the tiles of entries beyond the latest checkpoint, then signs, stores and
    /// sends to the witnesses a checkpoint of the current size.
    async fn publish(&self) -> Result<(), LogError> {
        let mut conn = self.db.pool().acquire().await?;
        let size = queries::size(&mut conn).await?;
        let latest = queries::latest_checkpoint(&self.db).await?;
        if let Some(latest) = &latest {
            // One log, one origin: a process started with another key must not sign.
            let origin = latest.note.split('\n').next().unwrap_or_default();
            if origin != self.log.keys.origin() {
                return Err(LogError::OtherKey(origin.to_owned()));
            }
        }
        let old = match latest {
            Some(latest) if latest.tree_size >= size => return Ok(()),
            Some(latest) => latest.tree_size,
            None => 0,
        };
        for tile in Tile::new_tiles(HEIGHT, old, size) {
            let data = with_stored(&mut conn, |r| tile.read_data(r)).await?;
            self.store
                .put(&tiles::store_key(&tile), data.into())
                .await?;
            if tile.level() == 0 {
                let first = tile.level_index() * WIDTH;
                let rows =
                    queries::entries(&self.db, first, first + u64::from(tile.width())).await?;
                if rows.len() != tile.width() as usize {
                    return Err(LogError::Corrupt("an entry bundle has gaps"));
                }
                let bundle = tiles::bundle(rows.iter().map(|(_, text)| text.as_bytes()));
                let mut data_tile = tile;
                data_tile.set_is_data();
                self.store
                    .put(&tiles::store_key(&data_tile), bundle.into())
                    .await?;
            }
        }
        let root = with_stored(&mut conn, |r| tlog_tiles::tree_hash(size, r)).await?;
        drop(conn);
        let text = Checkpoint::new(self.log.keys.origin(), size, root, "")
            .map_err(|_| LogError::Corrupt("the origin"))?
            .to_bytes();
        let mut note = Note::new(&text, &[])?;
        note.add_sigs(&[self.log.keys.signer() as &dyn signed_note::Signer])?;
        let plain = String::from_utf8(note.to_bytes()).map_err(|_| LogError::Corrupt("note"))?;
        self.store_checkpoint(StoredCheckpoint {
            tree_size: size,
            note: plain.clone(),
            cosignatures: 0,
        })
        .await?;
        tracing::debug!(
            size,
            origin = self.log.keys.origin(),
            "published a checkpoint"
        );
        Ok(())
    }

    async fn store_checkpoint(&self, checkpoint: StoredCheckpoint) -> Result<(), LogError> {
        store_checkpoint(&self.db, &self.store, &checkpoint, true).await
    }

    /// Sends the latest checkpoint to the witnesses in a task of its own, so that a slow or
    /// absent witness never delays sequencing, unless it is cosigned already, a round is in
    /// flight, or it was sent less than [`WITNESS_RETRY`] ago.
    async fn send_to_witnesses(&mut self) -> Result<(), LogError> {
        if self.log.witnesses.is_empty() {
            return Ok(());
        }
        while self.cosigning.try_join_next().is_some() {}
        if !self.cosigning.is_empty() {
            return Ok(());
        }
        let Some(latest) = queries::latest_checkpoint(&self.db).await? else {
            return Ok(());
        };
        if latest.cosignatures > 0 {
            return Ok(());
        }
        if let Some((size, at)) = self.last_sent {
            if size == latest.tree_size && at.elapsed() < WITNESS_RETRY {
                return Ok(());
            }
        }
        self.last_sent = Some((latest.tree_size, tokio::time::Instant::now()));
        let witnesses = self.witnesses.clone();
        self.cosigning.spawn(async move {
            if let Err(err) = witnesses.cosign_and_store(latest).await {
                tracing::warn!(error = %err, "could not record the witnesses' cosignatures");
            }
        });
        Ok(())
    }
}

/// Stores a checkpoint in the database and, with `file`, as `log/checkpoint`.
async fn store_checkpoint(
    db: &Db,
    store: &EvidenceStore,
    checkpoint: &StoredCheckpoint,
    file: bool,
) -> Result<(), LogError> {
    if file {
        store
            .put(CHECKPOINT_KEY, checkpoint.note.clone().into_bytes().into())
            .await?;
    }
    let mut tx = db.begin_write(Lane::Background).await?;
    queries::put_checkpoint(&mut tx, checkpoint, now_ms()).await?;
    db.commit(tx).await?;
    Ok(())
}

/// What asking the witnesses needs; cheap to clone into its task.
#[derive(Clone)]
struct Witnessing {
    db: Db,
    store: EvidenceStore,
    log: LogState,
    client: reqwest::Client,
    witnessed: Arc<witness::Known>,
}

impl Witnessing {
    /// Asks every witness to cosign `plain` and stores the cosigned version; the file
    /// `log/checkpoint` only if no newer checkpoint was published meanwhile.
    async fn cosign_and_store(&self, plain: StoredCheckpoint) -> Result<(), LogError> {
        let note = Note::from_bytes(plain.note.as_bytes())?;
        let cosigned = self
            .cosign(plain.tree_size, &plain.note, note.text())
            .await?;
        if cosigned.cosignatures == 0 {
            return Ok(());
        }
        let newest = queries::latest_checkpoint(&self.db).await?;
        let still_latest = newest.is_some_and(|n| n.tree_size == cosigned.tree_size);
        store_checkpoint(&self.db, &self.store, &cosigned, still_latest).await
    }

    /// Asks every witness to cosign; returns the checkpoint with the valid cosignatures.
    async fn cosign(
        &self,
        size: u64,
        plain: &str,
        text: &[u8],
    ) -> Result<StoredCheckpoint, LogError> {
        let asks = self
            .log
            .witnesses
            .iter()
            .map(|w| self.ask(w, size, plain, text));
        let answers = futures::future::join_all(asks).await;
        let mut note = plain.to_owned();
        let mut count = 0;
        for (witness, answer) in self.log.witnesses.iter().zip(answers) {
            match answer? {
                Some(sigs) => {
                    count += 1;
                    for sig in sigs {
                        note.push_str(&String::from_utf8_lossy(&sig.to_bytes()));
                    }
                }
                None => tracing::debug!(witness = %witness.url, size, "no cosignature"),
            }
        }
        Ok(StoredCheckpoint {
            tree_size: size,
            note,
            cosignatures: count,
        })
    }

    /// One witness: from the size it is believed to have, once more from the size it says
    /// it has (409).
    async fn ask(
        &self,
        witness: &witness::Witness,
        size: u64,
        plain: &str,
        text: &[u8],
    ) -> Result<Option<Vec<signed_note::Signature>>, LogError> {
        let mut old = self.witnessed.get(witness);
        for _ in 0..2 {
            if old > size {
                tracing::warn!(witness = %witness.url, witness_size = old, size, "a witness knows a larger tree than this log");
                return Ok(None);
            }
            let proof = match old {
                0 => Vec::new(),
                old => {
                    let mut conn = self.db.pool().acquire().await?;
                    with_stored(&mut conn, |r| tlog_tiles::prove_tree(size, old, r)).await?
                }
            };
            let body = witness::add_checkpoint_body(old, &proof, plain);
            match witness::add_checkpoint(&self.client, witness, body, text).await {
                Answer::Cosigned(sigs) => {
                    self.witnessed.set(witness, size);
                    return Ok(Some(sigs));
                }
                Answer::Conflict(known) if known != old => {
                    self.witnessed.set(witness, known);
                    old = known;
                }
                Answer::Conflict(_) => return Ok(None),
                Answer::Failed(why) => {
                    tracing::warn!(witness = %witness.url, size, reason = %why, "a witness did not cosign");
                    return Ok(None);
                }
            }
        }
        Ok(None)
    }
}

/// A running sequencer.
#[derive(Debug)]
pub struct Running {
    task: JoinHandle<()>,
    db: Db,
    holder: String,
}

impl Running {
    /// Stops the sequencer and gives its lease up, so that another process takes over at
    /// once rather than when the lease expires. A round cut short loses nothing (see the
    /// module's documentation).
    pub async fn stop(self) {
        self.task.abort();
        self.task.await.ok();
        if let Err(err) = queries::release_lease(&self.db, &self.holder).await {
            tracing::warn!(error = %err, "could not release the log sequencer's lease");
        }
    }
}

/// Starts this process's sequencer.
pub fn start(db: Db, store: EvidenceStore, log: LogState, wakeup: Wakeup) -> Running {
    Sequencer::new(db, store, log).start(wakeup)
}
