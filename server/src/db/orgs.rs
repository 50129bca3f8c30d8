//! Orgs, their registered domains and their API keys.

use sqlx::Row as _;

use super::{flag, now_ms, Db};
use crate::host::Host;
use crate::ids::{new_id, new_secret, secret_hash, IdKind};

/// What `org create` (and the demo) asks for.
#[derive(Debug, Clone)]
pub struct NewOrg {
    /// Display name.
    pub name: String,
    /// Hosts whose pages may upload captures; buyers need none.
    pub domains: Vec<Host>,
    /// Bill the org at capture time (the default for generators).
    pub auto_collect: bool,
}

/// A created org and its first API key: the only time the secret is ever visible.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedOrg {
    /// `cid_…`.
    pub org_id: String,
    /// `key_….<secret>`, as sent in `X-API-Key`.
    pub api_key: String,
}

/// An org as the request handlers need it.
#[derive(Debug, Clone)]
pub struct Org {
    /// `cid_…`.
    pub id: String,
    /// Whether captures bill the org.
    pub auto_collect: bool,
}

/// An API key's stored half.
#[derive(Debug, Clone)]
pub struct StoredKey {
    /// The org the key acts for.
    pub org_id: String,
    /// Hex SHA-256 of the secret.
    pub secret_hash: String,
}

/// Creates an org with its domains and one API key, in one transaction.
pub async fn create_org(db: &Db, new: &NewOrg) -> Result<CreatedOrg, sqlx::Error> {
    let now = now_ms();
    let org_id = new_id(IdKind::Org);
    let key_id = new_id(IdKind::ApiKey);
    let secret = new_secret();
    let mut tx = db.pool().begin().await?;
    sqlx::query("INSERT INTO orgs (id, name, auto_collect, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&org_id)
        .bind(&new.name)
        .bind(flag(new.auto_collect))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    for host in &new.domains {
        sqlx::query(
            "INSERT INTO domains (org_id, host, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&org_id)
        .bind(host.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO api_keys (id, org_id, secret_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&key_id)
    .bind(&org_id)
    .bind(secret_hash(&secret))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(CreatedOrg {
        org_id,
        api_key: format!("{key_id}.{secret}"),
    })
}

/// The org with this id, if any.
pub async fn find_org(db: &Db, org_id: &str) -> Result<Option<Org>, sqlx::Error> {
    let row = sqlx::query("SELECT id, auto_collect FROM orgs WHERE id = $1")
        .bind(org_id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|row| {
        Ok(Org {
            id: row.try_get("id")?,
            auto_collect: row.try_get::<i64, _>("auto_collect")? != 0,
        })
    })
    .transpose()
}

/// The org's registered domains, in registration order.
pub async fn domains(db: &Db, org_id: &str) -> Result<Vec<Host>, sqlx::Error> {
    let rows = sqlx::query("SELECT host FROM domains WHERE org_id = $1 ORDER BY created_at, host")
        .bind(org_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|row| row.try_get::<String, _>("host").map(Host::from_stored))
        .collect()
}

/// The registered domain of `org_id` that `page` is on, if any: the most specific one,
/// so that a capture on `shop.example.com` is filed under it rather than `example.com`.
pub async fn matching_domain(
    db: &Db,
    org_id: &str,
    page: &Host,
) -> Result<Option<Host>, sqlx::Error> {
    let domains = domains(db, org_id).await?;
    Ok(domains
        .into_iter()
        .filter(|registered| page.is_within(registered))
        .max_by_key(|registered| registered.as_str().len()))
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
