//! Claim: paste a share URL a partner sent, choose collect or save, see what the org got.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use expressconsent_protocol::{ClaimRequest, ClaimResult};
use maud::{html, Markup};
use serde::Deserialize;

use super::as_org;
use super::cdr::relation_badge;
use crate::dashboard::layout::{self, csrf_field, FlashKind, Nav};
use crate::dashboard::session::{CsrfForm, SignedIn};
use crate::http::app::AppState;
use crate::http::body::OptionalJsonBody;
use crate::http::envelope::Data;
use crate::http::error::ApiError;
use crate::http::query::ApiPath;
use crate::http::routes::shares;

/// `GET`/`POST /dashboard/claim`.
pub fn router() -> Router<AppState> {
    Router::new().route("/dashboard/claim", get(show).post(claim))
}

async fn show(user: SignedIn) -> Response {
    page(&user, html! {}, "").into_response()
}

fn page(user: &SignedIn, notice: Markup, url: &str) -> Markup {
    let body = html! {
        (notice)
        p { "A lead seller sends you a share URL for each lead's consent evidence. Paste it here to add the CDR to your organization." }
        form.stack method="post" action="/dashboard/claim" {
            (csrf_field(user))
            label {
                "Share URL"
                input type="url" name="shareUrl" required value=(url) autocomplete="off"
                    placeholder="https://…/v1/shares/…" inputmode="url";
            }
            fieldset {
                legend { "What to do with it" }
                label.inline {
                    input type="radio" name="mode" value="collect" checked;
                    "Collect — download and use the evidence (bills your organization once, unless the sender paid and the evidence is free for you)"
                }
                label.inline {
                    input type="radio" name="mode" value="save";
                    "Save — keep it in your list without paying; collect later"
                }
            }
            div { button type="submit" { "Claim" } }
        }
    };
    layout::page(user, "Claim a share link", Nav::Claim, body)
}

#[derive(Debug, Deserialize)]
struct ClaimForm {
    #[serde(rename = "shareUrl")]
    share_url: String,
    mode: Option<String>,
}

/// The token at the end of a share URL (`…/v1/shares/<token>`), or the bare token.
fn token_of(input: &str) -> Option<&str> {
    let input = input.trim();
    let tail = match input.rsplit_once("/shares/") {
        Some((_, tail)) => tail,
        None if !input.contains('/') => input,
        None => return None,
    };
    let tail = tail
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    (!tail.is_empty() && !tail.contains('/')).then_some(tail)
}

async fn claim(
    State(state): State<AppState>,
    CsrfForm { user, form }: CsrfForm<ClaimForm>,
) -> Response {
    let problem = |message: String| {
        page(
            &user,
            layout::flash(FlashKind::Problem, &message),
            &form.share_url,
        )
    };
    let Some(token) = token_of(&form.share_url) else {
        return problem(
            "That is not a share URL: it should end in /v1/shares/ followed by a token.".into(),
        )
        .into_response();
    };
    let collect = form.mode.as_deref() != Some("save");
    let request = ClaimRequest {
        collect: Some(collect),
    };
    match shares::claim(
        State(state),
        as_org(&user),
        ApiPath(token.to_owned()),
        OptionalJsonBody(request),
    )
    .await
    {
        Ok(Data(result)) => page(&user, outcome(&result), "").into_response(),
        Err(ApiError::NotFound(_)) => problem(
            "No such share link: check that the whole URL was pasted, or ask the sender for a new one.".into(),
        )
        .into_response(),
        Err(ApiError::Internal(cause)) => {
            tracing::error!(error = %cause, "claim from the dashboard failed");
            problem("The server could not claim this link; try again.".into()).into_response()
        }
        Err(other) => problem(other.to_string()).into_response(),
    }
}

fn outcome(r: &ClaimResult) -> Markup {
    let what = if r.already_claimed {
        "Your organization already had this CDR."
    } else {
        "Claimed."
    };
    let access = match r.access {
        expressconsent_protocol::Access::Paid => "You collected it (billed once to your organization); the evidence is yours to download.",
        expressconsent_protocol::Access::Free => "The sender had paid, so it is free for you; the evidence is yours to download.",
        expressconsent_protocol::Access::Saved => "Saved without paying. Collect it from its page to download the evidence.",
        expressconsent_protocol::Access::Unpaid => "Your organization captured it and has not paid for it; collect it from its page.",
    };
    html! {
        div.flash.done role="status" {
            p { (what) " " (access) " " (relation_badge(r.access, false)) }
            p { a href=(format!("/dashboard/cdrs/{}", r.cdr_id)) { "Open CDR " (r.cdr_id) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::token_of;

    #[test]
    fn a_share_url_or_a_bare_token_gives_the_token() {
        assert_eq!(
            token_of("https://ec.example/v1/shares/abc_123"),
            Some("abc_123")
        );
        assert_eq!(
            token_of("  https://ec.example/v1/shares/abc?x=1 "),
            Some("abc")
        );
        assert_eq!(token_of("abc"), Some("abc"));
        assert_eq!(token_of("https://ec.example/v1/cdrs/abc"), None);
        assert_eq!(token_of("https://ec.example/v1/shares/"), None);
    }
}
