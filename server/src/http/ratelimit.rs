//! Rate limits of captures, per client address and per org (`cid`).
//!
//! Owns the policy — what is counted under which key, how a per-minute setting becomes a
//! quota, what `Retry-After` says — and holds the counters in memory through `governor`
//! (a generic cell rate algorithm: a key may burst up to its per-minute number, then one
//! capture per 1/n minute). Counters are per process: behind a load balancer each process
//! counts its own share. Memory stays bounded: a key whose counter has refilled (idle for
//! at most a minute) is indistinguishable from a new one and is dropped by the
//! housekeeping that runs every [`HOUSEKEEPING_EVERY`] checks.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota};

/// Checks between two sweeps of idle keys.
pub const HOUSEKEEPING_EVERY: u64 = 1_024;

/// The key an address is counted under: an IPv4 address as it is, an IPv6 address by its
/// /64 prefix, because one subscriber usually holds a whole /64 and could otherwise use a
/// fresh address for every request.
pub fn address_key(addr: IpAddr) -> IpAddr {
    match addr.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

/// The quota of a per-minute setting; `0` means unlimited (no quota).
pub fn per_minute(captures: u32) -> Option<Quota> {
    NonZeroU32::new(captures).map(Quota::per_minute)
}

/// `Retry-After` in whole seconds: the wait rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

/// A keyed counter with its housekeeping.
pub struct Limiter<K: Hash + Eq + Clone> {
    inner: DefaultKeyedRateLimiter<K>,
    checks: AtomicU64,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    /// A limiter for a per-minute setting; `None` when it is `0` (unlimited).
    pub fn per_minute(captures: u32) -> Option<Self> {
        per_minute(captures).map(|quota| Self {
            inner: DefaultKeyedRateLimiter::keyed(quota),
            checks: AtomicU64::new(0),
        })
    }

    /// Counts one capture under `key`: `Err(seconds to wait)` when over the limit.
    pub fn check(&self, key: &K) -> Result<(), u64> {
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(HOUSEKEEPING_EVERY)
        {
            self.inner.retain_recent();
            self.inner.shrink_to_fit();
        }
        self.inner.check_key(key).map_err(|not_until| {
            retry_after_secs(not_until.wait_time_from(self.inner.clock().now()))
        })
    }

    /// Keys currently held (idle ones may linger until the next sweep).
    pub fn keys(&self) -> usize {
        self.inner.len()
    }
}

impl<K: Hash + Eq + Clone> std::fmt::Debug for Limiter<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter")
            .field("keys", &self.keys())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_count_by_their_slash_64_and_ipv4_by_the_address() {
        let cases = [
            ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::"),
            ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::"),
            ("2001:db8:1:3::1", "2001:db8:1:3::"),
            ("203.0.113.9", "203.0.113.9"),
            ("::ffff:203.0.113.9", "203.0.113.9"),
        ];
        for (addr, key) in cases {
            assert_eq!(
                address_key(addr.parse().unwrap()),
                key.parse::<IpAddr>().unwrap(),
                "{addr}"
            );
        }
    }

    #[test]
    fn zero_per_minute_means_unlimited() {
        assert!(per_minute(0).is_none());
        assert!(Limiter::<u8>::per_minute(0).is_none());
        assert_eq!(
            per_minute(600).unwrap().replenish_interval(),
            Duration::from_millis(100)
        );
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(100)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_secs(Duration::from_millis(2_001)), 3);
    }

    #[test]
    fn a_key_may_burst_to_its_limit_then_waits_while_other_keys_go_on() {
        let limiter = Limiter::per_minute(3).unwrap();
        for _ in 0..3 {
            assert_eq!(limiter.check(&"a"), Ok(()));
        }
        let wait = limiter.check(&"a").unwrap_err();
        assert!((1..=20).contains(&wait), "one capture per 20 s: {wait}");
        assert_eq!(limiter.check(&"b"), Ok(()));
        assert_eq!(limiter.keys(), 2);
    }
}
