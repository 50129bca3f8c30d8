//! Share links: minting a token, the row that stores its hash, and the URL given out.
//!
//! Owns the form of share URLs (`<public_url>/v1/shares/<token>`). The plain token leaves
//! this module only in the [`ShareLink`] returned to the minter.

use expressconsent_protocol::{ExpiresIn, ShareLink};

use crate::db::shares::NewShare;
use crate::orgs::ids::{new_id, new_secret, secret_hash, IdKind};

/// A fresh share link for `cdr_id`, minted by `minter_org_id` at `now` (epoch ms): the
/// row to store and the link to return.
pub fn new_link(
    public_url: &str,
    cdr_id: &str,
    minter_org_id: &str,
    expires_in: ExpiresIn,
    now: i64,
) -> (NewShare, ShareLink) {
    let token = new_secret();
    let lifetime = i64::try_from(expires_in.as_millis()).unwrap_or(i64::MAX);
    let expires_at = now.saturating_add(lifetime);
    let row = NewShare {
        id: new_id(IdKind::Share),
        token_hash: secret_hash(&token),
        cdr_id: cdr_id.to_owned(),
        minter_org_id: minter_org_id.to_owned(),
        created_at: now,
        expires_at,
    };
    let link = ShareLink {
        share_url: format!("{public_url}/v1/shares/{token}"),
        share_token: token,
        share_expires_at: expires_at,
    };
    (row, link)
}

/// Whether a path segment can be a token this server minted; anything else is unknown
/// without a database lookup.
pub fn is_plausible_token(token: &str) -> bool {
    (32..=128).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
