//! Offline verification and witnesses, with real processes: the `expressconsent-server verify`
//! and `witness` commands run as a buyer and a witness operator would run them, against a log
//! built here with `tlog_tiles` + `signed_note` exactly as the C2SP specifications and the
//! shared decisions of issue 13 define it (entries, leaf hashes, checkpoints, proofs, tiles).

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use base64::prelude::{Engine as _, BASE64_STANDARD};
use expressconsent_server::verify::consistency::tile_url;
use expressconsent_server::verify::offline::{verify, VerifyError};
use expressconsent_server::verify::proof::{EntryFields, TlogProof};
use sha2::{Digest as _, Sha256};
use signed_note::{Note, StandardSigner};
use tlog_tiles::{Checkpoint, Hash, HashReader, Tile};

const BIN: &str = env!("CARGO_BIN_EXE_expressconsent-server");
const ORIGIN: &str = "127.0.0.1:8080/log";

// ---------------------------------------------------------------- a log, built from the specs

/// A signing key for a log: the signed-note private key string and verifier key string.
fn log_keys(origin: &str, seed: [u8; 32]) -> (StandardSigner, String) {
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    let vkey = signed_note::new_ed25519_verifier_key(origin, &key.verifying_key());
    let public = [&[1u8][..], key.verifying_key().as_bytes()].concat();
    let skey = format!(
        "PRIVATE+KEY+{origin}+{:08x}+{}",
        signed_note::key_id(origin, &public),
        BASE64_STANDARD.encode([&[1u8][..], &seed[..]].concat())
    );
    (StandardSigner::new(&skey).unwrap(), vkey)
}

struct Stored(Vec<Hash>);

impl HashReader for Stored {
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

/// An in-memory log: entries, stored hashes (tlog_tiles), signed checkpoints (signed_note).
struct TestLog {
    signer: StandardSigner,
    entries: Vec<Vec<u8>>,
    stored: Stored,
}

impl TestLog {
    fn new(signer: StandardSigner) -> Self {
        Self {
            signer,
            entries: Vec::new(),
            stored: Stored(Vec::new()),
        }
    }

    fn append(&mut self, entry: Vec<u8>) {
        let n = self.entries.len() as u64;
        let hashes = tlog_tiles::stored_hashes(n, &entry, &self.stored).unwrap();
        self.stored.0.extend(hashes);
        self.entries.push(entry);
    }

    fn size(&self) -> u64 {
        self.entries.len() as u64
    }

    fn root(&self) -> Hash {
        tlog_tiles::tree_hash(self.size(), &self.stored).unwrap()
    }

    fn checkpoint(&self) -> Vec<u8> {
        let text = Checkpoint::new(ORIGIN, self.size(), self.root(), "")
            .unwrap()
            .to_bytes();
        let mut note = Note::new(&text, &[]).unwrap();
        note.add_sigs(&[&self.signer]).unwrap();
        note.to_bytes()
    }

    fn proof(&self, index: u64, checkpoint: &[u8]) -> String {
        TlogProof {
            extra: Some(self.entries[index as usize].clone()),
            index,
            hashes: tlog_tiles::prove_record(self.size(), index, &self.stored).unwrap(),
            checkpoint: checkpoint.to_vec(),
        }
        .to_text()
    }

    /// The add-checkpoint body from `old` to the current size (tlog-witness).
    fn add_checkpoint_body(&self, old: u64, checkpoint: &[u8]) -> Vec<u8> {
        let mut body = format!("old {old}\n").into_bytes();
        if old > 0 && old < self.size() {
            for h in tlog_tiles::prove_tree(self.size(), old, &self.stored).unwrap() {
                body.extend(format!("{}\n", BASE64_STANDARD.encode(h.0)).bytes());
            }
        }
        body.push(b'\n');
        body.extend_from_slice(checkpoint);
        body
    }

    /// The hash tiles of the current tree, by URL path (c2sp.org/tlog-tiles).
    fn tiles(&self) -> HashMap<String, Vec<u8>> {
        Tile::new_tiles(8, 0, self.size())
            .into_iter()
            .map(|t| (tile_url("", &t), t.read_data(&self.stored).unwrap()))
            .collect()
    }
}

fn evidence(n: usize) -> Vec<u8> {
    format!("{{\"snapshot\":\"consent page {n}\",\"checked\":true}}").into_bytes()
}

fn entry_for(n: usize, evidence: &[u8]) -> Vec<u8> {
    EntryFields {
        cdr_id: format!("cdr_{n:04}"),
        org_id: "org_gen".into(),
        domain_id: "dom_1".into(),
        content_sha256: hex::encode(Sha256::digest(evidence)),
        received_ms: 1_764_547_200_000 + n as u64,
    }
    .to_bytes()
}

fn log_of(n: usize, seed: [u8; 32]) -> (TestLog, String) {
    let (signer, vkey) = log_keys(ORIGIN, seed);
    let mut log = TestLog::new(signer);
    for i in 0..n {
        log.append(entry_for(i, &evidence(i)));
    }
    (log, vkey)
}

// ---------------------------------------------------------------- processes and files

struct WitnessProcess {
    child: Child,
    url: String,
    vkey: String,
    dir: PathBuf,
}

impl Drop for WitnessProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_witness(dir: &Path, log_vkey: &str, name: &str) -> WitnessProcess {
    let mut child = Command::new(BIN)
        .args([
            "witness",
            "--bind",
            "127.0.0.1:0",
            "--name",
            name,
            "--log-key",
            log_vkey,
        ])
        .arg("--data-dir")
        .arg(dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("witness listening on ")
        .unwrap()
        .to_owned();
    let second = lines.next().unwrap().unwrap();
    let vkey = second.strip_prefix("witness key: ").unwrap().to_owned();
    WitnessProcess {
        child,
        url,
        vkey,
        dir: dir.to_owned(),
    }
}

async fn add_checkpoint(witness: &WitnessProcess, body: Vec<u8>) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/add-checkpoint", witness.url))
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Sends the log's checkpoint to each witness (from `old`) and returns it with their
/// cosignatures appended, as a log serves it.
async fn cosigned(log: &TestLog, old: u64, witnesses: &[&WitnessProcess]) -> Vec<u8> {
    let mut note = log.checkpoint();
    for w in witnesses {
        let response = add_checkpoint(w, log.add_checkpoint_body(old, &log.checkpoint())).await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        let lines = response.bytes().await.unwrap();
        assert!(lines.starts_with("— ".as_bytes()) && lines.ends_with(b"\n"));
        note.extend_from_slice(&lines);
    }
    note
}

fn run_verify(args: &[&str], files: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("verify").args(args).env("RUST_LOG", "off");
    for (flag, path) in files {
        cmd.arg(flag).arg(path);
    }
    cmd.output().unwrap()
}

fn failure(output: &Output) -> String {
    assert!(
        !output.status.success(),
        "expected a failure, got {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Replaces the byte at `at` with another character of the same class (base64 alphabet or
/// digit), so the change is a plausible forgery rather than a parse error.
fn change_byte(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at] = match out[at] {
        b'0'..=b'8' => out[at] + 1,
        b'9' => b'0',
        b'A' => b'B',
        b'a'..=b'y' | b'A'..=b'Y' => out[at] + 1,
        b'z' => b'a',
        b'Z' => b'A',
        other => other ^ 0x01,
    };
    out
}

fn position(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {text}"))
}

// ---------------------------------------------------------------- the tests

#[tokio::test]
async fn a_witnessed_proof_verifies_and_any_changed_byte_fails_with_the_check_that_caught_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (log, vkey) = log_of(11, [7; 32]);
    let w1 = start_witness(&tmp.path().join("w1"), &vkey, "witness-one.example/w");
    let w2 = start_witness(&tmp.path().join("w2"), &vkey, "witness-two.example/w");
    let checkpoint = cosigned(&log, 0, &[&w1, &w2]).await;
    let index = 6;
    let proof = log.proof(index, &checkpoint);
    let ev = evidence(index as usize);
    let (ev_path, proof_path) = (
        tmp.path().join("evidence.json"),
        tmp.path().join("p.tlog-proof"),
    );
    std::fs::write(&ev_path, &ev).unwrap();
    std::fs::write(&proof_path, &proof).unwrap();
    let witness_args = [
        "--key",
        &vkey,
        "--witness",
        &w1.vkey,
        "--witness",
        &w2.vkey,
        "--quorum",
        "2",
    ];

    // The good set: exit 0 and one JSON object saying what was proved.
    let out = run_verify(
        &witness_args,
        &[("--evidence", &ev_path), ("--proof", &proof_path)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let proved: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(proved["verified"], true);
    assert_eq!(proved["cdrId"], "cdr_0006");
    assert_eq!(proved["index"], 6);
    assert_eq!(proved["treeSize"], 11);
    assert_eq!(proved["origin"], ORIGIN);
    assert_eq!(proved["rootHash"], BASE64_STANDARD.encode(log.root().0));
    assert_eq!(proved["witnessed"], 2);

    // One changed byte in the evidence, anywhere.
    for at in [0, ev.len() / 2, ev.len() - 1] {
        let path = tmp.path().join(format!("ev{at}"));
        std::fs::write(&path, change_byte(&ev, at)).unwrap();
        let err = failure(&run_verify(
            &witness_args,
            &[("--evidence", &path), ("--proof", &proof_path)],
        ));
        assert!(
            err.contains("evidence hash does not match the log entry"),
            "{err}"
        );
    }

    // One changed byte in the proof, at positions each check owns.
    let cp_text = std::str::from_utf8(&checkpoint).unwrap();
    let root_b64 = cp_text.lines().nth(2).unwrap();
    let log_sig = cp_text
        .lines()
        .find(|l| l.starts_with(&format!("— {ORIGIN} ")))
        .unwrap();
    let w2_sig = cp_text
        .lines()
        .find(|l| l.starts_with("— witness-two"))
        .unwrap();
    let first_hash = proof.lines().nth(3).unwrap();
    let cases = [
        (
            position(&proof, "tlog-proof@v1") + 2,
            "the proof file is not a c2sp.org/tlog-proof@v1 document",
        ),
        (
            position(&proof, "index ") + 6,
            "inclusion proof does not lead to the checkpoint's root",
        ),
        (
            position(&proof, first_hash) + 10,
            "inclusion proof does not lead to the checkpoint's root",
        ),
        (
            position(&proof, "\n11\n") + 1,
            "checkpoint signature is not valid for this key",
        ),
        (
            position(&proof, root_b64) + 20,
            "checkpoint signature is not valid for this key",
        ),
        (
            position(&proof, log_sig) + log_sig.len() - 20,
            "checkpoint signature is not valid for this key",
        ),
        (
            position(&proof, w2_sig) + w2_sig.len() - 20,
            "only 1 of 2 required witness cosignatures are valid",
        ),
    ];
    for (at, message) in cases {
        let path = tmp.path().join(format!("proof{at}"));
        std::fs::write(&path, change_byte(proof.as_bytes(), at)).unwrap();
        let err = failure(&run_verify(
            &witness_args,
            &[("--evidence", &ev_path), ("--proof", &path)],
        ));
        assert!(
            err.contains(message),
            "byte {at}: expected {message:?}, got {err}"
        );
    }

    // And exhaustively, in process: no single changed byte of the proof still verifies.
    let witnesses = [w1.vkey.clone(), w2.vkey.clone()];
    for at in 0..proof.len() {
        let changed = change_byte(proof.as_bytes(), at);
        assert!(
            verify(&ev, &changed, &vkey, &witnesses, None).is_err(),
            "a change at byte {at} went unnoticed"
        );
    }
    assert!(verify(&ev, proof.as_bytes(), &vkey, &witnesses, None).is_ok());
}

#[tokio::test]
async fn wrong_key_and_a_missing_witness_fail_and_the_quorum_counts_valid_cosignatures() {
    let tmp = tempfile::tempdir().unwrap();
    let (log, vkey) = log_of(3, [9; 32]);
    let w1 = start_witness(&tmp.path().join("w1"), &vkey, "w1.example");
    let absent = start_witness(&tmp.path().join("w3"), &vkey, "w3.example");
    let checkpoint = cosigned(&log, 0, &[&w1]).await;
    let proof = log.proof(2, &checkpoint);
    let ev = evidence(2);

    // A different log key of the same name: the checkpoint is not its.
    let (_, other) = log_keys(ORIGIN, [10; 32]);
    assert_eq!(
        verify(&ev, proof.as_bytes(), &other, &[], None).unwrap_err(),
        VerifyError::Signature
    );
    // Two witnesses given, one cosigned: the default quorum (all) fails, quorum 1 passes.
    let both = [w1.vkey.clone(), absent.vkey.clone()];
    let err = verify(&ev, proof.as_bytes(), &vkey, &both, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "only 1 of 2 required witness cosignatures are valid"
    );
    let ok = verify(&ev, proof.as_bytes(), &vkey, &both, Some(1)).unwrap();
    assert_eq!(ok.witnessed, 1);
    assert_eq!(ok.witnesses, vec!["w1.example".to_owned()]);
    // A log key is not a witness key.
    assert!(matches!(
        verify(
            &ev,
            proof.as_bytes(),
            &vkey,
            std::slice::from_ref(&vkey),
            None
        ),
        Err(VerifyError::Key(_))
    ));
    // The command line says the same.
    let (ev_path, proof_path) = (tmp.path().join("e"), tmp.path().join("p"));
    std::fs::write(&ev_path, &ev).unwrap();
    std::fs::write(&proof_path, &proof).unwrap();
    let err = failure(&run_verify(
        &["--key", &other],
        &[("--evidence", &ev_path), ("--proof", &proof_path)],
    ));
    assert!(
        err.contains("checkpoint signature is not valid for this key"),
        "{err}"
    );
    // `witness key` prints the key the running witness announced.
    let out = Command::new(BIN)
        .args(["witness", "key", "--data-dir"])
        .arg(&absent.dir)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), absent.vkey);
}

/// What the log server publishes: the checkpoint and the tiles by path.
type Published = Arc<Mutex<(Vec<u8>, HashMap<String, Vec<u8>>)>>;

/// Serves a log's `/log/checkpoint` and `/log/tile/…` over HTTP, from whatever tree it holds now.
struct LogServer {
    url: String,
    content: Published,
}

impl LogServer {
    async fn start() -> Self {
        use axum::extract::{Path as UrlPath, State};
        use axum::http::StatusCode;
        let content: Published = Arc::default();
        let app = axum::Router::new()
            .route(
                "/log/checkpoint",
                axum::routing::get(|State(c): State<Published>| async move {
                    c.lock().unwrap().0.clone()
                }),
            )
            .route(
                "/log/tile/{*rest}",
                axum::routing::get(
                    |State(c): State<Published>, UrlPath(rest): UrlPath<String>| async move {
                        c.lock()
                            .unwrap()
                            .1
                            .get(&format!("/log/tile/{rest}"))
                            .cloned()
                            .ok_or(StatusCode::NOT_FOUND)
                    },
                ),
            )
            .with_state(content.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, content }
    }

    fn publish(&self, log: &TestLog, checkpoint: Vec<u8>) {
        *self.content.lock().unwrap() = (checkpoint, log.tiles());
    }
}

fn run_consistency(old: &Path, url: &str, vkey: &str) -> Output {
    run_verify(
        &["--consistency", "--log", url, "--key", vkey],
        &[("--old", old)],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn two_witnesses_follow_the_log_and_refuse_a_rewritten_history_as_does_verify_consistency() {
    let tmp = tempfile::tempdir().unwrap();
    let seed = [21; 32];
    let (mut log, vkey) = log_of(300, seed);
    let w1 = start_witness(&tmp.path().join("w1"), &vkey, "w1.example");
    let w2 = start_witness(&tmp.path().join("w2"), &vkey, "w2.example");
    let server = LogServer::start().await;

    // The log grows; both witnesses cosign each checkpoint (300 entries: a full tile and more).
    let first = cosigned(&log, 0, &[&w1, &w2]).await;
    let kept = tmp.path().join("kept-300.checkpoint");
    std::fs::write(&kept, &first).unwrap();
    for i in 300..520 {
        log.append(entry_for(i, &evidence(i)));
    }
    let second = cosigned(&log, 300, &[&w1, &w2]).await;
    server.publish(&log, second.clone());
    let out = run_consistency(&kept, &server.url, &vkey);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (result["oldSize"].as_u64(), result["treeSize"].as_u64()),
        (Some(300), Some(520))
    );
    // A kept proof file works as the old checkpoint too.
    let kept_proof = tmp.path().join("kept.tlog-proof");
    std::fs::write(&kept_proof, log.proof(5, &second)).unwrap();
    assert!(run_consistency(&kept_proof, &server.url, &vkey)
        .status
        .success());

    // A witness that is behind gets 409 with the size it has, as text/x.tlog.size.
    let stale = add_checkpoint(&w1, log.add_checkpoint_body(300, &log.checkpoint())).await;
    assert_eq!(stale.status(), 409);
    assert_eq!(stale.headers()["content-type"], "text/x.tlog.size");
    assert_eq!(stale.text().await.unwrap(), "520\n");

    // A checkpoint of another origin is 404, one not signed by the log key 403, an old size
    // beyond the checkpoint 400, and a body that is not a request 400 (tlog-witness).
    let (other_signer, _) = log_keys("other.example/log", [22; 32]);
    let mut other = TestLog::new(other_signer);
    other.append(b"x\n".to_vec());
    let text = Checkpoint::new("other.example/log", 1, other.root(), "")
        .unwrap()
        .to_bytes();
    let mut note = Note::new(&text, &[]).unwrap();
    note.add_sigs(&[&other.signer]).unwrap();
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(
        status(add_checkpoint(&w1, [b"old 0\n\n".as_slice(), &note.to_bytes()].concat()).await),
        404
    );
    let (impostor, _) = log_keys(ORIGIN, [23; 32]);
    let mut unsigned = Note::new(
        Checkpoint::new(ORIGIN, 521, log.root(), "")
            .unwrap()
            .to_bytes()
            .as_slice(),
        &[],
    )
    .unwrap();
    unsigned.add_sigs(&[&impostor]).unwrap();
    assert_eq!(
        status(
            add_checkpoint(
                &w1,
                [b"old 520\n\n".as_slice(), &unsigned.to_bytes()].concat()
            )
            .await
        ),
        403
    );
    assert_eq!(
        status(add_checkpoint(&w1, log.add_checkpoint_body(600, &log.checkpoint())).await),
        400
    );
    assert_eq!(status(add_checkpoint(&w1, b"hello".to_vec()).await), 400);

    // The operator rewrites entry 100 (same key, same origin) and re-signs its history.
    let (mut forged, _) = log_of(0, seed);
    for (i, entry) in log.entries.iter().enumerate() {
        if i == 100 {
            forged.append(entry_for(100, b"different evidence"));
        } else {
            forged.append(entry.clone());
        }
    }
    assert_eq!(forged.size(), 520);
    assert_ne!(forged.root(), log.root());
    // Same size, different root: 409 from both.
    for w in [&w1, &w2] {
        let response =
            add_checkpoint(w, forged.add_checkpoint_body(520, &forged.checkpoint())).await;
        assert_eq!(response.status(), 409);
    }
    // Larger, with the forged tree's own consistency proof: 422 from both, nothing cosigned.
    forged.append(entry_for(520, &evidence(520)));
    for w in [&w1, &w2] {
        let response =
            add_checkpoint(w, forged.add_checkpoint_body(520, &forged.checkpoint())).await;
        assert_eq!(response.status(), 422);
    }
    // The buyer's kept checkpoint exposes the rewrite.
    server.publish(&forged, forged.checkpoint());
    let err = failure(&run_consistency(&kept, &server.url, &vkey));
    assert!(err.contains("does not extend the old checkpoint"), "{err}");
    // The real log still extends: both witnesses cosign its next checkpoint, after a restart.
    drop(w1);
    let w1 = start_witness(&tmp.path().join("w1"), &vkey, "w1.example");
    log.append(entry_for(520, &evidence(520)));
    let third = cosigned(&log, 520, &[&w1, &w2]).await;
    let proof = log.proof(520, &third);
    let ok = verify(
        &evidence(520),
        proof.as_bytes(),
        &vkey,
        &[w1.vkey.clone(), w2.vkey.clone()],
        None,
    )
    .unwrap();
    assert_eq!((ok.tree_size, ok.witnessed), (521, 2));
}

#[test]
fn tile_urls_follow_the_c2sp_layout() {
    assert_eq!(
        tile_url("http://h", &Tile::new(8, 0, 1234067, 256, false)),
        "http://h/log/tile/0/x001/x234/067"
    );
    assert_eq!(
        tile_url("", &Tile::new(8, 1, 3, 5, false)),
        "/log/tile/1/003.p/5"
    );
}

#[test]
fn the_worked_example_in_docs_verifying_md_verifies_and_a_changed_root_does_not() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/verifying.md"))
        .unwrap();
    let blocks: Vec<&str> = doc
        .split("```text\n")
        .skip(1)
        .map(|b| b.split("\n```").next().unwrap())
        .collect();
    let (keys, evidence, proof) = (
        blocks[0],
        format!("{}\n", blocks[1]),
        format!("{}\n", blocks[2]),
    );
    let (log_key, witness_key) = keys.split_once('\n').unwrap();
    let ok = verify(
        evidence.as_bytes(),
        proof.as_bytes(),
        log_key,
        &[witness_key.to_owned()],
        None,
    )
    .unwrap();
    assert_eq!(
        (
            ok.entry.cdr_id.as_str(),
            ok.index,
            ok.tree_size,
            ok.witnessed
        ),
        ("cdr_example1", 1, 3, 1)
    );
    assert!(doc.contains(&ok.root_hash));
    let tampered = proof.replacen(&ok.root_hash, &BASE64_STANDARD.encode([0u8; 32]), 1);
    assert_eq!(
        verify(evidence.as_bytes(), tampered.as_bytes(), log_key, &[], None).unwrap_err(),
        VerifyError::Signature
    );
}
