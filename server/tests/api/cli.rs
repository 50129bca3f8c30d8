//! The real binary: operator commands print exactly one JSON line, fail loudly, and act
//! on the data of running servers.

use std::process::{Command, Output};

use serde_json::{json, Value};

use crate::helpers::{error_message, TestApp};

#[test]
fn org_create_prints_one_json_line_with_the_org_and_its_key() {
    let data_dir = tempfile::tempdir().unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_expressconsent-server"))
        .args([
            "org",
            "create",
            "--name",
            "Acme Leads",
            "--domain",
            "Example.com",
        ])
        .args(["--domain", "localhost", "--no-auto-collect"])
        .env("EC_DATA_DIR", data_dir.path())
        .env_remove("EC_DATABASE_URL")
        .output()
        .unwrap();

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let created: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(created["orgId"].as_str().unwrap().starts_with("cid_"));
    let (key_id, secret) = created["apiKey"].as_str().unwrap().split_once('.').unwrap();
    assert!(key_id.starts_with("key_"));
    assert!(secret.len() >= 32);
    assert_eq!(created.as_object().unwrap().len(), 2);
}

#[test]
fn org_create_refuses_a_domain_with_a_scheme() {
    let data_dir = tempfile::tempdir().unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_expressconsent-server"))
        .args([
            "org",
            "create",
            "--name",
            "Acme",
            "--domain",
            "https://example.com",
        ])
        .env("EC_DATA_DIR", data_dir.path())
        .output()
        .unwrap();

    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
}

/// Runs the real binary on the app's data (SQLite file or PostgreSQL database). Waits on
/// a blocking thread: the test's runtime also runs the server, whose writer may hold
/// SQLite's write lock across an await, and must keep going while the command waits for it.
pub(crate) fn run_cli(
    app: &TestApp,
    args: &[&str],
) -> impl std::future::Future<Output = Output> + 'static {
    let mut command = Command::new(env!("CARGO_BIN_EXE_expressconsent-server"));
    command
        .args(args)
        .env("EC_DATA_DIR", app.data_dir())
        .env("RUST_LOG", "warn");
    match &app.database_url {
        Some(url) => command.env("EC_DATABASE_URL", url),
        None => command.env_remove("EC_DATABASE_URL"),
    };
    async move {
        tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap()
    }
}

/// The one JSON line a successful command prints.
pub(crate) fn printed(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    serde_json::from_str(stdout.trim()).unwrap()
}

#[tokio::test]
async fn key_create_prints_a_second_live_key_once() {
    let app = TestApp::start().await;
    let org = app.buyer().await;

    let created = printed(&run_cli(&app, &["key", "create", "--org", &org.org_id]).await);

    let key_id = created["keyId"].as_str().unwrap();
    let api_key = created["apiKey"].as_str().unwrap();
    assert!(key_id.starts_with("key_"));
    assert!(api_key.starts_with(&format!("{key_id}.")));
    assert_eq!(created.as_object().unwrap().len(), 2);
    for key in [api_key, org.api_key.as_str()] {
        let data = app.get_data(key, "/v1/org").await;
        assert_eq!(data["orgId"], org.org_id.as_str(), "both keys are live");
    }
}

#[tokio::test]
async fn key_create_for_an_unknown_org_fails_with_a_message() {
    let app = TestApp::start().await;

    let output = run_cli(&app, &["key", "create", "--org", "cid_nosuchorg"]).await;

    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no org cid_nosuchorg"), "{stderr}");
}

#[tokio::test]
async fn key_revoke_takes_effect_at_once_on_every_server_process() {
    let app = TestApp::start().await;
    let other_process = app.another_process().await;
    let org = app.buyer().await;
    let spare = printed(&run_cli(&app, &["key", "create", "--org", &org.org_id]).await);
    let (key_id, _) = org.api_key.split_once('.').unwrap();
    for server in [&app, &other_process] {
        server.get_data(&org.api_key, "/v1/org").await;
    }

    let revoked = printed(&run_cli(&app, &["key", "revoke", key_id]).await);

    assert_eq!(revoked, json!({ "keyId": key_id, "revoked": true }));
    for server in [&app, &other_process] {
        let response = server.get(&org.api_key, "/v1/org").await;
        error_message(response, 401, "UNAUTHENTICATED").await;
        let spare_key = spare["apiKey"].as_str().unwrap();
        server.get_data(spare_key, "/v1/org").await;
    }
}

#[tokio::test]
async fn key_revoke_of_an_unknown_key_fails_and_revoking_twice_is_harmless() {
    let app = TestApp::start().await;
    let org = app.buyer().await;
    let (key_id, _) = org.api_key.split_once('.').unwrap();

    let unknown = run_cli(&app, &["key", "revoke", "key_aaaaaaaaaaaaaaaaaaaaaaaa"]).await;
    printed(&run_cli(&app, &["key", "revoke", key_id]).await);
    let again = run_cli(&app, &["key", "revoke", &org.api_key]).await;

    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no API key"));
    assert_eq!(printed(&again)["revoked"], true);
}

#[tokio::test]
async fn org_list_prints_every_org_with_its_settings() {
    let app = TestApp::start().await;
    let generator = app.generator(false).await;
    let buyer = app.buyer().await;

    let listed = printed(&run_cli(&app, &["org", "list"]).await);

    let orgs = listed.as_array().unwrap();
    assert_eq!(orgs.len(), 2);
    let find = |id: &str| orgs.iter().find(|o| o["orgId"] == id).unwrap().clone();
    assert_eq!(find(&generator.org_id)["domains"], json!(["example.com"]));
    assert_eq!(find(&generator.org_id)["autoCollect"], false);
    assert_eq!(find(&buyer.org_id)["domains"], json!([]));
}
