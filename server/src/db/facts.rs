//! The consent facts of each CDR, derived at ingest and stored beside its row, so that
//! reading a CDR never parses its snapshot again.

use sqlx::AnyConnection;

use super::Db;

/// Version of the derivation whose facts are stored; bump when the rules change, so that
/// a later migration or backfill can tell old facts from new.
pub const FACTS_VERSION: i64 = 1;

/// Stores a new CDR's facts inside the transaction that inserts the CDR.
pub async fn insert(
    conn: &mut AnyConnection,
    cdr_id: &str,
    facts_json: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cdr_facts (cdr_id, version, facts_json, derived_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(cdr_id)
    .bind(FACTS_VERSION)
    .bind(facts_json)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores facts derived later for a CDR stored before facts existed. Two readers may
/// backfill the same CDR at once; the first one's facts stay.
pub async fn backfill(
    db: &Db,
    cdr_id: &str,
    facts_json: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cdr_facts (cdr_id, version, facts_json, derived_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (cdr_id) DO NOTHING",
    )
    .bind(cdr_id)
    .bind(FACTS_VERSION)
    .bind(facts_json)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The stored facts of a CDR, as JSON; `None` for a CDR stored before facts existed.
pub async fn find(db: &Db, cdr_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar::<_, String>("SELECT facts_json FROM cdr_facts WHERE cdr_id = $1")
        .bind(cdr_id)
        .fetch_optional(db.pool())
        .await
}
