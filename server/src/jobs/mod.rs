//! Background work, claimed from the database: archiving a CDR's assets, rendering its
//! image, delivering webhooks.
//!
//! Owns the `jobs` table and its life cycle; what a job does is its [`Handler`]'s business
//! ([`worker`] runs them). The queue is the database itself, so that every server process
//! shares the work and nothing is lost when one dies:
//!
//! - A job is enqueued in the same transaction as the change that calls for it (the CDR's
//!   insert, the webhook event), so an acknowledged capture always has its jobs.
//! - A worker claims a due job in one atomic statement that also takes a **lease**
//!   ([`JobsConfig::lease`], 60 s by default) and renews it while the handler runs. On
//!   PostgreSQL the candidate row is picked `FOR UPDATE SKIP LOCKED`, so concurrent workers
//!   never wait on each other or take the same job; on SQLite the one writer makes the
//!   `UPDATE … RETURNING` atomic. A job whose lease expired (its process was killed, or
//!   lost the database) is due again and any worker finishes it.
//! - A failure schedules the next attempt with exponential backoff ([`RetryPolicy`]) until
//!   the kind's give-up time, then the job is `dead` with its last error kept.
//!
//! Handlers must therefore be idempotent: a job may run more than once (a lease can expire
//! while a slow handler still runs; the worker then stops renewing and its result is not
//! recorded).

pub mod pipeline;
pub mod worker;

use std::time::Duration;

use sqlx::AnyConnection;

use crate::db::{now_ms, Backend, Db, Lane};
use crate::orgs::ids::{new_id, IdKind};

/// What a job does. Stored as [`JobKind::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// Fetch and store the assets a CDR's snapshot references.
    Archive,
    /// Render a CDR's evidence image.
    RenderImage,
    /// Build a CDR's PDF report ahead of the first request for it.
    RenderReport,
    /// Deliver one webhook event to its org's endpoint.
    DeliverWebhook,
}

impl JobKind {
    /// Every kind.
    pub const ALL: [Self; 4] = [
        Self::Archive,
        Self::RenderImage,
        Self::RenderReport,
        Self::DeliverWebhook,
    ];

    /// The name stored in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Archive => "archive",
            Self::RenderImage => "render_image",
            Self::RenderReport => "render_report",
            Self::DeliverWebhook => "deliver_webhook",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == s)
    }
}

/// When to try a failed job again: `first` after the first failure, doubling up to `cap`,
/// until `give_up_after` has passed since the job was enqueued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay before the second attempt.
    pub first: Duration,
    /// Longest delay between two attempts.
    pub cap: Duration,
    /// How long after enqueueing the job is given up (`dead`).
    pub give_up_after: Duration,
}

impl RetryPolicy {
    /// The delay after the `attempts`-th failed attempt (1-based).
    pub fn delay(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(30);
        self.first.saturating_mul(1 << doublings).min(self.cap)
    }
}

/// The queue's settings.
#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// How long a claimed job is reserved for its worker without a renewal.
    pub lease: Duration,
    /// How often an idle worker looks for due jobs enqueued by other processes (jobs
    /// enqueued by this process wake it at once).
    pub poll: Duration,
    /// Workers in this process.
    pub workers: usize,
    /// Retries of webhook deliveries (SPEC: 10 s doubling, capped at 1 h, for 3 days).
    pub webhook_retry: RetryPolicy,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(1),
            workers: 2,
            webhook_retry: RetryPolicy {
                first: Duration::from_secs(10),
                cap: Duration::from_secs(3600),
                give_up_after: Duration::from_secs(3 * 24 * 3600),
            },
        }
    }
}

impl JobsConfig {
    /// The retry policy of a kind.
    pub fn policy(&self, kind: JobKind) -> RetryPolicy {
        match kind {
            JobKind::DeliverWebhook => self.webhook_retry,
            // Archiving and rendering fail for local reasons (a browser that died, a full
            // disk): retry soon, and keep trying for a day.
            JobKind::Archive | JobKind::RenderImage | JobKind::RenderReport => RetryPolicy {
                first: Duration::from_secs(2),
                cap: Duration::from_secs(600),
                give_up_after: Duration::from_secs(24 * 3600),
            },
        }
    }
}

/// A claimed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// `job_…`.
    pub id: String,
    /// What to do.
    pub kind: JobKind,
    /// What to do it to: a CDR id or a webhook event id.
    pub subject: String,
    /// Attempts so far, this one included.
    pub attempts: u32,
    /// When the job is given up (epoch ms).
    pub give_up_at: i64,
    /// The worker's lease token.
    owner: String,
}

/// A job's state, as the `state` column stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for `run_at`.
    Queued,
    /// Leased by a worker.
    Running,
    /// Finished.
    Done,
    /// Given up.
    Dead,
}

impl JobState {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "queued" => Some(Self::Queued),
            "running" => Some(Self::Running),
            "done" => Some(Self::Done),
            "dead" => Some(Self::Dead),
            _ => None,
        }
    }
}

/// Enqueues a job in the caller's transaction, due at once; a no-op when the same kind of
/// job for the same subject exists (whatever its state).
pub async fn enqueue(
    conn: &mut AnyConnection,
    config: &JobsConfig,
    kind: JobKind,
    subject: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let give_up_at = now.saturating_add(millis(config.policy(kind).give_up_after));
    sqlx::query(
        "INSERT INTO jobs (id, kind, subject, state, run_at, attempts, give_up_at, created_at) \
         VALUES ($1, $2, $3, 'queued', $4, 0, $5, $4) ON CONFLICT (kind, subject) DO NOTHING",
    )
    .bind(new_id(IdKind::Job))
    .bind(kind.as_str())
    .bind(subject)
    .bind(now)
    .bind(give_up_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Makes a finished or dead job due again (e.g. an image asked for whose render gave up, or
/// whose output went missing), or enqueues it when there is none.
pub async fn ensure(
    db: &Db,
    config: &JobsConfig,
    kind: JobKind,
    subject: &str,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write(Lane::Interactive).await?;
    enqueue(&mut tx, config, kind, subject, now).await?;
    let give_up_at = now.saturating_add(millis(config.policy(kind).give_up_after));
    sqlx::query(
        "UPDATE jobs SET state = 'queued', run_at = $1, attempts = 0, give_up_at = $2, \
         lease_owner = NULL, lease_until = NULL, finished_at = NULL \
         WHERE kind = $3 AND subject = $4 AND state IN ('done', 'dead')",
    )
    .bind(now)
    .bind(give_up_at)
    .bind(kind.as_str())
    .bind(subject)
    .execute(&mut *tx)
    .await?;
    db.commit(tx).await
}

/// Claims the most overdue job of one of `kinds`: queued and due, or running with an
/// expired lease. The claim takes a lease until `now + lease` for `owner`.
pub async fn claim(
    db: &Db,
    kinds: &[JobKind],
    lease: Duration,
) -> Result<Option<Job>, sqlx::Error> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let now = now_ms();
    let owner = new_id(IdKind::Job);
    // The kinds are the enum's own names, never input.
    let kinds = kinds
        .iter()
        .map(|kind| format!("'{}'", kind.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    // Look first on a read connection: an idle worker then never takes SQLite's one
    // writer (nor syncs anything) just to find there is nothing to do.
    let due = format!(
        "SELECT id FROM jobs WHERE kind IN ({kinds}) AND \
         ((state = 'queued' AND run_at <= $1) OR (state = 'running' AND lease_until <= $1)) \
         LIMIT 1"
    );
    let any_due = sqlx::query(&due)
        .bind(now)
        .fetch_optional(db.pool())
        .await?
        .is_some();
    if !any_due {
        return Ok(None);
    }
    let skip_locked = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1, \
         lease_until = $2 \
         WHERE id = (SELECT id FROM jobs WHERE kind IN ({kinds}) AND \
         ((state = 'queued' AND run_at <= $3) OR (state = 'running' AND lease_until <= $3)) \
         ORDER BY run_at LIMIT 1{skip_locked}) \
         RETURNING id, kind, subject, attempts, give_up_at"
    );
    let mut tx = db.begin_write(Lane::Background).await?;
    let row = sqlx::query_as::<_, (String, String, String, i64, i64)>(&sql)
        .bind(&owner)
        .bind(now.saturating_add(millis(lease)))
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
    db.commit(tx).await?;
    Ok(row.and_then(|(id, kind, subject, attempts, give_up_at)| {
        Some(Job {
            id,
            kind: JobKind::parse(&kind)?,
            subject,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            give_up_at,
            owner,
        })
    }))
}

/// Extends the lease of a running job; `false` when the worker lost it (it expired and
/// another worker claimed the job, or the job was finished meanwhile).
pub async fn renew(db: &Db, job: &Job, lease: Duration) -> Result<bool, sqlx::Error> {
    let until = now_ms().saturating_add(millis(lease));
    let mut tx = db.begin_write(Lane::Background).await?;
    let done = sqlx::query(
        "UPDATE jobs SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND state = 'running'",
    )
    .bind(until)
    .bind(&job.id)
    .bind(&job.owner)
    .execute(&mut *tx)
    .await?;
    db.commit(tx).await?;
    Ok(done.rows_affected() == 1)
}

/// Records that a job finished; `false` when its lease had been lost meanwhile.
pub async fn complete(db: &Db, job: &Job) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write(Lane::Background).await?;
    let done = sqlx::query(
        "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, \
         last_error = NULL, finished_at = $1 \
         WHERE id = $2 AND lease_owner = $3 AND state = 'running'",
    )
    .bind(now_ms())
    .bind(&job.id)
    .bind(&job.owner)
    .execute(&mut *tx)
    .await?;
    db.commit(tx).await?;
    Ok(done.rows_affected() == 1)
}

/// How a failed attempt ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Try again after the policy's backoff (or give up when past the give-up time).
    Retry,
    /// Give up now: trying again cannot help.
    GiveUp,
}

/// Records a failed attempt: the job is queued again after the backoff, or `dead`. Returns
/// the state it is now in, or `None` when the lease had been lost meanwhile.
pub async fn fail(
    db: &Db,
    config: &JobsConfig,
    job: &Job,
    failure: Failure,
    error: &str,
) -> Result<Option<JobState>, sqlx::Error> {
    let now = now_ms();
    let next = now.saturating_add(millis(config.policy(job.kind).delay(job.attempts)));
    let dead = failure == Failure::GiveUp || next > job.give_up_at;
    let error: String = error.chars().take(1000).collect();
    let mut tx = db.begin_write(Lane::Background).await?;
    let done = sqlx::query(
        "UPDATE jobs SET state = $1, run_at = $2, lease_owner = NULL, lease_until = NULL, \
         last_error = $3, finished_at = $4 \
         WHERE id = $5 AND lease_owner = $6 AND state = 'running'",
    )
    .bind(if dead { "dead" } else { "queued" })
    .bind(next)
    .bind(&error)
    .bind(dead.then_some(now))
    .bind(&job.id)
    .bind(&job.owner)
    .execute(&mut *tx)
    .await?;
    db.commit(tx).await?;
    Ok((done.rows_affected() == 1).then_some(if dead {
        JobState::Dead
    } else {
        JobState::Queued
    }))
}

/// A job's state, attempts and last error, for status answers and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobStatus {
    /// Its state.
    pub state: JobState,
    /// Attempts so far.
    pub attempts: u32,
    /// When it is due (epoch ms), for `Retry-After`.
    pub run_at: i64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// The status of the job of `kind` for `subject`, if there is one.
pub async fn status(
    db: &Db,
    kind: JobKind,
    subject: &str,
) -> Result<Option<JobStatus>, sqlx::Error> {
    let row = sqlx::query_as::<_, (String, i64, i64, Option<String>)>(
        "SELECT state, attempts, run_at, last_error FROM jobs WHERE kind = $1 AND subject = $2",
    )
    .bind(kind.as_str())
    .bind(subject)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.and_then(|(state, attempts, run_at, last_error)| {
        Some(JobStatus {
            state: JobState::parse(&state)?,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            run_at,
            last_error,
        })
    }))
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_first_delay_up_to_the_cap() {
        let policy = JobsConfig::default().webhook_retry;
        let delays: Vec<u64> = (1..=11).map(|n| policy.delay(n).as_secs()).collect();
        assert_eq!(
            delays,
            [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
        );
        assert_eq!(policy.delay(u32::MAX), policy.cap);
    }

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in JobKind::ALL {
            assert_eq!(JobKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(JobKind::parse("render"), None);
    }
}
