//! Packages: the CDRs of one consumer session (the reference's "Package CDRs" view), as a
//! timeline of what the consumer submitted and when.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use maud::html;
use serde::Deserialize;

use super::cdr::{relation_badge, urlencode};
use super::{as_org, filled, problem};
use crate::dashboard::layout::{self, time, Nav};
use crate::dashboard::session::SignedIn;
use crate::http::app::AppState;
use crate::http::envelope::Data;
use crate::http::query::ApiPath;
use crate::http::routes::packages;

/// `/dashboard/packages` and `/dashboard/packages/{id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard/packages", get(index))
        .route("/dashboard/packages/{package_id}", get(show))
}

#[derive(Debug, Deserialize)]
struct Find {
    id: Option<String>,
}

async fn index(user: SignedIn, Query(find): Query<Find>) -> Response {
    if let Some(id) = filled(&find.id) {
        return Redirect::to(&format!("/dashboard/packages/{}", urlencode(id))).into_response();
    }
    let body = html! {
        p { "A package holds the CDRs captured in one consumer session (for example a lead form in several steps), so that you see them together in time order." }
        form.filters method="get" action="/dashboard/packages" role="search" {
            label { "Package id" input type="text" name="id" required; }
            button type="submit" { "Open" }
        }
        p.muted { "Every CDR page links to its package; the CDR list can be filtered by package too." }
    };
    layout::page(&user, "Packages", Nav::Packages, body).into_response()
}

async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Path(package_id): Path<String>,
) -> Response {
    let details = match packages::package(State(state), as_org(&user), ApiPath(package_id)).await {
        Ok(Data(details)) => details,
        Err(err) => return problem(&user, Nav::Packages, err),
    };
    let body = html! {
        p { (details.cdrs.len()) " CDR(s) of this session that your organization holds, in time order." }
        ol.timeline {
            @for cdr in &details.cdrs {
                li {
                    p {
                        (time(cdr.created_at))
                        @if cdr.offset_ms > 0 { span.muted { " (+" (format!("{:.1}", cdr.offset_ms as f64 / 1000.0)) " s)" } }
                    }
                    p {
                        a href=(format!("/dashboard/cdrs/{}", cdr.cdr_id)) { (cdr.cdr_id) }
                        " " (relation_badge(cdr.access, false))
                    }
                    p.mono.muted { (cdr.domain_id) " · " (cdr.page_url) }
                }
            }
        }
        p { a href=(format!("/dashboard/?packageId={}", urlencode(&details.package_id))) { "Show these in the CDR list" } }
    };
    let title = format!("Package {}", details.package_id);
    layout::page(&user, &title, Nav::Packages, body).into_response()
}
