//! The in-process cost of checking a proof: `expressconsent_server::verify::offline::verify`
//! (what `expressconsent-server verify` runs after reading its files) called `--runs` times
//! on the same evidence and proof, after one warm-up call. Prints one JSON line with the
//! median, p99, min and max in microseconds. Used by bench/log.mjs; fails if any call
//! does not verify, so a figure is never that of a failing check.
//!
//! `cargo run --release -p expressconsent-server --example verify_bench -- --evidence FILE
//! --proof FILE --key VKEY [--witness VKEY]… [--quorum K] [--runs N]`
//!
//! clap, as in the server binary, for the arguments.

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use expressconsent_server::verify::offline::verify;

/// Times the offline verification in process.
#[derive(Debug, Parser)]
struct Args {
    /// The evidence file.
    #[arg(long)]
    evidence: PathBuf,
    /// The proof file.
    #[arg(long)]
    proof: PathBuf,
    /// The log's verifier key string.
    #[arg(long)]
    key: String,
    /// A witness's verifier key; repeat for more.
    #[arg(long = "witness")]
    witnesses: Vec<String>,
    /// Cosignatures required (default: all witnesses given).
    #[arg(long)]
    quorum: Option<usize>,
    /// Timed calls.
    #[arg(long, default_value_t = 1000)]
    runs: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let evidence = std::fs::read(&args.evidence)?;
    let proof = std::fs::read(&args.proof)?;
    let check = || verify(&evidence, &proof, &args.key, &args.witnesses, args.quorum);
    check()?; // warm-up, and the proof must verify at all
    let mut micros = Vec::with_capacity(args.runs);
    for _ in 0..args.runs {
        let start = Instant::now();
        let verified = check()?;
        micros.push(start.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(verified);
    }
    micros.sort_by(f64::total_cmp);
    let at = |p: f64| {
        micros[((p / 100.0 * micros.len() as f64).ceil() as usize).clamp(1, micros.len()) - 1]
    };
    println!(
        "{}",
        serde_json::json!({
            "runs": args.runs,
            "p50Us": at(50.0),
            "p99Us": at(99.0),
            "minUs": micros.first(),
            "maxUs": micros.last(),
        })
    );
    Ok(())
}
