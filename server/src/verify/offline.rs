//! `verify --evidence --proof --key`: checks a proof offline, with nothing but the two files
//! and the keys. Checks, in order: the proof's format; the checkpoint's signature by the log
//! key (`signed_note`); the inclusion proof of the entry's leaf against the checkpoint's root
//! and size (`tlog_tiles::check_record`); the evidence's SHA-256 against the entry; and a
//! quorum of witness cosignatures (`cosignature/v1`).

use serde::Serialize;
use sha2::{Digest as _, Sha256};
use signed_note::{Note, StandardVerifier, VerifierList};
use tlog_tiles::Checkpoint;

use super::cosignature::CosignatureVerifier;
use super::proof::{EntryFields, TlogProof};

/// Which check failed; the messages are what the command prints.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    /// The proof file cannot be read as a proof.
    #[error("the proof file is not a c2sp.org/tlog-proof@v1 document: {0}")]
    Format(String),
    /// A key given on the command line is not a verifier key.
    #[error("{0}")]
    Key(String),
    /// The checkpoint is not signed by the log key.
    #[error("checkpoint signature is not valid for this key")]
    Signature,
    /// The inclusion proof does not reproduce the checkpoint's root.
    #[error("inclusion proof does not lead to the checkpoint's root")]
    Inclusion,
    /// The evidence is not the bytes the entry names.
    #[error("evidence hash does not match the log entry")]
    Evidence,
    /// Too few witnesses cosigned.
    #[error("only {valid} of {required} required witness cosignatures are valid")]
    Quorum {
        /// Valid cosignatures among the given witnesses.
        valid: usize,
        /// The quorum.
        required: usize,
    },
}

/// What a successful verification proved (printed as one JSON object).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    /// Always true (failures are errors).
    pub verified: bool,
    /// The log entry.
    #[serde(flatten)]
    pub entry: EntryFields,
    /// The entry's index in the log.
    pub index: u64,
    /// The checkpoint's tree size.
    pub tree_size: u64,
    /// The checkpoint's root hash, base64.
    pub root_hash: String,
    /// The log's origin (its key name).
    pub origin: String,
    /// How many of the given witnesses cosigned the checkpoint.
    pub witnessed: usize,
    /// Their names.
    pub witnesses: Vec<String>,
}

/// Verifies a signed checkpoint note with the log's verifier key; returns the note and the
/// parsed checkpoint.
pub fn open_checkpoint(
    note_bytes: &[u8],
    log_key: &str,
) -> Result<(Note, Checkpoint), VerifyError> {
    let log = StandardVerifier::new(log_key.trim())
        .map_err(|e| VerifyError::Key(format!("the log key is not a verifier key: {e}")))?;
    let origin = signed_note::Verifier::name(&log).to_owned();
    let note = Note::from_bytes(note_bytes)
        .map_err(|_| VerifyError::Format("its checkpoint is not a signed note".to_owned()))?;
    note.verify(&VerifierList::new(vec![Box::new(log)]))
        .map_err(|_| VerifyError::Signature)?;
    let checkpoint = Checkpoint::from_bytes(note.text())
        .map_err(|_| VerifyError::Format("its checkpoint is malformed".to_owned()))?;
    if checkpoint.origin() != origin {
        return Err(VerifyError::Signature);
    }
    Ok((note, checkpoint))
}

/// Counts the given witnesses whose cosignature on `note` is valid; returns their names.
/// A witness whose line is missing or whose signature does not verify is not counted.
pub fn valid_cosigners(note: &Note, witnesses: &[CosignatureVerifier]) -> Vec<String> {
    witnesses
        .iter()
        .filter(|w| {
            matches!(
                note.verify(&VerifierList::new(vec![Box::new((*w).clone())])),
                Ok((ok, _)) if !ok.is_empty()
            )
        })
        .map(|w| w.name().to_owned())
        .collect()
}

/// Parses witness verifier keys (type 0x04).
pub fn witness_verifiers(keys: &[String]) -> Result<Vec<CosignatureVerifier>, VerifyError> {
    keys.iter()
        .map(|k| {
            CosignatureVerifier::new(k)
                .map_err(|e| VerifyError::Key(format!("witness key {k:?}: {e}")))
        })
        .collect()
}

/// Verifies `evidence` against `proof_bytes` with the log key and the witnesses' keys;
/// `quorum` defaults to all the witnesses given.
pub fn verify(
    evidence: &[u8],
    proof_bytes: &[u8],
    log_key: &str,
    witness_keys: &[String],
    quorum: Option<usize>,
) -> Result<Verified, VerifyError> {
    let witnesses = witness_verifiers(witness_keys)?;
    let required = quorum.unwrap_or(witnesses.len());
    if required > witnesses.len() {
        return Err(VerifyError::Key(format!(
            "the quorum {required} is larger than the {} witness keys given",
            witnesses.len()
        )));
    }
    let proof = TlogProof::parse(proof_bytes).map_err(VerifyError::Format)?;
    let entry_bytes = proof.extra.as_deref().ok_or_else(|| {
        VerifyError::Format("it has no extra line carrying the log entry".to_owned())
    })?;
    let entry = EntryFields::parse(entry_bytes).map_err(VerifyError::Format)?;
    let (note, checkpoint) = open_checkpoint(&proof.checkpoint, log_key)?;
    if proof.index >= checkpoint.size() {
        return Err(VerifyError::Inclusion);
    }
    tlog_tiles::check_record(
        &proof.hashes,
        checkpoint.size(),
        *checkpoint.hash(),
        proof.index,
        tlog_tiles::record_hash(entry_bytes),
    )
    .map_err(|_| VerifyError::Inclusion)?;
    if hex::encode(Sha256::digest(evidence)) != entry.content_sha256 {
        return Err(VerifyError::Evidence);
    }
    let cosigners = valid_cosigners(&note, &witnesses);
    if cosigners.len() < required {
        return Err(VerifyError::Quorum {
            valid: cosigners.len(),
            required,
        });
    }
    use base64::prelude::{Engine as _, BASE64_STANDARD};
    Ok(Verified {
        verified: true,
        entry,
        index: proof.index,
        tree_size: checkpoint.size(),
        root_hash: BASE64_STANDARD.encode(checkpoint.hash().0),
        origin: checkpoint.origin().to_owned(),
        witnessed: cosigners.len(),
        witnesses: cosigners,
    })
}
