//! Captured CDRs, each org's relation to them, and the billing ledger.

use expressconsent_protocol::Access;
use sqlx::{AnyConnection, Row as _};

use super::shares::{insert_share, NewShare};
use super::{is_unique_violation, Db};
use crate::ids::{new_id, IdKind};
use crate::rules::CaptureOutcome;

/// A CDR row to insert; the evidence is already in the object store under `object_key`.
#[derive(Debug, Clone)]
pub struct NewCdr {
    /// `cdr_…`.
    pub id: String,
    /// The capturing org.
    pub org_id: String,
    /// The registered host the page was on.
    pub domain_id: String,
    /// The session package.
    pub package_id: String,
    /// The SDK's idempotency key, unique per org.
    pub idempotency_key: String,
    /// Where the evidence is stored.
    pub object_key: String,
    /// Hex SHA-256 of the stored bytes.
    pub content_sha256: String,
    /// Size of the stored bytes.
    pub size_bytes: i64,
    /// The page's URL as the SDK reported it.
    pub page_url: String,
    /// The `custom` object as JSON, if any.
    pub custom_json: Option<String>,
    /// The peer address of the upload.
    pub received_ip: String,
    /// The upload's `User-Agent` header.
    pub user_agent: String,
    /// Receive time, epoch ms.
    pub created_at: i64,
}

/// An already stored CDR, as an idempotent retry needs it.
#[derive(Debug, Clone)]
pub struct ExistingCdr {
    /// `cdr_…`.
    pub id: String,
    /// The session package recorded with it.
    pub package_id: String,
}

/// What inserting a capture did.
#[derive(Debug)]
pub enum Inserted {
    /// The CDR is new.
    New,
    /// Another upload with the same idempotency key won the race; nothing was written.
    Duplicate(ExistingCdr),
}

/// The CDR an org already stored under an idempotency key.
pub async fn find_by_idempotency_key(
    db: &Db,
    org_id: &str,
    idempotency_key: &str,
) -> Result<Option<ExistingCdr>, sqlx::Error> {
    let row =
        sqlx::query("SELECT id, package_id FROM cdrs WHERE org_id = $1 AND idempotency_key = $2")
            .bind(org_id)
            .bind(idempotency_key)
            .fetch_optional(db.pool())
            .await?;
    row.map(|row| {
        Ok(ExistingCdr {
            id: row.try_get("id")?,
            package_id: row.try_get("package_id")?,
        })
    })
    .transpose()
}

/// Inserts the CDR, the owner's relation, its billing event and the auto-share link in one
/// transaction, so that a CDR never exists without its owner or billed twice.
pub async fn insert_capture(
    db: &Db,
    cdr: &NewCdr,
    outcome: CaptureOutcome,
    share: Option<&NewShare>,
) -> Result<Inserted, sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO cdrs (id, org_id, domain_id, package_id, idempotency_key, object_key, \
         content_sha256, size_bytes, page_url, custom_json, received_ip, user_agent, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&cdr.id)
    .bind(&cdr.org_id)
    .bind(&cdr.domain_id)
    .bind(&cdr.package_id)
    .bind(&cdr.idempotency_key)
    .bind(&cdr.object_key)
    .bind(&cdr.content_sha256)
    .bind(cdr.size_bytes)
    .bind(&cdr.page_url)
    .bind(cdr.custom_json.as_deref())
    .bind(&cdr.received_ip)
    .bind(&cdr.user_agent)
    .bind(cdr.created_at)
    .execute(&mut *tx)
    .await;
    if let Err(err) = inserted {
        drop(tx);
        if is_unique_violation(&err) {
            if let Some(existing) =
                find_by_idempotency_key(db, &cdr.org_id, &cdr.idempotency_key).await?
            {
                return Ok(Inserted::Duplicate(existing));
            }
        }
        return Err(err);
    }
    set_relation(
        &mut tx,
        &cdr.org_id,
        &cdr.id,
        outcome.access,
        cdr.created_at,
    )
    .await?;
    if outcome.bill {
        record_billing(
            &mut tx,
            &cdr.org_id,
            &cdr.id,
            "auto_collect",
            cdr.created_at,
        )
        .await?;
    }
    if let Some(share) = share {
        insert_share(&mut tx, share).await?;
    }
    tx.commit().await?;
    Ok(Inserted::New)
}

/// An org's relation to a CDR, if any.
pub async fn relation(
    conn: &mut AnyConnection,
    org_id: &str,
    cdr_id: &str,
) -> Result<Option<Access>, sqlx::Error> {
    let row = sqlx::query("SELECT relation FROM cdr_access WHERE org_id = $1 AND cdr_id = $2")
        .bind(org_id)
        .bind(cdr_id)
        .fetch_optional(conn)
        .await?;
    match row {
        None => Ok(None),
        Some(row) => {
            let text: String = row.try_get("relation")?;
            parse_access(&text)
                .map(Some)
                .ok_or_else(|| sqlx::Error::Decode(format!("unknown relation {text:?}").into()))
        }
    }
}

/// Creates or replaces an org's relation to a CDR.
pub async fn set_relation(
    conn: &mut AnyConnection,
    org_id: &str,
    cdr_id: &str,
    access: Access,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cdr_access (org_id, cdr_id, relation, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (org_id, cdr_id) DO UPDATE \
         SET relation = excluded.relation, updated_at = excluded.updated_at",
    )
    .bind(org_id)
    .bind(cdr_id)
    .bind(access_str(access))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Bills an org for a CDR unless it already was; returns whether this call billed. The
/// UNIQUE (org_id, cdr_id) constraint, not the caller, is what rules out a second bill.
pub async fn record_billing(
    conn: &mut AnyConnection,
    org_id: &str,
    cdr_id: &str,
    reason: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO billing_events (id, org_id, cdr_id, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, cdr_id) DO NOTHING",
    )
    .bind(new_id(IdKind::BillingEvent))
    .bind(org_id)
    .bind(cdr_id)
    .bind(reason)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The stored spelling of a relation.
pub(crate) fn access_str(access: Access) -> &'static str {
    match access {
        Access::Paid => "paid",
        Access::Free => "free",
        Access::Saved => "saved",
        Access::Unpaid => "unpaid",
    }
}

fn parse_access(text: &str) -> Option<Access> {
    Some(match text {
        "paid" => Access::Paid,
        "free" => Access::Free,
        "saved" => Access::Saved,
        "unpaid" => Access::Unpaid,
        _ => return None,
    })
}
