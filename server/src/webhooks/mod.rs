//! Webhooks (SPEC §Webhooks): `cdr.completed` to the capturing org's endpoint when a CDR's
//! evidence is complete, signed as Standard Webhooks says ([`sign`]), delivered by the job
//! queue ([`crate::jobs`]) with retries and backoff until a 2xx.
//!
//! Owns the event's body and one delivery attempt. An event's body is made once, when the
//! event is created, so every retry sends the same bytes under the same `webhook-id`
//! (receivers deduplicate on it); `webhook-timestamp` is the attempt's time, as the
//! specification asks, so a receiver's replay window holds for late retries too. One job
//! per event means at most one delivery of it in flight. The outcome of each attempt:
//!
//! | endpoint answers | attempt recorded as | then |
//! |---|---|---|
//! | 2xx | `delivered` | done |
//! | 410 Gone | `gone` | the org's webhook is disabled (setting its URL again resumes) |
//! | anything else, a timeout, no answer | `failed` | retried: 10 s, doubling, capped at 1 h, for 3 days (`EC_WEBHOOK_RETRY_*`) |
//! | the URL is refused (SSRF rules) | `refused` | retried like a failure (the org may fix its URL) |
//!
//! Redirects are not followed (a 3xx is a failure): the signature is for the URL the org
//! registered.

pub mod post;
pub mod sign;

use std::time::{Duration, Instant};

use serde_json::json;

use crate::db::cdrs::find_owned;
use crate::db::webhooks::{self, create_event, record_delivery, DeliveryRow};
use crate::db::{now_ms, Db};
use crate::evidence::facts::for_cdr;
use crate::evidence::store::EvidenceStore;
use crate::jobs::worker::JobError;
use crate::jobs::{Job, JobsConfig};
use post::Poster;

/// The event sent when a CDR's evidence (image included, when rendering is on) is ready.
pub const CDR_COMPLETED: &str = "cdr.completed";

/// How long one delivery attempt may take.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Creates the `cdr.completed` event of a CDR for its capturing org, if the org has a
/// webhook, and enqueues its delivery. Idempotent.
pub async fn cdr_completed(
    db: &Db,
    store: &EvidenceStore,
    jobs: &JobsConfig,
    cdr_id: &str,
) -> Result<(), JobError> {
    let Some(cdr) = find_owned(db, cdr_id).await.map_err(retry)? else {
        return Err(JobError::give_up(format!("CDR {cdr_id} does not exist")));
    };
    if webhooks::webhook(db, &cdr.org_id)
        .await
        .map_err(retry)?
        .is_none()
    {
        return Ok(());
    }
    let facts = for_cdr(db, store, &cdr.id, &cdr.object_key)
        .await
        .map_err(|err| JobError::retry(format!("cannot read the CDR's facts: {err}")))?;
    let custom: Option<serde_json::Value> = cdr
        .custom_json
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok());
    create_event(db, jobs, &cdr.org_id, CDR_COMPLETED, &cdr.id, |id, now| {
        json!({
            "event": CDR_COMPLETED,
            "webhookId": id,
            "timestamp": now,
            "orgId": cdr.org_id,
            "cdrId": cdr.id,
            "domainId": cdr.domain_id,
            "createdAt": cdr.created_at,
            "ip": cdr.received_ip,
            "userAgent": cdr.user_agent,
            "customMetadata": custom,
            "sessionId": cdr.package_id,
            "disclosures": facts.disclosures,
        })
        .to_string()
    })
    .await
    .map_err(retry)?;
    Ok(())
}

/// Makes one delivery attempt of the event `job.subject`.
pub async fn deliver(db: &Db, client: &Poster, job: &Job) -> Result<(), JobError> {
    let Some(event) = webhooks::event(db, &job.subject).await.map_err(retry)? else {
        return Err(JobError::give_up("the event does not exist"));
    };
    let Some(hook) = webhooks::webhook(db, &event.org_id).await.map_err(retry)? else {
        // The org removed its webhook: there is nowhere to deliver.
        return Ok(());
    };
    if hook.disabled_reason.is_some() {
        return Ok(());
    }
    let started = Instant::now();
    let attempted_at = now_ms();
    let timestamp = attempted_at / 1000;
    let signature = sign::signature_header(
        &hook.signing_secrets(attempted_at),
        &event.id,
        timestamp,
        event.body.as_bytes(),
    );
    let headers = [
        ("content-type", "application/json".to_owned()),
        ("webhook-id", event.id.clone()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature),
    ];
    let sent = client
        .post(
            &hook.url,
            &headers,
            event.body.clone().into(),
            DELIVERY_TIMEOUT,
        )
        .await;
    let (outcome, http_status, error) = match &sent {
        Ok(status) if (200..300).contains(status) => ("delivered", Some(*status), None),
        Ok(410) => (
            "gone",
            Some(410),
            Some("the endpoint answered 410 Gone".to_owned()),
        ),
        Ok(status) => (
            "failed",
            Some(*status),
            Some(format!("the endpoint answered HTTP {status}")),
        ),
        Err(err) if err.is_refused() => ("refused", None, Some(err.to_string())),
        Err(err) => ("failed", None, Some(err.to_string())),
    };
    let row = DeliveryRow {
        event_id: event.id.clone(),
        event: event.event.clone(),
        cdr_id: event.cdr_id.clone(),
        attempt: job.attempts,
        url: hook.url.clone(),
        outcome: outcome.to_owned(),
        http_status,
        error: error.clone(),
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        attempted_at,
    };
    record_delivery(db, &event.org_id, &row)
        .await
        .map_err(retry)?;
    match outcome {
        "delivered" => Ok(()),
        "gone" => {
            let reason = format!(
                "the endpoint answered 410 Gone at {attempted_at} (epoch ms); set webhookUrl again to resume"
            );
            webhooks::disable(db, &event.org_id, &hook.url, &reason)
                .await
                .map_err(retry)?;
            Ok(())
        }
        _ => Err(JobError::retry(error.unwrap_or_default())),
    }
}

fn retry(err: sqlx::Error) -> JobError {
    JobError::retry(format!("database: {err}"))
}
