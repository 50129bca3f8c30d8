//! Signing in to the dashboard as a person: the operator's `user create` link, choosing a
//! password, sign-in and its cookie, throttling, sign-out, CSRF and roles.
//!
//! The sign-in pages are the real app's. `SignedIn`, `Admin` and `CsrfForm` are checked
//! through a few probe routes served beside the dashboard on the same state (the pages
//! that use them are built elsewhere): who is signed in, an admin-only page, and a form
//! that turns the org's auto-collect on or off, so that "nothing changed" is observable.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use expressconsent_server::dashboard::session::{Admin, CsrfForm, SignedIn};
use expressconsent_server::db::now_ms;
use expressconsent_server::db::orgs::{set_auto_collect, settings};
use expressconsent_server::db::users::{self, Invitation, Role};
use expressconsent_server::http::app::AppState;
use expressconsent_server::orgs::ids::secret_hash;
use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::{Response, StatusCode};
use serde::Deserialize;

use crate::cli::{printed, run_cli};
use crate::helpers::TestApp;

pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// A browser: no redirects followed (the tests assert them), and the session cookie kept
/// by hand so that a test can replay an old one.
pub(crate) struct Visitor {
    client: reqwest::Client,
    base: String,
    cookie: Option<String>,
}

impl Visitor {
    pub(crate) fn new(base: &str) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            client,
            base: base.to_owned(),
            cookie: None,
        }
    }

    /// The same cookie on another server (the probe, or another process).
    fn at(&self, base: &str) -> Self {
        Self {
            cookie: self.cookie.clone(),
            ..Self::new(base)
        }
    }

    fn with_cookie(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.cookie {
            Some(value) => request.header("cookie", format!("ec_session={value}")),
            None => request,
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Response {
        let request = self.client.get(format!("{}{path}", self.base));
        self.with_cookie(request).send().await.unwrap()
    }

    pub(crate) async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Response {
        let mut request = self.client.post(format!("{}{path}", self.base)).form(form);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.with_cookie(request).send().await.unwrap()
    }

    /// Keeps the session cookie a response set (or forgets it when told to).
    pub(crate) fn keep_cookie(&mut self, response: &Response) {
        if let Some(value) = session_cookie(response) {
            self.cookie = Some(value).filter(|v| !v.is_empty());
        }
    }

    pub(crate) async fn sign_in(&mut self, email: &str, password: &str) -> Response {
        let response = self
            .post(
                "/dashboard/sign-in",
                &[("email", email), ("password", password)],
                &[],
            )
            .await;
        self.keep_cookie(&response);
        response
    }
}

/// The `ec_session` Set-Cookie header of a response, whole.
fn session_set_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("ec_session="))
        .map(str::to_owned)
}

/// The value `ec_session` is set to.
fn session_cookie(response: &Response) -> Option<String> {
    let header = session_set_cookie(response)?;
    let value = header.strip_prefix("ec_session=")?.split(';').next()?;
    Some(value.to_owned())
}

fn location(response: &Response) -> &str {
    response.headers()[LOCATION].to_str().unwrap()
}

/// The probe routes, served on port 0 over the app's state.
async fn probe(app: &TestApp) -> String {
    #[derive(Deserialize)]
    struct AutoCollect {
        on: String,
    }
    async fn who(user: SignedIn) -> String {
        let role = match user.role {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        };
        format!("{} {role} {} {}", user.email, user.org_id, user.csrf_token)
    }
    async fn admin_only(Admin(user): Admin) -> String {
        format!("settings of {}", user.org_name)
    }
    async fn auto_collect(
        State(state): State<AppState>,
        CsrfForm { user, form }: CsrfForm<AutoCollect>,
    ) -> impl IntoResponse {
        set_auto_collect(&state.db, &user.org_id, form.on == "true")
            .await
            .unwrap();
        Redirect::to("/dashboard/probe/who")
    }
    let router = Router::new()
        .route("/dashboard/probe/who", get(who))
        .route("/dashboard/probe/admin", get(admin_only))
        .route("/dashboard/probe/auto-collect", post(auto_collect))
        .merge(expressconsent_server::dashboard::router())
        .with_state(app.state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

/// The session's CSRF token, as pages put it in their forms.
async fn csrf_token(visitor: &Visitor, probe: &str) -> String {
    let response = visitor.at(probe).get("/dashboard/probe/who").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    body.rsplit(' ').next().unwrap().to_owned()
}

/// Invites a user of `org_id` as an admin in the dashboard would.
async fn invite(app: &TestApp, org_id: &str, email: &str, role: Role) -> Invitation {
    users::invite(&app.db, org_id, email, role, &app.base)
        .await
        .unwrap()
}

/// The path and query of a sign-in link.
fn link_path(sign_in_url: &str, app: &TestApp) -> String {
    sign_in_url.strip_prefix(&app.base).unwrap().to_owned()
}

fn token_of(sign_in_url: &str) -> String {
    sign_in_url.split_once("token=").unwrap().1.to_owned()
}

/// A user who followed their link and chose [`PASSWORD`], signed in.
pub(crate) async fn member(app: &TestApp, org_id: &str, email: &str, role: Role) -> Visitor {
    let invitation = invite(app, org_id, email, role).await;
    let mut visitor = Visitor::new(&app.base);
    let token = token_of(&invitation.sign_in_url);
    let response = visitor
        .post(
            "/dashboard/welcome",
            &[
                ("token", &token),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    visitor.keep_cookie(&response);
    visitor
}

async fn password_hash_of(app: &TestApp, user_id: &str) -> Option<String> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn user_create_prints_a_link_that_lets_the_user_choose_a_password_once() {
    let app = TestApp::start().await;
    let org = app.buyer().await;

    let created = printed(
        &run_cli(
            &app,
            &[
                "user",
                "create",
                "--org",
                &org.org_id,
                "--email",
                " Ana@Example.COM ",
                "--public-url",
                &app.base,
            ],
        )
        .await,
    );

    let object = created.as_object().unwrap();
    assert_eq!(object.len(), 4, "{created}");
    assert!(created["userId"].as_str().unwrap().starts_with("usr_"));
    assert_eq!(created["email"], "ana@example.com");
    assert_eq!(created["role"], "admin", "admin by default");
    let url = created["signInUrl"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/dashboard/welcome?token=", app.base)),
        "{url}"
    );
    let mut visitor = Visitor::new(&app.base);
    let page = visitor.get(&link_path(url, &app)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Choose a password"), "{html}");
    assert!(html.contains("ana@example.com"));
    assert!(html.contains(r#"autocomplete="new-password""#));

    let token = token_of(url);
    let form = [
        ("token", token.as_str()),
        ("password", PASSWORD),
        ("confirm", PASSWORD),
    ];
    let chosen = visitor.post("/dashboard/welcome", &form, &[]).await;
    assert_eq!(chosen.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&chosen), "/dashboard/");
    visitor.keep_cookie(&chosen);
    let probe = probe(&app).await;
    let who = visitor.at(&probe).get("/dashboard/probe/who").await;
    assert_eq!(who.status(), StatusCode::OK, "signed in by choosing");
    assert!(who
        .text()
        .await
        .unwrap()
        .starts_with("ana@example.com admin"));

    let again = Visitor::new(&app.base)
        .post("/dashboard/welcome", &form, &[])
        .await;
    assert_eq!(again.status(), StatusCode::GONE, "a link works once");
    assert!(session_cookie(&again).is_none());
    let reopened = Visitor::new(&app.base).get(&link_path(url, &app)).await;
    assert_eq!(reopened.status(), StatusCode::GONE);
    assert!(reopened
        .text()
        .await
        .unwrap()
        .contains("expired or was already used"));
}

#[tokio::test]
async fn user_create_takes_a_role_and_refuses_an_unknown_org() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    let base = app.base.clone();
    let create = |org: &str, email: &str, role: &str| {
        run_cli(
            &app,
            &[
                "user",
                "create",
                "--org",
                org,
                "--email",
                email,
                "--role",
                role,
                "--public-url",
                &base,
            ],
        )
    };

    let viewer = printed(&create(&org.org_id, "vic@example.com", "viewer").await);
    let unknown = create("cid_nosuchorg", "someone@example.com", "admin").await;
    let taken = create(&org.org_id, "VIC@example.com", "admin").await;

    assert_eq!(viewer["role"], "viewer");
    for (output, says) in [
        (&unknown, "no org cid_nosuchorg"),
        (&taken, "already exists"),
    ] {
        assert!(!output.status.success());
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{stderr}");
    }
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn an_expired_link_is_refused_and_sets_no_password() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    let invitation = invite(&app, &org.org_id, "late@example.com", Role::Admin).await;
    let (created, expires): (i64, i64) =
        sqlx::query_as("SELECT created_at, expires_at FROM sign_in_tokens WHERE user_id = $1")
            .bind(&invitation.user_id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(expires - created, 24 * 60 * 60 * 1000, "valid 24 hours");
    // A day passes.
    sqlx::query("UPDATE sign_in_tokens SET expires_at = $1 WHERE user_id = $2")
        .bind(now_ms() - 1)
        .bind(&invitation.user_id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let visitor = Visitor::new(&app.base);

    let page = visitor.get(&link_path(&invitation.sign_in_url, &app)).await;
    let token = token_of(&invitation.sign_in_url);
    let form = [
        ("token", token.as_str()),
        ("password", PASSWORD),
        ("confirm", PASSWORD),
    ];
    let posted = visitor.post("/dashboard/welcome", &form, &[]).await;

    assert_eq!(page.status(), StatusCode::GONE);
    assert_eq!(posted.status(), StatusCode::GONE);
    assert!(session_cookie(&posted).is_none());
    assert_eq!(password_hash_of(&app, &invitation.user_id).await, None);
}

#[tokio::test]
async fn a_chosen_password_needs_twelve_characters_typed_twice() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    let invitation = invite(&app, &org.org_id, "new@example.com", Role::Admin).await;
    let token = token_of(&invitation.sign_in_url);
    let visitor = Visitor::new(&app.base);
    let attempt = |password: &'static str, confirm: &'static str| {
        let token = token.clone();
        let visitor = &visitor;
        async move {
            let form = [
                ("token", token.as_str()),
                ("password", password),
                ("confirm", confirm),
            ];
            visitor.post("/dashboard/welcome", &form, &[]).await
        }
    };

    let short = attempt("eleven char", "eleven char").await;
    let differ = attempt(PASSWORD, "correct horse battery stapler").await;

    for (response, says) in [
        (short, "at least 12 characters"),
        (differ, "The two passwords differ"),
    ] {
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(session_cookie(&response).is_none());
        let html = response.text().await.unwrap();
        assert!(html.contains(r#"role="alert""#), "{html}");
        assert!(html.contains(says), "{html}");
    }
    assert_eq!(password_hash_of(&app, &invitation.user_id).await, None);
    let fine = attempt("twelve chars", "twelve chars").await;
    assert_eq!(fine.status(), StatusCode::SEE_OTHER, "the link still works");
}

#[tokio::test]
async fn sign_in_sets_a_fresh_http_only_lax_cookie_and_returns_where_the_user_was_going() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    let visitor = member(&app, &org.org_id, "ana@example.com", Role::Admin).await;
    let first_session = visitor.cookie.clone().unwrap();
    let page = visitor
        .get("/dashboard/sign-in?next=%2Fdashboard%2Fcdrs%3Frelation%3Dpaid")
        .await;
    let html = page.text().await.unwrap();
    for attribute in [
        r#"autocomplete="username""#,
        r#"autocomplete="current-password""#,
        r#"<label for="email">"#,
        r#"<label for="password">"#,
        r#"name="next" value="/dashboard/cdrs?relation=paid""#,
    ] {
        assert!(html.contains(attribute), "{attribute} in {html}");
    }

    let response = visitor
        .post(
            "/dashboard/sign-in",
            &[
                ("email", "ANA@example.com"),
                ("password", PASSWORD),
                ("next", "/dashboard/cdrs?relation=paid"),
            ],
            &[],
        )
        .await;
    let elsewhere = Visitor::new(&app.base)
        .post(
            "/dashboard/sign-in",
            &[
                ("email", "ana@example.com"),
                ("password", PASSWORD),
                ("next", "https://evil.example/dashboard/"),
            ],
            &[],
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/dashboard/cdrs?relation=paid");
    let header = session_set_cookie(&response).unwrap();
    let attributes: Vec<&str> = header.split(';').map(str::trim).skip(1).collect();
    assert!(attributes.contains(&"HttpOnly"), "{header}");
    assert!(attributes.contains(&"SameSite=Lax"), "{header}");
    assert!(attributes.contains(&"Path=/dashboard"), "{header}");
    assert!(!attributes.contains(&"Secure"), "plain http: {header}");
    let cookie = session_cookie(&response).unwrap();
    assert_eq!(cookie.len(), 43, "32 bytes, base64url");
    assert_ne!(cookie, first_session, "a fresh session at each sign-in");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE id_hash = $1")
        .bind(secret_hash(&cookie))
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 1, "stored as its hash");
    assert_eq!(
        location(&elsewhere),
        "/dashboard/",
        "no redirect off the dashboard"
    );
}

#[tokio::test]
async fn the_cookie_is_secure_when_the_public_url_is_https() {
    let app = TestApp::start_with(|config| {
        config.public_url = Some("https://consent.example.test".into());
    })
    .await;
    let org = app.buyer().await;
    let invitation = users::invite(
        &app.db,
        &org.org_id,
        "ana@example.com",
        Role::Admin,
        "https://consent.example.test",
    )
    .await
    .unwrap();
    assert!(invitation
        .sign_in_url
        .starts_with("https://consent.example.test/dashboard/welcome?token="));
    let token = token_of(&invitation.sign_in_url);

    let response = Visitor::new(&app.base)
        .post(
            "/dashboard/welcome",
            &[
                ("token", &token),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
            &[("origin", "https://consent.example.test")],
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let header = session_set_cookie(&response).unwrap();
    assert!(header.split(';').any(|a| a.trim() == "Secure"), "{header}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    member(&app, &org.org_id, "ana@example.com", Role::Admin).await;
    let mut visitor = Visitor::new(&app.base);

    let wrong = visitor.sign_in("ana@example.com", "not the password").await;
    let unknown = visitor.sign_in("nobody@example.com", PASSWORD).await;

    for response in [wrong, unknown] {
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(session_cookie(&response).is_none());
        let html = response.text().await.unwrap();
        assert!(html.contains(r#"role="alert""#));
        assert!(html.contains("Wrong email or password."), "{html}");
    }
    assert!(visitor.cookie.is_none());
}

#[tokio::test]
async fn after_ten_failures_sign_in_is_refused_for_fifteen_minutes_even_with_the_right_password() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    member(&app, &org.org_id, "ana@example.com", Role::Admin).await;
    member(&app, &org.org_id, "bea@example.com", Role::Admin).await;
    let mut visitor = Visitor::new(&app.base);
    for attempt in 1..=9 {
        let response = visitor.sign_in("ana@example.com", "wrong password!").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    // Nine failures lock nothing, and a success in between does not reset the count.
    let ninth_then_right = visitor.sign_in("ana@example.com", PASSWORD).await;
    assert_eq!(ninth_then_right.status(), StatusCode::SEE_OTHER);

    let tenth = visitor.sign_in("Ana@example.com", "wrong password!").await;
    let eleventh = visitor.sign_in("ana@example.com", PASSWORD).await;
    let other_email = Visitor::new(&app.base)
        .sign_in("bea@example.com", PASSWORD)
        .await;

    assert_eq!(tenth.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(eleventh.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(session_cookie(&eleventh).is_none());
    let html = eleventh.text().await.unwrap();
    assert!(
        html.contains("Too many failed sign-ins for this email; try again in 15 minutes."),
        "{html}"
    );
    assert!(html.contains(r#"role="alert""#));
    assert_eq!(
        other_email.status(),
        StatusCode::SEE_OTHER,
        "other emails are not locked"
    );
    // The lock is shared by every process: it is in the database.
    let other_process = app.another_process().await;
    let elsewhere = Visitor::new(&other_process.base)
        .sign_in("ana@example.com", PASSWORD)
        .await;
    assert_eq!(elsewhere.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn sign_out_ends_the_session_at_once() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    let mut visitor = member(&app, &org.org_id, "ana@example.com", Role::Admin).await;
    let probe = probe(&app).await;
    let old = visitor.at(&probe);
    let csrf = csrf_token(&visitor, &probe).await;

    let response = visitor
        .post(
            "/dashboard/sign-out",
            &[("csrf", &csrf)],
            &[("origin", &app.base)],
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/dashboard/sign-in?notice=signed-out");
    assert_eq!(
        session_cookie(&response).as_deref(),
        Some(""),
        "the browser forgets it"
    );
    let replayed = old.get("/dashboard/probe/who").await;
    assert_eq!(
        replayed.status(),
        StatusCode::SEE_OTHER,
        "the old cookie is dead"
    );
    assert_eq!(
        location(&replayed),
        "/dashboard/sign-in?next=%2Fdashboard%2Fprobe%2Fwho&notice=expired"
    );
    let posted = old
        .post(
            "/dashboard/probe/auto-collect",
            &[("csrf", &csrf), ("on", "false")],
            &[],
        )
        .await;
    assert_eq!(posted.status(), StatusCode::FORBIDDEN);
    assert!(
        settings(&app.db, &org.org_id)
            .await
            .unwrap()
            .unwrap()
            .auto_collect
    );
    visitor.keep_cookie(&response);
    let page = visitor.get(location(&response)).await.text().await.unwrap();
    assert!(page.contains("You are signed out."), "{page}");
}

#[tokio::test]
async fn a_form_without_the_right_token_or_from_another_site_changes_nothing() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    let visitor = member(&app, &org.org_id, "ana@example.com", Role::Admin).await;
    let probe = probe(&app).await;
    let csrf = csrf_token(&visitor, &probe).await;
    let at_probe = visitor.at(&probe);
    let path = "/dashboard/probe/auto-collect";
    let evil = [("origin", "https://evil.example")];
    let cross_site = [("sec-fetch-site", "cross-site")];

    let refused = [
        at_probe.post(path, &[("on", "false")], &[]).await,
        at_probe
            .post(path, &[("csrf", "not-the-token"), ("on", "false")], &[])
            .await,
        at_probe
            .post(path, &[("csrf", &csrf), ("on", "false")], &evil)
            .await,
        at_probe
            .post(path, &[("csrf", &csrf), ("on", "false")], &cross_site)
            .await,
        // A browser does not send the Lax cookie with a cross-site post at all.
        Visitor::new(&probe)
            .post(path, &[("on", "false")], &evil)
            .await,
        visitor.post("/dashboard/sign-out", &[], &[]).await,
        visitor
            .post("/dashboard/sign-out", &[("csrf", &csrf)], &evil)
            .await,
    ];

    for response in refused {
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let html = response.text().await.unwrap();
        assert!(
            html.contains("sent from another site, so nothing was changed"),
            "{html}"
        );
    }
    assert!(
        settings(&app.db, &org.org_id)
            .await
            .unwrap()
            .unwrap()
            .auto_collect
    );
    let still_in = at_probe.get("/dashboard/probe/who").await;
    assert_eq!(still_in.status(), StatusCode::OK, "sign-out was refused");
    let own_origin = [("origin", probe.as_str())];
    let accepted = at_probe
        .post(path, &[("csrf", &csrf), ("on", "false")], &own_origin)
        .await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    assert!(
        !settings(&app.db, &org.org_id)
            .await
            .unwrap()
            .unwrap()
            .auto_collect
    );
}

#[tokio::test]
async fn sign_in_posted_from_another_site_is_refused() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    member(&app, &org.org_id, "ana@example.com", Role::Admin).await;

    let response = Visitor::new(&app.base)
        .post(
            "/dashboard/sign-in",
            &[("email", "ana@example.com"), ("password", PASSWORD)],
            &[("origin", "https://evil.example")],
        )
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(session_cookie(&response).is_none());
}

#[tokio::test]
async fn a_viewer_gets_a_403_page_where_only_admins_may_go() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    let probe = probe(&app).await;
    let admin = member(&app, &org.org_id, "ana@example.com", Role::Admin).await;
    let viewer = member(&app, &org.org_id, "vic@example.com", Role::Viewer).await;

    let as_admin = admin.at(&probe).get("/dashboard/probe/admin").await;
    let as_viewer = viewer.at(&probe).get("/dashboard/probe/admin").await;

    assert_eq!(as_admin.status(), StatusCode::OK);
    assert_eq!(as_viewer.status(), StatusCode::FORBIDDEN);
    let html = as_viewer.text().await.unwrap();
    assert!(html.contains("Only admins can change settings"), "{html}");
    assert!(
        !html.contains(r#"href="/dashboard/settings""#),
        "no settings link for viewers"
    );
}

#[tokio::test]
async fn without_a_session_pages_send_to_sign_in_and_forms_are_refused() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    let probe = probe(&app).await;
    let stranger = Visitor::new(&probe);

    let page = stranger.get("/dashboard/probe/who?x=1").await;
    let form = stranger
        .post(
            "/dashboard/probe/auto-collect",
            &[("csrf", "x"), ("on", "false")],
            &[],
        )
        .await;

    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&page),
        "/dashboard/sign-in?next=%2Fdashboard%2Fprobe%2Fwho%3Fx%3D1"
    );
    assert_eq!(form.status(), StatusCode::FORBIDDEN);
    assert!(form
        .text()
        .await
        .unwrap()
        .contains("Your session has ended"));
    assert!(
        settings(&app.db, &org.org_id)
            .await
            .unwrap()
            .unwrap()
            .auto_collect
    );
}

#[tokio::test]
async fn an_idle_or_week_old_session_ends() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    let probe = probe(&app).await;
    let idle = member(&app, &org.org_id, "ana@example.com", Role::Admin).await;
    let old = member(&app, &org.org_id, "bea@example.com", Role::Admin).await;
    let now = now_ms();
    let hour = 60 * 60 * 1000;
    let set = |column: &'static str, value: i64, visitor: &Visitor| {
        let hash = secret_hash(visitor.cookie.as_deref().unwrap());
        let db = app.db.clone();
        async move {
            sqlx::query(&format!(
                "UPDATE sessions SET {column} = $1 WHERE id_hash = $2"
            ))
            .bind(value)
            .bind(hash)
            .execute(db.pool())
            .await
            .unwrap();
        }
    };
    // Eleven idle hours are fine; twelve end the session.
    set("last_seen", now - 11 * hour, &idle).await;
    assert_eq!(
        idle.at(&probe).get("/dashboard/probe/who").await.status(),
        StatusCode::OK
    );
    set("last_seen", now - 12 * hour - 1000, &idle).await;
    // Busy all week, but the week is over.
    set("expires_at", now - 1, &old).await;

    for visitor in [&idle, &old] {
        let response = visitor.at(&probe).get("/dashboard/probe/who").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(location(&response).ends_with("&notice=expired"));
    }
}

#[tokio::test]
async fn removing_a_user_or_changing_their_role_takes_effect_at_once() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    let other = app.buyer().await;
    let probe = probe(&app).await;
    let ana = member(&app, &org.org_id, "ana@example.com", Role::Admin).await;
    let bea = member(&app, &org.org_id, "bea@example.com", Role::Admin).await;
    let listed = users::list_users(&app.db, &org.org_id).await.unwrap();
    assert_eq!(listed.len(), 2);
    let id_of = |email: &str| listed.iter().find(|u| u.email == email).unwrap().id.clone();

    // Another org's admin cannot touch them.
    assert!(
        !users::remove_user(&app.db, &other.org_id, &id_of("ana@example.com"))
            .await
            .unwrap()
    );
    assert!(!users::set_role(
        &app.db,
        &other.org_id,
        &id_of("bea@example.com"),
        Role::Viewer
    )
    .await
    .unwrap());
    assert!(
        users::remove_user(&app.db, &org.org_id, &id_of("ana@example.com"))
            .await
            .unwrap()
    );
    assert!(users::set_role(
        &app.db,
        &org.org_id,
        &id_of("bea@example.com"),
        Role::Viewer
    )
    .await
    .unwrap());

    let removed = ana.at(&probe).get("/dashboard/probe/who").await;
    let demoted = bea.at(&probe).get("/dashboard/probe/admin").await;
    let removed_signs_in = Visitor::new(&app.base)
        .sign_in("ana@example.com", PASSWORD)
        .await;

    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert_eq!(demoted.status(), StatusCode::FORBIDDEN);
    assert_eq!(removed_signs_in.status(), StatusCode::UNAUTHORIZED);
    let left = users::list_users(&app.db, &org.org_id).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].role, Role::Viewer);
    // The email is free again.
    invite(&app, &other.org_id, "ana@example.com", Role::Viewer).await;
}

#[tokio::test]
async fn dashboard_pages_are_not_cached_or_framed() {
    let app = TestApp::start().await;

    let response = Visitor::new(&app.base).get("/dashboard/sign-in").await;

    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-frame-options"], "DENY");
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
}

#[tokio::test]
async fn the_demo_users_sign_in_with_the_printed_passwords_across_restarts() {
    let app = TestApp::start_with(|config| config.demo = true).await;
    let demo = app.state.demo.clone().unwrap();
    let probe = probe(&app).await;

    for (user, org) in [
        (demo.generator_user.clone().unwrap(), &demo.generator.org_id),
        (demo.buyer_user.clone().unwrap(), &demo.buyer.org_id),
    ] {
        let mut visitor = Visitor::new(&app.base);
        let response = visitor.sign_in(&user.email, &user.password).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", user.email);
        let who = visitor.at(&probe).get("/dashboard/probe/who").await;
        let who = who.text().await.unwrap();
        assert!(
            who.starts_with(&format!("{} admin {org}", user.email)),
            "{who}"
        );
    }
    let file = std::fs::read_to_string(app.data_dir().join("demo-credentials.json")).unwrap();
    assert!(file.contains(&demo.buyer_user.clone().unwrap().password));

    let again = app.another_process_with(|config| config.demo = true).await;
    let again_demo = again.state.demo.clone().unwrap();
    let buyer = again_demo.buyer_user.clone().unwrap();
    assert_eq!(buyer.password, demo.buyer_user.clone().unwrap().password);
    let response = Visitor::new(&again.base)
        .sign_in(&buyer.email, &buyer.password)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}
