//! The sign-in throttle's policy: after [`MAX_FAILURES`] failed sign-ins for one email
//! within [`WINDOW_MS`], sign-in for that email is refused for [`LOCK_MS`] from the last of
//! them, whatever the password.
//!
//! Pure: it decides from the failure times the database holds (see
//! [`crate::db::users::failures_since`]), so every server process decides alike. Refused
//! attempts are not failures (no password was checked), so a lock ends on time even while
//! someone keeps trying; a successful sign-in does not lift it either, since the point is
//! that nobody can tell a right guess from a wrong one during a lock.

/// Failed attempts within [`WINDOW_MS`] that lock an email.
pub const MAX_FAILURES: usize = 10;
/// The window the failures are counted in: 15 minutes.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// How long a lock lasts, from the failure that caused it: 15 minutes.
pub const LOCK_MS: i64 = 15 * 60 * 1000;
/// Failures older than this cannot matter any more, and may be forgotten.
pub const LOOKBACK_MS: i64 = WINDOW_MS + LOCK_MS;

/// Whether an email may try to sign in now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password.
    Open,
    /// Refuse without checking, until this time (epoch ms).
    Locked {
        /// When sign-in opens again.
        until: i64,
    },
}

impl Verdict {
    /// Whole minutes left of a lock at `now`, rounded up (at least 1); 0 when open.
    pub fn minutes_left(self, now: i64) -> i64 {
        match self {
            Self::Open => 0,
            Self::Locked { until } => ((until - now).max(1) + 59_999) / 60_000,
        }
    }
}

/// The verdict at `now` for an email whose failed attempts happened at `failures`
/// (epoch ms, oldest first; those older than [`LOOKBACK_MS`] may be left out).
pub fn verdict(failures: &[i64], now: i64) -> Verdict {
    let until = failures
        .windows(MAX_FAILURES)
        .filter(|run| run[MAX_FAILURES - 1] - run[0] < WINDOW_MS)
        .map(|run| run[MAX_FAILURES - 1] + LOCK_MS)
        .max();
    match until {
        Some(until) if until > now => Verdict::Locked { until },
        _ => Verdict::Open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    /// `n` failures one second apart, the first at `start`.
    fn failures(start: i64, n: usize) -> Vec<i64> {
        (0..n as i64).map(|i| start + i * 1000).collect()
    }

    #[test]
    fn the_tenth_failure_within_fifteen_minutes_locks_for_fifteen_minutes() {
        let t0 = 1_000_000_000;
        let nine = failures(t0, 9);
        let ten = failures(t0, 10);
        let last = ten[9];
        let spread = |gap: i64| (0..10).map(|i| t0 + i * gap).collect::<Vec<_>>();
        // (failures, now, expected)
        let table: Vec<(&str, Vec<i64>, i64, Verdict)> = vec![
            ("no failures", vec![], t0, Verdict::Open),
            ("nine failures", nine.clone(), nine[8] + 1, Verdict::Open),
            (
                "ten failures",
                ten.clone(),
                last + 1,
                Verdict::Locked {
                    until: last + 15 * MIN,
                },
            ),
            (
                "still locked a moment before the end",
                ten.clone(),
                last + 15 * MIN - 1,
                Verdict::Locked {
                    until: last + 15 * MIN,
                },
            ),
            (
                "open again after fifteen minutes",
                ten.clone(),
                last + 15 * MIN,
                Verdict::Open,
            ),
            (
                "ten failures spread over more than fifteen minutes",
                spread(100_001),
                t0 + 10 * 100_001,
                Verdict::Open,
            ),
            (
                "ten failures just inside fifteen minutes",
                spread(99_999),
                t0 + 9 * 99_999 + 1,
                Verdict::Locked {
                    until: t0 + 9 * 99_999 + 15 * MIN,
                },
            ),
            (
                "eleven failures: the later run sets the end",
                failures(t0, 11),
                t0 + 20 * MIN,
                Verdict::Open,
            ),
        ];
        for (name, failures, now, expected) in table {
            assert_eq!(verdict(&failures, now), expected, "{name}");
        }
    }

    #[test]
    fn a_new_failure_after_a_lock_does_not_lock_again_on_its_own() {
        let t0 = 1_000_000_000;
        let mut past = failures(t0, 10);
        let after_lock = past[9] + 15 * MIN + 1;
        past.push(after_lock);
        assert_eq!(verdict(&past, after_lock + 1), Verdict::Open);
    }

    #[test]
    fn the_message_counts_whole_minutes_rounded_up() {
        let locked = Verdict::Locked { until: 10 * MIN };
        assert_eq!(locked.minutes_left(0), 10);
        assert_eq!(locked.minutes_left(1), 10);
        assert_eq!(locked.minutes_left(9 * MIN + 1), 1);
        assert_eq!(locked.minutes_left(10 * MIN - 1), 1);
        assert_eq!(Verdict::Open.minutes_left(0), 0);
    }
}
