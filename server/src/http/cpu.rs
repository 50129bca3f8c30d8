//! Threads for a capture's CPU work (decompress, parse, check, derive, hash), at a lower
//! scheduling priority than the rest of the server.
//!
//! Under a flood of captures that work can fill every core. On tokio's blocking pool it ran
//! at the same priority as the async workers that answer claims and reads, so a buyer's
//! claim waited for CPU behind HTML parsing. These threads, one per core, run at nice
//! [`NICE`]: when a claim's task is runnable the kernel runs it first, and the captures still
//! get every cycle nothing else wants, so their throughput stays the same on an idle
//! machine. (Linux applies `setpriority(PRIO_PROCESS, 0, …)` to the calling thread only; if
//! the call fails, the threads simply keep the normal priority.)

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

/// The niceness of the capture threads (0 is normal, 19 the lowest priority).
pub const NICE: i32 = 10;

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of low-priority threads taking jobs from one queue.
#[derive(Debug)]
pub struct CpuPool {
    jobs: Mutex<mpsc::Sender<Job>>,
}

/// The job panicked (its message is in the log).
#[derive(Debug, thiserror::Error)]
#[error("the capture's processing failed unexpectedly")]
pub struct Panicked;

impl CpuPool {
    /// Starts one thread per core the process may use.
    pub fn new() -> std::io::Result<Self> {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for i in 0..threads {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("capture-cpu-{i}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        // The lock is only held while taking a job; ends with the pool.
                        let job = receiver.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })?;
        }
        Ok(Self {
            jobs: Mutex::new(sender),
        })
    }

    /// Runs `work` on one of the threads and waits for its result.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Panicked> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(catch_unwind(AssertUnwindSafe(work)));
        });
        let sent = self
            .jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(job);
        if sent.is_err() {
            return Err(Panicked);
        }
        match result.await {
            Ok(Ok(value)) => Ok(value),
            _ => Err(Panicked),
        }
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // `None` is `setpriority(PRIO_PROCESS, 0, …)`: on Linux the calling thread alone.
    if let Err(err) = rustix::process::setpriority_process(None, NICE) {
        tracing::warn!(error = %err, "could not lower the priority of a capture thread");
    }
}

/// Elsewhere the same call would lower the whole process: the threads keep the priority.
#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn work_runs_on_a_low_priority_thread_and_panics_become_errors() {
        let pool = CpuPool::new().expect("threads");
        let (name, nice) = pool
            .run(|| {
                let name = std::thread::current().name().map(str::to_owned);
                let nice = rustix::process::getpriority_process(None).expect("getpriority");
                (name, nice)
            })
            .await
            .expect("a result");
        assert!(name.is_some_and(|n| n.starts_with("capture-cpu-")));
        assert_eq!(nice, NICE);
        let failed = pool.run(|| -> u8 { panic!("a bug") }).await;
        assert!(failed.is_err());
        assert_eq!(pool.run(|| 7).await.expect("the pool still works"), 7);
    }
}
