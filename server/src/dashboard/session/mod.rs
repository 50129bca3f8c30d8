//! Who is signed in: the `ec_session` cookie, the [`SignedIn`] and [`Admin`] extractors
//! every page takes, and [`CsrfForm`], the only way a page reads a state-changing form.
//!
//! | module | owns |
//! |---|---|
//! | [`signin`] | the sign-in, choose-a-password and sign-out pages |
//! | [`password`] | password rules, argon2id hashing and checking |
//! | [`throttle`] | the failed-sign-in policy (pure) |
//! | [`csrf`] | the same-origin check and the token comparison |
//!
//! Sessions live in the database ([`crate::db::sessions`]); the cookie holds 32 random
//! bytes that are looked up on every request, so sign-out, a password change or removing
//! a user ends their sessions at once in every process. Cookies are read and written with
//! `axum-extra`'s `CookieJar` (the `cookie` crate: attribute syntax, removal cookies).

pub mod csrf;
pub mod password;
pub mod signin;
pub mod throttle;

use axum::body::to_bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use maud::html;
use serde::de::DeserializeOwned;

use crate::dashboard::layout::{self, FlashKind, Nav};
use crate::db::{now_ms, sessions};
use crate::http::app::AppState;

pub use crate::db::users::Role;

/// The session cookie's name.
pub const COOKIE: &str = "ec_session";
/// The largest form body a dashboard page accepts.
pub const FORM_LIMIT: usize = 64 * 1024;

/// The person behind a request, from a live session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// `usr_…`.
    pub user_id: String,
    /// The org the user belongs to (`cid_…`): every page acts for it.
    pub org_id: String,
    /// The org's display name.
    pub org_name: String,
    /// The user's email.
    pub email: String,
    /// What the user may do.
    pub role: Role,
    /// The session's CSRF token, put in every form as the hidden field `csrf`.
    pub csrf_token: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        // A handler may take several extractors that need the user; look it up once.
        if let Some(user) = parts.extensions.get::<SignedIn>() {
            return Ok(user.clone());
        }
        let cookie = CookieJar::from_headers(&parts.headers)
            .get(COOKIE)
            .map(|c| c.value().to_owned());
        let now = now_ms();
        let live = match &cookie {
            Some(value) => sessions::find_live(&state.db, value, now)
                .await
                .map_err(|err| internal_error(&err))?,
            None => None,
        };
        let Some(live) = live else {
            return Err(not_signed_in(parts, cookie.is_some()));
        };
        if let Err(err) = sessions::touch(&state.db, &live, now).await {
            // The request may proceed: the session was live, only its idle clock lags.
            tracing::warn!(error = %err, "could not record the session's activity");
        }
        let user = SignedIn {
            user_id: live.user_id,
            org_id: live.org_id,
            org_name: live.org_name,
            email: live.email,
            role: live.role,
            csrf_token: live.csrf_token,
        };
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// What a request without a live session gets: a page load goes to sign-in and comes
/// back afterwards; anything else (a form post) gets a page saying the session ended,
/// since repeating the post after sign-in would be a surprise.
fn not_signed_in(parts: &Parts, had_cookie: bool) -> Response {
    let jar = match had_cookie {
        true => CookieJar::new().remove(removal_cookie()),
        false => CookieJar::new(),
    };
    if parts.method == Method::GET || parts.method == Method::HEAD {
        let here = parts
            .uri
            .path_and_query()
            .map_or("/dashboard/", |pq| pq.as_str());
        let mut to = format!(
            "/dashboard/sign-in?next={}",
            url::form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>()
        );
        if had_cookie {
            to.push_str("&notice=expired");
        }
        return (jar, Redirect::to(&to)).into_response();
    }
    let page = problem_page(
        StatusCode::FORBIDDEN,
        "Signed out",
        "Your session has ended, so nothing was changed. Sign in again and repeat what you were doing.",
    );
    (jar, page).into_response()
}

/// A signed-in admin; viewers get a 403 page.
#[derive(Debug, Clone)]
pub struct Admin(pub SignedIn);

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = SignedIn::from_request_parts(parts, state).await?;
        if user.role != Role::Admin {
            let body = html! {
                (layout::flash(FlashKind::Problem, "Only admins can change settings."))
                p { "Ask an admin of " (user.org_name) " to make the change, or to make you an admin." }
                p { a href="/dashboard/" { "Back to the CDRs" } }
            };
            let page = layout::page(&user, "Admins only", Nav::Settings, body);
            return Err((StatusCode::FORBIDDEN, page).into_response());
        }
        Ok(Self(user))
    }
}

/// A state-changing form post: a signed-in user, a same-origin request and a `csrf` field
/// equal to the session's token; `T` is the rest of the form.
#[derive(Debug)]
pub struct CsrfForm<T> {
    /// Who posted it.
    pub user: SignedIn,
    /// The form's fields.
    pub form: T,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        // Before the session: a cross-site post arrives without the Lax cookie, and should
        // be told what it is rather than that the session ended.
        if csrf::is_cross_site(&parts, &state.public_url) {
            return Err(stale_form());
        }
        let user = SignedIn::from_request_parts(&mut parts, state).await?;
        let bytes = read_form(&parts, body).await?;
        // The token is looked for on its own, so that `T` need not declare it.
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| unreadable_form())?;
        let sent = pairs
            .iter()
            .find(|(name, _)| name == "csrf")
            .map_or("", |(_, value)| value.as_str());
        if !csrf::tokens_match(sent, &user.csrf_token) {
            return Err(stale_form());
        }
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|_| unreadable_form())?;
        Ok(Self { user, form })
    }
}

/// The body of a urlencoded form post, at most [`FORM_LIMIT`] bytes.
pub(crate) async fn read_form(
    parts: &Parts,
    body: axum::body::Body,
) -> Result<bytes::Bytes, Response> {
    let urlencoded = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !urlencoded {
        return Err(problem_page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Form not accepted",
            "This page accepts only forms sent by the dashboard.",
        ));
    }
    to_bytes(body, FORM_LIMIT).await.map_err(|_| {
        problem_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Form too large",
            "The form was larger than 64 KiB; nothing was changed.",
        )
    })
}

/// The 403 page of a forged or stale form.
fn stale_form() -> Response {
    problem_page(
        StatusCode::FORBIDDEN,
        "Form refused",
        "This form was out of date or was sent from another site, so nothing was changed. \
         Go back, reload the page and try again.",
    )
}

fn unreadable_form() -> Response {
    problem_page(
        StatusCode::BAD_REQUEST,
        "Form not understood",
        "The form's fields could not be read; nothing was changed. Reload the page and try again.",
    )
}

/// A page for someone who may not be signed in, saying what went wrong.
pub(crate) fn problem_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = html! {
        (layout::flash(FlashKind::Problem, message))
        p { a href="/dashboard/" { "Go to the dashboard" } }
    };
    (status, layout::bare(title, body)).into_response()
}

/// A 500 page; the cause is logged, never shown.
pub(crate) fn internal_error(err: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %err, "dashboard request failed");
    problem_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The server could not complete this request. Try again in a moment.",
    )
}

/// The session cookie: `HttpOnly`, `SameSite=Lax`, only sent to `/dashboard`, `Secure`
/// when the server is reached over https. No `Max-Age`: the browser forgets it when it
/// closes, and the server ends it after its idle or absolute timeout anyway.
pub(crate) fn session_cookie(value: String, public_url: &str) -> Cookie<'static> {
    Cookie::build((COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/dashboard")
        .secure(public_url.starts_with("https://"))
        .build()
}

/// A cookie that makes the browser forget the session cookie.
pub(crate) fn removal_cookie() -> Cookie<'static> {
    Cookie::build((COOKIE, "")).path("/dashboard").build()
}

/// Sign-in, sign-out and choosing a password.
pub fn router() -> Router<AppState> {
    signin::router()
}
