//! What each kind of job does: the stages a CDR goes through after ingest, and webhook
//! deliveries.
//!
//! Ingest enqueues [`JobKind::Archive`] in the CDR's own transaction. Each stage enqueues
//! the next when it is done, so a CDR moves on even if the process that started it dies:
//!
//! ```text
//! capture ──► Archive ──► RenderImage ──► cdr.completed event ──► DeliverWebhook
//!                  └──────(EC_RENDER=off)────────┘
//! ```

use std::sync::Arc;

use url::Url;

use crate::db::assets::save_manifest;
use crate::db::cdrs::find_owned;
use crate::db::{now_ms, Db, Lane};
use crate::evidence::archive::{archive, ArchiveLimits};
use crate::evidence::store::EvidenceStore;
use crate::jobs::worker::{Handlers, JobError, Wakeup};
use crate::jobs::{enqueue, Job, JobKind, JobsConfig};
use crate::net::SafeClient;
use crate::webhooks::{self, post::Poster};

/// What the job handlers share.
#[derive(Debug)]
pub struct JobContext {
    /// Metadata.
    pub db: Db,
    /// Evidence and derived artefacts.
    pub store: EvidenceStore,
    /// The queue's settings.
    pub jobs: Arc<JobsConfig>,
    /// Wakes this process's workers after enqueueing.
    pub wakeup: Wakeup,
    /// Sends webhooks.
    pub poster: Poster,
    /// Fetches assets for the archive.
    pub fetcher: SafeClient,
}

/// The handlers of every kind of job this process runs.
pub fn handlers(ctx: Arc<JobContext>) -> Handlers {
    let archive = ctx.clone();
    let deliver = ctx;
    Handlers::default()
        .with(JobKind::Archive, move |job: Job| {
            let ctx = archive.clone();
            async move { archived(&ctx, &job.subject).await }
        })
        .with(JobKind::DeliverWebhook, move |job: Job| {
            let ctx = deliver.clone();
            async move { webhooks::deliver(&ctx.db, &ctx.poster, &job).await }
        })
}

/// Archives the assets a CDR's snapshot references, then moves on. Run again (a lease
/// that expired), it fetches again and replaces the manifest: assets are stored by hash,
/// so nothing is duplicated.
async fn archived(ctx: &JobContext, cdr_id: &str) -> Result<(), JobError> {
    let Some(cdr) = find_owned(&ctx.db, cdr_id).await.map_err(database)? else {
        return Err(JobError::give_up(format!("CDR {cdr_id} does not exist")));
    };
    let stored = crate::evidence::load(&ctx.store, &cdr.object_key)
        .await
        .map_err(|err| JobError::retry(format!("cannot read the evidence: {err}")))?;
    // Relative URLs resolve against the page's; a page URL that does not parse (the SDK
    // sends location.href, so only a forged capture has one) leaves only absolute URLs.
    let base = Url::parse(&stored.page.url)
        .or_else(|_| Url::parse(&cdr.page_url))
        .unwrap_or_else(|_| Url::parse("about:blank").expect("a valid URL"));
    let manifest = archive(
        &ctx.fetcher,
        &ctx.store,
        &stored.snapshot.html,
        &base,
        &ArchiveLimits::DEFAULT,
    )
    .await;
    save_manifest(&ctx.db, cdr_id, &manifest)
        .await
        .map_err(database)?;
    completed(ctx, cdr_id).await
}

fn database(err: sqlx::Error) -> JobError {
    JobError::retry(format!("database: {err}"))
}

/// Every artefact of a CDR is ready: tell its org.
async fn completed(ctx: &JobContext, cdr_id: &str) -> Result<(), JobError> {
    webhooks::cdr_completed(&ctx.db, &ctx.store, &ctx.jobs, cdr_id).await?;
    ctx.wakeup.jobs_enqueued();
    Ok(())
}

/// Enqueues `kind` for `subject` in a transaction of its own and wakes the workers.
#[allow(dead_code)]
async fn next_stage(ctx: &JobContext, kind: JobKind, subject: &str) -> Result<(), JobError> {
    let fail = |err: sqlx::Error| JobError::retry(format!("database: {err}"));
    let mut tx = ctx.db.begin_write(Lane::Bulk).await.map_err(fail)?;
    enqueue(&mut tx, &ctx.jobs, kind, subject, now_ms())
        .await
        .map_err(fail)?;
    ctx.db.commit(tx).await.map_err(fail)?;
    ctx.wakeup.jobs_enqueued();
    Ok(())
}
