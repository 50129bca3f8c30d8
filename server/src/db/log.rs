//! The transparency log's tables (see `migrations/*/20261202000300_log.sql` and
//! [`crate::log`]): sequenced entries, stored hashes, checkpoints and the sequencer's lease.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row as _};

use super::Db;

/// The name of the sequencer's lease row.
const SEQUENCER: &str = "sequencer";

/// A CDR not yet in the log, with what its entry says.
#[derive(Debug, Clone)]
pub struct PendingCdr {
    /// The CDR.
    pub id: String,
    /// Its org.
    pub org_id: String,
    /// Its domain.
    pub domain_id: String,
    /// Hex SHA-256 of its evidence.
    pub content_sha256: String,
    /// When it was received, epoch ms.
    pub created_at: i64,
}

/// A published checkpoint.
#[derive(Debug, Clone)]
pub struct StoredCheckpoint {
    /// Its tree size.
    pub tree_size: u64,
    /// The signed note.
    pub note: String,
    /// How many witnesses cosigned it.
    pub cosignatures: usize,
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Who holds the sequencer's lease and until when.
pub async fn lease(db: &Db) -> Result<(Option<String>, i64), sqlx::Error> {
    let row = sqlx::query("SELECT holder, lease_until FROM log_lease WHERE name = $1")
        .bind(SEQUENCER)
        .fetch_one(db.pool())
        .await?;
    Ok((row.try_get("holder")?, row.try_get("lease_until")?))
}

/// Takes or renews the lease for `holder` until `until`, if it is free (expired at
/// `now`) or already `holder`'s. Returns whether `holder` has it now.
pub async fn take_lease(
    conn: &mut AnyConnection,
    holder: &str,
    now: i64,
    until: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE log_lease SET holder = $1, lease_until = $2 \
         WHERE name = $3 AND (holder = $1 OR holder IS NULL OR lease_until < $4)",
    )
    .bind(holder)
    .bind(until)
    .bind(SEQUENCER)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives the lease up (at shutdown), so another process takes over at once.
pub async fn release_lease(db: &Db, holder: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE log_lease SET holder = NULL, lease_until = 0 WHERE name = $1 AND holder = $2",
    )
    .bind(SEQUENCER)
    .bind(holder)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The number of sequenced entries (the next index).
pub async fn size(conn: &mut AnyConnection) -> Result<u64, sqlx::Error> {
    let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(idx), -1) FROM log_entries")
        .fetch_one(conn)
        .await?;
    Ok(to_u64(max + 1))
}

/// Up to `limit` CDRs received at or after `since` (epoch ms) not yet in the log, oldest
/// first.
pub async fn pending(
    conn: &mut AnyConnection,
    since: i64,
    limit: u64,
) -> Result<Vec<PendingCdr>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id, c.org_id, c.domain_id, c.content_sha256, c.created_at FROM cdrs c \
         WHERE c.created_at >= $1 \
         AND NOT EXISTS (SELECT 1 FROM log_entries e WHERE e.cdr_id = c.id) \
         ORDER BY c.created_at, c.id LIMIT $2",
    )
    .bind(since)
    .bind(to_i64(limit))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(PendingCdr {
                id: row.try_get("id")?,
                org_id: row.try_get("org_id")?,
                domain_id: row.try_get("domain_id")?,
                content_sha256: row.try_get("content_sha256")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

/// The newest receive time of any CDR (0 when there is none).
pub async fn newest_cdr(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COALESCE(MAX(created_at), 0) FROM cdrs")
        .fetch_one(db.pool())
        .await
}

/// The stored hashes at `indexes` (hex as stored); missing ones are absent from the map.
pub async fn hashes(
    conn: &mut AnyConnection,
    indexes: &[u64],
) -> Result<HashMap<u64, String>, sqlx::Error> {
    let mut found = HashMap::with_capacity(indexes.len());
    for chunk in indexes.chunks(500) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT idx, hash FROM log_hashes WHERE idx IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for index in chunk {
            query = query.bind(to_i64(*index));
        }
        for row in query.fetch_all(&mut *conn).await? {
            found.insert(to_u64(row.try_get("idx")?), row.try_get("hash")?);
        }
    }
    Ok(found)
}

/// Appends entries (index, CDR, text) and their stored hashes (index, hex).
pub async fn append(
    conn: &mut AnyConnection,
    entries: &[(u64, String, String)],
    hashes: &[(u64, String)],
    now: i64,
) -> Result<(), sqlx::Error> {
    for (index, cdr_id, text) in entries {
        sqlx::query(
            "INSERT INTO log_entries (idx, cdr_id, entry, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(to_i64(*index))
        .bind(cdr_id)
        .bind(text)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    for (index, hash) in hashes {
        sqlx::query("INSERT INTO log_hashes (idx, hash) VALUES ($1, $2)")
            .bind(to_i64(*index))
            .bind(hash)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The entries with indexes in `from..to`, in order.
pub async fn entries(db: &Db, from: u64, to: u64) -> Result<Vec<(u64, String)>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT idx, entry FROM log_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx")
            .bind(to_i64(from))
            .bind(to_i64(to))
            .fetch_all(db.pool())
            .await?;
    rows.iter()
        .map(|row| Ok((to_u64(row.try_get("idx")?), row.try_get("entry")?)))
        .collect()
}

/// A CDR's index and entry text, once sequenced.
pub async fn entry_of(db: &Db, cdr_id: &str) -> Result<Option<(u64, String)>, sqlx::Error> {
    let row = sqlx::query("SELECT idx, entry FROM log_entries WHERE cdr_id = $1")
        .bind(cdr_id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|row| Ok((to_u64(row.try_get("idx")?), row.try_get("entry")?)))
        .transpose()
}

/// The latest published checkpoint.
pub async fn latest_checkpoint(db: &Db) -> Result<Option<StoredCheckpoint>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT tree_size, note, cosignatures FROM log_checkpoints ORDER BY tree_size DESC LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(StoredCheckpoint {
            tree_size: to_u64(row.try_get("tree_size")?),
            note: row.try_get("note")?,
            cosignatures: usize::try_from(row.try_get::<i64, _>("cosignatures")?).unwrap_or(0),
        })
    })
    .transpose()
}

/// Records a published checkpoint; a version with at least as many cosignatures replaces
/// the one stored for the same size.
pub async fn put_checkpoint(
    conn: &mut AnyConnection,
    checkpoint: &StoredCheckpoint,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO log_checkpoints (tree_size, note, cosignatures, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (tree_size) DO UPDATE SET note = excluded.note, cosignatures = excluded.cosignatures \
         WHERE excluded.cosignatures >= log_checkpoints.cosignatures",
    )
    .bind(to_i64(checkpoint.tree_size))
    .bind(&checkpoint.note)
    .bind(i64::try_from(checkpoint.cosignatures).unwrap_or(i64::MAX))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
