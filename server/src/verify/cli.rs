//! The `verify` and `witness` command lines (clap, like the rest of the binary).
//!
//! `verify` prints one JSON object on stdout and exits 0 when every check passes; otherwise it
//! exits non-zero with a message naming the check that failed. `witness` prints its address
//! and verifier key, then serves until stopped; `witness key` prints the key only.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};

/// `verify` arguments.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Check that the log at --log extends the checkpoint in --old instead of checking a proof.
    #[arg(long, requires_all = ["old", "log"], conflicts_with_all = ["evidence", "proof"])]
    pub consistency: bool,
    /// The evidence file (the bytes whose SHA-256 the log entry names).
    #[arg(long, required_unless_present = "consistency")]
    pub evidence: Option<PathBuf>,
    /// The proof file (c2sp.org/tlog-proof@v1, from GET /v1/cdrs/:id/proof).
    #[arg(long, required_unless_present = "consistency")]
    pub proof: Option<PathBuf>,
    /// The log's signed-note verifier key string (GET /log/key).
    #[arg(long)]
    pub key: String,
    /// A witness's verifier key (cosignature/v1); repeat for more.
    #[arg(long = "witness")]
    pub witnesses: Vec<String>,
    /// How many of the witnesses must have cosigned (default: all given).
    #[arg(long)]
    pub quorum: Option<usize>,
    /// With --consistency: a checkpoint (or proof file) kept earlier.
    #[arg(long)]
    pub old: Option<PathBuf>,
    /// With --consistency: the server's base URL (the log is under /log/).
    #[arg(long)]
    pub log: Option<String>,
}

impl VerifyArgs {
    /// Runs the checks; returns the JSON to print.
    pub async fn run(&self) -> anyhow::Result<serde_json::Value> {
        if self.consistency {
            let old_path = self.old.as_ref().context("--old is required")?;
            let old = std::fs::read(old_path)
                .with_context(|| format!("reading {}", old_path.display()))?;
            let url = self.log.as_deref().context("--log is required")?;
            let done = super::consistency::check(&old, url, &self.key).await?;
            return Ok(serde_json::to_value(done)?);
        }
        let (Some(evidence), Some(proof)) = (&self.evidence, &self.proof) else {
            anyhow::bail!("--evidence and --proof are required");
        };
        let evidence =
            std::fs::read(evidence).with_context(|| format!("reading {}", evidence.display()))?;
        let proof = std::fs::read(proof).with_context(|| format!("reading {}", proof.display()))?;
        let done =
            super::offline::verify(&evidence, &proof, &self.key, &self.witnesses, self.quorum)?;
        Ok(serde_json::to_value(done)?)
    }
}

/// `witness` arguments: run a witness, or `witness key` to print its key.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct WitnessArgs {
    /// `key`: print the verifier key and exit.
    #[command(subcommand)]
    pub command: Option<WitnessCommand>,
    /// The witness's data folder (its key and state).
    #[arg(long, env = "EC_WITNESS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on, e.g. 127.0.0.1:7380 (port 0 picks one).
    #[arg(long, required = true)]
    pub bind: Option<std::net::SocketAddr>,
    /// The log's signed-note verifier key string (its name is the log's origin).
    #[arg(long, required = true)]
    pub log_key: Option<String>,
    /// The witness's key name, used when its key is created (default: a random one).
    #[arg(long)]
    pub name: Option<String>,
}

/// `witness …` subcommands.
#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
    /// Print the witness's verifier key (creating the key on first use).
    Key(WitnessKey),
}

/// `witness key` arguments.
#[derive(Debug, Args)]
pub struct WitnessKey {
    /// The witness's data folder.
    #[arg(long, env = "EC_WITNESS_DATA_DIR")]
    pub data_dir: PathBuf,
    /// The key name, if the key is created now.
    #[arg(long)]
    pub name: Option<String>,
}

impl WitnessArgs {
    /// Runs the witness (or prints its key) until `shutdown` completes.
    pub async fn run(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        if let Some(WitnessCommand::Key(key)) = &self.command {
            let cosigner = super::witness::load_or_create_key(&key.data_dir, key.name.as_deref())?;
            println!("{}", cosigner.verifier_key());
            return Ok(());
        }
        let dir = self.data_dir.as_ref().context("--data-dir is required")?;
        let bind = self.bind.context("--bind is required")?;
        let log_key = self.log_key.as_deref().context("--log-key is required")?;
        let witness = super::witness::Witness::open(dir, log_key, self.name.as_deref())?;
        super::witness::serve(
            witness,
            bind,
            |addr, vkey| {
                println!("witness listening on http://{addr}");
                println!("witness key: {vkey}");
            },
            shutdown,
        )
        .await
    }
}
