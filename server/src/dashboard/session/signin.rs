//! The pages of people who are not signed in: sign-in, choosing a password through a
//! one-time link, and sign-out.
//!
//! Modelled on zero2prod's admin chapters: a failed form is shown again with what went
//! wrong (announced with `role=alert`), a success redirects (303) so that reloading never
//! posts twice, and a fresh session id is issued at every sign-in, so a session id planted
//! before sign-in is worthless after it.

use axum::extract::{FromRequest as _, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::CookieJar;
use maud::{html, Markup};
use serde::Deserialize;

use super::password::{self, NewPassword};
use super::throttle::{self, Verdict};
use super::{csrf, problem_page, removal_cookie, session_cookie, CsrfForm, COOKIE};
use crate::dashboard::layout::{bare, flash, FlashKind};
use crate::db::users::{self, Email};
use crate::db::{now_ms, sessions};
use crate::http::app::AppState;

/// The routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard/sign-in", get(sign_in_page).post(sign_in))
        .route(
            "/dashboard/welcome",
            get(welcome_page).post(choose_password),
        )
        .route("/dashboard/sign-out", post(sign_out))
}

/// Where sign-in goes afterwards: a path under `/dashboard/` on this site, nothing else
/// (no other host, no `//` or `\` tricks, no `..`), so a link cannot send someone
/// elsewhere after they signed in.
pub fn safe_next(next: Option<&str>) -> &str {
    const HOME: &str = "/dashboard/";
    let Some(next) = next else {
        return HOME;
    };
    let path = next.split(['?', '#']).next().unwrap_or_default();
    let safe = (next.starts_with("/dashboard/") || next == "/dashboard")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && !path
            .split('/')
            .any(|segment| segment == ".." || segment == ".")
        && !path.contains("//");
    match safe {
        true => next,
        false => HOME,
    }
}

/// What the sign-in page's address may carry.
#[derive(Debug, Deserialize)]
pub struct SignInQuery {
    /// Where to go after signing in.
    next: Option<String>,
    /// `expired` or `signed-out`: a note at the top of the page.
    notice: Option<String>,
}

async fn sign_in_page(Query(query): Query<SignInQuery>) -> Markup {
    let note = match query.notice.as_deref() {
        Some("expired") => Some("Your session has ended. Sign in again to continue."),
        Some("signed-out") => Some("You are signed out."),
        _ => None,
    };
    let notice = note.map(|n| flash(FlashKind::Done, n));
    sign_in_form(notice, "", safe_next(query.next.as_deref()))
}

fn sign_in_form(message: Option<Markup>, email: &str, next: &str) -> Markup {
    bare(
        "Sign in",
        html! {
            @if let Some(message) = message { (message) }
            form.stack method="post" action="/dashboard/sign-in" {
                label for="email" { "Email" }
                input #email type="email" name="email" value=(email) autocomplete="username"
                    required autofocus[email.is_empty()];
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password"
                    required autofocus[!email.is_empty()];
                input type="hidden" name="next" value=(next);
                button type="submit" { "Sign in" }
            }
            p.hint { "No account yet? An admin of your organization can invite you." }
        },
    )
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn sign_in(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if csrf::is_cross_site(&parts, &state.public_url) {
        return cross_site_sign_in();
    }
    let bytes = match super::read_form(&parts, body).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let Ok(form) = serde_urlencoded::from_bytes::<SignInForm>(&bytes) else {
        return (
            StatusCode::BAD_REQUEST,
            sign_in_form(None, "", "/dashboard/"),
        )
            .into_response();
    };
    let next = safe_next(form.next.as_deref()).to_owned();
    let Some(email) = Email::parse(&form.email) else {
        let message = flash(
            FlashKind::Problem,
            "Enter the email address you were invited with.",
        );
        return (
            StatusCode::BAD_REQUEST,
            sign_in_form(Some(message), &form.email, &next),
        )
            .into_response();
    };
    match attempt(&state, &email, form.password).await {
        Ok(Outcome::SignedIn(cookie)) => {
            let jar = CookieJar::new().add(session_cookie(cookie, &state.public_url));
            (jar, Redirect::to(&next)).into_response()
        }
        Ok(Outcome::Wrong) => {
            let message = flash(FlashKind::Problem, "Wrong email or password.");
            (
                StatusCode::UNAUTHORIZED,
                sign_in_form(Some(message), email.as_str(), &next),
            )
                .into_response()
        }
        Ok(Outcome::Locked { minutes }) => {
            let unit = if minutes == 1 { "minute" } else { "minutes" };
            let text =
                format!("Too many failed sign-ins for this email; try again in {minutes} {unit}.");
            let message = flash(FlashKind::Problem, &text);
            (
                StatusCode::TOO_MANY_REQUESTS,
                sign_in_form(Some(message), email.as_str(), &next),
            )
                .into_response()
        }
        Err(err) => super::internal_error(&err),
    }
}

/// How one sign-in attempt ended.
enum Outcome {
    /// A new session: its cookie value.
    SignedIn(String),
    /// Unknown email or wrong password (the page does not say which).
    Wrong,
    /// Throttled; try again in this many minutes.
    Locked { minutes: i64 },
}

async fn attempt(
    state: &AppState,
    email: &Email,
    password: String,
) -> Result<Outcome, sqlx::Error> {
    let db = &state.db;
    let now = now_ms();
    let failures = users::failures_since(db, email, now - throttle::LOOKBACK_MS).await?;
    let verdict = throttle::verdict(&failures, now);
    if let Verdict::Locked { .. } = verdict {
        return Ok(Outcome::Locked {
            minutes: verdict.minutes_left(now),
        });
    }
    let user = users::find_for_sign_in(db, email).await?;
    let (user_id, stored) = match user {
        Some(user) => (Some(user.user_id), Some(user.password_hash)),
        None => (None, None),
    };
    match (password::verify(password, stored).await, user_id) {
        (true, Some(user_id)) => {
            let session = sessions::create(db, &user_id).await?;
            Ok(Outcome::SignedIn(session.cookie))
        }
        _ => {
            let now = now_ms();
            users::record_failure(db, email, now, now - throttle::LOOKBACK_MS).await?;
            Ok(Outcome::Wrong)
        }
    }
}

fn cross_site_sign_in() -> Response {
    problem_page(
        StatusCode::FORBIDDEN,
        "Sign-in refused",
        "This sign-in form was sent from another site, so it was refused. \
         Open the sign-in page of this dashboard and sign in there.",
    )
}

/// The welcome link's address.
#[derive(Debug, Deserialize)]
struct WelcomeQuery {
    #[serde(default)]
    token: String,
}

async fn welcome_page(
    State(state): State<AppState>,
    Query(query): Query<WelcomeQuery>,
) -> Response {
    match users::link_email(&state.db, &query.token).await {
        Ok(Some(email)) => welcome_form(None, &email, &query.token).into_response(),
        Ok(None) => dead_link(),
        Err(err) => super::internal_error(&err),
    }
}

fn welcome_form(message: Option<Markup>, email: &str, token: &str) -> Markup {
    bare(
        "Choose a password",
        html! {
            @if let Some(message) = message { (message) }
            p { "You are signing in as " strong { (email) } ". Choose a password of at least 12 characters." }
            form.stack method="post" action="/dashboard/welcome" {
                // For password managers: the account the new password belongs to.
                input type="hidden" name="email" value=(email) autocomplete="username";
                input type="hidden" name="token" value=(token);
                label for="password" { "New password" }
                input #password type="password" name="password" autocomplete="new-password"
                    minlength="12" maxlength="1024" required autofocus;
                label for="confirm" { "The same password again" }
                input #confirm type="password" name="confirm" autocomplete="new-password"
                    minlength="12" maxlength="1024" required;
                button type="submit" { "Save password and sign in" }
            }
        },
    )
}

fn dead_link() -> Response {
    problem_page(
        StatusCode::GONE,
        "Link no longer valid",
        "This sign-in link has expired or was already used. Ask an admin of your \
         organization for a new one, or sign in with your password.",
    )
}

/// The choose-a-password form's fields.
#[derive(Debug, Deserialize)]
struct WelcomeForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn choose_password(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if csrf::is_cross_site(&parts, &state.public_url) {
        return cross_site_sign_in();
    }
    let bytes = match super::read_form(&parts, body).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let Ok(form) = serde_urlencoded::from_bytes::<WelcomeForm>(&bytes) else {
        return dead_link();
    };
    let new_password = match NewPassword::parse(&form.password, &form.confirm) {
        Ok(password) => password,
        Err(rule) => {
            return match users::link_email(&state.db, &form.token).await {
                Ok(Some(email)) => {
                    let message = flash(FlashKind::Problem, &rule.to_string());
                    (
                        StatusCode::BAD_REQUEST,
                        welcome_form(Some(message), &email, &form.token),
                    )
                        .into_response()
                }
                Ok(None) => dead_link(),
                Err(err) => super::internal_error(&err),
            };
        }
    };
    // Refuse a dead link before spending a hash on it.
    match users::link_email(&state.db, &form.token).await {
        Ok(Some(_)) => {}
        Ok(None) => return dead_link(),
        Err(err) => return super::internal_error(&err),
    }
    let hash = match password::hash(new_password).await {
        Ok(hash) => hash,
        Err(err) => return super::internal_error(&err),
    };
    match users::choose_password(&state.db, &form.token, &hash).await {
        Ok(Some(session)) => {
            let jar = CookieJar::new().add(session_cookie(session.cookie, &state.public_url));
            (jar, Redirect::to("/dashboard/")).into_response()
        }
        Ok(None) => dead_link(),
        Err(err) => super::internal_error(&err),
    }
}

/// Sign-out's form: nothing but the CSRF token.
#[derive(Debug, Deserialize)]
struct NoFields {}

async fn sign_out(State(state): State<AppState>, jar: CookieJar, request: Request) -> Response {
    let form = match CsrfForm::<NoFields>::from_request(request, &state).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    drop(form);
    if let Some(cookie) = jar.get(COOKIE) {
        if let Err(err) = sessions::revoke(&state.db, cookie.value()).await {
            return super::internal_error(&err);
        }
    }
    let jar = jar.remove(removal_cookie());
    (jar, Redirect::to("/dashboard/sign-in?notice=signed-out")).into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_under_the_dashboard_are_followed_after_sign_in() {
        let table = [
            (None, "/dashboard/"),
            (
                Some("/dashboard/cdrs/cdr_x?relation=paid"),
                "/dashboard/cdrs/cdr_x?relation=paid",
            ),
            (Some("/dashboard"), "/dashboard"),
            (Some("https://evil.example/dashboard/"), "/dashboard/"),
            (Some("//evil.example/dashboard/"), "/dashboard/"),
            (Some("/dashboard//evil.example"), "/dashboard/"),
            (Some("/dashboard/\\evil.example"), "/dashboard/"),
            (Some("/dashboard/../v1/org"), "/dashboard/"),
            (Some("/dashboardx"), "/dashboard/"),
            (Some("/v1/cdrs"), "/dashboard/"),
            (Some("/dashboard/\nx"), "/dashboard/"),
        ];
        for (next, expected) in table {
            assert_eq!(safe_next(next), expected, "{next:?}");
        }
    }
}
