//! The `c2sp.org/tlog-proof@v1` document (c2sp.org/tlog-proof), read strictly, and the log entry
//! carried in its extra data (the `expressconsent.cdr/v1` text that the leaf hashes).
//!
//! The format is a handful of lines; no crate parses it, so this is the glue. Hashes are
//! `tlog_tiles::Hash`, the checkpoint is kept verbatim for `signed_note` to parse.

use base64::prelude::{Engine as _, BASE64_STANDARD};
use tlog_tiles::Hash;

/// The first line of every proof.
pub const HEADER: &str = "c2sp.org/tlog-proof@v1";

/// A parsed proof document.
#[derive(Debug, Clone, PartialEq)]
pub struct TlogProof {
    /// The opaque extra data (for us: the entry bytes).
    pub extra: Option<Vec<u8>>,
    /// The entry's zero-based index.
    pub index: u64,
    /// The inclusion proof, from the leaf's sibling up to the root's child.
    pub hashes: Vec<Hash>,
    /// The checkpoint note, verbatim (text, blank line, signature lines).
    pub checkpoint: Vec<u8>,
}

impl TlogProof {
    /// Parses a proof document; the error says what is wrong with it.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_owned())?;
        let mut rest = text;
        let mut line = || -> Result<&str, String> {
            let (line, tail) = rest
                .split_once('\n')
                .ok_or_else(|| "it ends before the checkpoint".to_owned())?;
            rest = tail;
            Ok(line)
        };
        if line()? != HEADER {
            return Err(format!("the first line is not {HEADER}"));
        }
        let mut next = line()?;
        let mut extra = None;
        if let Some(b64) = next.strip_prefix("extra ") {
            extra = Some(
                BASE64_STANDARD
                    .decode(b64)
                    .map_err(|_| "the extra line is not base64".to_owned())?,
            );
            next = line()?;
        }
        let digits = next
            .strip_prefix("index ")
            .ok_or_else(|| "there is no index line".to_owned())?;
        let index = parse_decimal(digits).ok_or_else(|| "the index is not a number".to_owned())?;
        let mut hashes = Vec::new();
        loop {
            let next = line()?;
            if next.is_empty() {
                break;
            }
            if hashes.len() == 63 {
                return Err("the inclusion proof has more than 63 hashes".to_owned());
            }
            hashes.push(parse_hash(next).ok_or_else(|| {
                format!(
                    "inclusion proof line {} is not a base64 SHA-256 hash",
                    hashes.len() + 1
                )
            })?);
        }
        Ok(Self {
            extra,
            index,
            hashes,
            checkpoint: rest.as_bytes().to_vec(),
        })
    }

    /// The document's text.
    pub fn to_text(&self) -> String {
        let mut out = format!("{HEADER}\n");
        if let Some(extra) = &self.extra {
            out.push_str(&format!("extra {}\n", BASE64_STANDARD.encode(extra)));
        }
        out.push_str(&format!("index {}\n", self.index));
        for hash in &self.hashes {
            out.push_str(&BASE64_STANDARD.encode(hash.0));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(&self.checkpoint));
        out
    }
}

/// An ASCII decimal with no leading zeroes (unless it is `0`), as the C2SP formats write sizes.
pub fn parse_decimal(digits: &str) -> Option<u64> {
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    digits.parse().ok()
}

/// One base64 SHA-256 hash, canonically encoded.
pub fn parse_hash(b64: &str) -> Option<Hash> {
    let bytes = BASE64_STANDARD.decode(b64).ok()?;
    Some(Hash(bytes.try_into().ok()?))
}

/// The log entry of one CDR (what the leaf hashes), as the verifier reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryFields {
    /// The CDR's id.
    pub cdr_id: String,
    /// The org that captured it.
    pub org_id: String,
    /// The domain it was captured on.
    pub domain_id: String,
    /// SHA-256 of the evidence bytes, lowercase hex.
    pub content_sha256: String,
    /// When the server received it, epoch milliseconds.
    pub received_ms: u64,
}

impl EntryFields {
    /// Parses the entry text strictly, with the log's own parser ([`crate::log::entry::Entry`]):
    /// exactly the six lines, in order, each ending in `\n`.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let entry =
            crate::log::entry::Entry::parse(bytes).map_err(|e| format!("its extra data is {e}"))?;
        Ok(Self {
            received_ms: u64::try_from(entry.received_ms)
                .map_err(|_| "the log entry's received time is negative".to_owned())?,
            cdr_id: entry.cdr_id,
            org_id: entry.org_id,
            domain_id: entry.domain_id,
            content_sha256: entry.content_sha256,
        })
    }

    /// The entry text (the bytes the leaf hashes).
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::log::entry::Entry {
            cdr_id: self.cdr_id.clone(),
            org_id: self.org_id.clone(),
            domain_id: self.domain_id.clone(),
            content_sha256: self.content_sha256.clone(),
            received_ms: i64::try_from(self.received_ms).unwrap_or(i64::MAX),
        }
        .to_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proof_round_trips_and_bad_ones_say_why() {
        let proof = TlogProof {
            extra: Some(b"hello\n".to_vec()),
            index: 5,
            hashes: vec![tlog_tiles::record_hash(b"a"), tlog_tiles::record_hash(b"b")],
            checkpoint: b"o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 o x\n"
                .to_vec(),
        };
        let text = proof.to_text();
        assert_eq!(TlogProof::parse(text.as_bytes()).unwrap(), proof);
        assert!(
            TlogProof::parse(text.replacen("index 5", "index 05", 1).as_bytes())
                .unwrap_err()
                .contains("index")
        );
        assert!(TlogProof::parse(b"c2sp.org/tlog-proof@v2\n").is_err());
        let entry = EntryFields {
            cdr_id: "cdr_1".into(),
            org_id: "org_1".into(),
            domain_id: "dom_1".into(),
            content_sha256: "ab".repeat(32),
            received_ms: 1_700_000_000_000,
        };
        assert_eq!(EntryFields::parse(&entry.to_bytes()).unwrap(), entry);
        assert!(EntryFields::parse(b"expressconsent.cdr/v1\n").is_err());
    }
}
