//! Each org's relation to a CDR and the billing ledger's writes: the two tables whose
//! consistency the rules depend on.
//!
//! Two guarantees hold whatever the concurrency, in one process or many: an org is billed
//! at most once per CDR (the UNIQUE (org_id, cdr_id) constraint of `billing_events`,
//! written with `ON CONFLICT DO NOTHING`), and a relation never falls (the upsert keeps
//! the higher [`rank`]). Both are enforced by the database, not by this process.

use std::sync::LazyLock;

use expressconsent_protocol::Access;
use sqlx::{AnyConnection, Row as _};

use super::{now_ms, retry_on_contention, Backend, Db};
use crate::orgs::ids::{new_id, IdKind};
use crate::sharing::rules::{on_collect, rank, CollectOutcome, Refusal};

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
    row.map(|row| parse_access(&row.try_get::<String, _>("relation")?))
        .transpose()
}

/// The relations of two orgs to a CDR, in one query (a claim reads the claimer's and the
/// minter's while it holds the writer).
pub async fn relations(
    conn: &mut AnyConnection,
    org_ids: [&str; 2],
    cdr_id: &str,
) -> Result<[Option<Access>; 2], sqlx::Error> {
    let rows = sqlx::query(
        "SELECT org_id, relation FROM cdr_access WHERE cdr_id = $1 AND org_id IN ($2, $3)",
    )
    .bind(cdr_id)
    .bind(org_ids[0])
    .bind(org_ids[1])
    .fetch_all(conn)
    .await?;
    let mut found = [None, None];
    for row in rows {
        let org: String = row.try_get("org_id")?;
        let access = parse_access(&row.try_get::<String, _>("relation")?)?;
        for (slot, id) in found.iter_mut().zip(org_ids) {
            if org == id {
                *slot = Some(access);
            }
        }
    }
    Ok(found)
}

/// Serializes the read-decide-write transactions (claims, collects) of one CDR. SQLite
/// already runs them one at a time (`BEGIN IMMEDIATE`); PostgreSQL's READ COMMITTED would
/// let two of them decide on the same stale read, which the upserts keep consistent but
/// which would make both answer as the first claim (`alreadyClaimed: false`). Locking the
/// CDR's row makes the second wait and then read what the first wrote. `NO KEY UPDATE`
/// leaves the foreign-key checks of other writers (a share minted meanwhile) unblocked.
pub async fn lock_cdr(
    conn: &mut AnyConnection,
    backend: Backend,
    cdr_id: &str,
) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT id FROM cdrs WHERE id = $1 FOR NO KEY UPDATE")
            .bind(cdr_id)
            .fetch_optional(conn)
            .await?;
    }
    Ok(())
}

/// The upsert that only ever raises a relation: SQL `CASE`s generated from
/// [`rank`], so the order lives in the rules module alone. It also copies the CDR's
/// `created_at`, `domain_id` and `package_id` into the row, so that the org's list
/// (`db::listing`) reads one index; this is the only writer of `cdr_access`, so every
/// row has them. The CDR must exist (a relation to a missing CDR writes nothing).
static RAISE_SQL: LazyLock<String> = LazyLock::new(|| {
    let rank_of = |column: &str| {
        let arms: String = [Access::Saved, Access::Unpaid, Access::Free, Access::Paid]
            .iter()
            .map(|&a| format!(" WHEN '{}' THEN {}", access_str(a), rank(a)))
            .collect();
        format!("(CASE {column}{arms} ELSE 0 END)")
    };
    format!(
        "INSERT INTO cdr_access (org_id, cdr_id, relation, created_at, updated_at, \
         cdr_created_at, cdr_domain_id, cdr_package_id) \
         SELECT $1, $2, $3, $4, $4, c.created_at, c.domain_id, c.package_id \
         FROM cdrs c WHERE c.id = $2 \
         ON CONFLICT (org_id, cdr_id) DO UPDATE \
         SET relation = excluded.relation, updated_at = excluded.updated_at \
         WHERE {} < {}",
        rank_of("cdr_access.relation"),
        rank_of("excluded.relation")
    )
});

/// Gives an org `access` to a CDR unless it already has an equal or higher relation.
pub async fn raise_relation(
    conn: &mut AnyConnection,
    org_id: &str,
    cdr_id: &str,
    access: Access,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(RAISE_SQL.as_str())
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

/// What a collect did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Collected {
    /// The org's relation afterwards.
    pub access: Access,
    /// This call wrote the billing event.
    pub billed: bool,
    /// The org had download access already, or a concurrent call billed it first.
    pub already_collected: bool,
}

/// `POST /v1/cdrs/:cdrId/collect`: reads the org's relation, asks [`on_collect`], and
/// writes billing and relation in one transaction (retried on contention).
pub async fn collect(
    db: &Db,
    org_id: &str,
    cdr_id: &str,
) -> Result<Result<Collected, Refusal>, sqlx::Error> {
    retry_on_contention(|| collect_once(db, org_id, cdr_id)).await
}

async fn collect_once(
    db: &Db,
    org_id: &str,
    cdr_id: &str,
) -> Result<Result<Collected, Refusal>, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write(super::Lane::Interactive).await?;
    lock_cdr(&mut tx, db.backend(), cdr_id).await?;
    let current = relation(&mut tx, org_id, cdr_id).await?;
    let decided: CollectOutcome = match on_collect(current) {
        Ok(decided) => decided,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let mut billed = false;
    if decided.bill {
        billed = record_billing(&mut tx, org_id, cdr_id, "collect", now).await?;
        raise_relation(&mut tx, org_id, cdr_id, decided.access, now).await?;
    }
    db.commit(tx).await?;
    Ok(Ok(Collected {
        access: decided.access,
        billed,
        // A concurrent collect or claim billed this org first: it has paid, once.
        already_collected: decided.already_collected || (decided.bill && !billed),
    }))
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

/// Reads a stored relation.
pub(crate) fn parse_access(text: &str) -> Result<Access, sqlx::Error> {
    Ok(match text {
        "paid" => Access::Paid,
        "free" => Access::Free,
        "saved" => Access::Saved,
        "unpaid" => Access::Unpaid,
        _ => {
            return Err(sqlx::Error::Decode(
                format!("unknown relation {text:?}").into(),
            ))
        }
    })
}
