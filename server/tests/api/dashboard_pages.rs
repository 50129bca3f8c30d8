//! The dashboard's own pages and forms over HTTP (the browser journeys are in
//! `tests/e2e/dashboard.test.mjs`): an admin manages users through Settings, and no form
//! reaches another org's users, keys or CDRs.

use expressconsent_server::db::keys::list_keys;
use expressconsent_server::db::users::{self, Role};
use reqwest::StatusCode;

use crate::dashboard_auth::{member, Visitor, PASSWORD};
use crate::helpers::{capture_body, TestApp};

/// The CSRF token a page put in its forms.
async fn csrf_of(visitor: &Visitor, path: &str) -> String {
    let page = visitor.get(path).await;
    assert_eq!(page.status(), StatusCode::OK, "{path}");
    let html = page.text().await.unwrap();
    let (_, rest) = html
        .split_once(r#"name="csrf" value=""#)
        .expect("a form with the CSRF field");
    rest.split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn an_admin_invites_someone_who_signs_in_and_removing_them_ends_their_session() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    let admin = member(&app, &org.org_id, "admin@example.com", Role::Admin).await;
    let csrf = csrf_of(&admin, "/dashboard/settings").await;

    let answer = admin
        .post(
            "/dashboard/settings/users",
            &[
                ("csrf", &csrf),
                ("email", "Nora@Example.com"),
                ("role", "viewer"),
            ],
            &[],
        )
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    let html = answer.text().await.unwrap();
    let start = html
        .find("/dashboard/welcome?token=")
        .expect("the link is shown");
    let token: String = html[start + "/dashboard/welcome?token=".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();

    let mut nora = Visitor::new(&app.base);
    let chosen = nora
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
    assert_eq!(chosen.status(), StatusCode::SEE_OTHER);
    nora.keep_cookie(&chosen);
    assert_eq!(nora.get("/dashboard/").await.status(), StatusCode::OK);
    // A viewer: no settings.
    assert_eq!(
        nora.get("/dashboard/settings").await.status(),
        StatusCode::FORBIDDEN
    );

    let listed = users::list_users(&app.db, &org.org_id).await.unwrap();
    let nora_id = listed
        .iter()
        .find(|u| u.email == "nora@example.com")
        .expect("stored lower-cased")
        .id
        .clone();
    let removed = admin
        .post(
            &format!("/dashboard/settings/users/{nora_id}/remove"),
            &[("csrf", &csrf)],
            &[],
        )
        .await;
    assert_eq!(removed.status(), StatusCode::OK);
    let after = nora.get("/dashboard/").await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "signed out at once");
    assert!(after.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/dashboard/sign-in"));
}

#[tokio::test]
async fn no_settings_form_reaches_another_orgs_users_or_keys() {
    let app = TestApp::start().await;
    let ours = app.buyer().await;
    let theirs = app.buyer().await;
    let admin = member(&app, &ours.org_id, "admin@ours.example", Role::Admin).await;
    let mut their_user = member(&app, &theirs.org_id, "user@theirs.example", Role::Admin).await;
    let their_user_id = users::list_users(&app.db, &theirs.org_id).await.unwrap()[0]
        .id
        .clone();
    let their_key = list_keys(&app.db, &theirs.org_id).await.unwrap()[0]
        .key_id
        .clone();
    let csrf = csrf_of(&admin, "/dashboard/settings").await;

    for path in [
        format!("/dashboard/settings/users/{their_user_id}/remove"),
        format!("/dashboard/settings/users/{their_user_id}/role"),
        format!("/dashboard/settings/keys/{their_key}/revoke"),
    ] {
        let answer = admin
            .post(&path, &[("csrf", &csrf), ("role", "viewer")], &[])
            .await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
        let body = answer.text().await.unwrap();
        assert!(
            !body.contains(&their_user_id) && !body.contains(&their_key),
            "{path}"
        );
    }
    // Nothing of theirs changed: the key still authenticates, the user still signs in as
    // an admin.
    assert_eq!(
        app.get(&theirs.api_key, "/v1/org").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        their_user
            .sign_in("user@theirs.example", PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        their_user.get("/dashboard/settings").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn another_orgs_cdr_is_not_found_on_every_page_and_form_of_the_dashboard() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let stranger = app.buyer().await;
    let cdr = app.captured(&generator.org_id, &capture_body("k1")).await;
    let cdr_id = cdr["cdrId"].as_str().unwrap();
    let visitor = member(&app, &stranger.org_id, "x@stranger.example", Role::Admin).await;
    let csrf = csrf_of(&visitor, "/dashboard/claim").await;

    for path in [
        "",
        "/image.png",
        "/thumbnail.png",
        "/report.pdf",
        "/snapshot",
        "/snapshot.html",
        "/evidence.json",
    ] {
        let answer = visitor
            .get(&format!("/dashboard/cdrs/{cdr_id}{path}"))
            .await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "GET {path}");
        assert!(
            !answer.text().await.unwrap().contains("example.com/form"),
            "{path}"
        );
    }
    for action in ["collect", "share", "match"] {
        let answer = visitor
            .post(
                &format!("/dashboard/cdrs/{cdr_id}/{action}"),
                &[("csrf", &csrf), ("phone", "+1 201 555 0123")],
                &[],
            )
            .await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "POST {action}");
    }
    assert_eq!(app.billed(&stranger.org_id).await, 0, "nothing was billed");
    assert_eq!(app.relation(&stranger.org_id, cdr_id).await, None);
}
