//! Failed sign-ins and the lock they lead to. The repository keeps only a log of the failures'
//! times per email, appended atomically, so no concurrent attempt is ever lost; the state is
//! the log replayed here.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::password::LockoutPolicy;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInFailures {
    /// Failures still inside the window, oldest first.
    recent: Vec<Timestamp>,
    locked_until: Option<Timestamp>,
}

impl SignInFailures {
    pub fn is_locked(&self, now: Timestamp) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// The state a log of failed attempts leads to, replayed oldest first: attempts while
    /// locked neither count nor extend the lock, in whatever order they were recorded.
    pub fn replay(log: &[Timestamp], policy: &LockoutPolicy) -> Self {
        let mut times = log.to_vec();
        times.sort();
        times
            .into_iter()
            .fold(Self::default(), |state, at| state.after_failure(at, policy))
    }

    /// The state after one more failed attempt at `now`.
    pub fn after_failure(&self, now: Timestamp, policy: &LockoutPolicy) -> Self {
        if self.is_locked(now) {
            return self.clone(); // attempts while locked neither extend nor count
        }
        let mut recent: Vec<Timestamp> = self
            .recent
            .iter()
            .copied()
            .filter(|t| now.duration_since(*t) < policy.window)
            .collect();
        recent.push(now);
        if recent.len() >= policy.failures {
            Self {
                recent: Vec::new(),
                locked_until: now.checked_add(policy.lock_for).ok(),
            }
        } else {
            Self {
                recent,
                locked_until: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::password::PasswordPolicy;
    use jiff::SignedDuration;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn fail_at(times: &[&str]) -> SignInFailures {
        let policy = PasswordPolicy::vendor().lockout;
        times.iter().fold(SignInFailures::default(), |s, at| {
            s.after_failure(t(at), &policy)
        })
    }

    #[test]
    fn five_failures_within_five_minutes_lock_for_fifteen() {
        let s = fail_at(&[
            "2026-11-22T10:00:00Z",
            "2026-11-22T10:01:00Z",
            "2026-11-22T10:02:00Z",
            "2026-11-22T10:03:00Z",
            "2026-11-22T10:04:59Z",
        ]);
        assert!(s.is_locked(t("2026-11-22T10:05:00Z")));
        assert!(s.is_locked(t("2026-11-22T10:19:58Z")));
        assert!(!s.is_locked(t("2026-11-22T10:19:59Z")));
    }

    #[test]
    fn failures_spread_over_more_than_five_minutes_do_not_lock() {
        let s = fail_at(&[
            "2026-11-22T10:00:00Z",
            "2026-11-22T10:01:30Z",
            "2026-11-22T10:03:00Z",
            "2026-11-22T10:04:30Z",
            "2026-11-22T10:06:00Z",
        ]);
        assert!(!s.is_locked(t("2026-11-22T10:06:00Z")));
    }

    #[test]
    fn a_log_recorded_out_of_order_locks_like_the_attempts_did() {
        let policy = PasswordPolicy::vendor().lockout;
        let at = |m: u32| t(&format!("2026-11-22T10:{m:02}:00Z"));
        // Five concurrent failures, recorded in any order, lock.
        let log: Vec<Timestamp> = [3, 1, 4, 0, 2].iter().map(|m| at(*m)).collect();
        let state = SignInFailures::replay(&log, &policy);
        assert!(state.is_locked(at(5)) && !state.is_locked(at(19)));
        // Attempts during the lock are in the log but do not extend it.
        let mut longer = log.clone();
        longer.extend([at(10), at(12), at(14), at(15), at(16)]);
        assert!(!SignInFailures::replay(&longer, &policy).is_locked(at(19)));
        assert_eq!(
            SignInFailures::replay(&[], &policy),
            SignInFailures::default()
        );
    }

    #[test]
    fn attempts_while_locked_do_not_extend_the_lock() {
        let policy = PasswordPolicy::vendor().lockout;
        let locked = fail_at(&["2026-11-22T10:00:00Z"; 5]);
        let again = locked.after_failure(t("2026-11-22T10:10:00Z"), &policy);
        assert_eq!(again, locked);
        assert!(!again.is_locked(t("2026-11-22T10:15:00Z") + SignedDuration::from_secs(1)));
    }
}
