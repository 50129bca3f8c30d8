//! Who is signed in. (Interface only for now: the sessions, sign-in, CSRF and throttling
//! are being built on their own branch; until then nobody can sign in.)

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use serde::de::DeserializeOwned;

use crate::http::app::AppState;

/// A dashboard user's role in its org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything, settings included.
    Admin,
    /// Reads, claims and collects; no settings.
    Viewer,
}

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

    async fn from_request_parts(_parts: &mut Parts, _state: &AppState) -> Result<Self, Response> {
        Err(Redirect::to("/dashboard/sign-in").into_response())
    }
}

/// A signed-in admin; viewers get a 403 page.
#[derive(Debug, Clone)]
pub struct Admin(pub SignedIn);

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = SignedIn::from_request_parts(parts, state).await?;
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
        let (mut parts, _body) = req.into_parts();
        let _user = SignedIn::from_request_parts(&mut parts, state).await?;
        Err(Redirect::to("/dashboard/sign-in").into_response())
    }
}

/// Sign-in, sign-out and choosing a password.
pub fn router() -> Router<AppState> {
    Router::new()
}
