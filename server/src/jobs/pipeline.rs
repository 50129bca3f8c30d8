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

use crate::db::{now_ms, Db, Lane};
use crate::evidence::store::EvidenceStore;
use crate::jobs::worker::{Handlers, JobError, Wakeup};
use crate::jobs::{enqueue, Job, JobKind, JobsConfig};
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

/// The archive stage of a CDR is done: on to the next.
async fn archived(ctx: &JobContext, cdr_id: &str) -> Result<(), JobError> {
    completed(ctx, cdr_id).await
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
