//! A year of data for the dashboard's speed bench (issue 12, point 5): `--cdrs` CDRs
//! (default 1,000,000) across `--orgs` orgs (default 50), written straight into the
//! database in large batched transactions, as ingest and claims would have written them.
//!
//! ```text
//! cargo run --release -p expressconsent-server --example seed -- \
//!     --database-url sqlite://DIR/expressconsent.db?mode=rwc --data-dir DIR \
//!     --cdrs 1000000 --orgs 50
//! ```
//!
//! It applies the server's migrations, creates the orgs through `db::orgs::create_org`
//! (one API key each), stores one real capture (checked and hashed by the server's own
//! `prepare_capture`) in the data folder's evidence store and points every CDR at it, then
//! writes the CDRs (see `rows.rs`), printing rows per second. Last it writes
//! `DIR/seed.json`: the figures, every org's API key, and samples the bench asks for (the
//! large org's CDR ids and lead phones). A folder with a `seed.json` is complete.
//!
//! With `--explain` it instead reads a JSON array of SQL statements on stdin and prints
//! their query plans as JSON (`EXPLAIN QUERY PLAN` on SQLite; on PostgreSQL `EXPLAIN` of
//! the generic plan of the prepared statement, as the server's prepared statements get),
//! with the lines that scan a big table without an index.
//!
//! Why these crates: everything is the server's own (sqlx's `Any` driver, its id, rule,
//! sealing and store functions) so that seeded rows cannot drift from real ones; `clap`
//! and `rand` are already the server's dependencies.

mod batch;
mod explain;
mod leads;
mod plan;
mod rows;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context as _};
use axum::http::HeaderMap;
use bytes::Bytes;
use clap::Parser;
use expressconsent_server::config::LeadArgs;
use expressconsent_server::db::orgs::{create_org, NewOrg};
use expressconsent_server::db::{now_ms, Backend, Db};
use expressconsent_server::evidence::ingest::prepare_capture;
use expressconsent_server::evidence::store::EvidenceStore;
use expressconsent_server::orgs::host::Host;
use expressconsent_server::orgs::ids::{new_id, IdKind};
use serde_json::json;

use crate::rows::{Evidence, Rows, SeededOrg};

/// CDRs per transaction: large enough that commits cost little, small enough that
/// progress shows and memory stays low.
const CDRS_PER_TRANSACTION: u64 = 20_000;
/// How many of the large org's CDRs the bench may read and search for.
const SAMPLES: usize = 400;

#[derive(Debug, Parser)]
struct Args {
    /// `sqlite://…` or `postgres://…`, as `EC_DATABASE_URL`.
    #[arg(long)]
    database_url: String,
    /// The server's data folder (`EC_DATA_DIR`): evidence, match key and seed.json.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// CDRs to write.
    #[arg(long, default_value_t = 1_000_000)]
    cdrs: u64,
    /// Orgs to create (about one in six captures; the rest buy).
    #[arg(long, default_value_t = 50)]
    orgs: usize,
    /// The plan's RNG seed.
    #[arg(long, default_value_t = 12)]
    seed: u64,
    /// The lead-matching key and phone region, as the server reads them.
    #[command(flatten)]
    lead: LeadArgs,
    /// Print query plans of the SQL statements read on stdin instead of seeding.
    #[arg(long)]
    explain: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let db = Db::open(&args.database_url).await?;
    if args.explain {
        let statements: Vec<String> =
            serde_json::from_reader(std::io::stdin()).context("a JSON array of SQL on stdin")?;
        let plans = explain::explain_all(&db, &statements).await?;
        println!("{}", serde_json::to_string_pretty(&plans)?);
        return Ok(());
    }
    let data_dir = args
        .data_dir
        .clone()
        .context("--data-dir is needed to seed")?;
    seed(&db, &args, data_dir).await
}

async fn seed(db: &Db, args: &Args, data_dir: PathBuf) -> anyhow::Result<()> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cdrs")
        .fetch_one(db.pool())
        .await?;
    if existing > 0 {
        bail!("the database already holds {existing} CDRs: seed an empty one");
    }
    let matcher = args.lead.matcher(&data_dir)?;
    let evidence = store_evidence(&data_dir).await?;

    let planned = plan::orgs(args.orgs);
    let mut orgs = Vec::with_capacity(planned.len());
    let mut keys = Vec::with_capacity(planned.len());
    for org in &planned {
        let domains = org
            .domains
            .iter()
            .map(|d| Host::parse(d).map_err(|e| anyhow::anyhow!("{d}: {e:?}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let created = create_org(
            db,
            &NewOrg {
                name: org.name.clone(),
                domains: domains.clone(),
                auto_collect: org.auto_collect,
            },
        )
        .await?;
        keys.push(json!({
            "orgId": created.org_id, "apiKey": created.api_key, "name": org.name,
            "generator": org.weight > 0.0, "autoCollect": org.auto_collect,
        }));
        orgs.push(SeededOrg {
            id: created.org_id,
            domains: domains.iter().map(|h| h.as_str().to_owned()).collect(),
            auto_collect: org.auto_collect,
        });
    }

    let large = plan::largest(&planned);
    let now = now_ms();
    let started = Instant::now();
    let mut rows = Rows::new();
    let mut samples = Vec::new();
    let (mut done, mut in_tx, mut large_count) = (0u64, 0u64, 0u64);
    let mut shared = 0u64;
    let mut conn = db.pool().acquire().await?;
    if db.backend() == Backend::Sqlite {
        // Seeding is redone from scratch if interrupted: no need to sync each batch.
        sqlx::query("PRAGMA synchronous = OFF")
            .execute(&mut *conn)
            .await?;
    }
    for package in plan::Year::new(&planned, args.cdrs, now, args.seed) {
        for cdr in &package {
            let id = rows.add(cdr, &orgs, &evidence, &matcher);
            shared += u64::from(!cdr.claims.is_empty());
            if cdr.org == large {
                large_count += 1;
                // Spread the samples over the year: every 97th of the large org's CDRs.
                if large_count % 97 == 0 && samples.len() < SAMPLES {
                    samples.push(json!({ "cdrId": id, "phone": plan::phone(cdr.n), "createdAt": cdr.created_at }));
                }
            }
            done += 1;
            in_tx += 1;
        }
        if in_tx >= CDRS_PER_TRANSACTION {
            write(&mut conn, &mut rows).await?;
            in_tx = 0;
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "{done} CDRs, {} rows in {secs:.0} s: {:.0} CDRs/s, {:.0} rows/s",
                rows.written(),
                done as f64 / secs,
                rows.written() as f64 / secs
            );
        }
    }
    write(&mut conn, &mut rows).await?;
    drop(conn);
    if db.backend() == Backend::Postgres {
        // What autovacuum does after a bulk load, done now so the first plans see it.
        sqlx::query("ANALYZE").execute(db.pool()).await?;
    }
    let secs = started.elapsed().as_secs_f64();
    let written = rows.written();
    let summary = json!({
        "complete": true,
        "backend": format!("{:?}", db.backend()).to_lowercase(),
        "cdrs": done, "orgs": orgs.len(), "seed": args.seed, "now": now,
        "migrations": migrations(db).await?,
        "sharedCdrs": shared, "rows": written, "seconds": secs,
        "cdrsPerSecond": done as f64 / secs, "rowsPerSecond": written as f64 / secs,
        "keys": keys,
        "large": {
            "orgId": orgs[large].id, "apiKey": keys[large]["apiKey"], "cdrs": large_count,
            "domains": orgs[large].domains, "samples": samples,
        },
    });
    std::fs::write(
        data_dir.join("seed.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    println!(
        "seeded {done} CDRs ({shared} shared), {written} rows in {secs:.1} s: {:.0} CDRs/s, {:.0} rows/s; large org {} has {large_count}",
        done as f64 / secs,
        written as f64 / secs,
        orgs[large].id
    );
    Ok(())
}

async fn write(
    conn: &mut sqlx::pool::PoolConnection<sqlx::Any>,
    rows: &mut Rows,
) -> anyhow::Result<()> {
    let mut tx = sqlx::Connection::begin(&mut **conn).await?;
    rows.flush(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The applied migrations' versions, so the bench can tell a seeded folder made before a
/// schema change.
async fn migrations(db: &Db) -> anyhow::Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(db.pool())
            .await?,
    )
}

/// A lead form's capture with a phone and an email field, checked by the server's own
/// `prepare_capture` (so its facts are what ingest derives), stored once.
async fn store_evidence(data_dir: &std::path::Path) -> anyhow::Result<Evidence> {
    let page_url = "https://leads0.gen0.example/apply";
    let html = format!(
        r#"<!DOCTYPE html><html><body><form>
<label>Name <input name="name" value="Lead Person"></label>
<label>Email <input type="email" name="email" autocomplete="email" value="{}"></label>
<label>Phone <input type="tel" name="phone" autocomplete="tel" value="{}"></label>
<input type="checkbox" checked data-ec-consent-checkbox data-ec-consent-for="tcpa">
<p data-ec-disclosure="tcpa">I agree to be called and texted at this number.</p>
<button data-ec-submit>Get my quote</button></form></body></html>"#,
        plan::email(0),
        plan::phone(0)
    );
    let body = json!({
        "idempotencyKey": new_id(IdKind::Request),
        "packageId": "pkg_seedevidence",
        "page": { "url": page_url, "title": "Get a quote", "userAgent": "Mozilla/5.0 (seeded)" },
        "snapshot": { "html": html, "scrollX": 0, "scrollY": 0 },
        "disclosures": [{ "id": "tcpa", "text": "I agree to be called and texted at this number.",
                          "rendered": true, "inViewport": true, "opacity": 1, "fontSizePx": 14,
                          "contrastRatio": 12 }],
        "consentCheckboxes": [{ "consentFor": "tcpa", "checked": true }],
        "trigger": { "tagName": "button", "eventType": "click", "isTrusted": true, "isTaggedSubmit": true },
        "telemetry": {},
        "sdkVersion": "seed"
    });
    let raw = Bytes::from(serde_json::to_vec(&body)?);
    let prepared = prepare_capture(&HeaderMap::new(), raw)
        .map_err(|e| anyhow::anyhow!("the seed capture was refused: {e:?}"))?;
    let store = EvidenceStore::local(&data_dir.join("evidence"))?;
    let object_key = EvidenceStore::capture_key(&new_id(IdKind::Cdr));
    store.put(&object_key, prepared.body.clone()).await?;
    Ok(Evidence {
        object_key,
        size: i64::try_from(prepared.body.len())?,
        sha256: prepared.sha256,
        facts_json: prepared.valid.facts.json,
        reply_key: prepared.reply_key,
    })
}
