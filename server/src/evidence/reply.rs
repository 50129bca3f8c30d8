//! The first answer to a capture, sealed so that a retry can be answered the same.
//!
//! An idempotent retry must get the very same share link, but a share token is stored only
//! as a hash (`shares.token_hash`), which cannot be answered again. So the first answer is
//! kept encrypted (AES-256-GCM) under a key derived from the capture's own body, which the
//! database does not hold: the evidence lives in the object store, and a retry brings the
//! same bytes again. Reading the database alone (a leaked backup, a replica) yields no
//! share token. The key also binds the org and the CDR id, so each key seals exactly one
//! message, which is what makes the fixed nonce safe.

use aes_gcm::aead::Aead as _;
use aes_gcm::{Aes256Gcm, KeyInit as _, Nonce};
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use expressconsent_protocol::CaptureResult;
use sha2::{Digest as _, Sha256};

/// Key material taken from a capture's body (decompressed). It is not the body's
/// fingerprint (`content_sha256`, which the database holds): a separate hash with its own
/// prefix.
#[derive(Clone)]
pub struct ReplyKey([u8; 32]);

impl std::fmt::Debug for ReplyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReplyKey(…)")
    }
}

impl ReplyKey {
    /// The key material of `body`.
    pub fn of_body(body: &[u8]) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"expressconsent capture reply v1\0");
        hash.update(body);
        Self(hash.finalize().into())
    }

    fn cipher(&self, org_id: &str, cdr_id: &str) -> Aes256Gcm {
        let mut hash = Sha256::new();
        hash.update(self.0);
        hash.update(org_id.as_bytes());
        hash.update([0]);
        hash.update(cdr_id.as_bytes());
        let key: [u8; 32] = hash.finalize().into();
        Aes256Gcm::new(&key.into())
    }

    /// `reply` sealed for the CDR `cdr_id` of `org_id`, as base64 text.
    pub fn seal(&self, org_id: &str, cdr_id: &str, reply: &CaptureResult) -> String {
        let json = serde_json::to_vec(reply).unwrap_or_default();
        // Encrypting into a Vec cannot fail for a message this size.
        let sealed = self
            .cipher(org_id, cdr_id)
            .encrypt(&Nonce::default(), json.as_slice())
            .unwrap_or_default();
        STANDARD_NO_PAD.encode(sealed)
    }

    /// The reply sealed by [`Self::seal`] with the same key, org and CDR; `None` when
    /// `sealed` was not (another body, tampering).
    pub fn open(&self, org_id: &str, cdr_id: &str, sealed: &str) -> Option<CaptureResult> {
        let bytes = STANDARD_NO_PAD.decode(sealed).ok()?;
        let json = self
            .cipher(org_id, cdr_id)
            .decrypt(&Nonce::default(), bytes.as_slice())
            .ok()?;
        serde_json::from_slice(&json).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expressconsent_protocol::PackageData;

    fn reply() -> CaptureResult {
        CaptureResult {
            cdr_id: "cdr_1".into(),
            package_data: PackageData::default(),
            share_url: Some("https://x/v1/shares/secret-token".into()),
            share_token: Some("secret-token".into()),
            share_expires_at: Some(1),
        }
    }

    #[test]
    fn a_sealed_reply_opens_only_with_the_same_body_org_and_cdr() {
        let key = ReplyKey::of_body(b"{\"body\":1}");
        let sealed = key.seal("cid_a", "cdr_1", &reply());

        assert!(!sealed.contains("secret-token"));
        assert_eq!(key.open("cid_a", "cdr_1", &sealed), Some(reply()));
        assert_eq!(
            ReplyKey::of_body(b"{\"body\":2}").open("cid_a", "cdr_1", &sealed),
            None
        );
        assert_eq!(key.open("cid_b", "cdr_1", &sealed), None);
        assert_eq!(key.open("cid_a", "cdr_2", &sealed), None);
    }
}
