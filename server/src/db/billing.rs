//! Reading an org's billing ledger. Rows are written only by [`super::access`].

use expressconsent_protocol::{BillingReason, SortOrder};
use sqlx::Row as _;

use super::Db;
use crate::http::pagination::PageRequest;

/// One ledger row.
#[derive(Debug, Clone)]
pub struct BillingRow {
    /// `bil_…`.
    pub id: String,
    /// The CDR paid for.
    pub cdr_id: String,
    /// What caused the charge.
    pub reason: BillingReason,
    /// When, epoch ms.
    pub created_at: i64,
}

/// One page of the org's ledger; fetches `page.fetch_limit()` rows.
pub async fn list(
    db: &Db,
    org_id: &str,
    page: &PageRequest,
) -> Result<Vec<BillingRow>, sqlx::Error> {
    let (cmp, dir) = match page.order {
        SortOrder::Asc => (">", "ASC"),
        SortOrder::Desc => ("<", "DESC"),
    };
    let cursor = match page.after {
        Some(_) => format!(" AND (created_at {cmp} $2 OR (created_at = $2 AND id {cmp} $3))"),
        None => String::new(),
    };
    let limit = if page.after.is_some() { "$4" } else { "$2" };
    let sql = format!(
        "SELECT id, cdr_id, reason, created_at FROM billing_events \
         WHERE org_id = $1{cursor} ORDER BY created_at {dir}, id {dir} LIMIT {limit}"
    );
    let mut query = sqlx::query(&sql).bind(org_id);
    if let Some(after) = &page.after {
        query = query.bind(after.created_at).bind(after.id.as_str());
    }
    let rows = query.bind(page.fetch_limit()).fetch_all(db.pool()).await?;
    rows.iter()
        .map(|row| {
            Ok(BillingRow {
                id: row.try_get("id")?,
                cdr_id: row.try_get("cdr_id")?,
                reason: parse_reason(&row.try_get::<String, _>("reason")?)?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

fn parse_reason(text: &str) -> Result<BillingReason, sqlx::Error> {
    Ok(match text {
        "auto_collect" => BillingReason::AutoCollect,
        "share_claim" => BillingReason::ShareClaim,
        "collect" => BillingReason::Collect,
        _ => {
            return Err(sqlx::Error::Decode(
                format!("unknown reason {text:?}").into(),
            ))
        }
    })
}

/// How many billing events the org has with `from <= created_at < to` (epoch ms).
pub async fn count_between(db: &Db, org_id: &str, from: i64, to: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM billing_events WHERE org_id = $1 AND created_at >= $2 AND created_at < $3",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_one(db.pool())
    .await
}
