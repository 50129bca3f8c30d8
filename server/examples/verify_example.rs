//! Prints the worked example of docs/verifying.md: a three-entry log with a fixed log key and
//! a fixed witness key, entry 1's evidence, its proof, and the keys. Deterministic, so the
//! document's bytes can be regenerated and are checked by tests/verify.rs.
//!
//! `cargo run -p expressconsent-server --example verify_example`

use base64::prelude::{Engine as _, BASE64_STANDARD};
use expressconsent_server::verify::cosignature::Cosigner;
use expressconsent_server::verify::proof::{EntryFields, TlogProof};
use sha2::{Digest as _, Sha256};
use signed_note::{Note, StandardSigner};
use tlog_tiles::{Checkpoint, Hash, HashReader};

struct Stored(Vec<Hash>);

impl HashReader for Stored {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        Ok(indexes.iter().map(|&i| self.0[i as usize]).collect())
    }
}

fn main() {
    let origin = "evidence.example.com/log";
    let seed = [1u8; 32];
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    let vkey = signed_note::new_ed25519_verifier_key(origin, &key.verifying_key());
    let public = [&[1u8][..], key.verifying_key().as_bytes()].concat();
    let skey = format!(
        "PRIVATE+KEY+{origin}+{:08x}+{}",
        signed_note::key_id(origin, &public),
        BASE64_STANDARD.encode([&[1u8][..], &seed[..]].concat())
    );
    let signer = StandardSigner::new(&skey).unwrap();
    let witness = Cosigner::new("witness.example.org", [2u8; 32]).unwrap();

    let evidence: Vec<Vec<u8>> = (0..3)
        .map(|i| format!("{{\"example\":\"evidence of CDR {i}\"}}\n").into_bytes())
        .collect();
    let entries: Vec<Vec<u8>> = evidence
        .iter()
        .enumerate()
        .map(|(i, ev)| {
            EntryFields {
                cdr_id: format!("cdr_example{i}"),
                org_id: "org_example".into(),
                domain_id: "dom_example".into(),
                content_sha256: hex::encode(Sha256::digest(ev)),
                received_ms: 1_764_547_200_000 + i as u64 * 1000,
            }
            .to_bytes()
        })
        .collect();
    let mut stored = Stored(Vec::new());
    for (n, entry) in entries.iter().enumerate() {
        let hashes = tlog_tiles::stored_hashes(n as u64, entry, &stored).unwrap();
        stored.0.extend(hashes);
    }
    let size = entries.len() as u64;
    let root = tlog_tiles::tree_hash(size, &stored).unwrap();
    let text = Checkpoint::new(origin, size, root, "").unwrap().to_bytes();
    let mut note = Note::new(&text, &[]).unwrap();
    note.add_sigs(&[&signer]).unwrap();
    let mut checkpoint = note.to_bytes();
    checkpoint.extend(witness.cosign(&note, 1_764_547_260));
    let index = 1;
    let proof = TlogProof {
        extra: Some(entries[index].clone()),
        index: index as u64,
        hashes: tlog_tiles::prove_record(size, index as u64, &stored).unwrap(),
        checkpoint,
    };

    println!(
        "== log key\n{vkey}\n== witness key\n{}",
        witness.verifier_key()
    );
    print!("== evidence\n{}", String::from_utf8_lossy(&evidence[index]));
    println!(
        "== evidence sha256\n{}",
        hex::encode(Sha256::digest(&evidence[index]))
    );
    print!("== entry\n{}", String::from_utf8_lossy(&entries[index]));
    for (i, e) in entries.iter().enumerate() {
        println!(
            "== leaf {i}\n{}",
            BASE64_STANDARD.encode(tlog_tiles::record_hash(e).0)
        );
    }
    println!("== root\n{}", BASE64_STANDARD.encode(root.0));
    print!("== proof\n{}", proof.to_text());
}
