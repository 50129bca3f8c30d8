//! What each kind of job does: the stages a CDR goes through after ingest, and webhook
//! deliveries.
//!
//! Ingest enqueues [`JobKind::Archive`] in the CDR's own transaction. Each stage enqueues
//! the next when it is done, so a CDR moves on even if the process that started it dies:
//!
//! ```text
//! capture ──► Archive ──► RenderImage ──┬─► cdr.completed event ──► DeliverWebhook
//!                  │                     └─► RenderReport
//!                  └──(EC_RENDER=off)──────► cdr.completed event
//! ```

use std::sync::Arc;

use url::Url;

use crate::db::assets::save_manifest;
use crate::db::cdrs::find_owned;
use crate::db::{now_ms, Db, Lane};
use crate::evidence::archive::{archive, ArchiveLimits};
use crate::evidence::artefacts::{self, ArtefactError};
use crate::evidence::store::EvidenceStore;
use crate::jobs::worker::{Handlers, JobError, Wakeup};
use crate::jobs::{enqueue, Job, JobKind, JobsConfig};
use crate::net::SafeClient;
use crate::render::{RenderError, Renderer};
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
    /// Renders evidence images; `None` with `EC_RENDER=off`.
    pub renderer: Option<Renderer>,
    /// The transparency log's verifier key, printed in reports.
    pub log_verifier_key: Arc<str>,
}

/// The handlers of every kind of job this process runs.
pub fn handlers(ctx: Arc<JobContext>) -> Handlers {
    let archive = ctx.clone();
    let deliver = ctx.clone();
    let mut handlers = Handlers::default();
    if ctx.renderer.is_some() {
        let image = ctx.clone();
        let report = ctx.clone();
        handlers = handlers
            .with(JobKind::RenderImage, move |job: Job| {
                let ctx = image.clone();
                async move { rendered(&ctx, &job.subject).await }
            })
            .with(JobKind::RenderReport, move |job: Job| {
                let ctx = report.clone();
                async move { reported(&ctx, &job.subject).await }
            });
    }
    handlers
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
    match ctx.renderer {
        Some(_) => next_stage(ctx, JobKind::RenderImage, cdr_id).await,
        None => completed(ctx, cdr_id).await,
    }
}

/// Renders the CDR's image, then tells its org and builds its report.
async fn rendered(ctx: &JobContext, cdr_id: &str) -> Result<(), JobError> {
    let Some(renderer) = &ctx.renderer else {
        return Err(JobError::retry("rendering is off in this process"));
    };
    let Some(cdr) = find_owned(&ctx.db, cdr_id).await.map_err(database)? else {
        return Err(JobError::give_up(format!("CDR {cdr_id} does not exist")));
    };
    let started = std::time::Instant::now();
    artefacts::render_image(&ctx.db, &ctx.store, renderer, &cdr)
        .await
        .map_err(artefact)?;
    tracing::info!(cdr = %cdr_id, ms = started.elapsed().as_millis() as u64, "rendered the evidence image");
    completed(ctx, cdr_id).await?;
    next_stage(ctx, JobKind::RenderReport, cdr_id).await
}

/// Builds the CDR's report, so that the first request for it is answered at once.
async fn reported(ctx: &JobContext, cdr_id: &str) -> Result<(), JobError> {
    let Some(cdr) = find_owned(&ctx.db, cdr_id).await.map_err(database)? else {
        return Err(JobError::give_up(format!("CDR {cdr_id} does not exist")));
    };
    artefacts::report(&ctx.db, &ctx.store, &cdr, &ctx.log_verifier_key)
        .await
        .map_err(artefact)?;
    Ok(())
}

fn artefact(err: ArtefactError) -> JobError {
    match err {
        // A snapshot that cannot be rendered will not become renderable.
        ArtefactError::Render(RenderError::Invalid(_)) => JobError::give_up(err.to_string()),
        _ => JobError::retry(err.to_string()),
    }
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
async fn next_stage(ctx: &JobContext, kind: JobKind, subject: &str) -> Result<(), JobError> {
    let fail = |err: sqlx::Error| JobError::retry(format!("database: {err}"));
    let mut tx = ctx.db.begin_write(Lane::Background).await.map_err(fail)?;
    enqueue(&mut tx, &ctx.jobs, kind, subject, now_ms())
        .await
        .map_err(fail)?;
    ctx.db.commit(tx).await.map_err(fail)?;
    ctx.wakeup.jobs_enqueued();
    Ok(())
}
