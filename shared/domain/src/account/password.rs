//! The password policy: what a new password must satisfy, how long it lives, and when failed
//! sign-ins lock an account. Two profiles: `vendor` (the rules the old shop published, the
//! default) and `nist` (NIST SP 800-63B: length over composition, no expiry).

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// Characters that count as "special" in the vendor profile, as the vendor lists them.
pub const VENDOR_SPECIALS: &str = "!@#$%^&*_-+=;:|./?()[]{}<>";

/// Breached passwords refused by every profile, one per line, compared case-insensitively.
const BLOCKLIST: &str = include_str!("common-passwords.txt");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_chars: usize,
    /// Longer passwords are accepted up to here; the cap only bounds hashing work.
    pub max_chars: usize,
    pub require_letter: bool,
    pub require_digit: bool,
    /// Empty: no special character required.
    pub specials: &'static str,
    /// A password older than this must be changed at sign-in (`None`: never expires).
    pub max_age: Option<SignedDuration>,
    /// A password younger than this cannot be changed by its owner (a reset may).
    pub min_age: SignedDuration,
    /// How many earlier passwords cannot be reused.
    pub history: usize,
    pub lockout: LockoutPolicy,
}

/// `failures` failed sign-ins within `window` lock the account for `lock_for`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub failures: usize,
    pub window: SignedDuration,
    pub lock_for: SignedDuration,
}

const DAY: SignedDuration = SignedDuration::from_hours(24);

impl PasswordPolicy {
    pub fn vendor() -> Self {
        Self {
            min_chars: 8,
            max_chars: 1024,
            require_letter: true,
            require_digit: true,
            specials: VENDOR_SPECIALS,
            max_age: Some(DAY.checked_mul(365).unwrap_or(DAY)),
            min_age: DAY.checked_mul(2).unwrap_or(DAY),
            history: 8,
            lockout: LockoutPolicy {
                failures: 5,
                window: SignedDuration::from_mins(5),
                lock_for: SignedDuration::from_mins(15),
            },
        }
    }

    pub fn nist() -> Self {
        Self {
            min_chars: 15,
            require_letter: false,
            require_digit: false,
            specials: "",
            max_age: None,
            ..Self::vendor()
        }
    }

    /// The profile named in configuration: `vendor` or `nist`.
    pub fn named(name: &str) -> Option<Self> {
        match name.trim() {
            "vendor" => Some(Self::vendor()),
            "nist" => Some(Self::nist()),
            _ => None,
        }
    }

    /// Every rule `candidate` breaks, each with a stable code; empty when it is acceptable.
    pub fn violations(&self, candidate: &str) -> Vec<Violation> {
        let chars = candidate.chars().count();
        let mut found = Vec::new();
        if chars < self.min_chars {
            found.push(Violation::TooShort {
                min: self.min_chars,
            });
        }
        if chars > self.max_chars {
            found.push(Violation::TooLong {
                max: self.max_chars,
            });
        }
        if self.require_letter && !candidate.chars().any(char::is_alphabetic) {
            found.push(Violation::MissingLetter);
        }
        if self.require_digit && !candidate.chars().any(|c| c.is_ascii_digit()) {
            found.push(Violation::MissingDigit);
        }
        if !self.specials.is_empty() && !candidate.chars().any(|c| self.specials.contains(c)) {
            found.push(Violation::MissingSpecial {
                allowed: self.specials,
            });
        }
        if is_common(candidate) {
            found.push(Violation::Common);
        }
        found
    }

    /// Whether a password set at `set_at` must be changed before the account is used.
    pub fn expired(&self, set_at: Timestamp, now: Timestamp) -> bool {
        self.max_age
            .is_some_and(|age| now.duration_since(set_at) >= age)
    }

    /// Whether the owner may change a password set at `set_at` (resets ignore this).
    pub fn old_enough_to_change(&self, set_at: Timestamp, now: Timestamp) -> bool {
        now.duration_since(set_at) >= self.min_age
    }
}

fn is_common(candidate: &str) -> bool {
    let lowered = candidate.to_lowercase();
    BLOCKLIST.lines().any(|line| line.trim() == lowered)
}

/// One broken rule. `code` is stable; the web app shows its own sentence for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Violation {
    TooShort { min: usize },
    TooLong { max: usize },
    MissingLetter,
    MissingDigit,
    MissingSpecial { allowed: &'static str },
    Common,
}

impl Violation {
    pub fn code(self) -> &'static str {
        match self {
            Violation::TooShort { .. } => "password_too_short",
            Violation::TooLong { .. } => "password_too_long",
            Violation::MissingLetter => "password_needs_letter",
            Violation::MissingDigit => "password_needs_digit",
            Violation::MissingSpecial { .. } => "password_needs_special",
            Violation::Common => "password_too_common",
        }
    }

    pub fn detail(self) -> String {
        match self {
            Violation::TooShort { min } => format!("Use at least {min} characters."),
            Violation::TooLong { max } => format!("Use at most {max} characters."),
            Violation::MissingLetter => "Use at least one letter.".into(),
            Violation::MissingDigit => "Use at least one digit.".into(),
            Violation::MissingSpecial { allowed } => {
                format!("Use at least one of these characters: {allowed}")
            }
            Violation::Common => {
                "This password is among the most common ones; choose another.".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn codes(policy: &PasswordPolicy, candidate: &str) -> Vec<&'static str> {
        policy
            .violations(candidate)
            .into_iter()
            .map(Violation::code)
            .collect()
    }

    #[test]
    fn profiles_table() {
        let (v, n) = (PasswordPolicy::vendor(), PasswordPolicy::nist());
        for (policy, candidate, expected) in [
            (&v, "Sonne#2026x", vec![]),
            (&v, "Ab1!xyz", vec!["password_too_short"]),
            (&v, "abcdefgh1", vec!["password_needs_special"]),
            (&v, "abcdefgh!", vec!["password_needs_digit"]),
            (&v, "12345678!", vec!["password_needs_letter"]),
            (&v, "äöü-ß1234", vec![]), // letters beyond ASCII count as letters
            (&v, "Passwort1!", vec!["password_too_common"]),
            (
                &v,
                "",
                vec![
                    "password_too_short",
                    "password_needs_letter",
                    "password_needs_digit",
                    "password_needs_special",
                ],
            ),
            (&v, "Hello 1 world", vec!["password_needs_special"]), // a space is not in the vendor's set
            (&n, "correct horse battery", vec![]),
            (&n, "kurz aber gut", vec!["password_too_short"]),
            (&n, "ünïcödé pässwörd 🔐", vec![]),
            (&n, "password1234567", vec![]),
        ] {
            assert_eq!(codes(policy, candidate), expected, "{candidate:?}");
        }
        assert_eq!(n.max_age, None);
    }

    #[test]
    fn long_unicode_passwords_are_accepted_up_to_the_cap() {
        let v = PasswordPolicy::vendor();
        let long = format!("{}1!", "ß".repeat(126)); // 128 characters, 254 bytes
        assert!(v.violations(&long).is_empty());
        let too_long = format!("{}1!", "a".repeat(v.max_chars));
        assert_eq!(codes(&v, &too_long), vec!["password_too_long"]);
    }

    #[test]
    fn every_breach_list_entry_is_refused_in_any_case() {
        let v = PasswordPolicy::vendor();
        for line in BLOCKLIST.lines().filter(|l| !l.trim().is_empty()) {
            assert!(
                codes(&v, &line.to_uppercase()).contains(&"password_too_common"),
                "{line}"
            );
        }
    }

    #[test]
    fn ages() {
        let v = PasswordPolicy::vendor();
        let set: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let day = |n: i64| set + SignedDuration::from_hours(24 * n);
        assert!(!v.old_enough_to_change(set, day(2) - SignedDuration::from_secs(1)));
        assert!(v.old_enough_to_change(set, day(2)));
        assert!(!v.expired(set, day(365) - SignedDuration::from_secs(1)));
        assert!(v.expired(set, day(365)));
        assert!(!PasswordPolicy::nist().expired(set, day(5000)));
    }

    fn policies() -> impl Strategy<Value = PasswordPolicy> {
        prop_oneof![Just(PasswordPolicy::vendor()), Just(PasswordPolicy::nist())]
    }

    proptest! {
        #[test]
        fn nothing_shorter_than_the_minimum_passes(p in policies(), s in "\\PC{0,14}") {
            prop_assume!(s.chars().count() < p.min_chars);
            let too_short = Violation::TooShort { min: p.min_chars };
            prop_assert!(p.violations(&s).contains(&too_short));
        }

        #[test]
        fn every_accepted_password_meets_every_rule(p in policies(), s in "\\PC{0,40}") {
            if p.violations(&s).is_empty() {
                let n = s.chars().count();
                prop_assert!(n >= p.min_chars && n <= p.max_chars);
                prop_assert!(!p.require_letter || s.chars().any(char::is_alphabetic));
                prop_assert!(!p.require_digit || s.chars().any(|c| c.is_ascii_digit()));
                prop_assert!(p.specials.is_empty() || s.chars().any(|c| p.specials.contains(c)));
                prop_assert!(!is_common(&s));
            }
        }
    }
}
