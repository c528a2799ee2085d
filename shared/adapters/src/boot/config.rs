//! Typed configuration from environment variables, read once at cold start. A missing or bad
//! variable stops the function before it serves anything, with a message naming the variable.

use std::{env, fmt::Display, str::FromStr};

use jiff::SignedDuration;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(String),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: String, reason: String },
}

/// A required variable, non-empty.
pub fn required(name: &str) -> Result<String, ConfigError> {
    Vars::env().required(name)
}

/// An optional variable parsed into `T`, or the default when unset or empty.
pub fn parsed_or<T: FromStr>(name: &str, default: T) -> Result<T, ConfigError>
where
    T::Err: Display,
{
    Vars::env().or(name, default)
}

/// [`parsed_or`] over a value read elsewhere.
pub fn value_or<T: FromStr>(name: &str, value: Option<String>, default: T) -> Result<T, ConfigError>
where
    T::Err: Display,
{
    match present(name, value) {
        Ok(raw) => parse(name, raw),
        Err(_) => Ok(default),
    }
}

/// Runs one field's reader of [`settings!`](crate::settings) (a function over [`Vars`], or a
/// closure, whose argument type is taken from here).
pub fn read_with<T>(
    vars: &Vars,
    read: impl FnOnce(&Vars) -> Result<T, ConfigError>,
) -> Result<T, ConfigError> {
    read(vars)
}

/// Where settings are read from: the process environment, or the values a test gives, so a
/// settings struct is tested without touching the environment (which tests share).
#[derive(Debug, Clone, Copy)]
pub struct Vars<'a> {
    given: Option<&'a [(&'a str, &'a str)]>,
}

impl Vars<'static> {
    pub fn env() -> Self {
        Self { given: None }
    }
}

impl<'a> Vars<'a> {
    /// Only these variables; every other one is unset.
    pub fn given(pairs: &'a [(&'a str, &'a str)]) -> Self {
        Self { given: Some(pairs) }
    }

    pub fn get(&self, name: &str) -> Option<String> {
        match self.given {
            None => env::var(name).ok(),
            Some(pairs) => pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned()),
        }
    }

    /// A required variable, non-empty.
    pub fn required(&self, name: &str) -> Result<String, ConfigError> {
        present(name, self.get(name))
    }

    /// An optional variable: `None` when unset or empty.
    pub fn optional(&self, name: &str) -> Option<String> {
        present(name, self.get(name)).ok()
    }

    /// An optional variable parsed into `T`, or the default when unset or empty.
    pub fn or<T: FromStr>(&self, name: &str, default: T) -> Result<T, ConfigError>
    where
        T::Err: Display,
    {
        value_or(name, self.get(name), default)
    }

    /// An optional variable read by `parse` (a domain constructor), from `default` when unset.
    pub fn read<T, E: Display>(
        &self,
        name: &str,
        default: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, ConfigError> {
        let raw: String = self.or(name, default.to_owned())?;
        parse(raw.trim()).map_err(|e| ConfigError::Invalid {
            name: name.into(),
            reason: e.to_string(),
        })
    }

    /// A whole number of seconds (default when unset); negative or too large is invalid.
    pub fn seconds(&self, name: &str, default: i64) -> Result<SignedDuration, ConfigError> {
        self.span(name, default, 1)
    }

    /// As [`Self::seconds`], in minutes.
    pub fn minutes(&self, name: &str, default: i64) -> Result<SignedDuration, ConfigError> {
        self.span(name, default, 60)
    }

    /// As [`Self::seconds`], in hours.
    pub fn hours(&self, name: &str, default: i64) -> Result<SignedDuration, ConfigError> {
        self.span(name, default, 3600)
    }

    /// As [`Self::seconds`], in days of 24 hours.
    pub fn days(&self, name: &str, default: i64) -> Result<SignedDuration, ConfigError> {
        self.span(name, default, 86_400)
    }

    fn span(&self, name: &str, default: i64, unit: i64) -> Result<SignedDuration, ConfigError> {
        let count: i64 = self.or(name, default)?;
        let invalid = |reason: &str| ConfigError::Invalid {
            name: name.into(),
            reason: reason.into(),
        };
        if count < 0 {
            return Err(invalid("must not be negative"));
        }
        let secs = count
            .checked_mul(unit)
            .ok_or_else(|| invalid("is too large"))?;
        Ok(SignedDuration::from_secs(secs))
    }
}

fn present(name: &str, value: Option<String>) -> Result<String, ConfigError> {
    value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| ConfigError::Missing(name.into()))
}

fn parse<T: FromStr>(name: &str, raw: String) -> Result<T, ConfigError>
where
    T::Err: Display,
{
    raw.trim()
        .parse()
        .map_err(|e: T::Err| ConfigError::Invalid {
            name: name.into(),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_missing_variable() {
        let err = required("SHOP_TEST_NEVER_SET").unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable SHOP_TEST_NEVER_SET is not set"
        );
        assert_eq!(
            present("X", Some("  ".into())),
            Err(ConfigError::Missing("X".into()))
        );
    }

    #[test]
    fn names_the_invalid_variable() {
        let err = parse::<u32>("MAIL_BATCH", "twelve".into()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("environment variable MAIL_BATCH is invalid")
        );
        assert_eq!(parse::<u16>("PORT", " 9 ".into()), Ok(9));
    }

    #[test]
    fn default_only_when_unset() {
        assert_eq!(parsed_or("SHOP_TEST_NEVER_SET", 7u16), Ok(7));
        let vars = Vars::given(&[("A", "3"), ("EMPTY", " ")]);
        assert_eq!(vars.or("A", 7u16), Ok(3));
        assert_eq!(vars.or("EMPTY", 7u16), Ok(7));
        assert_eq!(vars.or("B", 7u16), Ok(7));
        assert_eq!(vars.required("B"), Err(ConfigError::Missing("B".into())));
    }

    #[test]
    fn durations_in_their_unit_never_negative_or_overflowing() {
        let vars = Vars::given(&[("D", "2"), ("NEG", "-1"), ("HUGE", "9223372036854775807")]);
        assert_eq!(vars.days("D", 1), Ok(SignedDuration::from_hours(48)));
        assert_eq!(vars.minutes("D", 1), Ok(SignedDuration::from_mins(2)));
        assert_eq!(vars.hours("UNSET", 3), Ok(SignedDuration::from_hours(3)));
        assert_eq!(vars.seconds("UNSET", 5), Ok(SignedDuration::from_secs(5)));
        let read = |raw: &str| raw.parse::<u8>();
        assert_eq!(vars.read("D", "9", read), Ok(2));
        assert_eq!(vars.read("UNSET", "9", read), Ok(9));
        assert!(vars.read("NEG", "9", read).is_err());
        for name in ["NEG", "HUGE"] {
            let err = vars.days(name, 1).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
    }
}
