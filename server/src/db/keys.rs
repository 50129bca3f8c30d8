//! API keys: minting, revoking, and the lookup behind every authenticated request.
//!
//! Several keys per org may be live at once (to rotate without downtime). The secret is
//! returned once, at creation, and stored only as its hash.

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row as _};

use super::{now_ms, Db};
use crate::orgs::ids::{new_id, new_secret, secret_hash, IdKind};

/// A new key: the only time its secret is visible.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedKey {
    /// `key_…`, what `key revoke` takes.
    pub key_id: String,
    /// `key_….<secret>`, as sent in `X-API-Key`.
    pub api_key: String,
}

/// The result of `key revoke`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokedKey {
    /// The revoked key.
    pub key_id: String,
    /// Always `true`: the key no longer authenticates.
    pub revoked: bool,
}

/// An API key's stored half.
#[derive(Debug, Clone)]
pub struct StoredKey {
    /// The org the key acts for.
    pub org_id: String,
    /// Hex SHA-256 of the secret.
    pub secret_hash: String,
}

/// Inserts a fresh key for `org_id` inside the caller's transaction.
pub async fn insert_key(
    conn: &mut AnyConnection,
    org_id: &str,
    now: i64,
) -> Result<CreatedKey, sqlx::Error> {
    let key_id = new_id(IdKind::ApiKey);
    let secret = new_secret();
    sqlx::query(
        "INSERT INTO api_keys (id, org_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&key_id)
    .bind(org_id)
    .bind(secret_hash(&secret))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(CreatedKey {
        api_key: format!("{key_id}.{secret}"),
        key_id,
    })
}

/// Adds a key to an existing org; `None` when there is no such org.
pub async fn create_key(db: &Db, org_id: &str) -> Result<Option<CreatedKey>, sqlx::Error> {
    let mut tx = db.begin_write(super::Lane::Interactive).await?;
    let exists = sqlx::query("SELECT id FROM orgs WHERE id = $1")
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if !exists {
        return Ok(None);
    }
    let created = insert_key(&mut tx, org_id, now_ms()).await?;
    db.commit(tx).await?;
    Ok(Some(created))
}

/// Revokes a key; `None` when there is no such key. Revoking twice is harmless and keeps
/// the first revocation time.
pub async fn revoke_key(db: &Db, key_id: &str) -> Result<Option<RevokedKey>, sqlx::Error> {
    let done =
        sqlx::query("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1")
            .bind(key_id)
            .bind(now_ms())
            .execute(db.pool())
            .await?;
    Ok((done.rows_affected() == 1).then(|| RevokedKey {
        key_id: key_id.to_owned(),
        revoked: true,
    }))
}

/// The live (not revoked) key with this id. Read on every request, never cached, so a
/// revocation takes effect at once in every process.
pub async fn find_live_key(db: &Db, key_id: &str) -> Result<Option<StoredKey>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT org_id, secret_hash FROM api_keys WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(key_id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(StoredKey {
            org_id: row.try_get("org_id")?,
            secret_hash: row.try_get("secret_hash")?,
        })
    })
    .transpose()
}

/// One of an org's keys as its settings page lists it (never the secret).
#[derive(Debug, Clone)]
pub struct KeyRow {
    /// `key_…`.
    pub key_id: String,
    /// When it was made, epoch ms.
    pub created_at: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

/// The org's keys, newest first (at most 200: the page lists them all).
pub async fn list_keys(db: &Db, org_id: &str) -> Result<Vec<KeyRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, created_at, revoked_at FROM api_keys WHERE org_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT 200",
    )
    .bind(org_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(KeyRow {
                key_id: row.try_get("id")?,
                created_at: row.try_get("created_at")?,
                revoked_at: row.try_get("revoked_at")?,
            })
        })
        .collect()
}

/// Revokes one of `org_id`'s keys; `None` when the org has no such key (another org's
/// key is never touched).
pub async fn revoke_org_key(
    db: &Db,
    org_id: &str,
    key_id: &str,
) -> Result<Option<RevokedKey>, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND org_id = $2",
    )
    .bind(key_id)
    .bind(org_id)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok((done.rows_affected() == 1).then(|| RevokedKey {
        key_id: key_id.to_owned(),
        revoked: true,
    }))
}
