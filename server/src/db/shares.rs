//! Share links and their claims (share events).
//!
//! Tokens are stored only as their SHA-256; the plain token exists in the response that
//! minted it and in the buyer's hands.

use expressconsent_protocol::Access;
use sqlx::{AnyConnection, Row as _};

use super::access::{access_str, lock_cdr, raise_relation, record_billing, relation, relations};
use super::{flag, now_ms, retry_on_contention, Db};
use crate::orgs::ids::{new_id, IdKind};
use crate::sharing::rules::{may_mint, on_claim, Refusal};

/// A share link row.
#[derive(Debug, Clone)]
pub struct NewShare {
    /// `shr_…`.
    pub id: String,
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// The shared CDR.
    pub cdr_id: String,
    /// The org that minted the link; its payment decides what recipients pay.
    pub minter_org_id: String,
    /// Mint time, epoch ms.
    pub created_at: i64,
    /// Expiry, epoch ms.
    pub expires_at: i64,
}

/// Inserts a share link, inside the caller's transaction.
pub async fn insert_share(conn: &mut AnyConnection, share: &NewShare) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO shares (id, token_hash, cdr_id, minter_org_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&share.id)
    .bind(&share.token_hash)
    .bind(&share.cdr_id)
    .bind(&share.minter_org_id)
    .bind(share.created_at)
    .bind(share.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Mints a share link for `share.minter_org_id` if the rules let it.
pub async fn mint(db: &Db, share: &NewShare) -> Result<Result<(), Refusal>, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    let current = relation(&mut conn, &share.minter_org_id, &share.cdr_id).await?;
    if let Err(refusal) = may_mint(current) {
        return Ok(Err(refusal));
    }
    insert_share(&mut conn, share).await?;
    Ok(Ok(()))
}

/// A recorded claim.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The shared CDR.
    pub cdr_id: String,
    /// The registered host it was captured on.
    pub domain_id: String,
    /// The share event recorded for this call.
    pub share_event_id: String,
    /// The claimer's relation afterwards.
    pub access: Access,
    /// The claimer already held the CDR in some relation before this claim (or was billed
    /// by a concurrent `/collect`); `access` says what it holds now.
    pub already_claimed: bool,
}

/// What claiming a token did.
#[derive(Debug)]
pub enum ClaimOutcome {
    /// No share has this token.
    UnknownToken,
    /// The share expired at this time (epoch ms).
    Expired(i64),
    /// The claim was recorded.
    Claimed(Claim),
}

/// Claims a share for `org_id`: reads both orgs' relations, asks [`on_claim`], and writes
/// relation, billing and share event in one transaction (retried on contention), with the
/// CDR locked so that claims and collects of one CDR decide one after the other.
pub async fn claim(
    db: &Db,
    org_id: &str,
    token_hash: &str,
    collect: bool,
) -> Result<ClaimOutcome, sqlx::Error> {
    retry_on_contention(|| claim_once(db, org_id, token_hash, collect)).await
}

async fn claim_once(
    db: &Db,
    org_id: &str,
    token_hash: &str,
    collect: bool,
) -> Result<ClaimOutcome, sqlx::Error> {
    let now = now_ms();
    // A share link never changes once minted, so it is read before taking the writer:
    // unknown and expired links never queue for it, and a claim holds it for less.
    let share = sqlx::query(
        "SELECT s.id, s.cdr_id, s.minter_org_id, s.expires_at, c.domain_id \
         FROM shares s JOIN cdrs c ON c.id = s.cdr_id WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db.pool())
    .await?;
    let Some(share) = share else {
        return Ok(ClaimOutcome::UnknownToken);
    };
    let expires_at: i64 = share.try_get("expires_at")?;
    if expires_at <= now {
        return Ok(ClaimOutcome::Expired(expires_at));
    }
    let share_id: String = share.try_get("id")?;
    let cdr_id: String = share.try_get("cdr_id")?;
    let minter: String = share.try_get("minter_org_id")?;
    let domain_id: String = share.try_get("domain_id")?;

    let mut tx = db.begin_write(super::Lane::Interactive).await?;
    lock_cdr(&mut tx, db.backend(), &cdr_id).await?;
    let [claimer_relation, minter_relation] =
        relations(&mut tx, [org_id, minter.as_str()], &cdr_id).await?;
    let decided = on_claim(claimer_relation, minter_relation, collect);
    let mut billed = false;
    if decided.bill {
        billed = record_billing(&mut tx, org_id, &cdr_id, "share_claim", now).await?;
    }
    // A bill another transaction wrote first means this org had already paid, once.
    let already_claimed = decided.already_claimed || (decided.bill && !billed);
    let changed = claimer_relation != Some(decided.access);
    if changed {
        raise_relation(&mut tx, org_id, &cdr_id, decided.access, now).await?;
    }
    let share_event_id = new_id(IdKind::ShareEvent);
    // The event records what the claim did: the relation it gave, or that it changed
    // nothing. A saved org that collects through a second claim is `alreadyClaimed` in the
    // answer but its event says `paid` and `billed`.
    let outcome = if changed || billed {
        access_str(decided.access)
    } else {
        "already_claimed"
    };
    sqlx::query(
        "INSERT INTO share_events (id, share_id, org_id, outcome, billed, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&share_event_id)
    .bind(&share_id)
    .bind(org_id)
    .bind(outcome)
    .bind(flag(billed))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    db.commit(tx).await?;
    Ok(ClaimOutcome::Claimed(Claim {
        cdr_id,
        domain_id,
        share_event_id,
        access: decided.access,
        already_claimed,
    }))
}

/// Every claim of a CDR's share links, oldest first: the claiming org, when, and the
/// outcome (`paid`, `free`, `saved`, `unpaid` or `already_claimed`).
pub async fn share_history(
    db: &Db,
    cdr_id: &str,
) -> Result<Vec<(String, i64, String)>, sqlx::Error> {
    sqlx::query_as::<_, (String, i64, String)>(
        "SELECT e.org_id, e.created_at, e.outcome FROM share_events e \
         JOIN shares s ON s.id = e.share_id WHERE s.cdr_id = $1 \
         ORDER BY e.created_at, e.id",
    )
    .bind(cdr_id)
    .fetch_all(db.pool())
    .await
}
