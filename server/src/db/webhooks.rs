//! Webhooks: each org's endpoint and secrets, the events to deliver, and delivery attempts.

use super::{now_ms, Db, Lane};
use crate::jobs::{enqueue, JobKind, JobsConfig};
use crate::orgs::ids::{new_id, IdKind};
use crate::webhooks::sign::new_secret;

/// How long a rotated-out secret still signs deliveries.
pub const PREVIOUS_SECRET_TTL_MS: i64 = 24 * 3600 * 1000;

/// An org's webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    /// The endpoint.
    pub url: String,
    /// The current signing secret.
    pub secret: String,
    /// The secret before the last rotation, while it still signs.
    pub previous_secret: Option<String>,
    /// Until when the previous secret signs, epoch ms.
    pub previous_expires_at: Option<i64>,
    /// Why deliveries stopped, if they did.
    pub disabled_reason: Option<String>,
}

impl WebhookRow {
    /// The secrets that sign a delivery made at `now`: the current one, and the previous
    /// one until it expires.
    pub fn signing_secrets(&self, now: i64) -> Vec<&str> {
        let previous = match (&self.previous_secret, self.previous_expires_at) {
            (Some(secret), Some(until)) if now < until => Some(secret.as_str()),
            _ => None,
        };
        std::iter::once(self.secret.as_str())
            .chain(previous)
            .collect()
    }
}

/// The org's webhook, if it has one.
pub async fn webhook(db: &Db, org_id: &str) -> Result<Option<WebhookRow>, sqlx::Error> {
    let row = sqlx::query_as::<_, (String, String, Option<String>, Option<i64>, Option<String>)>(
        "SELECT url, secret, previous_secret, previous_expires_at, disabled_reason \
         FROM org_webhooks WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(
        |(url, secret, previous_secret, previous_expires_at, disabled_reason)| WebhookRow {
            url,
            secret,
            previous_secret,
            previous_expires_at,
            disabled_reason,
        },
    ))
}

/// Sets (`Some`) or removes (`None`) the org's webhook URL. Setting one re-enables a
/// disabled webhook. Returns the new signing secret when there was no webhook before.
pub async fn set_webhook(
    db: &Db,
    org_id: &str,
    url: Option<&str>,
) -> Result<Option<String>, sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write(Lane::Interactive).await?;
    let Some(url) = url else {
        sqlx::query("DELETE FROM org_webhooks WHERE org_id = $1")
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        db.commit(tx).await?;
        return Ok(None);
    };
    let updated = sqlx::query(
        "UPDATE org_webhooks SET url = $1, disabled_reason = NULL, updated_at = $2 \
         WHERE org_id = $3",
    )
    .bind(url)
    .bind(now)
    .bind(org_id)
    .execute(&mut *tx)
    .await?;
    let secret = match updated.rows_affected() {
        0 => {
            let secret = new_secret();
            sqlx::query(
                "INSERT INTO org_webhooks (org_id, url, secret, updated_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(org_id)
            .bind(url)
            .bind(&secret)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            Some(secret)
        }
        _ => None,
    };
    db.commit(tx).await?;
    Ok(secret)
}

/// Replaces the org's signing secret; the old one keeps signing for
/// [`PREVIOUS_SECRET_TTL_MS`]. Returns the new secret and when the old one stops, or
/// `None` when the org has no webhook.
pub async fn rotate_secret(db: &Db, org_id: &str) -> Result<Option<(String, i64)>, sqlx::Error> {
    let now = now_ms();
    let secret = new_secret();
    let until = now + PREVIOUS_SECRET_TTL_MS;
    let mut tx = db.begin_write(Lane::Interactive).await?;
    let updated = sqlx::query(
        "UPDATE org_webhooks SET previous_secret = secret, previous_expires_at = $1, \
         secret = $2, updated_at = $3 WHERE org_id = $4",
    )
    .bind(until)
    .bind(&secret)
    .bind(now)
    .bind(org_id)
    .execute(&mut *tx)
    .await?;
    db.commit(tx).await?;
    Ok((updated.rows_affected() == 1).then_some((secret, until)))
}

/// Stops deliveries to the org's webhook (it answered `410 Gone`) if it still has `url`.
pub async fn disable(db: &Db, org_id: &str, url: &str, reason: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write(Lane::Background).await?;
    sqlx::query(
        "UPDATE org_webhooks SET disabled_reason = $1, updated_at = $2 \
         WHERE org_id = $3 AND url = $4",
    )
    .bind(reason)
    .bind(now_ms())
    .bind(org_id)
    .bind(url)
    .execute(&mut *tx)
    .await?;
    db.commit(tx).await
}

/// A webhook event, with the body every delivery of it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    /// `msg_…`, the `webhook-id`.
    pub id: String,
    /// The org it is for.
    pub org_id: String,
    /// e.g. `cdr.completed`.
    pub event: String,
    /// The CDR it is about.
    pub cdr_id: String,
    /// The JSON body.
    pub body: String,
}

/// Creates the event `event` about `cdr_id` for `org_id` (once: a second call is a no-op)
/// and enqueues its delivery, in one transaction. `body` makes the JSON from the event's
/// id and creation time. Returns whether the event is new.
pub async fn create_event(
    db: &Db,
    jobs: &JobsConfig,
    org_id: &str,
    event: &str,
    cdr_id: &str,
    body: impl FnOnce(&str, i64) -> String,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let id = new_id(IdKind::WebhookEvent);
    let body = body(&id, now);
    let mut tx = db.begin_write(Lane::Background).await?;
    let inserted = sqlx::query(
        "INSERT INTO webhook_events (id, org_id, event, cdr_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, event, cdr_id) DO NOTHING",
    )
    .bind(&id)
    .bind(org_id)
    .bind(event)
    .bind(cdr_id)
    .bind(&body)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let new = inserted.rows_affected() == 1;
    if new {
        enqueue(&mut tx, jobs, JobKind::DeliverWebhook, &id, now).await?;
    }
    db.commit(tx).await?;
    Ok(new)
}

/// The event `id`.
pub async fn event(db: &Db, id: &str) -> Result<Option<EventRow>, sqlx::Error> {
    let row = sqlx::query_as::<_, (String, String, String, String, String)>(
        "SELECT id, org_id, event, cdr_id, body FROM webhook_events WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(id, org_id, event, cdr_id, body)| EventRow {
        id,
        org_id,
        event,
        cdr_id,
        body,
    }))
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    /// The event.
    pub event_id: String,
    /// Its type.
    pub event: String,
    /// Its CDR.
    pub cdr_id: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Where it went.
    pub url: String,
    /// `delivered`, `failed`, `gone` or `refused`.
    pub outcome: String,
    /// The endpoint's status, if it answered.
    pub http_status: Option<u16>,
    /// What went wrong.
    pub error: Option<String>,
    /// Duration, ms.
    pub duration_ms: i64,
    /// When, epoch ms.
    pub attempted_at: i64,
}

/// Records an attempt (a second record of the same attempt, by a worker whose lease had
/// expired, is ignored).
pub async fn record_delivery(db: &Db, org_id: &str, d: &DeliveryRow) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write(Lane::Background).await?;
    sqlx::query(
        "INSERT INTO webhook_deliveries (event_id, attempt, org_id, url, outcome, http_status, \
         error, duration_ms, attempted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (event_id, attempt) DO NOTHING",
    )
    .bind(&d.event_id)
    .bind(i64::from(d.attempt))
    .bind(org_id)
    .bind(&d.url)
    .bind(&d.outcome)
    .bind(d.http_status.map(i64::from))
    .bind(d.error.as_deref())
    .bind(d.duration_ms)
    .bind(d.attempted_at)
    .execute(&mut *tx)
    .await?;
    db.commit(tx).await
}

/// The org's `limit` most recent attempts, newest first.
pub async fn deliveries(
    db: &Db,
    org_id: &str,
    limit: u32,
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    type Row = (
        String,
        String,
        String,
        i64,
        String,
        String,
        Option<i64>,
        Option<String>,
        i64,
        i64,
    );
    let rows = sqlx::query_as::<_, Row>(
        "SELECT d.event_id, e.event, e.cdr_id, d.attempt, d.url, d.outcome, d.http_status, \
         d.error, d.duration_ms, d.attempted_at FROM webhook_deliveries d \
         JOIN webhook_events e ON e.id = d.event_id \
         WHERE d.org_id = $1 ORDER BY d.attempted_at DESC, d.event_id DESC, d.attempt DESC \
         LIMIT $2",
    )
    .bind(org_id)
    .bind(i64::from(limit))
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(event_id, event, cdr_id, attempt, url, outcome, status, error, duration_ms, at)| {
                DeliveryRow {
                    event_id,
                    event,
                    cdr_id,
                    attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
                    url,
                    outcome,
                    http_status: status.and_then(|s| u16::try_from(s).ok()),
                    error,
                    duration_ms,
                    attempted_at: at,
                }
            },
        )
        .collect())
}
