//! Settings, for admins: auto-collect, domains, API keys, the webhook and users. Secrets
//! (a new API key, a webhook signing secret) are shown once, on the page that answers the
//! form that made them, and never again.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use expressconsent_protocol::{OrgPatch, RegisterDomain};
use maud::{html, Markup};
use serde::Deserialize;

use super::{as_org, filled, problem};
use crate::dashboard::layout::{self, csrf_field, time, FlashKind, Nav};
use crate::dashboard::session::{Admin, CsrfForm, Role, SignedIn};
use crate::db::keys::{create_key, list_keys, revoke_org_key};
use crate::db::users::{invite, list_users, remove_user, set_role, InviteError};
use crate::http::app::AppState;
use crate::http::body::JsonBody;
use crate::http::envelope::Data;
use crate::http::error::ApiError;
use crate::http::routes::{domains, org};

/// `/dashboard/settings` and its forms.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard/settings", get(show))
        .route("/dashboard/settings/auto-collect", post(auto_collect))
        .route("/dashboard/settings/domains", post(add_domain))
        .route("/dashboard/settings/keys", post(new_key))
        .route("/dashboard/settings/keys/{key_id}/revoke", post(revoke_key))
        .route("/dashboard/settings/webhook", post(set_webhook))
        .route("/dashboard/settings/webhook/rotate", post(rotate))
        .route("/dashboard/settings/users", post(invite_user))
        .route(
            "/dashboard/settings/users/{user_id}/role",
            post(change_role),
        )
        .route("/dashboard/settings/users/{user_id}/remove", post(remove))
}

/// What the page shows above the settings after a form.
enum Notice {
    None,
    Flash(FlashKind, String),
    /// A secret shown once: label, value.
    Secret(&'static str, String),
}

async fn show(State(state): State<AppState>, Admin(user): Admin) -> Response {
    render(&state, &user, Notice::None).await
}

/// Viewers get the 403 page from `Admin`; forms check again (a viewer's stale form).
fn admin_only(user: &SignedIn) -> Option<Response> {
    (user.role != Role::Admin).then(|| {
        problem(
            user,
            Nav::Settings,
            ApiError::Forbidden("only admins can change settings".into()),
        )
    })
}

async fn render(state: &AppState, user: &SignedIn, notice: Notice) -> Response {
    let settings = match org::get_org(State(state.clone()), as_org(user)).await {
        Ok(Data(s)) => s,
        Err(err) => return problem(user, Nav::Settings, err),
    };
    let keys = match list_keys(&state.db, &user.org_id).await {
        Ok(k) => k,
        Err(err) => return problem(user, Nav::Settings, err.into()),
    };
    let body = html! {
        @match &notice {
            Notice::None => {},
            Notice::Flash(kind, message) => (layout::flash(*kind, message)),
            Notice::Secret(label, value) => (secret_box(label, value)),
        }
        dl.facts {
            dt { "Organization" } dd { (settings.name) }
            dt { "Org id (data-ec-cid)" } dd.mono { (settings.org_id) }
        }
        section aria-labelledby="billing" {
            h2 #billing { "Who pays for captures" }
            form.stack method="post" action="/dashboard/settings/auto-collect" {
                (csrf_field(user))
                label.inline {
                    input type="checkbox" name="autoCollect" value="on" checked[settings.auto_collect];
                    "Auto-collect: pay for each CDR when it is captured (otherwise your buyers pay when they collect)"
                }
                div { button type="submit" { "Save" } }
            }
        }
        section aria-labelledby="domains" {
            h2 #domains { "Domains" }
            p { "Pages on these hosts (and their subdomains) may upload captures for your organization." }
            @if settings.domains.is_empty() {
                (layout::empty("No domains yet.", html! { "Add the host of your lead form, e.g. forms.example.com." }))
            } @else {
                ul { @for d in &settings.domains { li.mono { (d) } } }
            }
            form.filters method="post" action="/dashboard/settings/domains" {
                (csrf_field(user))
                label { "Host" input type="text" name="host" required maxlength="253" autocomplete="off" placeholder="forms.example.com"; }
                button type="submit" { "Add domain" }
            }
        }
        section aria-labelledby="keys" {
            h2 #keys { "API keys" }
            p { "Machines use API keys (the X-API-Key header). A new key is shown once." }
            form method="post" action="/dashboard/settings/keys" {
                (csrf_field(user))
                button type="submit" { "Create API key" }
            }
            div.table-wrap { table.rows {
                thead { tr { th scope="col" { "Key id" } th scope="col" { "Created" } th scope="col" { "State" } th scope="col" { span.muted { "Action" } } } }
                tbody { @for k in &keys { tr {
                    td.mono data-label="Key id" { (k.key_id) }
                    td data-label="Created" { (time(k.created_at)) }
                    td data-label="State" { @match k.revoked_at { Some(at) => { span.badge.bad { "revoked" } " " (time(at)) }, None => span.badge.ok { "active" } } }
                    td {
                        @if k.revoked_at.is_none() {
                            form method="post" action=(format!("/dashboard/settings/keys/{}/revoke", k.key_id))
                                data-confirm=(format!("Revoke {}? Every machine using it stops working at once.", k.key_id)) {
                                (csrf_field(user))
                                button.danger type="submit" aria-label=(format!("Revoke {}", k.key_id)) { "Revoke" }
                            }
                        }
                    }
                } } }
            } }
        }
        section aria-labelledby="webhook" {
            h2 #webhook { "Webhook" }
            p { "cdr.completed events are POSTed here, signed as Standard Webhooks says, when a CDR's evidence image is ready." }
            @if let Some(reason) = &settings.webhook_disabled_reason {
                (layout::flash(FlashKind::Problem, &format!("Deliveries stopped: {reason}. Save the URL again to resume.")))
            }
            form.stack method="post" action="/dashboard/settings/webhook" {
                (csrf_field(user))
                label { "Webhook URL (empty to remove)"
                    input type="url" name="url" maxlength="2048" autocomplete="off"
                        value=(settings.webhook_url.clone().unwrap_or_default()) placeholder="https://example.com/hooks/expressconsent";
                }
                div { button type="submit" { "Save webhook" } }
            }
            @if settings.webhook_url.is_some() {
                form method="post" action="/dashboard/settings/webhook/rotate"
                    data-confirm="Make a new signing secret? The old one keeps working for 24 hours." {
                    (csrf_field(user))
                    button.secondary type="submit" { "Rotate signing secret" }
                }
            }
        }
        (users_section(state, user).await)
    };
    layout::page(user, "Settings", Nav::Settings, body).into_response()
}

fn secret_box(label: &str, value: &str) -> Markup {
    html! {
        div.flash.done role="status" {
            p { (label) " It is shown only now: copy it somewhere safe." }
            label { "Secret" input #secret type="text" readonly value=(value) autocomplete="off"; }
            button.secondary type="button" data-copy="#secret" hidden { "Copy" }
        }
    }
}

#[derive(Debug, Deserialize)]
struct AutoCollectForm {
    #[serde(rename = "autoCollect")]
    auto_collect: Option<String>,
}

async fn auto_collect(
    State(state): State<AppState>,
    CsrfForm { user, form }: CsrfForm<AutoCollectForm>,
) -> Response {
    if let Some(refused) = admin_only(&user) {
        return refused;
    }
    let on = form.auto_collect.as_deref() == Some("on");
    let patch = OrgPatch {
        auto_collect: Some(on),
        ..OrgPatch::default()
    };
    if let Err(err) = org::patch_org(State(state.clone()), as_org(&user), JsonBody(patch)).await {
        return problem(&user, Nav::Settings, err);
    }
    let message = if on {
        "Auto-collect is on: your organization pays for each new capture."
    } else {
        "Auto-collect is off: new captures are unpaid until a buyer (or you) collects them."
    };
    render(
        &state,
        &user,
        Notice::Flash(FlashKind::Done, message.into()),
    )
    .await
}

#[derive(Debug, Deserialize)]
struct DomainForm {
    host: String,
}

async fn add_domain(
    State(state): State<AppState>,
    CsrfForm { user, form }: CsrfForm<DomainForm>,
) -> Response {
    if let Some(refused) = admin_only(&user) {
        return refused;
    }
    let body = RegisterDomain {
        domain: form.host.trim().to_owned(),
    };
    let notice =
        match domains::add_domain(State(state.clone()), as_org(&user), JsonBody(body)).await {
            Ok(_) => Notice::Flash(FlashKind::Done, format!("Added {}.", form.host.trim())),
            Err(ApiError::Internal(cause)) => {
                return problem(&user, Nav::Settings, ApiError::Internal(cause))
            }
            Err(other) => Notice::Flash(FlashKind::Problem, other.to_string()),
        };
    render(&state, &user, notice).await
}

#[derive(Debug, Deserialize)]
struct Empty {}

async fn new_key(
    State(state): State<AppState>,
    CsrfForm { user, .. }: CsrfForm<Empty>,
) -> Response {
    if let Some(refused) = admin_only(&user) {
        return refused;
    }
    match create_key(&state.db, &user.org_id).await {
        Ok(Some(key)) => {
            render(
                &state,
                &user,
                Notice::Secret("New API key created.", key.api_key),
            )
            .await
        }
        Ok(None) => problem(&user, Nav::Settings, ApiError::NotFound(String::new())),
        Err(err) => problem(&user, Nav::Settings, err.into()),
    }
}

async fn revoke_key(
    State(state): State<AppState>,
    Path(key_id): Path<String>,
    CsrfForm { user, .. }: CsrfForm<Empty>,
) -> Response {
    if let Some(refused) = admin_only(&user) {
        return refused;
    }
    match revoke_org_key(&state.db, &user.org_id, &key_id).await {
        Ok(Some(_)) => {
            let message =
                format!("Revoked {key_id}: it no longer authenticates, in every server process.");
            render(&state, &user, Notice::Flash(FlashKind::Done, message)).await
        }
        Ok(None) => problem(&user, Nav::Settings, ApiError::NotFound(String::new())),
        Err(err) => problem(&user, Nav::Settings, err.into()),
    }
}

#[derive(Debug, Deserialize)]
struct WebhookForm {
    url: Option<String>,
}

async fn set_webhook(
    State(state): State<AppState>,
    CsrfForm { user, form }: CsrfForm<WebhookForm>,
) -> Response {
    if let Some(refused) = admin_only(&user) {
        return refused;
    }
    let url = filled(&form.url).map(str::to_owned);
    let removing = url.is_none();
    let patch = OrgPatch {
        webhook_url: Some(url),
        ..OrgPatch::default()
    };
    let notice = match org::patch_org(State(state.clone()), as_org(&user), JsonBody(patch)).await {
        Ok(Data(settings)) => match settings.webhook_secret {
            Some(secret) => Notice::Secret("Webhook saved. Its signing secret:", secret),
            None if removing => Notice::Flash(FlashKind::Done, "Webhook removed.".into()),
            None => Notice::Flash(
                FlashKind::Done,
                "Webhook URL saved; the signing secret is unchanged.".into(),
            ),
        },
        Err(ApiError::Internal(cause)) => {
            return problem(&user, Nav::Settings, ApiError::Internal(cause))
        }
        Err(other) => Notice::Flash(FlashKind::Problem, other.to_string()),
    };
    render(&state, &user, notice).await
}

async fn rotate(State(state): State<AppState>, CsrfForm { user, .. }: CsrfForm<Empty>) -> Response {
    if let Some(refused) = admin_only(&user) {
        return refused;
    }
    let notice = match org::rotate_webhook_secret(State(state.clone()), as_org(&user)).await {
        Ok(Data(secret)) => Notice::Secret(
            "New signing secret; the previous one keeps signing too for 24 hours.",
            secret.webhook_secret,
        ),
        Err(ApiError::Internal(cause)) => {
            return problem(&user, Nav::Settings, ApiError::Internal(cause))
        }
        Err(other) => Notice::Flash(FlashKind::Problem, other.to_string()),
    };
    render(&state, &user, notice).await
}

/// The org's dashboard users: invite (a one-time link, shown once), change a role,
/// remove (their sessions end at once).
async fn users_section(state: &AppState, user: &SignedIn) -> Markup {
    let users = match list_users(&state.db, &user.org_id).await {
        Ok(users) => users,
        Err(err) => {
            tracing::error!(error = %err, "cannot list users");
            return layout::flash(
                FlashKind::Problem,
                "The users could not be listed; reload the page.",
            );
        }
    };
    html! {
        section aria-labelledby="users" {
            h2 #users { "Users" }
            div.table-wrap { table.rows {
                thead { tr { th scope="col" { "Email" } th scope="col" { "Role" } th scope="col" { "State" } th scope="col" { span.muted { "Actions" } } } }
                tbody { @for u in &users { tr {
                    td data-label="Email" { (u.email) @if u.id == user.user_id { " (you)" } }
                    td data-label="Role" { (u.role.as_str()) }
                    td data-label="State" { @if u.has_password { "active" } @else { span.badge.warn { "invited" } } }
                    td {
                        @if u.id != user.user_id {
                            div.actions {
                                form method="post" action=(format!("/dashboard/settings/users/{}/role", u.id)) {
                                    (csrf_field(user))
                                    @let other = if u.role == Role::Admin { Role::Viewer } else { Role::Admin };
                                    input type="hidden" name="role" value=(other.as_str());
                                    button.secondary type="submit" aria-label=(format!("Make {} {}", u.email, other.as_str())) { "Make " (other.as_str()) }
                                }
                                form method="post" action=(format!("/dashboard/settings/users/{}/remove", u.id))
                                    data-confirm=(format!("Remove {}? They are signed out at once.", u.email)) {
                                    (csrf_field(user))
                                    button.danger type="submit" aria-label=(format!("Remove {}", u.email)) { "Remove" }
                                }
                            }
                        }
                    }
                } } }
            } }
            h3 { "Invite someone" }
            form.filters method="post" action="/dashboard/settings/users" {
                (csrf_field(user))
                label { "Email" input type="email" name="email" required maxlength="320" autocomplete="off"; }
                label { "Role"
                    select name="role" {
                        option value="viewer" selected { "viewer — reads, claims, collects" }
                        option value="admin" { "admin — also settings" }
                    }
                }
                button type="submit" { "Invite" }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct InviteForm {
    email: String,
    role: String,
}

async fn invite_user(
    State(state): State<AppState>,
    CsrfForm { user, form }: CsrfForm<InviteForm>,
) -> Response {
    if let Some(refused) = admin_only(&user) {
        return refused;
    }
    let Some(role) = Role::parse(&form.role) else {
        return render(
            &state,
            &user,
            Notice::Flash(FlashKind::Problem, "Choose admin or viewer.".into()),
        )
        .await;
    };
    let notice = match invite(&state.db, &user.org_id, &form.email, role, &state.public_url).await {
        Ok(invitation) => Notice::Secret(
            "Invitation created. Send this one-time link (valid 24 hours) to the person, who chooses a password there.",
            invitation.sign_in_url,
        ),
        Err(InviteError::Db(err)) => return problem(&user, Nav::Settings, err.into()),
        Err(InviteError::UnknownOrg(_)) => return problem(&user, Nav::Settings, ApiError::NotFound(String::new())),
        Err(other) => Notice::Flash(FlashKind::Problem, other.to_string()),
    };
    render(&state, &user, notice).await
}

#[derive(Debug, Deserialize)]
struct RoleForm {
    role: String,
}

async fn change_role(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    CsrfForm { user, form }: CsrfForm<RoleForm>,
) -> Response {
    if let Some(refused) = admin_only(&user) {
        return refused;
    }
    let Some(role) = Role::parse(&form.role) else {
        return render(
            &state,
            &user,
            Notice::Flash(FlashKind::Problem, "Choose admin or viewer.".into()),
        )
        .await;
    };
    if user_id == user.user_id {
        return render(
            &state,
            &user,
            Notice::Flash(
                FlashKind::Problem,
                "You cannot change your own role; ask another admin.".into(),
            ),
        )
        .await;
    }
    match set_role(&state.db, &user.org_id, &user_id, role).await {
        Ok(true) => {
            render(
                &state,
                &user,
                Notice::Flash(
                    FlashKind::Done,
                    format!("Role changed to {}.", role.as_str()),
                ),
            )
            .await
        }
        Ok(false) => problem(&user, Nav::Settings, ApiError::NotFound(String::new())),
        Err(err) => problem(&user, Nav::Settings, err.into()),
    }
}

async fn remove(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    CsrfForm { user, .. }: CsrfForm<Empty>,
) -> Response {
    if let Some(refused) = admin_only(&user) {
        return refused;
    }
    if user_id == user.user_id {
        return render(
            &state,
            &user,
            Notice::Flash(
                FlashKind::Problem,
                "You cannot remove yourself; ask another admin.".into(),
            ),
        )
        .await;
    }
    match remove_user(&state.db, &user.org_id, &user_id).await {
        Ok(true) => {
            render(
                &state,
                &user,
                Notice::Flash(
                    FlashKind::Done,
                    "User removed; their sessions ended.".into(),
                ),
            )
            .await
        }
        Ok(false) => problem(&user, Nav::Settings, ApiError::NotFound(String::new())),
        Err(err) => problem(&user, Nav::Settings, err.into()),
    }
}
