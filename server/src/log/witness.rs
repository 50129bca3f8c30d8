//! Witnesses (`EC_WITNESSES`): each new checkpoint is sent to every witness's
//! `add-checkpoint` (c2sp.org/tlog-witness) with a consistency proof from the size the
//! witness last cosigned; each answer's `cosignature/v1` lines (c2sp.org/tlog-cosignature)
//! are verified against that witness's key and appended to the checkpoint.
//!
//! Witness keys are signed-note verifier key strings of key type `0x04`, which
//! `signed_note`'s verifier does not accept, so the key string is split here and the
//! Ed25519 signature checked with `ed25519-dalek` over the message the specification
//! defines (`cosignature/v1`, `time <t>`, then the checkpoint text). The key id is
//! `signed_note::key_id`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use ed25519_dalek::{Signature as EdSignature, VerifyingKey};
use signed_note::Signature;
use tlog_tiles::Hash;

/// The signature type byte of `cosignature/v1` keys.
pub const COSIGNATURE_V1: u8 = 0x04;
/// How long one witness may take to answer.
pub const TIMEOUT: Duration = Duration::from_secs(3);

/// A witness: its verifier key and where it takes checkpoints.
#[derive(Debug, Clone)]
pub struct Witness {
    /// The witness's key name.
    pub name: String,
    /// The key id.
    pub id: u32,
    /// The Ed25519 public key.
    pub key: VerifyingKey,
    /// The verifier key string as configured.
    pub vkey: String,
    /// The base URL (`<url>/add-checkpoint` is posted to), no trailing slash.
    pub url: String,
}

/// Why an `EC_WITNESSES` entry is unusable.
#[derive(Debug, thiserror::Error)]
#[error("EC_WITNESSES entry {entry:?}: {reason} (expected <name>+<id>+<base64 key>@<http(s) URL>, a cosignature/v1 key)")]
pub struct WitnessKeyError {
    entry: String,
    reason: &'static str,
}

impl Witness {
    /// Parses `VKEY@URL`.
    pub fn parse(entry: &str) -> Result<Self, WitnessKeyError> {
        let fail = |reason| WitnessKeyError {
            entry: entry.into(),
            reason,
        };
        let at = entry.find("@http").ok_or_else(|| fail("no @URL"))?;
        let (vkey, url) = (&entry[..at], &entry[at + 1..]);
        url::Url::parse(url).map_err(|_| fail("the URL does not parse"))?;
        let (name, key_id, key) = parse_cosignature_key(vkey).ok_or_else(|| fail("bad key"))?;
        Ok(Self {
            name,
            id: key_id,
            key,
            vkey: vkey.into(),
            url: url.trim_end_matches('/').into(),
        })
    }

    /// Whether `sig` is this witness's valid cosignature of `checkpoint_text`.
    pub fn verifies(&self, checkpoint_text: &[u8], sig: &Signature) -> bool {
        if sig.name() != self.name || sig.id() != self.id {
            return false;
        }
        let bytes = sig.signature();
        let (Some(time), Some(ed)) = (bytes.get(..8), bytes.get(8..)) else {
            return false;
        };
        let Ok(ed) = EdSignature::from_slice(ed) else {
            return false;
        };
        let time = u64::from_be_bytes(time.try_into().expect("8 bytes"));
        self.key
            .verify_strict(&cosigned_message(time, checkpoint_text), &ed)
            .is_ok()
    }
}

/// Splits a `cosignature/v1` verifier key string into name, key id and key.
pub fn parse_cosignature_key(vkey: &str) -> Option<(String, u32, VerifyingKey)> {
    let (name, rest) = vkey.split_once('+')?;
    let (id_hex, key64) = rest.split_once('+')?;
    if id_hex.len() != 8 || !signed_note::is_key_name_valid(name) {
        return None;
    }
    let id = u32::from_str_radix(id_hex, 16).ok()?;
    let key = base64::engine::general_purpose::STANDARD
        .decode(key64)
        .ok()?;
    if key.first() != Some(&COSIGNATURE_V1) || signed_note::key_id(name, &key) != id {
        return None;
    }
    let key = VerifyingKey::from_bytes(key.get(1..)?.try_into().ok()?).ok()?;
    Some((name.into(), id, key))
}

/// What a `cosignature/v1` signs: the header lines, then the checkpoint text.
pub fn cosigned_message(time: u64, checkpoint_text: &[u8]) -> Vec<u8> {
    let mut message = format!("cosignature/v1\ntime {time}\n").into_bytes();
    message.extend_from_slice(checkpoint_text);
    message
}

/// The `add-checkpoint` request body.
pub fn add_checkpoint_body(old: u64, proof: &[Hash], note: &str) -> String {
    let mut body = format!("old {old}\n");
    for hash in proof {
        body.push_str(&format!("{hash}\n"));
    }
    body.push('\n');
    body.push_str(note);
    body
}

/// What a witness answered.
#[derive(Debug)]
pub enum Answer {
    /// Its cosignatures (the verified ones).
    Cosigned(Vec<Signature>),
    /// It knows another size (409 with `text/x.tlog.size`).
    Conflict(u64),
    /// Anything else: refused or unreachable.
    Failed(String),
}

/// Posts a checkpoint to a witness and verifies its cosignatures.
pub async fn add_checkpoint(
    client: &reqwest::Client,
    witness: &Witness,
    body: String,
    checkpoint_text: &[u8],
) -> Answer {
    let url = format!("{}/add-checkpoint", witness.url);
    let response = match client.post(&url).body(body).timeout(TIMEOUT).send().await {
        Ok(response) => response,
        Err(err) => return Answer::Failed(format!("unreachable: {err}")),
    };
    let status = response.status();
    let text = match response.text().await {
        Ok(text) => text,
        Err(err) => return Answer::Failed(format!("no answer: {err}")),
    };
    if status == reqwest::StatusCode::CONFLICT {
        return match text.trim_end_matches('\n').parse::<u64>() {
            Ok(size) => Answer::Conflict(size),
            Err(_) => Answer::Failed("409 without a size".into()),
        };
    }
    if !status.is_success() {
        return Answer::Failed(format!("HTTP {status}"));
    }
    let sigs: Vec<Signature> = text
        .lines()
        .filter_map(|line| Signature::from_bytes(line.as_bytes()).ok())
        .filter(|sig| witness.verifies(checkpoint_text, sig))
        .collect();
    match sigs.is_empty() {
        true => Answer::Failed("no valid cosignature from its key".into()),
        false => Answer::Cosigned(sigs),
    }
}

/// The size each witness last cosigned, as far as this process knows (a 409 corrects it).
#[derive(Debug, Default)]
pub struct Known(Mutex<HashMap<String, u64>>);

impl Known {
    /// The size `witness` is believed to have.
    pub fn get(&self, witness: &Witness) -> u64 {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&witness.vkey).copied().unwrap_or(0)
    }

    /// Records the size `witness` has now.
    pub fn set(&self, witness: &Witness, size: u64) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(witness.vkey.clone(), size);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn witness_key(name: &str, seed: u8) -> (ed25519_dalek::SigningKey, String) {
        let signing = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
        let mut key = vec![COSIGNATURE_V1];
        key.extend_from_slice(signing.verifying_key().as_bytes());
        let vkey = format!(
            "{name}+{:08x}+{}",
            signed_note::key_id(name, &key),
            base64::engine::general_purpose::STANDARD.encode(&key)
        );
        (signing, vkey)
    }

    #[test]
    fn a_cosignature_verifies_only_for_its_key_and_text() {
        use ed25519_dalek::Signer as _;
        let (signing, vkey) = witness_key("w1.example", 7);
        let witness = Witness::parse(&format!("{vkey}@http://127.0.0.1:9/w")).unwrap();
        assert_eq!(witness.url, "http://127.0.0.1:9/w");
        let text = b"example.com/log\n3\nAAAA\n";
        let time = 1_700_000_000u64;
        let ed = signing.sign(&cosigned_message(time, text));
        let mut bytes = time.to_be_bytes().to_vec();
        bytes.extend_from_slice(&ed.to_bytes());
        let sig = Signature::new("w1.example".into(), witness.id, bytes.clone()).unwrap();
        assert!(witness.verifies(text, &sig));
        assert!(!witness.verifies(b"example.com/log\n4\nAAAA\n", &sig));
        bytes[0] ^= 1;
        let moved = Signature::new("w1.example".into(), witness.id, bytes).unwrap();
        assert!(!witness.verifies(text, &moved));

        let note_key = ed25519_dalek::SigningKey::from_bytes(&[8; 32]).verifying_key();
        let ed25519_key = signed_note::new_ed25519_verifier_key("w2.example", &note_key);
        assert!(Witness::parse(&format!("{ed25519_key}@http://x")).is_err());
        assert!(Witness::parse(&vkey).is_err());
    }

    #[test]
    fn the_request_body_is_old_size_proof_blank_line_checkpoint() {
        let body = add_checkpoint_body(2, &[Hash([0; 32])], "o\n5\nh\n\n— o sig\n");
        assert_eq!(
            body,
            "old 2\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\no\n5\nh\n\n— o sig\n"
        );
    }
}
