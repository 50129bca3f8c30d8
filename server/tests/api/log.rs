//! The transparency log: every CDR is sequenced soon after ingest, its proof checks
//! against a checkpoint signed by the key at `/log/key`, the tiles under `/log/` rebuild
//! that checkpoint's root, and several processes on one database sequence each CDR once.

use std::collections::BTreeSet;
use std::time::Duration;

use base64::Engine as _;
use expressconsent_server::cli::LogKey;
use expressconsent_server::log::entry::Entry;
use expressconsent_server::orgs::ids::{new_id, IdKind};
use reqwest::StatusCode;
use serde_json::Value;
use signed_note::{Note, StandardVerifier, VerifierList};
use tlog_tiles::{Checkpoint, Hash, HashReader, Tile};

use crate::helpers::{capture_body, TestApp};

/// Polls the proof until it is there (200); before that only the documented 202.
async fn proof(app: &TestApp, api_key: &str, cdr_id: &str) -> String {
    let path = format!("/v1/cdrs/{cdr_id}/proof");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let response = app.get(api_key, &path).await;
        if response.status() == StatusCode::OK {
            assert!(response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain"));
            return response.text().await.unwrap();
        }
        assert_eq!(response.status(), StatusCode::ACCEPTED, "{path}");
        assert_eq!(response.headers()["retry-after"], "1");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["data"]["status"], "pending");
        assert!(tokio::time::Instant::now() < deadline, "sequenced in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A proof document's parts.
struct Parsed {
    entry: Vec<u8>,
    index: u64,
    hashes: Vec<Hash>,
    checkpoint: String,
}

fn parse_proof(text: &str) -> Parsed {
    let (head, checkpoint) = text
        .split_once("\n\n")
        .expect("a blank line before the checkpoint");
    let mut lines = head.lines();
    assert_eq!(lines.next(), Some("c2sp.org/tlog-proof@v1"));
    let extra = lines.next().unwrap().strip_prefix("extra ").expect("extra");
    let entry = base64::engine::general_purpose::STANDARD
        .decode(extra)
        .unwrap();
    let index = lines.next().unwrap().strip_prefix("index ").expect("index");
    let hashes = lines
        .map(|l| Hash::parse_hash(l).expect("a hash"))
        .collect();
    Parsed {
        entry,
        index: index.parse().unwrap(),
        hashes,
        checkpoint: checkpoint.to_owned(),
    }
}

async fn text(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap()
}

/// Verifies a checkpoint note with the log's key; returns the checkpoint.
fn verified(note: &str, vkey: &str) -> Checkpoint {
    let note = Note::from_bytes(note.as_bytes()).expect("a signed note");
    let verifier = StandardVerifier::new(vkey).expect("a verifier key");
    note.verify(&VerifierList::new(vec![Box::new(verifier)]))
        .expect("signed by the log's key");
    Checkpoint::from_bytes(note.text()).expect("a checkpoint")
}

async fn capture(app: &TestApp, cid: &str) -> String {
    let data = app
        .captured(cid, &capture_body(&new_id(IdKind::Request)))
        .await;
    data["cdrId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn each_cdr_gets_a_proof_that_checks_against_the_signed_checkpoint() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let vkey = text(&app, "/log/key").await.text().await.unwrap();
    let vkey = vkey.trim_end();
    let origin = app.base.strip_prefix("http://").unwrap();
    assert!(vkey.starts_with(&format!("{origin}/log+")), "{vkey}");

    let mut cdrs = Vec::new();
    for _ in 0..3 {
        cdrs.push(capture(&app, &generator.org_id).await);
    }
    let mut indexes = BTreeSet::new();
    for cdr_id in &cdrs {
        let proof = parse_proof(&proof(&app, &generator.api_key, cdr_id).await);
        let entry = Entry::parse(&proof.entry).expect("the entry in the extra data");
        let details = app
            .get_data(&generator.api_key, &format!("/v1/cdrs/{cdr_id}"))
            .await;
        assert_eq!(&entry.cdr_id, cdr_id);
        assert_eq!(entry.org_id, generator.org_id);
        assert_eq!(entry.domain_id, details["domainId"]);
        assert_eq!(entry.content_sha256, details["contentSha256"]);
        assert_eq!(entry.received_ms, details["createdAt"]);
        assert_eq!(details["logIndex"], proof.index);
        assert_eq!(
            details["proofUrl"],
            format!("{}/v1/cdrs/{cdr_id}/proof", app.base)
        );

        let checkpoint = verified(&proof.checkpoint, vkey);
        assert_eq!(checkpoint.origin(), format!("{origin}/log"));
        let leaf = tlog_tiles::record_hash(&proof.entry);
        tlog_tiles::check_record(
            &proof.hashes,
            checkpoint.size(),
            *checkpoint.hash(),
            proof.index,
            leaf,
        )
        .expect("the inclusion proof checks");
        // One changed byte of the entry, and the proof no longer checks.
        let mut forged = proof.entry.clone();
        forged[30] ^= 1;
        assert!(tlog_tiles::check_record(
            &proof.hashes,
            checkpoint.size(),
            *checkpoint.hash(),
            proof.index,
            tlog_tiles::record_hash(&forged)
        )
        .is_err());
        indexes.insert(proof.index);
    }
    assert_eq!(indexes, (0..3).collect(), "indexes 0..n-1 without gaps");

    // The CLI prints the same key the server serves.
    let printed = LogKey {
        public_url: "http://elsewhere.example".into(),
        log: Default::default(),
        data: app.data_config(),
    }
    .run()
    .unwrap();
    assert_eq!(printed, vkey);
}

/// Answers stored-hash reads from one level-0 tile (trees of under 256 entries).
struct FromTile(Vec<u8>);

impl HashReader for FromTile {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| {
                let (level, n) = tlog_tiles::split_stored_hash_index(i);
                let width = 32usize << level;
                let start = usize::try_from(n).unwrap() * width;
                let hashes = self
                    .0
                    .get(start..start + width)
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)?;
                Ok(Tile::subtree_hash(hashes))
            })
            .collect()
    }
}

#[tokio::test]
async fn the_published_tiles_rebuild_the_checkpoint_root() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let mut cdrs = Vec::new();
    for _ in 0..5 {
        cdrs.push(capture(&app, &generator.org_id).await);
    }
    for cdr_id in &cdrs {
        proof(&app, &generator.api_key, cdr_id).await;
    }
    let vkey = text(&app, "/log/key").await.text().await.unwrap();
    let response = text(&app, "/log/checkpoint").await;
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let checkpoint = verified(&response.text().await.unwrap(), vkey.trim_end());
    let size = checkpoint.size();
    assert_eq!(size, 5);

    let response = text(&app, &format!("/log/tile/0/000.p/{size}")).await;
    assert_eq!(response.status(), 200);
    let cache = response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        !cache.contains("immutable"),
        "a partial tile may still grow: {cache}"
    );
    let hashes = response.bytes().await.unwrap().to_vec();
    assert_eq!(hashes.len(), 32 * 5);
    let root = tlog_tiles::tree_hash(size, &FromTile(hashes.clone())).unwrap();
    assert_eq!(
        &root,
        checkpoint.hash(),
        "the tiles rebuild the signed root"
    );

    // The entry bundle holds the entries whose hashes the tile lists, in order.
    let bundle = text(&app, &format!("/log/tile/entries/000.p/{size}")).await;
    assert_eq!(bundle.status(), 200);
    let bundle = bundle.bytes().await.unwrap().to_vec();
    let mut rest = &bundle[..];
    let mut seen = Vec::new();
    while !rest.is_empty() {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        let entry = &rest[2..2 + len];
        let i = seen.len();
        assert_eq!(
            tlog_tiles::record_hash(entry).0,
            hashes[i * 32..i * 32 + 32]
        );
        seen.push(Entry::parse(entry).unwrap().cdr_id);
        rest = &rest[2 + len..];
    }
    assert_eq!(seen.iter().collect::<BTreeSet<_>>(), cdrs.iter().collect());

    // Tiles that do not exist yet, and paths that are not tile paths, are 404.
    for path in [
        "/log/tile/0/001",
        "/log/tile/0/000",
        "/log/tile/0/000.p/6",
        "/log/tile/0/000.p/0",
        "/log/tile/8/0/000.p/5",
        "/log/tile/entries/x000/000.p/5",
    ] {
        assert_eq!(text(&app, path).await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn two_processes_on_one_database_sequence_each_cdr_exactly_once() {
    let first = TestApp::start().await;
    let second = first.another_process().await;
    let generator = first.generator(true).await;
    let mut cdrs = BTreeSet::new();
    for i in 0..24 {
        let app = if i % 2 == 0 { &first } else { &second };
        cdrs.insert(capture(app, &generator.org_id).await);
    }
    for (i, cdr_id) in cdrs.iter().enumerate() {
        let app = if i % 2 == 0 { &second } else { &first };
        proof(app, &generator.api_key, cdr_id).await;
    }
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT idx, cdr_id FROM log_entries ORDER BY idx")
            .fetch_all(first.db.pool())
            .await
            .unwrap();
    let indexes: Vec<i64> = rows.iter().map(|(i, _)| *i).collect();
    assert_eq!(indexes, (0..24).collect::<Vec<_>>(), "0..n-1, no gaps");
    let logged: BTreeSet<String> = rows.into_iter().map(|(_, c)| c).collect();
    assert_eq!(logged, cdrs, "each CDR once");
    // Both processes serve the same log.
    let a = text(&first, "/log/checkpoint").await.text().await.unwrap();
    let b = text(&second, "/log/checkpoint").await.text().await.unwrap();
    assert_eq!(a, b);
    assert_eq!(
        text(&first, "/log/key").await.text().await.unwrap(),
        text(&second, "/log/key").await.text().await.unwrap()
    );
}

#[tokio::test]
async fn a_proof_is_only_for_orgs_related_to_the_cdr() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let stranger = app.buyer().await;
    let cdr_id = capture(&app, &generator.org_id).await;
    proof(&app, &generator.api_key, &cdr_id).await;
    let path = format!("/v1/cdrs/{cdr_id}/proof");
    assert_eq!(app.get(&stranger.api_key, &path).await.status(), 404);
    let unknown = format!("/v1/cdrs/{}/proof", new_id(IdKind::Cdr));
    assert_eq!(app.get(&generator.api_key, &unknown).await.status(), 404);
    let response = app.call(reqwest::Method::GET, None, &path, None).await;
    assert_eq!(response.status(), 401);

    // A buyer who claims it learns where it is in the log, and may then fetch the proof.
    let share_url = app.minted_url(&generator.api_key, &cdr_id).await;
    let claimed = app.claimed(&stranger.api_key, &share_url, None).await;
    assert_eq!(claimed["logIndex"], 0);
    assert_eq!(claimed["proofUrl"], format!("{}{path}", app.base));
    let by_buyer = proof(&app, &stranger.api_key, &cdr_id).await;
    assert_eq!(by_buyer, proof(&app, &generator.api_key, &cdr_id).await);
}

/// A witness (the `witness` command's server) on 127.0.0.1:0; returns its `VKEY@URL`.
async fn start_witness(dir: &std::path::Path, log_vkey: &str, name: &str) -> (String, String) {
    let witness = expressconsent_server::verify::witness::Witness::open(dir, log_vkey, Some(name))
        .expect("witness opens");
    let vkey = witness.verifier_key();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, std::sync::Arc::new(witness).router())
            .await
            .ok();
    });
    (format!("{vkey}@{url}"), vkey)
}

/// Polls the proof until its checkpoint carries valid cosignatures of all `witnesses`;
/// returns the proof's checkpoint size.
async fn witnessed_proof(
    app: &TestApp,
    api_key: &str,
    cdr_id: &str,
    log_vkey: &str,
    witnesses: &[String],
) -> u64 {
    use expressconsent_server::verify::offline::{
        open_checkpoint, valid_cosigners, witness_verifiers,
    };
    let verifiers = witness_verifiers(witnesses).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let parsed = parse_proof(&proof(app, api_key, cdr_id).await);
        let (note, checkpoint) = open_checkpoint(parsed.checkpoint.as_bytes(), log_vkey)
            .unwrap_or_else(|e| panic!("{e:?}: {}", parsed.checkpoint));
        tlog_tiles::check_record(
            &parsed.hashes,
            checkpoint.size(),
            *checkpoint.hash(),
            parsed.index,
            tlog_tiles::record_hash(&parsed.entry),
        )
        .unwrap();
        if valid_cosigners(&note, &verifiers).len() == witnesses.len() {
            return checkpoint.size();
        }
        assert!(tokio::time::Instant::now() < deadline, "cosigned in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn every_checkpoint_goes_to_the_witnesses_and_proofs_carry_their_cosignatures() {
    let dirs = tempfile::tempdir().unwrap();
    let (keys, skey) =
        expressconsent_server::log::keys::LogKeys::generate("log.test.example/log").unwrap();
    let log_vkey = keys.verifier_key().to_owned();
    let (w1, w1_key) = start_witness(&dirs.path().join("w1"), &log_vkey, "w1.test.example/w").await;
    let (w2, w2_key) = start_witness(&dirs.path().join("w2"), &log_vkey, "w2.test.example/w").await;
    let witnesses = vec![w1_key, w2_key];
    let configure = |config: &mut expressconsent_server::config::ServeConfig| {
        config.log.log_key = Some(skey.clone());
        config.log.witnesses = vec![w1.clone(), w2.clone()];
    };
    let app = TestApp::start_with(configure).await;
    let generator = app.generator(true).await;
    assert_eq!(
        text(&app, "/log/key")
            .await
            .text()
            .await
            .unwrap()
            .trim_end(),
        log_vkey
    );

    let first = capture(&app, &generator.org_id).await;
    let size = witnessed_proof(&app, &generator.api_key, &first, &log_vkey, &witnesses).await;
    assert!(size >= 1);
    // A later checkpoint reaches the witnesses with a consistency proof from the last.
    let second = capture(&app, &generator.org_id).await;
    let later = witnessed_proof(&app, &generator.api_key, &second, &log_vkey, &witnesses).await;
    assert!(later > size);
    let served = text(&app, "/log/checkpoint").await.text().await.unwrap();
    assert!(served.contains("\n— w1.test.example/w ") && served.contains("\n— w2.test.example/w "));

    // A new process does not know what the witnesses hold: their 409 tells it.
    let next = app.another_process_with(configure).await;
    drop(app);
    let app = next;
    let third = capture(&app, &generator.org_id).await;
    let last = witnessed_proof(&app, &generator.api_key, &third, &log_vkey, &witnesses).await;
    assert!(last > later);
}

/// The published tiles, fetched once, for `tlog_tiles::TileHashReader`.
struct Fetched(std::collections::HashMap<String, Vec<u8>>);

impl tlog_tiles::TileReader for Fetched {
    fn height(&self) -> u8 {
        expressconsent_server::log::tiles::HEIGHT
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                let path = expressconsent_server::log::tiles::c2sp_path(t);
                self.0
                    .get(&path)
                    .cloned()
                    .ok_or(tlog_tiles::Error::InvalidTile)
            })
            .collect()
    }

    fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {}
}

#[tokio::test]
async fn a_log_past_one_full_tile_is_published_with_full_and_parent_tiles() {
    const N: u64 = 300;
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    // Many CDRs at once, as a burst of captures leaves them: straight into the table the
    // sequencer reads.
    let started = std::time::Instant::now();
    let mut tx = app.db.pool().begin().await.unwrap();
    for i in 0..N {
        sqlx::query(
            "INSERT INTO cdrs (id, org_id, domain_id, package_id, idempotency_key, object_key, \
             content_sha256, size_bytes, page_url, custom_json, received_ip, user_agent, created_at) \
             VALUES ($1, $2, 'example.com', 'pkg_burst', $3, 'x', $4, 1, 'https://example.com/', NULL, '127.0.0.1', 'test', $5)",
        )
        .bind(new_id(IdKind::Cdr))
        .bind(&generator.org_id)
        .bind(format!("burst-{i}"))
        .bind(format!("{:064x}", i))
        .bind(1_764_547_200_000i64 + i64::try_from(i).unwrap())
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let vkey = text(&app, "/log/key").await.text().await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let checkpoint = loop {
        let response = text(&app, "/log/checkpoint").await;
        if response.status() == 200 {
            let checkpoint = verified(&response.text().await.unwrap(), vkey.trim_end());
            if checkpoint.size() == N {
                break checkpoint;
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "sequenced in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let elapsed = started.elapsed();
    eprintln!(
        "sequenced a burst of {N} entries in {elapsed:?}, up to one {:?} poll included ({:.0} entries/s, {:?})",
        expressconsent_server::log::sequencer::POLL,
        N as f64 / elapsed.as_secs_f64(),
        app.db.backend()
    );

    let full = text(&app, "/log/tile/0/000").await;
    assert_eq!(full.status(), 200);
    assert_eq!(
        full.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let mut fetched = std::collections::HashMap::new();
    for tile in Tile::new_tiles(8, 0, N) {
        let path = expressconsent_server::log::tiles::c2sp_path(&tile);
        let response = text(&app, &format!("/log/{path}")).await;
        assert_eq!(response.status(), 200, "{path}");
        fetched.insert(path, response.bytes().await.unwrap().to_vec());
    }
    assert!(
        fetched.contains_key("tile/1/000.p/1"),
        "{:?}",
        fetched.keys()
    );
    let entries = text(&app, "/log/tile/entries/000").await;
    assert_eq!(entries.status(), 200);
    assert!(entries.bytes().await.unwrap().len() > 256 * 2);

    // The tiles check against the signed root (TileHashReader verifies each tile it
    // reads) and prove every entry.
    let tiles = Fetched(fetched);
    let reader = tlog_tiles::TileHashReader::new(N, *checkpoint.hash(), &tiles);
    assert_eq!(
        &tlog_tiles::tree_hash(N, &reader).unwrap(),
        checkpoint.hash()
    );
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT idx, entry FROM log_entries ORDER BY idx")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(rows.len() as u64, N);
    for (index, entry) in [&rows[0], &rows[255], &rows[256], &rows[299]] {
        let index = u64::try_from(*index).unwrap();
        let proof = tlog_tiles::prove_record(N, index, &reader).unwrap();
        tlog_tiles::check_record(
            &proof,
            N,
            *checkpoint.hash(),
            index,
            tlog_tiles::record_hash(entry.as_bytes()),
        )
        .unwrap();
    }
}

#[tokio::test]
async fn a_crash_after_appending_is_repaired_with_the_same_tiles_and_checkpoint() {
    let app = TestApp::start().await;
    let generator = app.generator(true).await;
    let started = std::time::Instant::now();
    let cdr_id = capture(&app, &generator.org_id).await;
    let first = proof(&app, &generator.api_key, &cdr_id).await;
    eprintln!(
        "capture to proof: {:?}; proof size {} bytes",
        started.elapsed(),
        first.len()
    );
    for _ in 0..2 {
        capture(&app, &generator.org_id).await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let before = loop {
        let note = text(&app, "/log/checkpoint").await.text().await.unwrap();
        if note.lines().nth(1) == Some("3") {
            break note;
        }
        assert!(tokio::time::Instant::now() < deadline, "sequenced in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let tile = text(&app, "/log/tile/0/000.p/3")
        .await
        .bytes()
        .await
        .unwrap();

    // As if the process died after appending, before its tiles and checkpoint were out.
    sqlx::query("DELETE FROM log_checkpoints")
        .execute(app.db.pool())
        .await
        .unwrap();
    std::fs::remove_dir_all(app.data_dir().join("evidence/log")).unwrap();
    let app = app.restart().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let after = loop {
        let response = text(&app, "/log/checkpoint").await;
        if response.status() == 200 {
            break response.text().await.unwrap();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "published again in time"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(after, before, "the same tree, signed the same way");
    let again = text(&app, "/log/tile/0/000.p/3")
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(again, tile);
    assert!(app
        .data_dir()
        .join("evidence/log/tile/entries/000.p/3")
        .exists());
}

#[tokio::test]
async fn a_witness_that_never_answers_does_not_delay_sequencing() {
    let (keys, skey) =
        expressconsent_server::log::keys::LogKeys::generate("log.test.example/log").unwrap();
    let dirs = tempfile::tempdir().unwrap();
    // A real witness's key, at an address that accepts connections and never answers.
    let witness = expressconsent_server::verify::witness::Witness::open(
        &dirs.path().join("w"),
        keys.verifier_key(),
        Some("silent.test.example/w"),
    )
    .unwrap();
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let entry = format!(
        "{}@http://{}",
        witness.verifier_key(),
        silent.local_addr().unwrap()
    );
    let app = TestApp::start_with(|config| {
        config.log.log_key = Some(skey);
        config.log.witnesses = vec![entry];
    })
    .await;
    let generator = app.generator(true).await;
    let first = capture(&app, &generator.org_id).await;
    proof(&app, &generator.api_key, &first).await;
    // The sequencer is now waiting on the witness, which holds the request unanswered.
    let (held, _) = silent.accept().await.unwrap();
    let mut request = Vec::new();
    while !String::from_utf8_lossy(&request).contains("\n— log.test.example/log ") {
        held.readable().await.unwrap();
        let mut chunk = [0u8; 4096];
        match held.try_read(&mut chunk) {
            Ok(0) => panic!("the log closed the request"),
            Ok(n) => request.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert!(String::from_utf8_lossy(&request).starts_with("POST /add-checkpoint "));
    let second = capture(&app, &generator.org_id).await;
    let parsed = parse_proof(&proof(&app, &generator.api_key, &second).await);
    assert_eq!(parsed.index, 1);
    // The request was still open (not given up by a timeout) when the next CDR's proof
    // was served: sequencing did not wait for the witness.
    let mut buf = [0u8; 1];
    match held.try_read(&mut buf) {
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock),
        Ok(n) => panic!("read {n} bytes: the log gave the witness up before sequencing on"),
    }
}
