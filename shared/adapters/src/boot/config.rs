//! Typed configuration from environment variables, read once at cold start. A missing or bad
//! variable stops the function before it serves anything, with a message naming the variable.

use std::{env, fmt::Display, str::FromStr};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(String),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: String, reason: String },
}

/// A required variable, non-empty.
pub fn required(name: &str) -> Result<String, ConfigError> {
    present(name, env::var(name).ok())
}

/// A required variable parsed into `T`.
pub fn parsed<T: FromStr>(name: &str) -> Result<T, ConfigError>
where
    T::Err: Display,
{
    parse(name, present(name, env::var(name).ok())?)
}

/// An optional variable parsed into `T`, or the default when unset or empty.
pub fn parsed_or<T: FromStr>(name: &str, default: T) -> Result<T, ConfigError>
where
    T::Err: Display,
{
    value_or(name, env::var(name).ok(), default)
}

/// [`parsed_or`] over a value read elsewhere: settings structs take their variables through a
/// lookup, so tests give them values without touching the process environment.
pub fn value_or<T: FromStr>(name: &str, value: Option<String>, default: T) -> Result<T, ConfigError>
where
    T::Err: Display,
{
    match present(name, value) {
        Ok(raw) => parse(name, raw),
        Err(_) => Ok(default),
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
    }
}
