//! The CDR list: every CDR the org captured or received, newest first, with filters, and a
//! search by the consumer's phone number or email (a POST, so the personal data never
//! lands in a URL, a history or an access log).

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{NaiveDate, TimeZone as _, Utc};
use maud::{html, Markup};
use serde::Deserialize;

use super::cdr::{mechanism_badge, relation_badge};
use super::{filled, problem};
use crate::dashboard::layout::{self, csrf_field, time, FlashKind, Nav};
use crate::dashboard::session::{CsrfForm, SignedIn};
use crate::db::listing::{list_related, search_related, ListFilter, RelatedCdr};
use crate::http::app::AppState;
use crate::http::error::ApiError;
use crate::http::pagination::{List, PageRequest};
use crate::http::query::PageQuery;

/// `/dashboard/` and `/dashboard/search`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard/", get(index))
        .route("/dashboard/search", post(search))
}

/// The list's query string: the API's filters, with dates as the viewer picks them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    relation: Option<String>,
    domain_id: Option<String>,
    /// `YYYY-MM-DD`, from the start of that day (UTC).
    from: Option<String>,
    /// `YYYY-MM-DD`, to the end of that day (UTC).
    to: Option<String>,
    package_id: Option<String>,
    metadata_key: Option<String>,
    metadata_value: Option<String>,
    page_token: Option<String>,
}

fn day_start(day: &str) -> Option<i64> {
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    Some(
        Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?)
            .timestamp_millis(),
    )
}

fn parse_relation(value: &str) -> Option<expressconsent_protocol::Access> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).ok()
}

impl ListQuery {
    /// The filter, or what is wrong with the form.
    fn filter(&self) -> Result<ListFilter, String> {
        let relation = match filled(&self.relation) {
            None => None,
            Some(r) => Some(parse_relation(r).ok_or_else(|| format!("unknown relation {r:?}"))?),
        };
        let from = match filled(&self.from) {
            None => None,
            Some(d) => Some(day_start(d).ok_or("the From date is not a date (YYYY-MM-DD)")?),
        };
        let to = match filled(&self.to) {
            None => None,
            Some(d) => {
                Some(day_start(d).ok_or("the To date is not a date (YYYY-MM-DD)")? + 86_400_000)
            }
        };
        let metadata = match (filled(&self.metadata_key), filled(&self.metadata_value)) {
            (Some(k), Some(v)) => Some((k.to_owned(), v.to_owned())),
            (None, None) => None,
            _ => return Err("give both a metadata key and a value, or neither".into()),
        };
        Ok(ListFilter {
            relation,
            domain_id: filled(&self.domain_id).map(str::to_owned),
            from,
            to,
            package_id: filled(&self.package_id).map(str::to_owned),
            metadata,
        })
    }

    /// This query with another page token, as a URL of the list.
    fn with_token(&self, token: &str) -> String {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        let fields = [
            ("relation", &self.relation),
            ("domainId", &self.domain_id),
            ("from", &self.from),
            ("to", &self.to),
            ("packageId", &self.package_id),
            ("metadataKey", &self.metadata_key),
            ("metadataValue", &self.metadata_value),
        ];
        for (name, value) in fields {
            if let Some(v) = filled(value) {
                url.append_pair(name, v);
            }
        }
        url.append_pair("pageToken", token);
        format!("/dashboard/?{}", url.finish())
    }

    fn is_filtered(&self) -> bool {
        [
            &self.relation,
            &self.domain_id,
            &self.from,
            &self.to,
            &self.package_id,
            &self.metadata_key,
        ]
        .iter()
        .any(|v| filled(v).is_some())
    }
}

const PAGE_SIZE: u32 = 25;

fn page_request(token: Option<String>, list: List) -> Result<PageRequest, ApiError> {
    PageQuery {
        page_size: Some(PAGE_SIZE),
        order: None,
        page_token: token,
    }
    .page(list)
}

async fn index(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<ListQuery>,
) -> Response {
    let filter = match query.filter() {
        Ok(filter) => filter,
        Err(message) => {
            let body =
                html! { (layout::flash(FlashKind::Problem, &message)) (filters(&query, None)) };
            return layout::page(&user, "CDRs", Nav::Cdrs, body).into_response();
        }
    };
    let page = match page_request(query.page_token.clone(), List::Related) {
        Ok(page) => page,
        Err(ApiError::InvalidArgument(_)) => {
            let body = html! {
                (layout::flash(FlashKind::Problem, "This page link is out of date; start again from the newest CDRs."))
                p { a href="/dashboard/" { "Newest CDRs" } }
            };
            return layout::page(&user, "CDRs", Nav::Cdrs, body).into_response();
        }
        Err(err) => return problem(&user, Nav::Cdrs, err),
    };
    let (rows, next) = match list_related(&state.db, &user.org_id, &filter, &page).await {
        Ok(found) => found,
        Err(err) => return problem(&user, Nav::Cdrs, err.into()),
    };
    let empty = if query.is_filtered() {
        layout::empty(
            "No CDR matches these filters.",
            html! { a href="/dashboard/" { "Clear the filters" } },
        )
    } else {
        layout::empty(
            "Your organization has no CDRs yet.",
            html! {
                "Buyers: paste a share URL a seller sent you on the "
                a href="/dashboard/claim" { "Claim" } " page. "
                "Generators: add the SDK's script tag to your lead form; each submission appears here."
            },
        )
    };
    let body = html! {
        (search_form(&user, None, None))
        (filters(&query, None))
        (table(&rows, empty))
        nav.pager aria-label="Pages" {
            @if query.page_token.is_some() { a href="/dashboard/" { "Newest" } }
            @if let Some(token) = &next { a href=(query.with_token(token)) rel="next" { "Older CDRs" } }
        }
    };
    layout::page(&user, "CDRs", Nav::Cdrs, body).into_response()
}

fn search_form(user: &SignedIn, email: Option<&str>, phone: Option<&str>) -> Markup {
    html! {
        form.filters method="post" action="/dashboard/search" role="search" aria-label="Find a lead" {
            (csrf_field(user))
            label { "Phone" input type="tel" name="phone" autocomplete="off" value=(phone.unwrap_or_default()) placeholder="(555) 010-1234"; }
            label { "or email" input type="email" name="email" autocomplete="off" value=(email.unwrap_or_default()) placeholder="lead@example.com"; }
            button type="submit" { "Find lead" }
        }
    }
}

fn filters(query: &ListQuery, _note: Option<&str>) -> Markup {
    let relation = filled(&query.relation).unwrap_or_default();
    html! {
        details open[query.is_filtered()] {
            summary { "Filters" }
            form.filters method="get" action="/dashboard/" {
                label { "Relation"
                    select name="relation" {
                        option value="" selected[relation.is_empty()] { "any" }
                        @for r in ["paid", "free", "saved", "unpaid"] {
                            option value=(r) selected[relation == r] { (r) }
                        }
                    }
                }
                label { "Domain" input type="text" name="domainId" value=(filled(&query.domain_id).unwrap_or_default()) placeholder="forms.example.com"; }
                label { "From (UTC)" input type="date" name="from" value=(filled(&query.from).unwrap_or_default()); }
                label { "To (UTC)" input type="date" name="to" value=(filled(&query.to).unwrap_or_default()); }
                label { "Package" input type="text" name="packageId" value=(filled(&query.package_id).unwrap_or_default()); }
                label { "Metadata key" input type="text" name="metadataKey" value=(filled(&query.metadata_key).unwrap_or_default()); }
                label { "Metadata value" input type="text" name="metadataValue" value=(filled(&query.metadata_value).unwrap_or_default()); }
                button type="submit" { "Apply" }
                a href="/dashboard/" { "Clear" }
            }
        }
    }
}

fn table(rows: &[RelatedCdr], empty: Markup) -> Markup {
    html! {
        @if rows.is_empty() {
            (empty)
        } @else {
            div.table-wrap { table.rows {
                thead { tr {
                    th scope="col" { span.muted { "Image" } }
                    th scope="col" { "Captured" }
                    th scope="col" { "Domain and page" }
                    th scope="col" { "Relation" }
                    th scope="col" { "Consent" }
                } }
                tbody { @for row in rows { tr {
                    td {
                        @if row.relation.can_download() {
                            img.thumb src=(format!("/dashboard/cdrs/{}/thumbnail.png", row.id)) alt="" loading="lazy" width="64" height="48";
                        } @else {
                            span.thumb.muted aria-hidden="true" {}
                        }
                    }
                    td data-label="Captured" {
                        a href=(format!("/dashboard/cdrs/{}", row.id)) { (time(row.created_at)) }
                        br; span.mono.muted { (row.id) }
                    }
                    td data-label="Page" { (row.domain_id) br; span.mono.muted { (row.page_url) } }
                    td data-label="Relation" { (relation_badge(row.relation, row.is_owner)) }
                    td data-label="Consent" {
                        @if row.consent_mechanisms.is_empty() { span.muted { "no disclosure" } }
                        @for m in &row.consent_mechanisms { (mechanism_badge(*m)) " " }
                    }
                } } }
            } }
        }
    }
}

#[derive(Debug, Deserialize)]
struct SearchForm {
    email: Option<String>,
    phone: Option<String>,
    #[serde(rename = "pageToken")]
    page_token: Option<String>,
}

async fn search(
    State(state): State<AppState>,
    CsrfForm { user, form }: CsrfForm<SearchForm>,
) -> Response {
    let email = filled(&form.email);
    let phone = filled(&form.phone);
    let mut prints = Vec::new();
    let mut problems = Vec::new();
    if let Some(email) = email {
        match state.matcher.fingerprint_email(email) {
            Ok(p) => prints.push(p),
            Err(why) => problems.push(format!("Email: {why}")),
        }
    }
    if let Some(phone) = phone {
        match state.matcher.fingerprint_phone(phone) {
            Ok(p) => prints.push(p),
            Err(why) => problems.push(format!("Phone: {why}")),
        }
    }
    if email.is_none() && phone.is_none() {
        problems.push("Enter a phone number or an email to search for.".into());
    }
    let title = "Find a lead";
    if !problems.is_empty() {
        let body = html! {
            @for p in &problems { (layout::flash(FlashKind::Problem, p)) }
            (search_form(&user, email, phone))
        };
        return layout::page(&user, title, Nav::Cdrs, body).into_response();
    }
    let page = match page_request(form.page_token.clone(), List::Search) {
        Ok(page) => page,
        Err(err) => return problem(&user, Nav::Cdrs, err),
    };
    let (rows, next) = match search_related(&state.db, &user.org_id, &prints, &page).await {
        Ok(found) => found,
        Err(err) => return problem(&user, Nav::Cdrs, err.into()),
    };
    let empty = layout::empty(
        "No CDR of your organization has this phone number or email.",
        html! {
            "Values are compared as the consumer typed them into a phone or email field, normalized; "
            "masked fields cannot be matched. A seller's CDR appears once you claim its share link."
        },
    );
    let body = html! {
        (search_form(&user, email, phone))
        p.muted { "Matched on keyed fingerprints: the server never stored the phone number or email itself." }
        (table(&rows, empty))
        @if let Some(token) = &next {
            form method="post" action="/dashboard/search" {
                (csrf_field(&user))
                input type="hidden" name="email" value=(email.unwrap_or_default());
                input type="hidden" name="phone" value=(phone.unwrap_or_default());
                input type="hidden" name="pageToken" value=(token);
                button.secondary type="submit" { "Older matches" }
            }
        }
    };
    layout::page(&user, title, Nav::Cdrs, body).into_response()
}
