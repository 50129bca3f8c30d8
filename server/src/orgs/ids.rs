//! Random identifiers and secrets.
//!
//! Owns the shape of every id the server mints (`cid_…`, `cdr_…`, `key_…`, `shr_…`,
//! `se_…`, `bil_…`, `req_…`, `usr_…`), of share tokens and of API-key secrets, and the hash under
//! which tokens and secrets are stored. It draws from the OS-seeded thread RNG and does no
//! other I/O.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::Rng as _;
use sha2::{Digest as _, Sha256};

/// Lowercase base32: readable, URL-safe and unambiguous in logs.
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
/// 24 base32 characters carry 120 bits of randomness.
const ID_CHARS: usize = 24;

/// The kinds of ids, each with its wire prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// An org (`cid_…`): named `cid` in the SDK's script tag.
    Org,
    /// A consent data record (`cdr_…`).
    Cdr,
    /// An API key's public half (`key_…`).
    ApiKey,
    /// A share link (`shr_…`); never shown to buyers, who see the token.
    Share,
    /// A claim of a share link (`se_…`).
    ShareEvent,
    /// A billing ledger row (`bil_…`).
    BillingEvent,
    /// One HTTP request (`req_…`), for logs and envelopes.
    Request,
    /// A background job (`job_…`).
    Job,
    /// A webhook event (`msg_…`): the `webhook-id` every delivery of it carries.
    WebhookEvent,
    /// A dashboard user (`usr_…`).
    User,
}

impl IdKind {
    /// The prefix, without the underscore.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Org => "cid",
            Self::Cdr => "cdr",
            Self::ApiKey => "key",
            Self::Share => "shr",
            Self::ShareEvent => "se",
            Self::BillingEvent => "bil",
            Self::Request => "req",
            Self::Job => "job",
            Self::WebhookEvent => "msg",
            Self::User => "usr",
        }
    }
}

/// A fresh random id of the given kind, e.g. `cdr_k3x…`.
pub fn new_id(kind: IdKind) -> String {
    let mut rng = rand::rng();
    let mut id = String::with_capacity(kind.prefix().len() + 1 + ID_CHARS);
    id.push_str(kind.prefix());
    id.push('_');
    for _ in 0..ID_CHARS {
        id.push(ALPHABET[rng.random_range(0..ALPHABET.len())] as char);
    }
    id
}

/// Whether `s` looks like an id of `kind` (prefix and alphabet); says nothing of existence.
pub fn is_id(kind: IdKind, s: &str) -> bool {
    s.strip_prefix(kind.prefix())
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|body| body.len() == ID_CHARS && body.bytes().all(|b| ALPHABET.contains(&b)))
}

/// 32 random bytes as unpadded base64url (43 characters): share tokens and key secrets.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex SHA-256, the stored form of tokens and secrets. They are 256-bit random values, so a
/// fast hash is right: there is nothing to brute-force that a slow hash would protect.
pub fn secret_hash(secret: &str) -> String {
    sha256_hex(secret.as_bytes())
}

/// Hex SHA-256 of arbitrary bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_their_prefix_and_enough_randomness() {
        let id = new_id(IdKind::Cdr);
        assert!(id.starts_with("cdr_"));
        assert!(is_id(IdKind::Cdr, &id));
        assert!(!is_id(IdKind::Org, &id));
        assert_ne!(new_id(IdKind::Cdr), id);
    }

    #[test]
    fn secrets_are_url_safe_and_long() {
        let token = new_secret();
        assert!(token.len() >= 32);
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    #[test]
    fn hashes_are_lowercase_hex_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
