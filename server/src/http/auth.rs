//! API-key authentication: the `X-API-Key` extractor.
//!
//! Owns the key format (`<keyId>.<secret>`) and its check. Every request looks the key up
//! in the database (no cache), so revoking a key is immediate in every process; the
//! secret's hash is compared in constant time.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use subtle::ConstantTimeEq as _;

use crate::db::keys::find_live_key;
use crate::http::app::AppState;
use crate::http::error::ApiError;
use crate::orgs::ids::{is_id, secret_hash, IdKind};

/// The header that carries the key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// The org an authenticated request acts for.
#[derive(Debug, Clone)]
pub struct AuthOrg {
    /// `cid_…`.
    pub org_id: String,
}

/// The two halves of an API key as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyParts<'a> {
    /// `key_…`: looked up.
    pub key_id: &'a str,
    /// The secret: hashed and compared.
    pub secret: &'a str,
}

/// Splits `key_….<secret>`; `None` when it cannot be a key this server issued.
pub fn parse_key(value: &str) -> Option<KeyParts<'_>> {
    let (key_id, secret) = value.trim().split_once('.')?;
    let secret_ok = !secret.is_empty()
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (is_id(IdKind::ApiKey, key_id) && secret_ok).then_some(KeyParts { key_id, secret })
}

impl FromRequestParts<AppState> for AuthOrg {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(API_KEY_HEADER)
            .ok_or_else(|| ApiError::Unauthenticated("missing X-API-Key header".into()))?;
        let invalid = || ApiError::Unauthenticated("invalid API key".into());
        let key = header
            .to_str()
            .ok()
            .and_then(parse_key)
            .ok_or_else(invalid)?;
        let stored = find_live_key(&state.db, key.key_id)
            .await?
            .ok_or_else(invalid)?;
        let presented = secret_hash(key.secret);
        if bool::from(presented.as_bytes().ct_eq(stored.secret_hash.as_bytes())) {
            Ok(Self {
                org_id: stored.org_id,
            })
        } else {
            Err(invalid())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orgs::ids::{new_id, new_secret};

    #[test]
    fn a_key_is_an_id_a_dot_and_a_url_safe_secret() {
        let id = new_id(IdKind::ApiKey);
        let secret = new_secret();
        let value = format!("{id}.{secret}");
        assert_eq!(
            parse_key(&value),
            Some(KeyParts {
                key_id: &id,
                secret: &secret
            })
        );
    }

    #[test]
    fn malformed_keys_are_refused_before_any_lookup() {
        let id = new_id(IdKind::ApiKey);
        let org = new_id(IdKind::Org);
        for bad in [
            String::new(),
            id.clone(),
            format!("{id}."),
            format!(".{}", new_secret()),
            format!("{org}.{}", new_secret()),
            format!("{id}.not a secret"),
            format!("key_short.{}", new_secret()),
        ] {
            assert_eq!(parse_key(&bad), None, "{bad:?}");
        }
    }
}
