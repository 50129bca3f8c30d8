//! `POST /v1/captures?cid=…`: the SDK's upload, and its per-org CORS.
//!
//! Owns the checks that happen before any byte is stored, cheapest first: the client
//! address's rate limit ([`crate::http::guard`]); the `cid` names an org (an unknown or missing
//! `cid` is `NOT_FOUND` "unknown cid": there is no such org to upload to); the page's
//! origin is one of that org's registered domains or a subdomain (`FORBIDDEN` otherwise);
//! the org's rate limit; a turn among the captures processed at once; the body arrives in
//! time and is at most `MAX_CAPTURE_BYTES`. The CPU work on the body then runs on the
//! low-priority capture threads ([`crate::http::cpu`], [`prepare_capture`]) and [`ingest`]
//! stores it.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CONTENT_ENCODING, CONTENT_TYPE, ORIGIN, REFERER, USER_AGENT};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use expressconsent_protocol::{
    fit_chars, CaptureRequest, CaptureResult, Failure, Success, MAX_CAPTURE_BYTES, MAX_TEXT_CHARS,
};
use tower_http::cors::{AllowOrigin, CorsLayer};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt as _};
use utoipa_axum::routes;

use crate::db::orgs::{find_org, matching_domain, Org};
use crate::db::Db;
use crate::evidence::ingest::{ingest, prepare_capture, Arrival};
use crate::http::app::AppState;
use crate::http::body::read_raw;
use crate::http::envelope::Data;
use crate::http::error::{method_not_allowed, ApiError};
use crate::orgs::host::Host;

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
        (status = 200, description = "The CDR (new, or the one an earlier upload with the same idempotency key and the same body stored: the very same answer).", body = Success<CaptureResult>),
        (status = 400, description = "INVALID_ARGUMENT: bad JSON, a broken limit (the message names the field and the limit) or text that cannot be stored (NUL).", body = Failure),
        (status = 403, description = "FORBIDDEN: the page is not on a registered domain of the org.", body = Failure),
        (status = 404, description = "NOT_FOUND: unknown cid.", body = Failure),
        (status = 408, description = "REQUEST_TIMEOUT: the body did not arrive within EC_CAPTURE_BODY_TIMEOUT_MS.", body = Failure),
        (status = 409, description = "CONFLICT: the idempotency key was already used for a different body.", body = Failure),
        (status = 413, description = "PAYLOAD_TOO_LARGE", body = Failure),
        (status = 429, description = "RATE_LIMITED: too many captures from this address or for this org, or as many captures in progress as the server processes at once; see Retry-After.", body = Failure,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 500, description = "INTERNAL", body = Failure),
    )
)]
async fn capture(
    State(state): State<AppState>,
    request: Request,
) -> Result<Data<CaptureResult>, ApiError> {
    let guard = &state.capture_guard;
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| guard.client_addr(peer.ip(), request.headers()));
    if let Some(client) = client {
        guard.check_address(client)?;
    }
    let unknown = || ApiError::NotFound("unknown cid: check data-ec-cid on the script tag".into());
    let cid = cid_of(request.uri().query()).ok_or_else(unknown)?;
    let org = find_org(&state.db, &cid).await?.ok_or_else(unknown)?;
    let domain = registered_origin(&state.db, &org, request.headers()).await?;
    guard.check_org(&org.id)?;
    let arrival = Arrival {
        org,
        domain,
        ip: client.map(|ip| ip.to_string()).unwrap_or_default(),
        user_agent: user_agent(request.headers()),
    };

    let _turn = guard.turn().await?;
    let (parts, raw) = read_raw(request, MAX_CAPTURE_BYTES, Some(guard.body_timeout)).await?;
    let prepared = guard
        .process(move || prepare_capture(&parts.headers, raw))
        .await
        .map_err(ApiError::internal)??;
    ingest(&state, arrival, prepared).await.map(Data)
}

/// The `User-Agent` header, kept whatever its bytes (invalid UTF-8 replaced) and cut to
/// [`MAX_TEXT_CHARS`] with a trailing `…`: a browser's own header is never a reason to
/// refuse its capture.
fn user_agent(headers: &HeaderMap) -> String {
    let mut agent = headers
        .get(USER_AGENT)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .unwrap_or_default();
    fit_chars(&mut agent, MAX_TEXT_CHARS);
    agent
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
