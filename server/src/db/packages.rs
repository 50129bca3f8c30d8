//! Session packages: which CDRs of a consumer's session (or of one of its sub-groups) an
//! org may see.

use expressconsent_protocol::Access;
use sqlx::Row as _;

use super::access::parse_access;
use super::Db;

/// Most CDRs one package lists; a consumer session has a handful.
pub const MAX_PACKAGE_CDRS: i64 = 500;

/// A CDR of a package, with the calling org's relation to it.
#[derive(Debug, Clone)]
pub struct PackageRow {
    /// `cdr_…`.
    pub cdr_id: String,
    /// The registered host the page was on.
    pub domain_id: String,
    /// The page's URL.
    pub page_url: String,
    /// Receive time, epoch ms.
    pub created_at: i64,
    /// The org's relation.
    pub access: Access,
}

/// The package's CDRs that `org_id` has any relation to, oldest first. CDRs of the same
/// session that the org has no relation to are left out, as if they did not exist.
pub async fn visible_cdrs(
    db: &Db,
    org_id: &str,
    package_id: &str,
) -> Result<Vec<PackageRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id, c.domain_id, c.page_url, c.created_at, a.relation \
         FROM cdr_packages p \
         JOIN cdrs c ON c.id = p.cdr_id \
         JOIN cdr_access a ON a.cdr_id = c.id AND a.org_id = $1 \
         WHERE p.package_id = $2 \
         ORDER BY c.created_at, c.id \
         LIMIT $3",
    )
    .bind(org_id)
    .bind(package_id)
    .bind(MAX_PACKAGE_CDRS)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(PackageRow {
                cdr_id: row.try_get("id")?,
                domain_id: row.try_get("domain_id")?,
                page_url: row.try_get("page_url")?,
                created_at: row.try_get("created_at")?,
                access: parse_access(&row.try_get::<String, _>("relation")?)?,
            })
        })
        .collect()
}
