//! What stands between the open capture endpoint and the server's resources.
//!
//! `POST /v1/captures` needs no key — a page calls it — and `Origin` can be forged outside a
//! browser, so this module bounds what one caller can cost: captures per minute per client
//! address and per org ([`crate::http::ratelimit`]), how many captures are processed at once (a
//! semaphore; a capture waits in line at most `queue_timeout`, then is told to come back
//! with 429 `RATE_LIMITED` and `Retry-After` — the contract's code for "too much at
//! once"), and how long a body may take to arrive (`body_timeout`, then 408
//! `REQUEST_TIMEOUT`). A capture's CPU work runs on low-priority threads
//! ([`crate::http::cpu`]), so a flood of captures cannot starve claims and reads of CPU.
//! Both 429 and 408 are answers the SDK retries, so an honest page loses
//! nothing when the server is busy.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use ipnet::IpNet;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::CaptureConfig;
use crate::http::client_addr::client_addr;
use crate::http::cpu::{CpuPool, Panicked};
use crate::http::error::ApiError;
use crate::http::ratelimit::{address_key, Limiter};

/// The capture endpoint's guards; one per process, shared by its requests.
#[derive(Debug)]
pub struct CaptureGuard {
    per_ip: Option<Limiter<IpAddr>>,
    per_cid: Option<Limiter<String>>,
    trusted_proxies: Vec<IpNet>,
    slots: Arc<Semaphore>,
    queue_timeout: Duration,
    /// How long a capture's body may take to arrive.
    pub body_timeout: Duration,
    cpu: CpuPool,
}

impl CaptureGuard {
    /// Guards with the configured limits; `Err` if the capture threads cannot start.
    pub fn new(config: &CaptureConfig) -> std::io::Result<Self> {
        Ok(Self {
            per_ip: Limiter::per_minute(config.rate_per_ip),
            per_cid: Limiter::per_minute(config.rate_per_cid),
            trusted_proxies: config.trusted_proxies.clone(),
            slots: Arc::new(Semaphore::new(config.concurrency.max(1))),
            queue_timeout: Duration::from_millis(config.queue_timeout_ms),
            body_timeout: Duration::from_millis(config.body_timeout_ms),
            cpu: CpuPool::new()?,
        })
    }

    /// Runs a capture's CPU work on the low-priority capture threads.
    pub async fn process<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Panicked> {
        self.cpu.run(work).await
    }

    /// The client address of a request from `peer` (see [`crate::http::client_addr`]).
    pub fn client_addr(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok());
        client_addr(peer, forwarded, &self.trusted_proxies)
    }

    /// Counts a capture from `addr`; `RATE_LIMITED` over `EC_CAPTURE_RATE_PER_IP`.
    pub fn check_address(&self, addr: IpAddr) -> Result<(), ApiError> {
        let Some(limiter) = &self.per_ip else {
            return Ok(());
        };
        limiter
            .check(&address_key(addr))
            .map_err(|retry_after_secs| ApiError::RateLimited {
                message: format!(
                    "too many captures from {addr}; try again in {retry_after_secs} s"
                ),
                retry_after_secs,
            })
    }

    /// Counts a capture for the org `cid`; `RATE_LIMITED` over `EC_CAPTURE_RATE_PER_CID`.
    pub fn check_org(&self, cid: &str) -> Result<(), ApiError> {
        let Some(limiter) = &self.per_cid else {
            return Ok(());
        };
        limiter
            .check(&cid.to_owned())
            .map_err(|retry_after_secs| ApiError::RateLimited {
                message: format!("too many captures for {cid}; try again in {retry_after_secs} s"),
                retry_after_secs,
            })
    }

    /// A turn to process one capture, held until the answer is ready. Waits in line at
    /// most the queue timeout; then `RATE_LIMITED`.
    pub async fn turn(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        let busy = || ApiError::RateLimited {
            message: "the server is processing as many captures as it can; try again shortly"
                .into(),
            retry_after_secs: 1,
        };
        match tokio::time::timeout(self.queue_timeout, Arc::clone(&self.slots).acquire_owned())
            .await
        {
            Ok(Ok(permit)) => Ok(permit),
            // Timed out in line, or (never: it is not closed) the semaphore was closed.
            Ok(Err(_)) | Err(_) => Err(busy()),
        }
    }
}
