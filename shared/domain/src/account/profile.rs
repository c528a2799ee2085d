//! Who an account belongs to: the fields a customer gives at registration, each a value that
//! cannot hold a bad input.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A person's or company's name as typed: trimmed, 1 to 200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let name = raw.trim();
        let chars = name.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS || name.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                "invalid_name",
                "A name is 1 to 200 characters without control characters.",
            ));
        }
        Ok(Self(name.to_owned()))
    }
}

string_newtype!(DisplayName);

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Country(String);

impl Country {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        country_code(raw).map(Self).ok_or_else(|| {
            DomainError::invalid(
                "invalid_country",
                "Country must be a two-letter code such as DE.",
            )
        })
    }
}

/// A two-letter country code in any case and with surrounding space, as upper case; `None`
/// for anything else. Countries and price regions both parse through it; each names its own
/// error.
pub(crate) fn country_code(raw: &str) -> Option<String> {
    let code = raw.trim().to_ascii_uppercase();
    (code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())).then_some(code)
}

string_newtype!(Country);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            DisplayName::parse("  Anna Müller ").unwrap().as_str(),
            "Anna Müller"
        );
        for bad in ["", "   ", "a\u{0}b", "line\nbreak", &"x".repeat(201)] {
            assert_eq!(
                DisplayName::parse(bad).unwrap_err().code(),
                "invalid_name",
                "{bad:?}"
            );
        }
        assert!(DisplayName::parse(&"é".repeat(200)).is_ok());
    }

    #[test]
    fn countries_are_two_letters() {
        assert_eq!(Country::parse(" fr ").unwrap().as_str(), "FR");
        for bad in ["", "F", "FRA", "F1"] {
            assert_eq!(Country::parse(bad).unwrap_err().code(), "invalid_country");
        }
    }
}
