//! End to end: the server sends its checkpoints to two witness processes (`EC_WITNESSES`), a
//! capture's proof verifies offline with both cosignatures (`verify --witness ×2 --quorum 2`);
//! then the operator edits the database to rewrite an entry, and the witnesses refuse the next
//! checkpoint while `verify --consistency` against the kept checkpoint fails.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use base64::Engine as _;
use expressconsent_server::log::keys::LogKeys;
use expressconsent_server::orgs::ids::{new_id, IdKind};
use expressconsent_server::verify::proof::TlogProof;
use reqwest::StatusCode;
use sha2::{Digest as _, Sha256};
use tlog_tiles::{Hash, HashReader};

use crate::helpers::{capture_body, TestApp};

const BIN: &str = env!("CARGO_BIN_EXE_expressconsent-server");

struct WitnessProcess {
    child: Child,
    url: String,
    vkey: String,
}

impl Drop for WitnessProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_witness(dir: &Path, log_vkey: &str, name: &str) -> WitnessProcess {
    let mut child = Command::new(BIN)
        .args(["witness", "--bind", "127.0.0.1:0", "--name", name])
        .args(["--log-key", log_vkey])
        .arg("--data-dir")
        .arg(dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().unwrap().unwrap();
    let vkey = lines.next().unwrap().unwrap();
    WitnessProcess {
        child,
        url: url.strip_prefix("witness listening on ").unwrap().into(),
        vkey: vkey.strip_prefix("witness key: ").unwrap().into(),
    }
}

fn verify_cli(args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("verify")
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .unwrap()
}

/// Polls the CDR's proof until its checkpoint carries `cosignatures` witness lines (the
/// server publishes the plain checkpoint first, then the cosigned one).
async fn proof_with(app: &TestApp, api_key: &str, cdr_id: &str, cosignatures: usize) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let response = app.get(api_key, &format!("/v1/cdrs/{cdr_id}/proof")).await;
        if response.status() == StatusCode::OK {
            let text = response.text().await.unwrap();
            if text.matches("\n— ").count() == 1 + cosignatures {
                return text;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "proof of {cdr_id} in time"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The stored evidence bytes whose SHA-256 is the CDR's `contentSha256`.
async fn evidence_of(app: &TestApp, api_key: &str, cdr_id: &str) -> Vec<u8> {
    let details = app.get_data(api_key, &format!("/v1/cdrs/{cdr_id}")).await;
    let want = details["contentSha256"].as_str().unwrap().to_owned();
    for path in app.evidence_files() {
        let bytes = std::fs::read(&path).unwrap();
        if hex::encode(Sha256::digest(&bytes)) == want {
            return bytes;
        }
        let mut plain = Vec::new();
        if std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain)
            .is_ok()
            && hex::encode(Sha256::digest(&plain)) == want
        {
            return plain;
        }
    }
    panic!("no evidence file hashes to {want}");
}

struct DbHashes(Vec<Hash>);

impl HashReader for DbHashes {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| {
                self.0
                    .get(i as usize)
                    .copied()
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn witnessed_proofs_verify_and_a_rewritten_entry_is_refused_by_witnesses_and_consistency() {
    let tmp = tempfile::tempdir().unwrap();
    let origin = "witnessed.test/log";
    let (keys, skey) = LogKeys::generate(origin).unwrap();
    let log_vkey = keys.verifier_key().to_owned();
    let w1 = start_witness(&tmp.path().join("w1"), &log_vkey, "w1.test");
    let w2 = start_witness(&tmp.path().join("w2"), &log_vkey, "w2.test");
    let witnesses = vec![
        format!("{}@{}", w1.vkey, w1.url),
        format!("{}@{}", w2.vkey, w2.url),
    ];
    let app = TestApp::start_with(|config| {
        config.log.log_origin = Some(origin.into());
        config.log.log_key = Some(skey.clone());
        config.log.witnesses = witnesses.clone();
    })
    .await;
    let generator = app.generator(true).await;

    // A capture; its proof carries both cosignatures and verifies offline.
    let data = app
        .captured(&generator.org_id, &capture_body(&new_id(IdKind::Request)))
        .await;
    let cdr_id = data["cdrId"].as_str().unwrap().to_owned();
    let proof = proof_with(&app, &generator.api_key, &cdr_id, 2).await;
    let evidence = evidence_of(&app, &generator.api_key, &cdr_id).await;
    let (ev_path, proof_path) = (
        tmp.path().join("evidence"),
        tmp.path().join("cdr.tlog-proof"),
    );
    std::fs::write(&ev_path, &evidence).unwrap();
    std::fs::write(&proof_path, &proof).unwrap();
    let (ev_arg, proof_arg) = (ev_path.to_str().unwrap(), proof_path.to_str().unwrap());
    let quorum = [
        "--key",
        &log_vkey,
        "--witness",
        &w1.vkey,
        "--witness",
        &w2.vkey,
        "--quorum",
        "2",
    ];
    let out = verify_cli(&[&["--evidence", ev_arg, "--proof", proof_arg][..], &quorum].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let proved: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(proved["cdrId"], cdr_id.as_str());
    assert_eq!(proved["witnessed"], 2);
    let kept_checkpoint = TlogProof::parse(proof.as_bytes()).unwrap().checkpoint;
    let kept = tmp.path().join("kept.checkpoint");
    std::fs::write(&kept, &kept_checkpoint).unwrap();
    let size_before = app.count("log_entries").await as u64;
    let kept_args = [
        "--consistency",
        "--old",
        kept.to_str().unwrap(),
        "--log",
        &app.base,
        "--key",
        &log_vkey,
    ];
    let out = verify_cli(&kept_args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The operator rewrites entry 0 in the database: its text and its leaf hash.
    let forged_entry =
        String::from_utf8(TlogProof::parse(proof.as_bytes()).unwrap().extra.unwrap())
            .unwrap()
            .replace(&proved["contentSha256"].as_str().unwrap()[..8], "00000000");
    let forged_leaf = hex::encode(tlog_tiles::record_hash(forged_entry.as_bytes()).0);
    sqlx::query(&format!(
        "UPDATE log_entries SET entry = '{forged_entry}' WHERE idx = 0"
    ))
    .execute(app.db.pool())
    .await
    .unwrap();
    sqlx::query(&format!(
        "UPDATE log_hashes SET hash = '{forged_leaf}' WHERE idx = 0"
    ))
    .execute(app.db.pool())
    .await
    .unwrap();

    // The next capture makes a checkpoint over the rewritten tree: no witness cosigns it.
    let data = app
        .captured(&generator.org_id, &capture_body(&new_id(IdKind::Request)))
        .await;
    let second = data["cdrId"].as_str().unwrap().to_owned();
    let forged_proof = proof_with(&app, &generator.api_key, &second, 0).await;
    let forged_size = TlogProof::parse(forged_proof.as_bytes()).unwrap();
    assert!(forged_size.index >= size_before);
    // Asked directly, with the rewritten tree's own consistency proof, both refuse (422):
    // they are still at the size they cosigned.
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT idx, hash FROM log_hashes ORDER BY idx")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let stored = DbHashes(
        rows.iter()
            .map(|(_, h)| Hash(hex::decode(h).unwrap().try_into().unwrap()))
            .collect(),
    );
    let checkpoint = app
        .client
        .get(format!("{}/log/checkpoint", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let new_size: u64 = checkpoint.lines().nth(1).unwrap().parse().unwrap();
    assert!(new_size > size_before);
    let mut body = format!("old {size_before}\n");
    for h in tlog_tiles::prove_tree(new_size, size_before, &stored).unwrap() {
        body.push_str(&base64::engine::general_purpose::STANDARD.encode(h.0));
        body.push('\n');
    }
    body.push('\n');
    body.push_str(&checkpoint);
    for w in [&w1, &w2] {
        let response = app
            .client
            .post(format!("{}/add-checkpoint", w.url))
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // A buyer who requires both witnesses does not accept the new proof.
    let forged_path = tmp.path().join("second.tlog-proof");
    std::fs::write(&forged_path, &forged_proof).unwrap();
    let second_evidence = evidence_of(&app, &generator.api_key, &second).await;
    let second_ev = tmp.path().join("second-evidence");
    std::fs::write(&second_ev, second_evidence).unwrap();
    let out = verify_cli(
        &[
            &[
                "--evidence",
                second_ev.to_str().unwrap(),
                "--proof",
                forged_path.to_str().unwrap(),
            ][..],
            &quorum,
        ]
        .concat(),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("only 0 of 2 required witness cosignatures are valid"));
    // And the kept checkpoint exposes the rewrite.
    let out = verify_cli(&kept_args);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not extend the old checkpoint"), "{err}");
}
