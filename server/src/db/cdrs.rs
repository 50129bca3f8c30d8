//! Captured CDRs: storing a capture with everything that belongs to it, reading one for an
//! org, and listing an org's CDRs.

use expressconsent_protocol::{Access, SortOrder};
use sqlx::any::AnyRow;
use sqlx::Row as _;

use super::access::{parse_access, raise_relation, record_billing};
use super::shares::{insert_share, NewShare};
use super::{is_unique_violation, Db};
use crate::evidence::metadata::MetadataFilter;
use crate::http::pagination::PageRequest;
use crate::jobs::{enqueue, JobKind, JobsConfig};
use crate::sharing::rules::CaptureOutcome;

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
    /// Every package the CDR joins: the session's and each sub-group's.
    pub packages: Vec<String>,
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
    /// The filterable `(key, value)` rows of `custom` (see [`crate::evidence::metadata`]).
    pub metadata: Vec<(String, String)>,
    /// The peer address of the upload.
    pub received_ip: String,
    /// The upload's `User-Agent` header.
    pub user_agent: String,
    /// Receive time, epoch ms.
    pub created_at: i64,
    /// The consent facts derived at ingest, as JSON (see [`super::facts`]).
    pub facts_json: String,
    /// The keyed fingerprints of the lead's email and phone ([`crate::evidence::lead`]).
    pub leads: Vec<crate::evidence::lead::Lead>,
    /// The answer given to the SDK, sealed ([`crate::evidence::reply`]), kept so that a retry gets
    /// the very same answer; the request's fingerprint is `content_sha256`.
    pub reply_sealed: String,
}

/// An already stored CDR, as an idempotent retry needs it.
#[derive(Debug, Clone)]
pub struct ExistingCdr {
    /// `cdr_…`.
    pub id: String,
    /// The session package recorded with it.
    pub package_id: String,
    /// Hex SHA-256 of the request that stored it (decompressed body).
    pub request_sha256: String,
    /// The first answer, sealed; `None` for CDRs stored before answers were kept.
    pub reply_sealed: Option<String>,
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
    let row = sqlx::query(
        "SELECT c.id, c.package_id, COALESCE(r.request_sha256, c.content_sha256) AS fingerprint, \
         r.reply_sealed FROM cdrs c LEFT JOIN capture_replies r ON r.cdr_id = c.id \
         WHERE c.org_id = $1 AND c.idempotency_key = $2",
    )
    .bind(org_id)
    .bind(idempotency_key)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(ExistingCdr {
            id: row.try_get("id")?,
            package_id: row.try_get("package_id")?,
            request_sha256: row.try_get("fingerprint")?,
            reply_sealed: row.try_get("reply_sealed")?,
        })
    })
    .transpose()
}

/// Whether the CDR row exists (committed), e.g. after a commit that reported an error.
pub async fn cdr_exists(db: &Db, cdr_id: &str) -> Result<bool, sqlx::Error> {
    let found = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cdrs WHERE id = $1")
        .bind(cdr_id)
        .fetch_one(db.pool())
        .await?;
    Ok(found > 0)
}

/// Inserts the CDR, its metadata rows, the owner's relation, its billing event, the
/// auto-share link and the answer for retries in one transaction, so that a CDR never exists without its owner or
/// billed twice.
pub async fn insert_capture(
    db: &Db,
    jobs: &JobsConfig,
    cdr: &NewCdr,
    outcome: CaptureOutcome,
    share: Option<&NewShare>,
) -> Result<Inserted, sqlx::Error> {
    let mut tx = db.begin_write(super::Lane::Bulk).await?;
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
        // Give the connection back before looking up the winner, so a full pool cannot
        // wait on itself.
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
    super::facts::insert(&mut tx, &cdr.id, &cdr.facts_json, cdr.created_at).await?;
    super::listing::insert_leads(&mut tx, &cdr.id, &cdr.leads).await?;
    for package_id in &cdr.packages {
        sqlx::query("INSERT INTO cdr_packages (package_id, cdr_id) VALUES ($1, $2)")
            .bind(package_id)
            .bind(&cdr.id)
            .execute(&mut *tx)
            .await?;
    }
    for (key, value) in &cdr.metadata {
        sqlx::query("INSERT INTO cdr_metadata (cdr_id, key, value) VALUES ($1, $2, $3)")
            .bind(&cdr.id)
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
    }
    raise_relation(
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
    sqlx::query(
        "INSERT INTO capture_replies (cdr_id, request_sha256, reply_sealed) VALUES ($1, $2, $3)",
    )
    .bind(&cdr.id)
    .bind(&cdr.content_sha256)
    .bind(&cdr.reply_sealed)
    .execute(&mut *tx)
    .await?;
    // The CDR's background work (archive, render, webhook) is part of the same commit, so
    // an acknowledged capture always gets it.
    enqueue(&mut tx, jobs, JobKind::Archive, &cdr.id, cdr.created_at).await?;
    db.commit(tx).await?;
    Ok(Inserted::New)
}

/// A stored CDR as one org sees it.
#[derive(Debug, Clone)]
pub struct CdrRecord {
    /// `cdr_…`.
    pub id: String,
    /// The capturing org.
    pub org_id: String,
    /// The registered host the page was on.
    pub domain_id: String,
    /// The session package.
    pub package_id: String,
    /// Where the evidence is stored.
    pub object_key: String,
    /// Hex SHA-256 of the stored bytes.
    pub content_sha256: String,
    /// Size of the stored bytes.
    pub size_bytes: i64,
    /// The page's URL.
    pub page_url: String,
    /// The `custom` object as JSON, if any.
    pub custom_json: Option<String>,
    /// The peer address of the upload.
    pub received_ip: String,
    /// The upload's `User-Agent`.
    pub user_agent: String,
    /// Receive time, epoch ms.
    pub created_at: i64,
    /// The reading org's relation.
    pub access: Access,
}

const RECORD_COLUMNS: &str = "c.id, c.org_id, c.domain_id, c.package_id, c.object_key, \
     c.content_sha256, c.size_bytes, c.page_url, c.custom_json, c.received_ip, c.user_agent, \
     c.created_at, a.relation";

fn record(row: &AnyRow) -> Result<CdrRecord, sqlx::Error> {
    Ok(CdrRecord {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        domain_id: row.try_get("domain_id")?,
        package_id: row.try_get("package_id")?,
        object_key: row.try_get("object_key")?,
        content_sha256: row.try_get("content_sha256")?,
        size_bytes: row.try_get("size_bytes")?,
        page_url: row.try_get("page_url")?,
        custom_json: row.try_get("custom_json")?,
        received_ip: row.try_get("received_ip")?,
        user_agent: row.try_get("user_agent")?,
        created_at: row.try_get("created_at")?,
        access: parse_access(&row.try_get::<String, _>("relation")?)?,
    })
}

/// The CDR with the org's relation to it; `None` when the org has none, whether or not
/// the CDR exists.
pub async fn find_for_org(
    db: &Db,
    org_id: &str,
    cdr_id: &str,
) -> Result<Option<CdrRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM cdrs c JOIN cdr_access a ON a.cdr_id = c.id \
         WHERE c.id = $1 AND a.org_id = $2"
    );
    let row = sqlx::query(&sql)
        .bind(cdr_id)
        .bind(org_id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(record).transpose()
}

/// The CDR as its capturing org sees it, for background work that has only its id.
pub async fn find_owned(db: &Db, cdr_id: &str) -> Result<Option<CdrRecord>, sqlx::Error> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM cdrs c JOIN cdr_access a ON a.cdr_id = c.id \
         AND a.org_id = c.org_id WHERE c.id = $1"
    );
    let row = sqlx::query(&sql)
        .bind(cdr_id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(record).transpose()
}

/// One page of the CDRs `org_id` captured on `domain_id`, optionally only those whose
/// `custom` has the filter's key and value; fetches `page.fetch_limit()` rows so the
/// caller can tell whether another page follows.
pub async fn list_owned(
    db: &Db,
    org_id: &str,
    domain_id: &str,
    page: &PageRequest,
    filter: Option<&MetadataFilter>,
) -> Result<Vec<CdrRecord>, sqlx::Error> {
    let (cmp, dir) = match page.order {
        SortOrder::Asc => (">", "ASC"),
        SortOrder::Desc => ("<", "DESC"),
    };
    let mut sql = format!(
        "SELECT {RECORD_COLUMNS} FROM cdrs c \
         JOIN cdr_access a ON a.cdr_id = c.id AND a.org_id = c.org_id \
         WHERE c.org_id = $1 AND c.domain_id = $2"
    );
    let mut next = 3;
    if page.after.is_some() {
        sql.push_str(&format!(
            " AND (c.created_at {cmp} ${0} OR (c.created_at = ${0} AND c.id {cmp} ${1}))",
            next,
            next + 1
        ));
        next += 2;
    }
    if filter.is_some() {
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM cdr_metadata m WHERE m.cdr_id = c.id \
             AND m.key = ${} AND m.value = ${})",
            next,
            next + 1
        ));
        next += 2;
    }
    sql.push_str(&format!(
        " ORDER BY c.created_at {dir}, c.id {dir} LIMIT ${next}"
    ));
    let mut query = sqlx::query(&sql).bind(org_id).bind(domain_id);
    if let Some(after) = &page.after {
        query = query.bind(after.created_at).bind(after.id.as_str());
    }
    if let Some(filter) = filter {
        query = query.bind(filter.key.as_str()).bind(filter.value.as_str());
    }
    let rows = query.bind(page.fetch_limit()).fetch_all(db.pool()).await?;
    rows.iter().map(record).collect()
}
