//! The workers of one server process: claim a due job, run its [`Handler`] while renewing
//! the lease, record the outcome.
//!
//! Owns the loop, not the work. A handler's panic is caught (the job is retried like any
//! failure); a worker that loses its lease stops renewing and drops its result, because
//! another worker now owns the job.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::Notify;
use tokio::task::JoinSet;

use super::{claim, complete, fail, renew, Failure, Job, JobKind, JobsConfig};
use crate::db::Db;

/// Why an attempt failed, and whether to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobError {
    /// Retry after the backoff, or give up.
    pub failure: Failure,
    /// Kept in the job's `last_error` (and shown to the org for webhook deliveries).
    pub message: String,
}

impl JobError {
    /// A failure worth another attempt.
    pub fn retry(message: impl Into<String>) -> Self {
        Self {
            failure: Failure::Retry,
            message: message.into(),
        }
    }

    /// A failure that another attempt cannot fix.
    pub fn give_up(message: impl Into<String>) -> Self {
        Self {
            failure: Failure::GiveUp,
            message: message.into(),
        }
    }
}

/// The future a handler returns.
pub type JobFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;

/// Does the work of one kind of job. Must be idempotent: a job can run more than once.
pub trait Handler: Send + Sync + 'static {
    /// Runs one attempt of `job`.
    fn run(&self, job: Job) -> JobFuture;
}

impl<F, Fut> Handler for F
where
    F: Fn(Job) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), JobError>> + Send + 'static,
{
    fn run(&self, job: Job) -> JobFuture {
        Box::pin(self(job))
    }
}

/// The handlers of this process, by kind; kinds without one are left to other processes.
#[derive(Clone, Default)]
pub struct Handlers(HashMap<JobKind, Arc<dyn Handler>>);

impl std::fmt::Debug for Handlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Handlers {
    /// Adds the handler of `kind`.
    pub fn with(mut self, kind: JobKind, handler: impl Handler) -> Self {
        self.0.insert(kind, Arc::new(handler));
        self
    }

    fn kinds(&self) -> Vec<JobKind> {
        JobKind::ALL
            .into_iter()
            .filter(|kind| self.0.contains_key(kind))
            .collect()
    }
}

/// Wakes this process's idle workers when it enqueues a job, so work starts at once
/// instead of at the next poll. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Wakeup(Arc<Notify>);

impl Wakeup {
    /// Call after committing a transaction that enqueued jobs.
    pub fn jobs_enqueued(&self) {
        self.0.notify_waiters();
        // A worker between its empty claim and its wait would miss `notify_waiters`.
        self.0.notify_one();
    }

    /// Waits for the next [`Wakeup::jobs_enqueued`] (the log's sequencer also waits here:
    /// every ingest enqueues a job).
    pub async fn notified(&self) {
        self.0.notified().await;
    }
}

/// Starts `config.workers` workers; they run until the returned set is dropped or
/// aborted.
pub fn start(db: Db, config: JobsConfig, handlers: Handlers, wakeup: Wakeup) -> JoinSet<()> {
    let mut set = JoinSet::new();
    let config = Arc::new(config);
    for _ in 0..config.workers {
        set.spawn(work(
            db.clone(),
            config.clone(),
            handlers.clone(),
            wakeup.clone(),
        ));
    }
    set
}

async fn work(db: Db, config: Arc<JobsConfig>, handlers: Handlers, wakeup: Wakeup) {
    let kinds = handlers.kinds();
    loop {
        match claim(&db, &kinds, config.lease).await {
            Ok(Some(job)) => run_one(&db, &config, &handlers, job).await,
            Ok(None) => {
                tokio::select! {
                    () = wakeup.0.notified() => {}
                    () = tokio::time::sleep(config.poll) => {}
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not claim a job");
                tokio::time::sleep(config.poll).await;
            }
        }
    }
}

async fn run_one(db: &Db, config: &JobsConfig, handlers: &Handlers, job: Job) {
    let Some(handler) = handlers.0.get(&job.kind).cloned() else {
        return;
    };
    tracing::debug!(job = %job.id, kind = job.kind.as_str(), subject = %job.subject, attempt = job.attempts, "running a job");
    // In a task of its own, so that a panic is an error here rather than the worker's end.
    let mut attempt = tokio::spawn(handler.run(job.clone()));
    let mut renew_every = tokio::time::interval(config.lease / 3);
    renew_every.tick().await;
    let outcome = loop {
        tokio::select! {
            joined = &mut attempt => {
                break joined.unwrap_or_else(|err| Err(JobError::retry(match err.is_panic() {
                    true => "the job's handler panicked",
                    false => "the job's handler was cancelled",
                })));
            }
            _ = renew_every.tick() => {
                match renew(db, &job, config.lease).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(job = %job.id, "lost the lease of a running job; another worker owns it now");
                        attempt.abort();
                        return;
                    }
                    Err(err) => tracing::warn!(job = %job.id, error = %err, "could not renew a job's lease"),
                }
            }
        }
    };
    let recorded = match &outcome {
        Ok(()) => complete(db, &job).await.map(|kept| kept.then_some(())),
        Err(err) => fail(db, config, &job, err.failure, &err.message)
            .await
            .map(|state| {
                if let Some(state) = state {
                    tracing::info!(job = %job.id, kind = job.kind.as_str(), attempt = job.attempts, ?state, error = %err.message, "a job's attempt failed");
                }
                state.map(|_| ())
            }),
    };
    match recorded {
        Ok(Some(())) => {}
        Ok(None) => {
            tracing::warn!(job = %job.id, "a job's lease expired before its outcome was recorded")
        }
        Err(err) => {
            tracing::warn!(job = %job.id, error = %err, "could not record a job's outcome; its lease will expire and it runs again")
        }
    }
}
