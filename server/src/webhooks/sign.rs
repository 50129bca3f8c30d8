//! Signatures as the Standard Webhooks specification defines them
//! (<https://www.standardwebhooks.com/>, `spec/standard-webhooks.md`): the signed content is
//! `{webhook-id}.{webhook-timestamp}.{body}`, the signature is HMAC-SHA256 keyed with the
//! base64-decoded part of the secret after `whsec_`, sent base64-encoded as `v1,<sig>`;
//! several signatures (during a secret rotation) are separated by spaces.
//!
//! `hmac` + `sha2` (RustCrypto) rather than a webhooks crate: the scheme is three lines over
//! a vetted MAC, and receivers check it with any of the specification's libraries.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use rand::Rng as _;
use sha2::Sha256;

/// The prefix of a signing secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// A fresh signing secret: `whsec_` and the standard base64 of 32 random bytes (the
/// specification asks for 24 to 64 bytes).
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` header for one delivery, signed with each of `secrets` in
/// order. Secrets that do not decode are skipped (ours always do).
pub fn signature_header(secrets: &[&str], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .filter_map(|secret| sign(secret, id, timestamp, body))
        .map(|sig| format!("v1,{sig}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The base64 HMAC-SHA256 of `id.timestamp.body` under `secret`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's own example (its reference libraries' test vector).
    #[test]
    fn matches_the_specifications_test_vector() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let timestamp = 1614265330;
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, id, timestamp, body).as_deref(),
            Some("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn a_rotation_sends_both_signatures_space_separated() {
        let (new, old) = (new_secret(), new_secret());
        let header = signature_header(&[&new, &old], "msg_1", 1, b"{}");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            parts[0],
            format!("v1,{}", sign(&new, "msg_1", 1, b"{}").unwrap())
        );
        assert_eq!(
            parts[1],
            format!("v1,{}", sign(&old, "msg_1", 1, b"{}").unwrap())
        );
        assert_ne!(parts[0], parts[1]);
    }

    #[test]
    fn secrets_carry_32_random_bytes() {
        let secret = new_secret();
        let raw = STANDARD
            .decode(secret.strip_prefix(SECRET_PREFIX).unwrap())
            .unwrap();
        assert_eq!(raw.len(), 32);
        assert_ne!(new_secret(), secret);
    }
}
