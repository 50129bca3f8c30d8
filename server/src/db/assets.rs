//! The asset manifest of each CDR (see [`crate::evidence::archive`]): one row per URL,
//! in the order the archive found them.

use sqlx::Row as _;

use super::access::lock_cdr;
use super::{Db, Lane};
use crate::evidence::archive::{AssetRecord, AssetStatus, Manifest};

/// Stores `manifest` as the CDR's, replacing any earlier one in the same transaction, so
/// that a job archiving a CDR again (after a crash, say) leaves exactly one manifest.
pub async fn save_manifest(db: &Db, cdr_id: &str, manifest: &Manifest) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write(Lane::Background).await?;
    // Two saves of one CDR (a job whose lease expired while it still ran, and the worker
    // that took it over) follow each other instead of interleaving their rows.
    lock_cdr(&mut tx, db.backend(), cdr_id).await?;
    sqlx::query("DELETE FROM cdr_assets WHERE cdr_id = $1")
        .bind(cdr_id)
        .execute(&mut *tx)
        .await?;
    for (position, asset) in manifest.assets.iter().enumerate() {
        sqlx::query(
            "INSERT INTO cdr_assets (cdr_id, position, url, status, http_status, content_type, \
             sha256, size) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(cdr_id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(&asset.url)
        .bind(asset.status.as_str())
        .bind(asset.http_status.map(i64::from))
        .bind(asset.content_type.as_deref())
        .bind(asset.sha256.as_deref())
        .bind(
            asset
                .size
                .map(|size| i64::try_from(size).unwrap_or(i64::MAX)),
        )
        .execute(&mut *tx)
        .await?;
    }
    db.commit(tx).await
}

/// The CDR's manifest; empty when it was not archived (yet).
pub async fn load_manifest(db: &Db, cdr_id: &str) -> Result<Manifest, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT url, status, http_status, content_type, sha256, size FROM cdr_assets \
         WHERE cdr_id = $1 ORDER BY position",
    )
    .bind(cdr_id)
    .fetch_all(db.pool())
    .await?;
    let assets = rows
        .iter()
        .map(|row| {
            let status: String = row.try_get("status")?;
            let status = AssetStatus::parse(&status).ok_or_else(|| {
                sqlx::Error::Decode(format!("unknown asset status {status:?}").into())
            })?;
            Ok(AssetRecord {
                url: row.try_get("url")?,
                status,
                http_status: row
                    .try_get::<Option<i64>, _>("http_status")?
                    .and_then(|s| u16::try_from(s).ok()),
                content_type: row.try_get("content_type")?,
                sha256: row.try_get("sha256")?,
                size: row
                    .try_get::<Option<i64>, _>("size")?
                    .and_then(|s| u64::try_from(s).ok()),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Manifest { assets })
}
