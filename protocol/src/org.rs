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
