//! Witness cosignatures of type `cosignature/v1` (c2sp.org/tlog-cosignature): Ed25519 over
//! `cosignature/v1\ntime <T>\n` followed by the checkpoint's note body, carried as a signed-note
//! signature line whose bytes are the 8-byte big-endian timestamp and the 64-byte signature.
//!
//! The `signed_note` crate parses notes and signature lines and computes key IDs, but its
//! standard verifier knows only the plain Ed25519 type (0x01); this module is the glue for type
//! 0x04 — a [`signed_note::Verifier`] and a signer over the same crates (`ed25519-dalek` signs),
//! so `Note::verify` checks cosignatures exactly as it checks the log's signature.

use base64::prelude::{Engine as _, BASE64_STANDARD};
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use signed_note::{is_key_name_valid, key_id, Note, Signature};

/// The signature type byte of `cosignature/v1` keys (tlog-cosignature, "Format").
pub const COSIGNATURE_V1: u8 = 0x04;

/// Why a cosigner key string is refused.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Not `<name>+<hex id>+<base64 key>` with a valid name and a 32-byte Ed25519 key.
    #[error("malformed cosigner key")]
    Format,
    /// The key type byte is not 0x04 (cosignature/v1).
    #[error("the key is not a cosignature/v1 (type 0x04) key")]
    Type,
    /// The key ID does not match the name and key.
    #[error("the key ID does not match the key")]
    Id,
}

/// The message a `cosignature/v1` signature covers.
pub fn signed_message(timestamp: u64, note_text: &[u8]) -> Vec<u8> {
    let mut msg = format!("cosignature/v1\ntime {timestamp}\n").into_bytes();
    msg.extend_from_slice(note_text);
    msg
}

fn key_material(key: &VerifyingKey) -> Vec<u8> {
    let mut material = vec![COSIGNATURE_V1];
    material.extend_from_slice(key.as_bytes());
    material
}

/// A witness's verifier: checks `cosignature/v1` signature lines on checkpoints.
#[derive(Clone, Debug)]
pub struct CosignatureVerifier {
    name: String,
    id: u32,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    /// Parses a signed-note verifier key string whose type byte is 0x04.
    pub fn new(vkey: &str) -> Result<Self, KeyError> {
        let mut parts = vkey.trim().splitn(3, '+');
        let (Some(name), Some(id16), Some(key64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(KeyError::Format);
        };
        let id = u32::from_str_radix(id16, 16).map_err(|_| KeyError::Format)?;
        let material = BASE64_STANDARD
            .decode(key64)
            .map_err(|_| KeyError::Format)?;
        if id16.len() != 8 || !is_key_name_valid(name) || material.is_empty() {
            return Err(KeyError::Format);
        }
        if material[0] != COSIGNATURE_V1 {
            return Err(KeyError::Type);
        }
        let bytes: [u8; 32] = material[1..].try_into().map_err(|_| KeyError::Format)?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::Format)?;
        if key_id(name, &material) != id {
            return Err(KeyError::Id);
        }
        Ok(Self {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// The cosigner's name (its key name).
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl signed_note::Verifier for CosignatureVerifier {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.id
    }
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        if sig.len() != 8 + 64 {
            return false;
        }
        let (time, sig) = sig.split_at(8);
        let timestamp = u64::from_be_bytes(time.try_into().unwrap_or_default());
        if timestamp > i64::MAX as u64 {
            return false;
        }
        let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else {
            return false;
        };
        self.key
            .verify_strict(&signed_message(timestamp, msg), &sig)
            .is_ok()
    }
}

/// A witness's signing key and name.
#[derive(Clone)]
pub struct Cosigner {
    name: String,
    id: u32,
    key: SigningKey,
}

impl std::fmt::Debug for Cosigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cosigner")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Cosigner {
    /// A cosigner from a name and a 32-byte Ed25519 seed.
    pub fn new(name: &str, seed: [u8; 32]) -> Result<Self, KeyError> {
        if !is_key_name_valid(name) {
            return Err(KeyError::Format);
        }
        let key = SigningKey::from_bytes(&seed);
        let id = key_id(name, &key_material(&key.verifying_key()));
        Ok(Self {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// A new cosigner with a random key.
    pub fn generate(name: &str) -> Result<Self, KeyError> {
        Self::new(name, rand::random())
    }

    /// The private key string, in the signed-note private key layout
    /// (`PRIVATE+KEY+<name>+<id>+base64(0x04 || seed)`).
    pub fn private_key(&self) -> String {
        let mut material = vec![COSIGNATURE_V1];
        material.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.id,
            BASE64_STANDARD.encode(material)
        )
    }

    /// Parses [`Cosigner::private_key`]'s string.
    pub fn from_private_key(text: &str) -> Result<Self, KeyError> {
        let rest = text
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(KeyError::Format)?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id16), Some(key64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(KeyError::Format);
        };
        let material = BASE64_STANDARD
            .decode(key64)
            .map_err(|_| KeyError::Format)?;
        if material.first() != Some(&COSIGNATURE_V1) {
            return Err(KeyError::Type);
        }
        let seed: [u8; 32] = material[1..].try_into().map_err(|_| KeyError::Format)?;
        let cosigner = Self::new(name, seed)?;
        if format!("{:08x}", cosigner.id) != id16 {
            return Err(KeyError::Id);
        }
        Ok(cosigner)
    }

    /// The verifier key string (type 0x04) others configure to trust this witness.
    pub fn verifier_key(&self) -> String {
        format!(
            "{}+{:08x}+{}",
            self.name,
            self.id,
            BASE64_STANDARD.encode(key_material(&self.key.verifying_key()))
        )
    }

    /// The cosigner's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Cosigns a checkpoint note at `timestamp` (POSIX seconds): the signature line, ending in
    /// a newline, to append to the note.
    pub fn cosign(&self, note: &Note, timestamp: u64) -> Vec<u8> {
        let sig = self.key.sign(&signed_message(timestamp, note.text()));
        let mut bytes = timestamp.to_be_bytes().to_vec();
        bytes.extend_from_slice(&sig.to_bytes());
        // The name was checked in `new`, so the line is always well formed.
        Signature::new(self.name.clone(), self.id, bytes)
            .map(|s| s.to_bytes())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signed_note::{Verifier as _, VerifierList};

    #[test]
    fn a_cosignature_verifies_with_the_witness_key_and_no_other() {
        let witness = Cosigner::generate("witness.example/w1").unwrap();
        let vkey = witness.verifier_key();
        let verifier = CosignatureVerifier::new(&vkey).unwrap();
        assert_eq!(verifier.key_id(), witness.id);
        let text = b"example.com/log\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let note = Note::new(text, &[]).unwrap();
        let line = witness.cosign(&note, 1_700_000_000);
        let mut signed = text.to_vec();
        signed.push(b'\n');
        signed.extend_from_slice(&line);
        let parsed = Note::from_bytes(&signed).unwrap();
        let (ok, _) = parsed
            .verify(&VerifierList::new(vec![Box::new(verifier)]))
            .unwrap();
        assert_eq!(ok.len(), 1);
        let other = Cosigner::generate("witness.example/w1").unwrap();
        let other = CosignatureVerifier::new(&other.verifier_key()).unwrap();
        assert!(parsed
            .verify(&VerifierList::new(vec![Box::new(other)]))
            .is_err());
        let again = Cosigner::from_private_key(&witness.private_key()).unwrap();
        assert_eq!(again.verifier_key(), vkey);
        // A plain Ed25519 (0x01) key string is not a cosigner key.
        let (_, log_vkey) = (
            (),
            signed_note::new_ed25519_verifier_key("x", &witness.key.verifying_key()),
        );
        assert!(matches!(
            CosignatureVerifier::new(&log_vkey),
            Err(KeyError::Type)
        ));
    }
}
