//! Orgs, their settings and their registered domains.

use sqlx::Row as _;

use super::keys::insert_key;
use super::{flag, now_ms, Db};
use crate::orgs::host::Host;

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

/// An org's stored settings.
#[derive(Debug, Clone)]
pub struct OrgRow {
    /// `cid_…`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Whether captures bill the org.
    pub auto_collect: bool,
    /// Creation time, epoch ms.
    pub created_at: i64,
}

/// A registered domain.
#[derive(Debug, Clone)]
pub struct DomainRow {
    /// The host.
    pub host: Host,
    /// Registration time, epoch ms.
    pub created_at: i64,
}

/// Creates an org with its domains and one API key, in one transaction.
pub async fn create_org(db: &Db, new: &NewOrg) -> Result<CreatedOrg, sqlx::Error> {
    let now = now_ms();
    let org_id = crate::orgs::ids::new_id(crate::orgs::ids::IdKind::Org);
    let mut tx = db.begin_write(super::Lane::Interactive).await?;
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
    let key = insert_key(&mut tx, &org_id, now).await?;
    db.commit(tx).await?;
    Ok(CreatedOrg {
        org_id,
        api_key: key.api_key,
    })
}

/// The org with this id, if any.
pub async fn find_org(db: &Db, org_id: &str) -> Result<Option<Org>, sqlx::Error> {
    Ok(settings(db, org_id).await?.map(|row| Org {
        id: row.id,
        auto_collect: row.auto_collect,
    }))
}

/// The org's settings, if the org exists.
pub async fn settings(db: &Db, org_id: &str) -> Result<Option<OrgRow>, sqlx::Error> {
    let row = sqlx::query("SELECT id, name, auto_collect, created_at FROM orgs WHERE id = $1")
        .bind(org_id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|row| {
        Ok(OrgRow {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            auto_collect: row.try_get::<i64, _>("auto_collect")? != 0,
            created_at: row.try_get("created_at")?,
        })
    })
    .transpose()
}

/// Every org, oldest first (for operators).
pub async fn list_orgs(db: &Db) -> Result<Vec<OrgRow>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT id, name, auto_collect, created_at FROM orgs ORDER BY created_at, id")
            .fetch_all(db.pool())
            .await?;
    rows.iter()
        .map(|row| {
            Ok(OrgRow {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                auto_collect: row.try_get::<i64, _>("auto_collect")? != 0,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

/// Turns auto-collect on or off; later captures follow the new setting.
pub async fn set_auto_collect(db: &Db, org_id: &str, on: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orgs SET auto_collect = $2 WHERE id = $1")
        .bind(org_id)
        .bind(flag(on))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The org's registered domains, in registration order.
pub async fn domain_rows(db: &Db, org_id: &str) -> Result<Vec<DomainRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT host, created_at FROM domains WHERE org_id = $1 ORDER BY created_at, host",
    )
    .bind(org_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(DomainRow {
                host: Host::from_stored(row.try_get("host")?),
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

/// The org's registered domains, in registration order.
pub async fn domains(db: &Db, org_id: &str) -> Result<Vec<Host>, sqlx::Error> {
    Ok(domain_rows(db, org_id)
        .await?
        .into_iter()
        .map(|row| row.host)
        .collect())
}

/// Registers a domain for the org; registering it again changes nothing and returns the
/// first registration.
pub async fn register_domain(db: &Db, org_id: &str, host: &Host) -> Result<DomainRow, sqlx::Error> {
    sqlx::query(
        "INSERT INTO domains (org_id, host, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (org_id, host) DO NOTHING",
    )
    .bind(org_id)
    .bind(host.as_str())
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    let created_at = sqlx::query("SELECT created_at FROM domains WHERE org_id = $1 AND host = $2")
        .bind(org_id)
        .bind(host.as_str())
        .fetch_one(db.pool())
        .await?
        .try_get("created_at")?;
    Ok(DomainRow {
        host: host.clone(),
        created_at,
    })
}

/// Whether `host` is one of the org's registered domains.
pub async fn has_domain(db: &Db, org_id: &str, host: &str) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT host FROM domains WHERE org_id = $1 AND host = $2")
        .bind(org_id)
        .bind(host)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.is_some())
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
