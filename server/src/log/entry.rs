//! A log entry: what one CDR's leaf hashes. No personal data, only identifiers, the
//! evidence's SHA-256 and the time it was received.
//!
//! The text is exactly these lines, each ending in `\n` (see `/work/shared` issue 13):
//! `expressconsent.cdr/v1`, `cdr <cdrId>`, `org <orgId>`, `domain <domainId>`,
//! `sha256 <hex>`, `received <epoch ms>`. The leaf hash is
//! `tlog_tiles::record_hash(entry bytes)`.

/// The first line of every entry: the format and its version.
pub const ENTRY_FORMAT: &str = "expressconsent.cdr/v1";

/// One CDR's entry in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The CDR.
    pub cdr_id: String,
    /// The org that captured it.
    pub org_id: String,
    /// The registered domain it was captured on.
    pub domain_id: String,
    /// Lower-case hex SHA-256 of the evidence bytes (`contentSha256`).
    pub content_sha256: String,
    /// When the server received it, epoch milliseconds.
    pub received_ms: i64,
}

/// Why bytes are not an entry.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not an {ENTRY_FORMAT} entry: {0}")]
pub struct EntryError(&'static str);

impl Entry {
    /// The entry's bytes: what the leaf hashes.
    pub fn to_bytes(&self) -> Vec<u8> {
        format!(
            "{ENTRY_FORMAT}\ncdr {}\norg {}\ndomain {}\nsha256 {}\nreceived {}\n",
            self.cdr_id, self.org_id, self.domain_id, self.content_sha256, self.received_ms
        )
        .into_bytes()
    }

    /// Parses exactly what [`Entry::to_bytes`] writes; anything else is refused.
    pub fn parse(bytes: &[u8]) -> Result<Self, EntryError> {
        let text = std::str::from_utf8(bytes).map_err(|_| EntryError("not UTF-8"))?;
        let body = text
            .strip_suffix('\n')
            .ok_or(EntryError("the last line does not end in a newline"))?;
        let mut lines = body.split('\n');
        if lines.next() != Some(ENTRY_FORMAT) {
            return Err(EntryError("the first line is not the format"));
        }
        let mut field = |name: &'static str| -> Result<&str, EntryError> {
            let line = lines.next().ok_or(EntryError("a line is missing"))?;
            let value = line
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(' '))
                .ok_or(EntryError("the lines are not in the expected order"))?;
            match value.is_empty() || value.contains(char::is_whitespace) {
                true => Err(EntryError("a value is empty or has spaces")),
                false => Ok(value),
            }
        };
        let cdr_id = field("cdr")?.to_owned();
        let org_id = field("org")?.to_owned();
        let domain_id = field("domain")?.to_owned();
        let content_sha256 = field("sha256")?.to_owned();
        let received = field("received")?;
        let received_ms: i64 = received
            .parse()
            .map_err(|_| EntryError("received is not a number"))?;
        if received_ms.to_string() != received {
            return Err(EntryError("received is not in canonical form"));
        }
        if content_sha256.len() != 64
            || !content_sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(EntryError("sha256 is not 64 lower-case hex digits"));
        }
        if lines.next().is_some() {
            return Err(EntryError("there are extra lines"));
        }
        Ok(Self {
            cdr_id,
            org_id,
            domain_id,
            content_sha256,
            received_ms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Entry {
        Entry {
            cdr_id: "cdr_1".into(),
            org_id: "org_2".into(),
            domain_id: "example.com".into(),
            content_sha256: "ab".repeat(32),
            received_ms: 1_764_547_200_000,
        }
    }

    #[test]
    fn entries_round_trip_in_the_documented_lines() {
        let bytes = sample().to_bytes();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            format!(
                "expressconsent.cdr/v1\ncdr cdr_1\norg org_2\ndomain example.com\nsha256 {}\nreceived 1764547200000\n",
                "ab".repeat(32)
            )
        );
        assert_eq!(Entry::parse(&bytes), Ok(sample()));
    }

    #[test]
    fn anything_but_the_exact_lines_is_refused() {
        let good = String::from_utf8(sample().to_bytes()).unwrap();
        for bad in [
            good.trim_end().to_owned(),
            format!("{good}extra 1\n"),
            good.replace("org org_2", "org  org_2"),
            good.replace("received 1764547200000", "received 01764547200000"),
            good.replace(&"ab".repeat(32), &"AB".repeat(32)),
            good.replace("cdr cdr_1\norg org_2", "org org_2\ncdr cdr_1"),
            good.replace("expressconsent.cdr/v1", "expressconsent.cdr/v2"),
        ] {
            assert!(Entry::parse(bad.as_bytes()).is_err(), "accepted {bad:?}");
        }
    }
}
