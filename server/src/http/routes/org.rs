//! `GET /v1/org`, `PATCH /v1/org`, `POST /v1/org/webhook-secret` and
//! `GET /v1/webhooks/deliveries`: the caller's own settings and its webhook.
//!
//! `autoCollect` and `webhookUrl` can be changed; any other field is refused as
//! `INVALID_ARGUMENT`. The name and the domains are managed by the operator's CLI and
//! `POST /v1/domains`. A webhook's signing secret is answered once, by the `PATCH` that
//! creates the webhook or by a rotation, and never shown again.

use axum::extract::State;
use expressconsent_protocol::{
    Failure, OrgPatch, OrgSettings, Success, WebhookDelivery, WebhookDeliveryList, WebhookSecret,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::orgs::{domains, set_auto_collect, settings};
use crate::db::webhooks::{deliveries, rotate_secret, set_webhook, webhook};
use crate::http::app::AppState;
use crate::http::auth::AuthOrg;
use crate::http::body::JsonBody;
use crate::http::envelope::Data;
use crate::http::error::ApiError;
use crate::http::query::ApiQuery;
use crate::webhooks::post::check_url;

/// The org routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_org, patch_org))
        .routes(routes!(rotate_webhook_secret))
        .routes(routes!(list_deliveries))
}

async fn current(state: &AppState, org_id: &str) -> Result<OrgSettings, ApiError> {
    let row = settings(&state.db, org_id)
        .await?
        // The key authenticated a moment ago, and orgs are never deleted.
        .ok_or_else(|| ApiError::internal(format!("org {org_id} of a live key is missing")))?;
    let domains = domains(&state.db, org_id).await?;
    let hook = webhook(&state.db, org_id).await?;
    Ok(OrgSettings {
        org_id: row.id,
        name: row.name,
        auto_collect: row.auto_collect,
        domains: domains.iter().map(|h| h.as_str().to_owned()).collect(),
        created_at: row.created_at,
        webhook_url: hook.as_ref().map(|h| h.url.clone()),
        webhook_disabled_reason: hook.and_then(|h| h.disabled_reason),
        webhook_secret: None,
    })
}

/// The org's settings.
#[utoipa::path(
    get,
    path = "/v1/org",
    tag = "org",
    security(("apiKey" = [])),
    responses(
        (status = 200, description = "The settings.", body = Success<OrgSettings>),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn get_org(
    State(state): State<AppState>,
    auth: AuthOrg,
) -> Result<Data<OrgSettings>, ApiError> {
    current(&state, &auth.org_id).await.map(Data)
}

/// Changes settings; fields left out stay as they are.
#[utoipa::path(
    patch,
    path = "/v1/org",
    tag = "org",
    security(("apiKey" = [])),
    request_body = OrgPatch,
    responses(
        (status = 200, description = "The settings after the change.", body = Success<OrgSettings>),
        (status = 400, description = "INVALID_ARGUMENT: bad JSON, a wrong type, a field that cannot be changed, or a webhook URL that is not allowed.", body = Failure),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 413, description = "PAYLOAD_TOO_LARGE", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn patch_org(
    State(state): State<AppState>,
    auth: AuthOrg,
    JsonBody(patch): JsonBody<OrgPatch>,
) -> Result<Data<OrgSettings>, ApiError> {
    let webhook_url = match &patch.webhook_url {
        Some(Some(url)) => Some(Some(
            check_url(url, state.outbound)
                .map_err(|why| ApiError::InvalidArgument(format!("webhookUrl: {why}")))?
                .to_string(),
        )),
        Some(None) => Some(None),
        None => None,
    };
    if let Some(on) = patch.auto_collect {
        set_auto_collect(&state.db, &auth.org_id, on).await?;
    }
    let mut secret = None;
    if let Some(url) = webhook_url {
        secret = set_webhook(&state.db, &auth.org_id, url.as_deref()).await?;
    }
    let mut settings = current(&state, &auth.org_id).await?;
    settings.webhook_secret = secret;
    Ok(Data(settings))
}

/// Replaces the webhook's signing secret and answers the new one, once. For 24 hours
/// deliveries carry signatures with both secrets (space-separated), so receivers can
/// switch without missing an event.
#[utoipa::path(
    post,
    path = "/v1/org/webhook-secret",
    tag = "org",
    security(("apiKey" = [])),
    responses(
        (status = 200, description = "The new secret.", body = Success<WebhookSecret>),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 412, description = "FAILED_PRECONDITION: the org has no webhook.", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn rotate_webhook_secret(
    State(state): State<AppState>,
    auth: AuthOrg,
) -> Result<Data<WebhookSecret>, ApiError> {
    let (secret, until) = rotate_secret(&state.db, &auth.org_id)
        .await?
        .ok_or_else(|| {
            ApiError::FailedPrecondition(
                "the org has no webhook: set webhookUrl with PATCH /v1/org first".into(),
            )
        })?;
    Ok(Data(WebhookSecret {
        webhook_secret: secret,
        previous_secret_expires_at: Some(until),
    }))
}

/// `limit` of the deliveries list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct DeliveriesQuery {
    /// Attempts to list, 1–100; default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// The org's most recent webhook delivery attempts, newest first.
#[utoipa::path(
    get,
    path = "/v1/webhooks/deliveries",
    tag = "org",
    security(("apiKey" = [])),
    params(DeliveriesQuery),
    responses(
        (status = 200, description = "The attempts.", body = Success<WebhookDeliveryList>),
        (status = 400, description = "INVALID_ARGUMENT: limit out of range.", body = Failure),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn list_deliveries(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiQuery(query): ApiQuery<DeliveriesQuery>,
) -> Result<Data<WebhookDeliveryList>, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::InvalidArgument(
            "limit must be between 1 and 100".into(),
        ));
    }
    let rows = deliveries(&state.db, &auth.org_id, limit).await?;
    Ok(Data(WebhookDeliveryList {
        deliveries: rows
            .into_iter()
            .map(|d| WebhookDelivery {
                webhook_id: d.event_id,
                event: d.event,
                cdr_id: d.cdr_id,
                attempt: d.attempt,
                url: d.url,
                outcome: d.outcome,
                http_status: d.http_status,
                error: d.error,
                duration_ms: d.duration_ms,
                attempted_at: d.attempted_at,
            })
            .collect(),
    }))
}
