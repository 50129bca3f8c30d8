//! Dashboard users: invitations with their one-time sign-in links, the org's user list,
//! roles and removal, the lookups of sign-in, and the failed attempts throttling counts.
//!
//! A user is created without a password and gets a link (`/dashboard/welcome?token=…`,
//! valid [`LINK_VALID_MS`], usable once) where they choose one; only the token's SHA-256 is
//! stored. Emails are stored lower-cased and are unique among users not removed. Every
//! function that acts on a user of an org takes the org's id, so no page can reach
//! another org's users. Password hashing is not done here (see
//! [`crate::dashboard::session`]); this layer stores the PHC string it is given.

use serde::Serialize;
use sqlx::Row as _;

use super::sessions::{self, NewSession};
use super::{is_unique_violation, now_ms, Db};
use crate::orgs::ids::{new_id, new_secret, secret_hash, IdKind};

/// How long a sign-in link is valid: 24 hours.
pub const LINK_VALID_MS: i64 = 24 * 60 * 60 * 1000;
/// The longest email accepted (RFC 5321's path limit).
const MAX_EMAIL: usize = 254;
/// The only purpose of sign-in links so far.
const CHOOSE_PASSWORD: &str = "choose_password";

/// A dashboard user's role in its org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, settings included.
    Admin,
    /// Reads, claims and collects; no settings.
    Viewer,
}

impl Role {
    /// The stored and printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Viewer => "viewer",
        }
    }

    /// `admin` or `viewer`; anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "viewer" => Some(Self::Viewer),
            _ => None,
        }
    }

    /// A stored role; the column's CHECK allows only the two, and an unreadable one gets
    /// the lesser role.
    pub(crate) fn from_stored(s: &str) -> Self {
        Self::parse(s).unwrap_or(Self::Viewer)
    }
}

/// A lower-cased, plausible email address. Only its shape is checked (one `@`, something
/// on each side, no spaces): whether it reaches someone is the inviter's business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Trims and lower-cases `s`; `None` when it does not look like an email address.
    pub fn parse(s: &str) -> Option<Self> {
        let email = s.trim().to_lowercase();
        let (local, domain) = email.split_once('@')?;
        let plausible = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && email.len() <= MAX_EMAIL
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        plausible.then_some(Self(email))
    }

    /// The normalized address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A created user and the link where they choose a password: the only time the link
/// exists outside the user's inbox.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    /// `usr_…`.
    pub user_id: String,
    /// The normalized email.
    pub email: String,
    /// The role given.
    pub role: Role,
    /// `<public url>/dashboard/welcome?token=…`: valid 24 hours, usable once.
    pub sign_in_url: String,
}

/// Why a user could not be invited.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    /// No such org.
    #[error("no org {0}; `org list` shows the orgs")]
    UnknownOrg(String),
    /// The email does not look like one.
    #[error("{0:?} is not an email address")]
    InvalidEmail(String),
    /// A user (of any org) already has this email.
    #[error("a user with the email {0} already exists")]
    EmailTaken(String),
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

/// One of an org's users, as the settings page lists them.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// `usr_…`.
    pub id: String,
    /// The email.
    pub email: String,
    /// The role.
    pub role: Role,
    /// Whether a password has been chosen (otherwise the invitation is pending).
    pub has_password: bool,
    /// Creation time, epoch ms.
    pub created_at: i64,
}

/// Creates a user of `org_id` without a password and returns the one-time link where
/// they choose one.
pub async fn invite(
    db: &Db,
    org_id: &str,
    email: &str,
    role: Role,
    public_url: &str,
) -> Result<Invitation, InviteError> {
    let email = Email::parse(email).ok_or_else(|| InviteError::InvalidEmail(email.to_owned()))?;
    let now = now_ms();
    let user_id = new_id(IdKind::User);
    let mut tx = db.begin_write(super::Lane::Interactive).await?;
    let org = sqlx::query("SELECT id FROM orgs WHERE id = $1")
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?;
    if org.is_none() {
        return Err(InviteError::UnknownOrg(org_id.to_owned()));
    }
    let inserted = sqlx::query(
        "INSERT INTO users (id, org_id, email, role, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&user_id)
    .bind(org_id)
    .bind(email.as_str())
    .bind(role.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(err) if is_unique_violation(&err) => {
            return Err(InviteError::EmailTaken(email.as_str().to_owned()))
        }
        other => other?,
    };
    let token = insert_link(&mut tx, &user_id, now).await?;
    db.commit(tx).await?;
    Ok(Invitation {
        user_id,
        email: email.as_str().to_owned(),
        role,
        sign_in_url: link_url(public_url, &token),
    })
}

/// A new link for a user of `org_id` (an invitation that expired, a forgotten password);
/// earlier links of the user stop working. `None` when the org has no such user.
pub async fn reissue_link(
    db: &Db,
    org_id: &str,
    user_id: &str,
    public_url: &str,
) -> Result<Option<String>, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write(super::Lane::Interactive).await?;
    let user =
        sqlx::query("SELECT id FROM users WHERE id = $1 AND org_id = $2 AND removed_at IS NULL")
            .bind(user_id)
            .bind(org_id)
            .fetch_optional(&mut *tx)
            .await?;
    if user.is_none() {
        return Ok(None);
    }
    expire_links(&mut tx, user_id, now).await?;
    let token = insert_link(&mut tx, user_id, now).await?;
    db.commit(tx).await?;
    Ok(Some(link_url(public_url, &token)))
}

fn link_url(public_url: &str, token: &str) -> String {
    format!(
        "{}/dashboard/welcome?token={token}",
        public_url.trim_end_matches('/')
    )
}

async fn insert_link(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
    now: i64,
) -> Result<String, sqlx::Error> {
    let token = new_secret();
    sqlx::query(
        "INSERT INTO sign_in_tokens (token_hash, user_id, purpose, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(secret_hash(&token))
    .bind(user_id)
    .bind(CHOOSE_PASSWORD)
    .bind(now)
    .bind(now + LINK_VALID_MS)
    .execute(conn)
    .await?;
    Ok(token)
}

async fn expire_links(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sign_in_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// The org's users (not removed), oldest first.
pub async fn list_users(db: &Db, org_id: &str) -> Result<Vec<UserRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, email, role, password_hash, created_at FROM users \
         WHERE org_id = $1 AND removed_at IS NULL ORDER BY created_at, id",
    )
    .bind(org_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(UserRow {
                id: row.try_get("id")?,
                email: row.try_get("email")?,
                role: Role::from_stored(&row.try_get::<String, _>("role")?),
                has_password: row.try_get::<Option<String>, _>("password_hash")?.is_some(),
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

/// Removes a user of `org_id`: its sessions end and its links stop working at once.
/// `false` when the org has no such user.
pub async fn remove_user(db: &Db, org_id: &str, user_id: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write(super::Lane::Interactive).await?;
    let done = sqlx::query(
        "UPDATE users SET removed_at = $3 WHERE id = $1 AND org_id = $2 AND removed_at IS NULL",
    )
    .bind(user_id)
    .bind(org_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sessions::revoke_all_of_user(&mut tx, user_id, now).await?;
    expire_links(&mut tx, user_id, now).await?;
    db.commit(tx).await?;
    Ok(true)
}

/// Changes the role of a user of `org_id`; the user's sessions see it on their next
/// request. `false` when the org has no such user.
pub async fn set_role(
    db: &Db,
    org_id: &str,
    user_id: &str,
    role: Role,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE users SET role = $3 WHERE id = $1 AND org_id = $2 AND removed_at IS NULL",
    )
    .bind(user_id)
    .bind(org_id)
    .bind(role.as_str())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What sign-in checks a password against.
#[derive(Debug, Clone)]
pub struct SignInUser {
    /// `usr_…`.
    pub user_id: String,
    /// The argon2id PHC string.
    pub password_hash: String,
}

/// The user who may sign in with `email`: not removed, with a password chosen.
pub async fn find_for_sign_in(db: &Db, email: &Email) -> Result<Option<SignInUser>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, password_hash FROM users \
         WHERE email = $1 AND removed_at IS NULL AND password_hash IS NOT NULL",
    )
    .bind(email.as_str())
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(SignInUser {
            user_id: row.try_get("id")?,
            password_hash: row.try_get("password_hash")?,
        })
    })
    .transpose()
}

/// The email of the user whose sign-in link `token` is, while the link is unused and
/// valid.
pub async fn link_email(db: &Db, token: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.email FROM sign_in_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > $2 \
           AND u.removed_at IS NULL",
    )
    .bind(secret_hash(token))
    .bind(now_ms())
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| row.try_get("email")).transpose()
}

/// Uses the sign-in link `token` once, in one transaction: sets the password, ends the
/// user's other sessions and starts a new one. `None` when the link is unknown, used or
/// expired (nothing changes then).
pub async fn choose_password(
    db: &Db,
    token: &str,
    password_hash: &str,
) -> Result<Option<NewSession>, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write(super::Lane::Interactive).await?;
    let row = sqlx::query(
        "SELECT t.user_id FROM sign_in_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > $2 \
           AND u.removed_at IS NULL",
    )
    .bind(secret_hash(token))
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let user_id: String = row.try_get("user_id")?;
    // The guard on used_at makes two concurrent uses of one link end with one winner on
    // PostgreSQL too, where this transaction does not lock the row it read.
    let used = sqlx::query(
        "UPDATE sign_in_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL",
    )
    .bind(secret_hash(token))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if used.rows_affected() != 1 {
        return Ok(None);
    }
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(&user_id)
        .bind(password_hash)
        .execute(&mut *tx)
        .await?;
    sessions::revoke_all_of_user(&mut tx, &user_id, now).await?;
    let session = sessions::insert(&mut tx, &user_id, now).await?;
    db.commit(tx).await?;
    Ok(Some(session))
}

/// Creates a user of `org_id` with a password already chosen, removing any user who had
/// the email before: for the demo users, whose orgs are made again when the demo
/// credentials file is deleted. Returns the new `usr_…`.
pub async fn replace_with_password(
    db: &Db,
    org_id: &str,
    email: &Email,
    role: Role,
    password_hash: &str,
) -> Result<String, sqlx::Error> {
    let now = now_ms();
    let user_id = new_id(IdKind::User);
    let mut tx = db.begin_write(super::Lane::Interactive).await?;
    // Their sessions end with them: a session is live only while its user is not removed.
    sqlx::query("UPDATE users SET removed_at = $2 WHERE email = $1 AND removed_at IS NULL")
        .bind(email.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO users (id, org_id, email, role, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&user_id)
    .bind(org_id)
    .bind(email.as_str())
    .bind(role.as_str())
    .bind(password_hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    db.commit(tx).await?;
    Ok(user_id)
}

/// Records a failed sign-in for `email` at `now`, forgetting every email's failures older
/// than `forget_before` (so that guessing many different emails leaves nothing behind).
pub async fn record_failure(
    db: &Db,
    email: &Email,
    now: i64,
    forget_before: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write(super::Lane::Interactive).await?;
    sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
        .bind(forget_before)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO sign_in_failures (email, at) VALUES ($1, $2)")
        .bind(email.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    db.commit(tx).await
}

/// The times of `email`'s failed sign-ins since `since`, oldest first.
pub async fn failures_since(db: &Db, email: &Email, since: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT at FROM sign_in_failures WHERE email = $1 AND at >= $2 ORDER BY at")
        .bind(email.as_str())
        .bind(since)
        .fetch_all(db.pool())
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lower_cased_and_need_an_at_sign() {
        assert_eq!(
            Email::parse("  Ana@Example.COM ").map(|e| e.0),
            Some("ana@example.com".into())
        );
        for bad in [
            "",
            "ana",
            "@example.com",
            "ana@",
            "a b@example.com",
            "a@b@c",
        ] {
            assert_eq!(Email::parse(bad), None, "{bad:?}");
        }
    }
}
