//! The real binary: `org create` prints exactly one JSON object.

use std::process::Command;

use serde_json::Value;

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
