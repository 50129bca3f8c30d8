//! One CDR's proof: a `c2sp.org/tlog-proof@v1` document with the entry in its extra data
//! (so the proof stands alone), the index, the inclusion proof (`tlog_tiles::prove_record`)
//! and the latest checkpoint with every cosignature the server has.

use base64::Engine as _;
use signed_note::Note;
use tlog_tiles::Checkpoint;

use super::hashes::with_stored;
use super::LogError;
use crate::db::log as queries;
use crate::db::Db;

/// The first line of a proof document.
pub const PROOF_FORMAT: &str = "c2sp.org/tlog-proof@v1";

/// A CDR's proof and what it says.
#[derive(Debug, Clone)]
pub struct ProofBundle {
    /// The entry's index in the log.
    pub index: u64,
    /// The `c2sp.org/tlog-proof@v1` document.
    pub text: String,
    /// The checkpoint it proves against (a signed note, with cosignatures).
    pub checkpoint: String,
    /// The checkpoint's tree size.
    pub tree_size: u64,
    /// The checkpoint's root hash, base64.
    pub root_hash_b64: String,
    /// How many witnesses cosigned the checkpoint.
    pub cosignatures: usize,
}

/// The CDR's index in the log, once sequenced.
pub async fn index_of(db: &Db, cdr_id: &str) -> Result<Option<u64>, LogError> {
    Ok(queries::entry_of(db, cdr_id).await?.map(|(index, _)| index))
}

/// `logIndex` and `proofUrl` of a CDR's API answers: both `None` until it is sequenced.
pub async fn locate(
    db: &Db,
    public_url: &str,
    cdr_id: &str,
) -> Result<(Option<u64>, Option<String>), LogError> {
    Ok(match index_of(db, cdr_id).await? {
        Some(index) => (
            Some(index),
            Some(format!("{public_url}/v1/cdrs/{cdr_id}/proof")),
        ),
        None => (None, None),
    })
}

/// The proof of a CDR's entry against the latest checkpoint; `None` until the CDR is in a
/// published checkpoint.
pub async fn proof_for(db: &Db, cdr_id: &str) -> Result<Option<ProofBundle>, LogError> {
    let Some((index, entry)) = queries::entry_of(db, cdr_id).await? else {
        return Ok(None);
    };
    let Some(latest) = queries::latest_checkpoint(db).await? else {
        return Ok(None);
    };
    if latest.tree_size <= index {
        return Ok(None);
    }
    let note = Note::from_bytes(latest.note.as_bytes())?;
    let checkpoint = Checkpoint::from_bytes(note.text())
        .map_err(|_| LogError::Corrupt("a stored checkpoint does not parse"))?;
    let size = checkpoint.size();
    let mut conn = db.pool().acquire().await?;
    let proof = with_stored(&mut conn, |r| tlog_tiles::prove_record(size, index, r)).await?;
    let mut text = format!(
        "{PROOF_FORMAT}\nextra {}\nindex {index}\n",
        base64::engine::general_purpose::STANDARD.encode(entry.as_bytes())
    );
    for hash in &proof {
        text.push_str(&format!("{hash}\n"));
    }
    text.push('\n');
    text.push_str(&latest.note);
    Ok(Some(ProofBundle {
        index,
        text,
        checkpoint: latest.note,
        tree_size: size,
        root_hash_b64: checkpoint.hash().to_string(),
        cosignatures: latest.cosignatures,
    }))
}
