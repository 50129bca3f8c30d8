//! The job queue on the real database (SQLite, or PostgreSQL with `EC_TEST_POSTGRES_URL`):
//! each job is claimed by one worker at a time, a job whose lease expired is finished by
//! another, failures back off and end dead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use expressconsent_server::db::{now_ms, Db, Lane};
use expressconsent_server::jobs::worker::{self, Handlers, JobError, Wakeup};
use expressconsent_server::jobs::{
    claim, complete, enqueue, ensure, fail, status, Failure, Job, JobKind, JobState, JobsConfig,
};
use tokio::sync::mpsc;

use crate::helpers::FreshDatabase;

const LEASE: Duration = Duration::from_secs(60);

async fn enqueue_now(db: &Db, kind: JobKind, subject: &str) {
    let mut tx = db.begin_write(Lane::Bulk).await.expect("begin");
    enqueue(&mut tx, &JobsConfig::default(), kind, subject, now_ms())
        .await
        .expect("enqueue");
    db.commit(tx).await.expect("commit");
}

#[tokio::test]
async fn a_job_is_claimed_once_and_enqueueing_it_again_adds_nothing() {
    let fresh = FreshDatabase::create().await;
    let db = Db::open(&fresh.url()).await.expect("open");
    enqueue_now(&db, JobKind::Archive, "cdr_a").await;
    enqueue_now(&db, JobKind::Archive, "cdr_a").await;

    let job = claim(&db, &JobKind::ALL, LEASE)
        .await
        .expect("claim")
        .expect("a due job");
    assert_eq!(
        (job.kind, job.subject.as_str(), job.attempts),
        (JobKind::Archive, "cdr_a", 1)
    );
    assert_eq!(
        claim(&db, &JobKind::ALL, LEASE).await.expect("claim"),
        None,
        "one job, leased"
    );
    assert!(complete(&db, &job).await.expect("complete"));
    let done = status(&db, JobKind::Archive, "cdr_a")
        .await
        .expect("status")
        .expect("a job");
    assert_eq!(done.state, JobState::Done);
    assert_eq!(claim(&db, &JobKind::ALL, LEASE).await.expect("claim"), None);
}

#[tokio::test]
async fn a_worker_claims_only_the_kinds_it_handles() {
    let fresh = FreshDatabase::create().await;
    let db = Db::open(&fresh.url()).await.expect("open");
    enqueue_now(&db, JobKind::RenderImage, "cdr_r").await;
    assert_eq!(
        claim(&db, &[JobKind::DeliverWebhook], LEASE)
            .await
            .expect("claim"),
        None
    );
    assert_eq!(claim(&db, &[], LEASE).await.expect("claim"), None);
    let job = claim(&db, &[JobKind::RenderImage], LEASE)
        .await
        .expect("claim");
    assert_eq!(job.map(|j| j.subject), Some("cdr_r".to_owned()));
}

#[tokio::test]
async fn a_job_whose_lease_expired_is_claimed_again_and_the_first_worker_cannot_record_it() {
    let fresh = FreshDatabase::create().await;
    let db = Db::open(&fresh.url()).await.expect("open");
    enqueue_now(&db, JobKind::DeliverWebhook, "msg_1").await;

    // A lease of zero has expired as soon as it is taken, as if its worker had died.
    let first = claim(&db, &JobKind::ALL, Duration::ZERO)
        .await
        .expect("claim")
        .expect("job");
    let second = claim(&db, &JobKind::ALL, LEASE)
        .await
        .expect("claim")
        .expect("claimed again");
    assert_eq!(second.id, first.id);
    assert_eq!(second.attempts, 2);

    assert!(
        !complete(&db, &first).await.expect("complete"),
        "the first worker lost the job"
    );
    let running = status(&db, JobKind::DeliverWebhook, "msg_1")
        .await
        .expect("status")
        .expect("job");
    assert_eq!(
        running.state,
        JobState::Running,
        "the second worker still owns it"
    );
    assert!(complete(&db, &second).await.expect("complete"));
}

#[tokio::test]
async fn failures_back_off_then_the_job_is_dead_with_its_last_error() {
    let fresh = FreshDatabase::create().await;
    let db = Db::open(&fresh.url()).await.expect("open");
    let config = JobsConfig::default();
    enqueue_now(&db, JobKind::DeliverWebhook, "msg_2").await;

    let job = claim(&db, &JobKind::ALL, LEASE)
        .await
        .expect("claim")
        .expect("job");
    let before = now_ms();
    let state = fail(&db, &config, &job, Failure::Retry, "HTTP 503")
        .await
        .expect("fail");
    assert_eq!(state, Some(JobState::Queued));
    let queued = status(&db, JobKind::DeliverWebhook, "msg_2")
        .await
        .expect("status")
        .expect("job");
    assert!(
        queued.run_at >= before + 10_000,
        "first retry 10 s later: {}",
        queued.run_at - before
    );
    assert!(queued.run_at <= now_ms() + 10_000);
    assert_eq!(queued.last_error.as_deref(), Some("HTTP 503"));
    assert_eq!(
        claim(&db, &JobKind::ALL, LEASE).await.expect("claim"),
        None,
        "not due yet"
    );

    // Made due again on demand, it runs; a failure that cannot be fixed ends it.
    ensure(&db, &config, JobKind::DeliverWebhook, "msg_2")
        .await
        .expect("ensure");
    let queued = status(&db, JobKind::DeliverWebhook, "msg_2")
        .await
        .expect("status")
        .expect("job");
    assert_eq!(
        queued.state,
        JobState::Queued,
        "ensure leaves a queued job alone"
    );
    sqlx::query("UPDATE jobs SET run_at = 0 WHERE subject = 'msg_2'")
        .execute(db.pool())
        .await
        .expect("make it due");
    let job = claim(&db, &JobKind::ALL, LEASE)
        .await
        .expect("claim")
        .expect("due");
    let state = fail(&db, &config, &job, Failure::GiveUp, "HTTP 410")
        .await
        .expect("fail");
    assert_eq!(state, Some(JobState::Dead));
    let dead = status(&db, JobKind::DeliverWebhook, "msg_2")
        .await
        .expect("status")
        .expect("job");
    assert_eq!((dead.state, dead.attempts), (JobState::Dead, 2));

    // Past its give-up time, a retryable failure is dead too.
    ensure(&db, &config, JobKind::DeliverWebhook, "msg_2")
        .await
        .expect("ensure");
    sqlx::query("UPDATE jobs SET give_up_at = 1 WHERE subject = 'msg_2'")
        .execute(db.pool())
        .await
        .expect("age it");
    let job = claim(&db, &JobKind::ALL, LEASE)
        .await
        .expect("claim")
        .expect("due again");
    assert_eq!(job.attempts, 1, "ensure starts a dead job afresh");
    let state = fail(&db, &config, &job, Failure::Retry, "timeout")
        .await
        .expect("fail");
    assert_eq!(state, Some(JobState::Dead));
}

/// Two processes' workers on one database, fifty jobs: every job runs exactly once.
#[tokio::test]
async fn two_processes_share_the_work_and_no_job_runs_twice() {
    let fresh = FreshDatabase::create().await;
    let first = Db::open(&fresh.url()).await.expect("open");
    let second = Db::open(&fresh.url()).await.expect("open a second time");
    let subjects: Vec<String> = (0..50).map(|n| format!("cdr_{n:02}")).collect();
    for subject in &subjects {
        enqueue_now(&first, JobKind::Archive, subject).await;
    }

    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<(usize, String)>();
    let runs: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let mut sets = Vec::new();
    for (process, db) in [first.clone(), second.clone()].into_iter().enumerate() {
        let (done_tx, runs) = (done_tx.clone(), runs.clone());
        let handler = move |job: Job| {
            let (done_tx, runs) = (done_tx.clone(), runs.clone());
            async move {
                *runs
                    .lock()
                    .expect("lock")
                    .entry(job.subject.clone())
                    .or_default() += 1;
                tokio::task::yield_now().await;
                done_tx
                    .send((process, job.subject))
                    .expect("the test listens");
                Ok(())
            }
        };
        let config = JobsConfig {
            workers: 2,
            ..JobsConfig::default()
        };
        let handlers = Handlers::default().with(JobKind::Archive, handler);
        sets.push(worker::start(db, config, handlers, Wakeup::default()));
    }
    let mut by_process = [0; 2];
    for _ in 0..subjects.len() {
        let (process, _) = tokio::time::timeout(Duration::from_secs(60), done_rx.recv())
            .await
            .expect("every job runs within a minute")
            .expect("workers running");
        by_process[process] += 1;
    }
    let runs = runs.lock().expect("lock").clone();
    assert_eq!(runs.len(), subjects.len());
    assert!(runs.values().all(|&n| n == 1), "a job ran twice: {runs:?}");
    // The record of the last jobs may still be committing; wait for every job to be done.
    for subject in &subjects {
        loop {
            let job = status(&first, JobKind::Archive, subject)
                .await
                .expect("status")
                .expect("job");
            if job.state == JobState::Done {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    drop(sets);
    assert_eq!(by_process.iter().sum::<usize>(), subjects.len());
}

/// A handler that panics or fails is retried; one that succeeds is done.
#[tokio::test]
async fn a_panicking_handler_is_retried_like_a_failure() {
    let fresh = FreshDatabase::create().await;
    let db = Db::open(&fresh.url()).await.expect("open");
    enqueue_now(&db, JobKind::RenderImage, "cdr_p").await;
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<u32>();
    let handler = move |job: Job| {
        let seen_tx = seen_tx.clone();
        async move {
            seen_tx.send(job.attempts).expect("listening");
            if job.attempts == 1 {
                panic!("the renderer crashed");
            }
            Err::<(), _>(JobError::retry("still broken"))
        }
    };
    let _workers = worker::start(
        db.clone(),
        JobsConfig::default(),
        Handlers::default().with(JobKind::RenderImage, handler),
        Wakeup::default(),
    );
    assert_eq!(seen_rx.recv().await, Some(1));
    loop {
        let job = status(&db, JobKind::RenderImage, "cdr_p")
            .await
            .expect("status")
            .expect("job");
        if job.state == JobState::Queued && job.attempts == 1 {
            assert_eq!(
                job.last_error.as_deref(),
                Some("the job's handler panicked")
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
