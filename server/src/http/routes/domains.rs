//! `/v1/domains`: an org's registered domains, and the CDRs it captured on each.
//!
//! Registering is idempotent: posting a domain the org already has answers 200 with the
//! first registration (a retry is harmless, nothing is duplicated), so there is no
//! `CONFLICT`. Different orgs may register the same host: a domain only says which pages
//! may upload into *this* org.

use axum::extract::State;
use expressconsent_protocol::{
    CdrPage, CdrSummary, DomainEntry, DomainList, Failure, RegisterDomain, SortOrder, Success,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::cdrs::list_owned;
use crate::db::orgs::{domain_rows, has_domain, register_domain, DomainRow};
use crate::evidence::metadata::MetadataFilter;
use crate::http::app::AppState;
use crate::http::auth::AuthOrg;
use crate::http::body::JsonBody;
use crate::http::envelope::Data;
use crate::http::error::ApiError;
use crate::http::pagination::{Cursor, List, PageRequest};
use crate::http::query::{ApiPath, ApiQuery};
use crate::orgs::host::Host;

/// The domain routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_domains, add_domain))
        .routes(routes!(list_cdrs))
}

fn entry(row: DomainRow) -> DomainEntry {
    DomainEntry {
        domain_id: row.host.as_str().to_owned(),
        created_at: row.created_at,
    }
}

/// The org's registered domains, in registration order.
#[utoipa::path(
    get,
    path = "/v1/domains",
    tag = "org",
    security(("apiKey" = [])),
    responses(
        (status = 200, description = "The registered domains.", body = Success<DomainList>),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn list_domains(
    State(state): State<AppState>,
    auth: AuthOrg,
) -> Result<Data<DomainList>, ApiError> {
    let rows = domain_rows(&state.db, &auth.org_id).await?;
    Ok(Data(DomainList {
        domains: rows.into_iter().map(entry).collect(),
    }))
}

/// Registers a domain: pages on it and its subdomains may upload captures for this org.
/// Idempotent: registering a domain again returns its first registration.
#[utoipa::path(
    post,
    path = "/v1/domains",
    tag = "org",
    security(("apiKey" = [])),
    request_body = RegisterDomain,
    responses(
        (status = 200, description = "The domain is registered (now or before).", body = Success<DomainEntry>),
        (status = 400, description = "INVALID_ARGUMENT: not a host name (no scheme, port or path).", body = Failure),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 413, description = "PAYLOAD_TOO_LARGE", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
pub(crate) async fn add_domain(
    State(state): State<AppState>,
    auth: AuthOrg,
    JsonBody(body): JsonBody<RegisterDomain>,
) -> Result<Data<DomainEntry>, ApiError> {
    let host = Host::parse(&body.domain).map_err(|e| ApiError::InvalidArgument(e.to_string()))?;
    let row = register_domain(&state.db, &auth.org_id, &host).await?;
    Ok(Data(entry(row)))
}

/// Query of `GET /v1/domains/{domainId}/cdrs`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
struct ListCdrsQuery {
    /// Rows per page, 1–100; default 20.
    #[param(minimum = 1, maximum = 100)]
    page_size: Option<u32>,
    /// `desc` (newest first, the default) or `asc`.
    #[param(inline)]
    order: Option<SortOrder>,
    /// `nextPageToken` of the previous page, with the same `order`.
    page_token: Option<String>,
    /// Only CDRs whose `custom` has this top-level key (not empty; requires
    /// `metadataValue`).
    #[param(min_length = 1)]
    metadata_key: Option<String>,
    /// …with this value: a string compares as itself, any other JSON value by its compact
    /// JSON text (`7`, `true`, `null`, `{"a":1}`). Requires `metadataKey`.
    metadata_value: Option<String>,
}

/// The CDRs this org *captured* on one of its domains, newest first by default. CDRs it
/// received through share links are not listed here (they are reached by id); the list
/// is the generator's view of its own site.
#[utoipa::path(
    get,
    path = "/v1/domains/{domainId}/cdrs",
    tag = "cdrs",
    security(("apiKey" = [])),
    params(("domainId" = String, Path, description = "A registered domain, e.g. `example.com`."), ListCdrsQuery),
    responses(
        (status = 200, description = "One page; follow `nextPageToken` until it is absent.", body = Success<CdrPage>),
        (status = 400, description = "INVALID_ARGUMENT: pageSize outside 1–100, bad order or pageToken, metadataKey without metadataValue (or the reverse), or a domainId that is not a host.", body = Failure),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 404, description = "NOT_FOUND: the domain is not registered for this org.", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
async fn list_cdrs(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiPath(domain_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ListCdrsQuery>,
) -> Result<Data<CdrPage>, ApiError> {
    let host = Host::parse(&domain_id).map_err(|e| ApiError::InvalidArgument(e.to_string()))?;
    let page = PageRequest::parse(
        List::Cdrs,
        query.page_size,
        query.order,
        query.page_token.as_deref(),
    )
    .map_err(ApiError::InvalidArgument)?;
    let filter = MetadataFilter::from_query(query.metadata_key, query.metadata_value)
        .map_err(ApiError::InvalidArgument)?;
    if !has_domain(&state.db, &auth.org_id, host.as_str()).await? {
        return Err(ApiError::NotFound(format!(
            "{host} is not a registered domain of this org"
        )));
    }
    let rows = if filter.as_ref().is_some_and(MetadataFilter::matches_nothing) {
        Vec::new()
    } else {
        list_owned(
            &state.db,
            &auth.org_id,
            host.as_str(),
            &page,
            filter.as_ref(),
        )
        .await?
    };
    let (rows, next_page_token) = page.finish(List::Cdrs, rows, |row| Cursor {
        created_at: row.created_at,
        id: row.id.clone(),
    });
    let cdrs = rows
        .into_iter()
        .map(|row| {
            let custom = row
                .custom_json
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(ApiError::internal)?;
            Ok(CdrSummary {
                cdr_id: row.id,
                domain_id: row.domain_id,
                package_id: row.package_id,
                created_at: row.created_at,
                page_url: row.page_url,
                custom,
                access: row.access,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Data(CdrPage {
        cdrs,
        next_page_token,
    }))
}
