//! Bodies of the org endpoints: settings and registered domains.

#[allow(unused_imports)]
use crate::prelude::*;
use serde::{Deserialize, Serialize};

/// `GET /v1/org` (and `PATCH /v1/org`) result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrgSettings {
    /// `cid_…`, the `data-ec-cid` of the script tag.
    pub org_id: String,
    /// Display name.
    pub name: String,
    /// Whether captures bill the org at once (the generator pays).
    pub auto_collect: bool,
    /// Registered domains, in registration order.
    pub domains: Vec<String>,
    /// When the org was created, epoch milliseconds.
    pub created_at: i64,
    /// Where `cdr.completed` events are POSTed, if set.
    pub webhook_url: Option<String>,
    /// Why deliveries to the webhook stopped (the endpoint answered `410 Gone`), if they
    /// did; setting `webhookUrl` again resumes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_disabled_reason: Option<String>,
    /// The webhook's signing secret (`whsec_…`): only in the answer to the `PATCH` that
    /// set a webhook where there was none, and never again. Keep it to check signatures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
}

/// `POST /v1/org/webhook-secret` result: a new signing secret, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookSecret {
    /// The new secret (`whsec_` and base64 of 32 random bytes).
    pub webhook_secret: String,
    /// Until when (epoch ms) deliveries also carry a signature with the previous secret,
    /// so receivers can switch without missing events.
    pub previous_secret_expires_at: Option<i64>,
}

/// `PATCH /v1/org` body: only the fields given change.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrgPatch {
    /// Bill the org when it captures a CDR (`true`) or let buyers pay (`false`). Applies
    /// to captures made after the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_collect: Option<bool>,
    /// The webhook endpoint (`https://…` or `http://…`, at most 2,048 characters, no
    /// credentials, not a private or loopback address unless the server allows them), or
    /// `null` to remove it. Setting one where there was none answers the signing secret
    /// once, in `webhookSecret`.
    #[serde(
        default,
        deserialize_with = "some_or_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, nullable = true, min_length = 1, max_length = 2048)
    )]
    pub webhook_url: Option<Option<String>>,
}

/// Deserializes a field that is present as `Some(value)` or `Some(None)` for `null`, so a
/// missing field (`None`, by `default`) differs from an explicit `null`.
fn some_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Longest webhook URL accepted.
pub const MAX_WEBHOOK_URL_CHARS: usize = 2_048;

/// One attempt to deliver a webhook event, as `GET /v1/webhooks/deliveries` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    /// The event's id (`msg_…`), the `webhook-id` header of every attempt.
    pub webhook_id: String,
    /// The event type, e.g. `cdr.completed`.
    pub event: String,
    /// The CDR the event is about.
    pub cdr_id: String,
    /// Which attempt this was (1 for the first).
    pub attempt: u32,
    /// The URL it was sent to.
    pub url: String,
    /// `delivered` (a 2xx answer), `failed` (to be retried), `gone` (a 410: the webhook is
    /// now disabled) or `refused` (the URL is not allowed).
    pub outcome: String,
    /// The endpoint's HTTP status, when it answered.
    pub http_status: Option<u16>,
    /// What went wrong, when something did.
    pub error: Option<String>,
    /// How long the attempt took, milliseconds.
    pub duration_ms: i64,
    /// When it was made, epoch ms.
    pub attempted_at: i64,
}

/// `GET /v1/webhooks/deliveries` result: the org's most recent attempts, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookDeliveryList {
    /// At most 100.
    pub deliveries: Vec<WebhookDelivery>,
}

/// A registered domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DomainEntry {
    /// The host, lower case, e.g. `example.com`; pages on it and its subdomains may upload.
    pub domain_id: String,
    /// When it was registered, epoch milliseconds.
    pub created_at: i64,
}

/// `GET /v1/domains` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DomainList {
    /// The org's registered domains, in registration order.
    pub domains: Vec<DomainEntry>,
}

/// `POST /v1/domains` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterDomain {
    /// A host name or IP address without scheme, port or path, e.g. `example.com`: at most
    /// 253 characters, dot-separated labels of 1–63 letters, digits or inner hyphens, or
    /// an IPv6 address in brackets.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 253,
            pattern = r"^[ \t\r\n]*(\[(([0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|([0-9A-Fa-f]{1,4}:){1,7}:|([0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f]{1,4}|([0-9A-Fa-f]{1,4}:){1,5}(:[0-9A-Fa-f]{1,4}){1,2}|([0-9A-Fa-f]{1,4}:){1,4}(:[0-9A-Fa-f]{1,4}){1,3}|([0-9A-Fa-f]{1,4}:){1,3}(:[0-9A-Fa-f]{1,4}){1,4}|([0-9A-Fa-f]{1,4}:){1,2}(:[0-9A-Fa-f]{1,4}){1,5}|[0-9A-Fa-f]{1,4}:(:[0-9A-Fa-f]{1,4}){1,6}|:((:[0-9A-Fa-f]{1,4}){1,7}|:))\]|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)[ \t\r\n]*$"
        )
    )]
    pub domain: String,
}
