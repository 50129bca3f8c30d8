//! `GET /v1/cdrs`, `POST /v1/cdrs/search` and `POST /v1/cdrs/{cdrId}/match`: every CDR
//! the org has a relation to, finding them by a lead's email or phone, and checking a lead
//! against one before paying.
//!
//! Personal data is only ever in request bodies (never a URL, so never an access log),
//! and is turned into keyed fingerprints at once ([`crate::evidence::lead`]); the lists
//! are [`crate::db::listing`]'s.

use axum::extract::State;
use expressconsent_protocol::{
    Access, Failure, LeadMatch, LeadMatchRequest, LeadSearch, RelatedCdrPage, RelatedCdrSummary,
    SortOrder, Success,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::listing::{list_related, search_related, ListFilter, RelatedCdr};
use crate::evidence::lead::{match_cdr, MatchError};
use crate::evidence::metadata::MetadataFilter;
use crate::http::app::AppState;
use crate::http::auth::AuthOrg;
use crate::http::body::JsonBody;
use crate::http::envelope::Data;
use crate::http::error::ApiError;
use crate::http::pagination::{List, PageRequest};
use crate::http::query::{ApiPath, ApiQuery};
use crate::http::routes::cdrs::related;
use crate::orgs::host::Host;

/// The routes of the org's CDR list.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cdrs))
        .routes(routes!(search))
        .routes(routes!(match_lead))
}

/// Query of `GET /v1/cdrs`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
struct RelatedQuery {
    /// Rows per page, 1–100; default 20.
    #[param(minimum = 1, maximum = 100)]
    page_size: Option<u32>,
    /// `desc` (newest first, the default) or `asc`.
    #[param(inline)]
    order: Option<SortOrder>,
    /// `nextPageToken` of the previous page, with the same `order` and filters.
    page_token: Option<String>,
    /// Only CDRs the org holds in this relation: `paid`, `free`, `saved`, or `unpaid`
    /// (its own captures it has not paid for).
    #[param(inline)]
    relation: Option<Access>,
    /// Only CDRs captured on this domain (e.g. `example.com`).
    domain_id: Option<String>,
    /// Only CDRs created at or after this time, epoch milliseconds.
    #[param(minimum = 0)]
    from: Option<i64>,
    /// Only CDRs created before this time, epoch milliseconds; greater than `from`.
    #[param(minimum = 0)]
    to: Option<i64>,
    /// Only CDRs of this session package (`packageId` of the capture).
    #[param(min_length = 1, max_length = 256)]
    package_id: Option<String>,
    /// Only CDRs whose `custom` has this top-level key (not empty; requires
    /// `metadataValue`).
    #[param(min_length = 1)]
    metadata_key: Option<String>,
    /// …with this value: a string compares as itself, any other JSON value by its compact
    /// JSON text (`7`, `true`, `null`). Requires `metadataKey`.
    metadata_value: Option<String>,
}

impl RelatedQuery {
    /// The checked filter (`None`: one that no row can match); `Err` says what is wrong.
    fn filter(self) -> Result<Option<ListFilter>, ApiError> {
        let invalid = ApiError::InvalidArgument;
        for (name, value) in [("from", self.from), ("to", self.to)] {
            if value.is_some_and(|ms| ms < 0) {
                return Err(invalid(format!(
                    "{name} must be a time in epoch milliseconds (0 or more)"
                )));
            }
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if to <= from {
                return Err(invalid(format!(
                    "to ({to}) must be after from ({from}); from is inclusive, to exclusive"
                )));
            }
        }
        let domain_id = self
            .domain_id
            .map(|d| Host::parse(&d).map(|h| h.as_str().to_owned()))
            .transpose()
            .map_err(|e| invalid(format!("domainId: {e}")))?;
        if let Some(package) = &self.package_id {
            let chars = package.chars().count();
            if package.is_empty()
                || chars > expressconsent_protocol::MAX_KEY_CHARS
                || package.contains('\0')
            {
                return Err(invalid(format!(
                    "packageId must be 1 to {} characters without NUL; got {chars}",
                    expressconsent_protocol::MAX_KEY_CHARS
                )));
            }
        }
        let metadata =
            MetadataFilter::from_query(self.metadata_key, self.metadata_value).map_err(invalid)?;
        if metadata
            .as_ref()
            .is_some_and(MetadataFilter::matches_nothing)
        {
            return Ok(None);
        }
        let metadata = metadata.map(|f| (f.key, f.value));
        Ok(Some(ListFilter {
            relation: self.relation,
            domain_id,
            from: self.from,
            to: self.to,
            package_id: self.package_id,
            metadata,
        }))
    }
}

fn summary(cdr: RelatedCdr) -> Result<RelatedCdrSummary, ApiError> {
    let custom = cdr
        .custom_json
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(ApiError::internal)?;
    Ok(RelatedCdrSummary {
        cdr_id: cdr.id,
        org_id: cdr.org_id,
        domain_id: cdr.domain_id,
        package_id: cdr.package_id,
        created_at: cdr.created_at,
        page_url: cdr.page_url,
        custom,
        access: cdr.relation,
        relation: cdr.relation,
        is_owner: cdr.is_owner,
        consent_mechanisms: cdr.consent_mechanisms,
    })
}

fn page_of(
    (cdrs, next_page_token): (Vec<RelatedCdr>, Option<String>),
) -> Result<Data<RelatedCdrPage>, ApiError> {
    Ok(Data(RelatedCdrPage {
        cdrs: cdrs.into_iter().map(summary).collect::<Result<_, _>>()?,
        next_page_token,
    }))
}

/// Every CDR the org has a relation to — captured (owner, `paid` or `unpaid`) or received
/// (`paid`, `free` or `saved`) — newest first by default, narrowed by any of the filters.
#[utoipa::path(
    get,
    path = "/v1/cdrs",
    tag = "cdrs",
    security(("apiKey" = [])),
    params(RelatedQuery),
    responses(
        (status = 200, description = "One page; follow `nextPageToken` until it is absent.", body = Success<RelatedCdrPage>),
        (status = 400, description = "INVALID_ARGUMENT: pageSize outside 1–100, bad order, relation or pageToken, from/to not epoch milliseconds or to not after from, a domainId that is not a host, metadataKey without metadataValue (or the reverse).", body = Failure),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
async fn list_cdrs(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiQuery(query): ApiQuery<RelatedQuery>,
) -> Result<Data<RelatedCdrPage>, ApiError> {
    let page = PageRequest::parse(
        List::Related,
        query.page_size,
        query.order,
        query.page_token.as_deref(),
    )
    .map_err(ApiError::InvalidArgument)?;
    let Some(filter) = query.filter()? else {
        return page_of((Vec::new(), None));
    };
    page_of(list_related(&state.db, &auth.org_id, &filter, &page).await?)
}

/// The fingerprints of the values given; at least one is required.
fn fingerprints(
    state: &AppState,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<Vec<String>, ApiError> {
    if email.is_none() && phone.is_none() {
        return Err(ApiError::InvalidArgument(
            "give email, phone or both".to_owned(),
        ));
    }
    let invalid = |e: crate::evidence::lead::LeadError| ApiError::InvalidArgument(e.to_string());
    let mut found = Vec::new();
    if let Some(email) = email {
        found.push(state.matcher.fingerprint_email(email).map_err(invalid)?);
    }
    if let Some(phone) = phone {
        found.push(state.matcher.fingerprint_phone(phone).map_err(invalid)?);
    }
    Ok(found)
}

/// The org's CDRs whose form held this email or phone number (either matches), newest
/// first. Values are compared as keyed fingerprints of their normalized form (email
/// trimmed and lower-cased; phone in E.164, read in the server's default region when it
/// has no country code); masked fields were never read, so cannot match.
#[utoipa::path(
    post,
    path = "/v1/cdrs/search",
    tag = "cdrs",
    security(("apiKey" = [])),
    request_body = LeadSearch,
    responses(
        (status = 200, description = "One page; pass `nextPageToken` as `pageToken` in the same body for the next.", body = Success<RelatedCdrPage>),
        (status = 400, description = "INVALID_ARGUMENT: neither email nor phone, an email that is not an address, a phone that is not a valid number, pageSize outside 1–100, bad pageToken, bad JSON.", body = Failure),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 413, description = "PAYLOAD_TOO_LARGE", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
async fn search(
    State(state): State<AppState>,
    auth: AuthOrg,
    JsonBody(body): JsonBody<LeadSearch>,
) -> Result<Data<RelatedCdrPage>, ApiError> {
    let page = PageRequest::parse(
        List::Search,
        body.page_size,
        None,
        body.page_token.as_deref(),
    )
    .map_err(ApiError::InvalidArgument)?;
    let found = fingerprints(&state, body.email.as_deref(), body.phone.as_deref())?;
    page_of(search_related(&state.db, &auth.org_id, &found, &page).await?)
}

/// Whether the CDR's form held this email and this phone number: check a lead against
/// the evidence before paying for it. Any relation may ask, `saved` included.
#[utoipa::path(
    post,
    path = "/v1/cdrs/{cdrId}/match",
    tag = "cdrs",
    security(("apiKey" = [])),
    params(("cdrId" = String, Path, description = "The CDR (`cdr_…`).")),
    request_body = LeadMatchRequest,
    responses(
        (status = 200, description = "Per value: `true` it matches, `false` the CDR holds another value of that kind, `null` not asked or the CDR holds none (no such field, or it was masked).", body = Success<LeadMatch>),
        (status = 400, description = "INVALID_ARGUMENT: neither email nor phone, an email that is not an address, a phone that is not a valid number, bad JSON.", body = Failure),
        (status = 401, description = "UNAUTHENTICATED", body = Failure),
        (status = 404, description = "NOT_FOUND: no such CDR, or no relation to it.", body = Failure),
        (status = 413, description = "PAYLOAD_TOO_LARGE", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
async fn match_lead(
    State(state): State<AppState>,
    auth: AuthOrg,
    ApiPath(cdr_id): ApiPath<String>,
    JsonBody(body): JsonBody<LeadMatchRequest>,
) -> Result<Data<LeadMatch>, ApiError> {
    // Bad values are refused before the CDR is looked up, the same for every caller.
    fingerprints(&state, body.email.as_deref(), body.phone.as_deref())?;
    let cdr = related(&state, &auth, &cdr_id).await?;
    let answer = match_cdr(
        &state.db,
        &state.matcher,
        &cdr.id,
        body.email.as_deref(),
        body.phone.as_deref(),
    )
    .await
    .map_err(|err| match err {
        MatchError::Invalid(e) => ApiError::InvalidArgument(e.to_string()),
        MatchError::Db(e) => e.into(),
    })?;
    Ok(Data(answer))
}
