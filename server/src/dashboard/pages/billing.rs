//! Billing: the org's ledger (one event per CDR it paid for), newest first, with totals per
//! month.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{Datelike as _, TimeZone as _, Utc};
use expressconsent_protocol::BillingReason;
use maud::html;

use super::{as_org, problem};
use crate::dashboard::layout::{self, time, Nav};
use crate::dashboard::session::SignedIn;
use crate::db::billing::count_between;
use crate::http::app::AppState;
use crate::http::envelope::Data;
use crate::http::query::{ApiQuery, PageQuery};
use crate::http::routes::billing;

/// `/dashboard/billing`.
pub fn router() -> Router<AppState> {
    Router::new().route("/dashboard/billing", get(show))
}

/// The first instant (epoch ms, UTC) of each of the last `n` months, newest first, and the
/// first instant of the month after the newest.
fn month_starts(now_ms: i64, n: u32) -> Vec<(i64, i64, String)> {
    let now = Utc
        .timestamp_millis_opt(now_ms)
        .single()
        .unwrap_or_default();
    let (mut year, mut month) = (now.year(), now.month());
    let mut out = Vec::new();
    for _ in 0..n {
        let start = Utc
            .with_ymd_and_hms(year, month, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let (ny, nm) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        let end = Utc
            .with_ymd_and_hms(ny, nm, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        out.push((
            start.timestamp_millis(),
            end.timestamp_millis(),
            start.format("%B %Y").to_string(),
        ));
        (year, month) = if month == 1 {
            (year - 1, 12)
        } else {
            (year, month - 1)
        };
    }
    out
}

fn reason(r: BillingReason) -> &'static str {
    match r {
        BillingReason::AutoCollect => "captured with auto-collect",
        BillingReason::ShareClaim => "claimed a share link",
        BillingReason::Collect => "collected",
    }
}

async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<PageQuery>,
) -> Response {
    let first_page = query.page_token.is_none();
    let page =
        match billing::billing_events(State(state.clone()), as_org(&user), ApiQuery(query)).await {
            Ok(Data(page)) => page,
            Err(err) => return problem(&user, Nav::Billing, err),
        };
    let mut months = Vec::new();
    if first_page {
        for (from, to, label) in month_starts(crate::db::now_ms(), 12) {
            match count_between(&state.db, &user.org_id, from, to).await {
                Ok(n) => months.push((label, n)),
                Err(err) => return problem(&user, Nav::Billing, err.into()),
            }
        }
    }
    let body = html! {
        p { "Your organization is billed once per CDR it pays for — never twice, whatever the retries." }
        @if first_page {
            h2 { "Billing events per month (UTC)" }
            div.table-wrap { table {
                thead { tr { th scope="col" { "Month" } th scope="col" { "Billing events" } } }
                tbody { @for (label, n) in &months { tr { td { (label) } td { (n) } } } }
            } }
        }
        h2 { "Ledger" }
        @if page.events.is_empty() {
            (layout::empty("No billing events yet.", html! {
                "Your organization pays when it captures with auto-collect on, collects a CDR, or claims a share link with collect. "
                a href="/dashboard/claim" { "Claim a share link" }
            }))
        } @else {
            div.table-wrap { table.rows {
                thead { tr { th scope="col" { "When" } th scope="col" { "CDR" } th scope="col" { "Why" } th scope="col" { "Event" } } }
                tbody { @for e in &page.events { tr {
                    td data-label="When" { (time(e.created_at)) }
                    td data-label="CDR" { a href=(format!("/dashboard/cdrs/{}", e.cdr_id)) { (e.cdr_id) } }
                    td data-label="Why" { (reason(e.reason)) }
                    td.mono data-label="Event" { (e.billing_event_id) }
                } } }
            } }
            @if let Some(token) = &page.next_page_token {
                nav.pager aria-label="Pages" {
                    a href="/dashboard/billing" { "Newest" }
                    a href=(format!("/dashboard/billing?pageToken={}", super::cdr::urlencode(token))) rel="next" { "Older events" }
                }
            }
        }
    };
    layout::page(&user, "Billing", Nav::Billing, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::month_starts;

    #[test]
    fn months_run_back_across_a_year_boundary() {
        // 2026-02-15T00:00:00Z
        let months = month_starts(1_771_113_600_000, 3);
        let labels: Vec<_> = months.iter().map(|m| m.2.as_str()).collect();
        assert_eq!(labels, ["February 2026", "January 2026", "December 2025"]);
        assert_eq!(months[0].0, 1_769_904_000_000); // 2026-02-01
        assert_eq!(months[1].1, months[0].0);
        assert_eq!(months[2].1, months[1].0);
    }
}
