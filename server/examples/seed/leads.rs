//! The lead fingerprints of a seeded CDR, made by the server's own normalization and
//! keyed HMAC ([`Matcher`]) with the key the server will use (`EC_MATCH_KEY`, else
//! `<data_dir>/match.key`, created here when missing) and the same default phone region,
//! so that `POST /v1/cdrs/search` finds seeded CDRs as it finds captured ones.

use expressconsent_server::evidence::lead::{LeadKind, LeadValue, Matcher};

use crate::plan::{email, phone};

/// `(kind, fingerprint)` rows of CDR `n`'s phone and email, as ingest stores them (values
/// that do not normalize are left out, as ingest leaves them out).
pub fn fingerprints(matcher: &Matcher, n: u64) -> Vec<(&'static str, String)> {
    let values = [
        LeadValue {
            kind: LeadKind::Phone,
            value: phone(n),
        },
        LeadValue {
            kind: LeadKind::Email,
            value: email(n),
        },
    ];
    matcher
        .fingerprints(&values)
        .into_iter()
        .map(|lead| (lead.kind.as_str(), lead.fingerprint))
        .collect()
}
