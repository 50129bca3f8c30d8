//! Dashboard sessions: created at sign-in, looked up on every dashboard request, ended by
//! sign-out, a password change or the user's removal.
//!
//! The cookie value is 32 random bytes and only its SHA-256 is stored, so a copy of the
//! database does not sign anyone in. A session ends after [`IDLE_MS`] without a request
//! or [`ABSOLUTE_MS`] after sign-in, whichever comes first. Every lookup reads the
//! database (nothing is cached), so ending a session takes effect at once in every
//! server process.

use sqlx::{AnyConnection, Row as _};

use super::users::Role;
use super::{now_ms, Db};
use crate::orgs::ids::{new_secret, secret_hash};

/// A session ends after this long without a request: 12 hours.
pub const IDLE_MS: i64 = 12 * 60 * 60 * 1000;
/// A session ends this long after sign-in whatever happens: 7 days.
pub const ABSOLUTE_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// `last_seen` is written at most this often, so that browsing is not a write per page.
pub const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// A new session: the only time its cookie value exists outside the browser.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The `ec_session` cookie's value.
    pub cookie: String,
    /// The CSRF token its forms carry.
    pub csrf_token: String,
}

/// A live session with its user and org, as the dashboard needs them.
#[derive(Debug, Clone)]
pub struct LiveSession {
    /// Hex SHA-256 of the cookie value (the row's key).
    pub id_hash: String,
    /// `usr_…`.
    pub user_id: String,
    /// `cid_…`.
    pub org_id: String,
    /// The org's display name.
    pub org_name: String,
    /// The user's email.
    pub email: String,
    /// The user's role.
    pub role: Role,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// The last request's time, epoch ms (as last written).
    pub last_seen: i64,
}

/// Starts a session for `user_id` inside the caller's transaction.
pub async fn insert(
    conn: &mut AnyConnection,
    user_id: &str,
    now: i64,
) -> Result<NewSession, sqlx::Error> {
    let session = NewSession {
        cookie: new_secret(),
        csrf_token: new_secret(),
    };
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen, expires_at) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(secret_hash(&session.cookie))
    .bind(user_id)
    .bind(&session.csrf_token)
    .bind(now)
    .bind(now + ABSOLUTE_MS)
    .execute(conn)
    .await?;
    Ok(session)
}

/// Starts a session for `user_id`.
pub async fn create(db: &Db, user_id: &str) -> Result<NewSession, sqlx::Error> {
    let mut tx = db.begin_write(super::Lane::Interactive).await?;
    let session = insert(&mut tx, user_id, now_ms()).await?;
    db.commit(tx).await?;
    Ok(session)
}

/// The live session whose cookie value is `cookie`: not revoked, within both timeouts,
/// its user not removed.
pub async fn find_live(
    db: &Db,
    cookie: &str,
    now: i64,
) -> Result<Option<LiveSession>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT s.id_hash, s.user_id, s.csrf_token, s.last_seen, u.org_id, u.email, u.role, \
                o.name AS org_name \
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id \
         WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 \
           AND s.last_seen > $3 AND u.removed_at IS NULL",
    )
    .bind(secret_hash(cookie))
    .bind(now)
    .bind(now - IDLE_MS)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let role: String = row.try_get("role")?;
    Ok(Some(LiveSession {
        id_hash: row.try_get("id_hash")?,
        user_id: row.try_get("user_id")?,
        org_id: row.try_get("org_id")?,
        org_name: row.try_get("org_name")?,
        email: row.try_get("email")?,
        role: Role::from_stored(&role),
        csrf_token: row.try_get("csrf_token")?,
        last_seen: row.try_get("last_seen")?,
    }))
}

/// Records a request on the session, at most once per [`TOUCH_EVERY_MS`].
pub async fn touch(db: &Db, session: &LiveSession, now: i64) -> Result<(), sqlx::Error> {
    if now - session.last_seen < TOUCH_EVERY_MS {
        return Ok(());
    }
    sqlx::query("UPDATE sessions SET last_seen = $2 WHERE id_hash = $1 AND last_seen < $2")
        .bind(&session.id_hash)
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends the session whose cookie value is `cookie` (sign-out); ending it twice is harmless.
pub async fn revoke(db: &Db, cookie: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET revoked_at = COALESCE(revoked_at, $2) WHERE id_hash = $1")
        .bind(secret_hash(cookie))
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends every session of `user_id` inside the caller's transaction (password change,
/// removal).
pub async fn revoke_all_of_user(
    conn: &mut AnyConnection,
    user_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
