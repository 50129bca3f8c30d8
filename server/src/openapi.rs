//! The OpenAPI document of the API, generated from the code.
//!
//! Each handler carries its `#[utoipa::path]` (method, path, parameters, bodies and every
//! error it can answer); the route modules register handlers through `utoipa_axum`, which
//! takes the route's path from that same attribute, so the router and the document cannot
//! drift apart. This module adds what is common: title, version, the `X-API-Key` security
//! scheme, the error schemas and the tags.

use expressconsent_protocol::{ErrorBody, ErrorCode, Failure};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::{Modify, OpenApi};

/// The top of the document; the paths are merged in by [`crate::app`].
#[derive(OpenApi)]
#[openapi(
    info(
        title = "ExpressConsent API",
        description = "Consent evidence (CDRs) for lead generators and lead buyers. Every JSON \
            response is an envelope: `{ ok: true, data, requestId }` or `{ ok: false, error: \
            { code, message, requestId } }`; each error code has one HTTP status.",
    ),
    modifiers(&ApiKeyScheme),
    components(schemas(Failure, ErrorBody, ErrorCode)),
    tags(
        (name = "captures", description = "Uploads from the browser SDK."),
        (name = "sharing", description = "Share links, claims and collecting (who pays)."),
        (name = "cdrs", description = "Reading CDRs."),
        (name = "evidence", description = "Downloading evidence: needs paid or free access."),
        (name = "billing", description = "The billing ledger."),
        (name = "org", description = "Settings and domains."),
        (name = "meta", description = "This document."),
    )
)]
pub struct ApiDoc;

/// Declares the `apiKey` scheme the paths refer to.
struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "apiKey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "`<keyId>.<secret>` as printed by `expressconsent-server org create` or \
                 `key create`",
            ))),
        );
    }
}

/// Finishes the generated document: the version of this build and the server's base URL.
pub fn finish(mut doc: utoipa::openapi::OpenApi, public_url: &str) -> utoipa::openapi::OpenApi {
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.servers = Some(vec![Server::new(public_url)]);
    doc
}
