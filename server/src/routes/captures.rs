//! `POST /v1/captures?cid=…`: the SDK's upload, and its per-org CORS.
//!
//! Owns the checks that happen before any byte is stored: the `cid` names an org (an
//! unknown or missing `cid` is `NOT_FOUND` "unknown cid": there is no such org to upload
//! to), the page's origin is one of that org's registered domains or a subdomain
//! (`FORBIDDEN` otherwise), and the body is at most `MAX_CAPTURE_BYTES`.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequest as _, Request, State};
use axum::http::header::{CONTENT_ENCODING, CONTENT_TYPE, ORIGIN, REFERER, USER_AGENT};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use expressconsent_protocol::{CaptureRequest, CaptureResult, Failure, Success, MAX_CAPTURE_BYTES};
use tower_http::cors::{AllowOrigin, CorsLayer};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt as _};
use utoipa_axum::routes;

use crate::app::AppState;
use crate::body::{parse_json, LimitedBytes};
use crate::db::orgs::{find_org, matching_domain, Org};
use crate::db::Db;
use crate::envelope::Data;
use crate::error::{method_not_allowed, ApiError};
use crate::host::Host;
use crate::ingest::{ingest, validate, Arrival};

/// The capture route. It needs the state up front because its CORS answer depends on
/// the org named in the query string, which tower-http asks about before any handler.
pub fn router(state: &AppState) -> OpenApiRouter<AppState> {
    let cors = cors(state.db.clone());
    OpenApiRouter::new().routes(routes!(capture).map(|method_router| {
        // The OPTIONS route exists so that the CORS layer sees preflights.
        method_router.options(method_not_allowed).layer(cors)
    }))
}

/// CORS that lets a page through only when its origin is registered for the `cid`.
fn cors(db: Db) -> CorsLayer {
    let allow = AllowOrigin::async_predicate(move |origin: HeaderValue, parts: &Parts| {
        let db = db.clone();
        let cid = cid_of(parts.uri.query());
        async move {
            let (Some(cid), Some(page)) = (cid, origin.to_str().ok().and_then(Host::from_url))
            else {
                return false;
            };
            matches!(matching_domain(&db, &cid, &page).await, Ok(Some(_)))
        }
    });
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::POST])
        .allow_headers([
            CONTENT_TYPE,
            CONTENT_ENCODING,
            HeaderName::from_static("x-idempotency-key"),
        ])
        .expose_headers([HeaderName::from_static("x-request-id")])
        .max_age(Duration::from_secs(600))
}

/// The `cid` query parameter, if present.
fn cid_of(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(name, _)| name == "cid")
        .map(|(_, value)| value.into_owned())
        .filter(|cid| !cid.is_empty())
}

/// Stores a capture from the SDK. The org is named by `cid`; the page's `Origin` (or
/// `Referer`) must be on one of its registered domains. Same `idempotencyKey` → same CDR.
#[utoipa::path(
    post,
    path = "/v1/captures",
    tag = "captures",
    params(("cid" = String, Query, description = "The org (`cid_…`), `data-ec-cid` of the script tag.")),
    request_body(content = CaptureRequest, description = "JSON, optionally gzip/deflate `Content-Encoding`; at most 16 MiB."),
    responses(
        (status = 200, description = "The CDR (new, or the one an earlier upload with the same idempotency key stored).", body = Success<CaptureResult>),
        (status = 400, description = "INVALID_ARGUMENT: bad JSON or a broken limit.", body = Failure),
        (status = 403, description = "FORBIDDEN: the page is not on a registered domain of the org.", body = Failure),
        (status = 404, description = "NOT_FOUND: unknown cid.", body = Failure),
        (status = 413, description = "PAYLOAD_TOO_LARGE", body = Failure),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
async fn capture(
    State(state): State<AppState>,
    request: Request,
) -> Result<Data<CaptureResult>, ApiError> {
    let unknown = || ApiError::NotFound("unknown cid: check data-ec-cid on the script tag".into());
    let cid = cid_of(request.uri().query()).ok_or_else(unknown)?;
    let org = find_org(&state.db, &cid).await?.ok_or_else(unknown)?;
    let domain = registered_origin(&state.db, &org, request.headers()).await?;
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_default();
    let user_agent = header_str(request.headers(), USER_AGENT)
        .unwrap_or_default()
        .to_owned();

    let LimitedBytes(body) =
        LimitedBytes::<MAX_CAPTURE_BYTES>::from_request(request, &state).await?;
    let valid = validate(parse_json::<CaptureRequest>(&body)?)?;
    let arrival = Arrival {
        org,
        domain,
        ip,
        user_agent,
    };
    ingest(&state, arrival, valid, body).await.map(Data)
}

/// The registered domain of `org` that the request's page is on, from `Origin` or, when a
/// browser sent none, from the `Referer`.
async fn registered_origin(db: &Db, org: &Org, headers: &HeaderMap) -> Result<Host, ApiError> {
    let page_url = header_str(headers, ORIGIN)
        .filter(|origin| *origin != "null")
        .or_else(|| header_str(headers, REFERER))
        .ok_or_else(|| {
            ApiError::Forbidden(
                "the request has no Origin or Referer; captures are accepted only from pages \
                 on a registered domain"
                    .into(),
            )
        })?;
    let page = Host::from_url(page_url)
        .ok_or_else(|| ApiError::Forbidden(format!("origin {page_url:?} has no host")))?;
    matching_domain(db, &org.id, &page).await?.ok_or_else(|| {
        ApiError::Forbidden(format!(
            "origin {page} is not a registered domain of {}",
            org.id
        ))
    })
}

fn header_str(headers: &HeaderMap, name: HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
