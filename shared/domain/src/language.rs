//! The languages the shop writes in.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    De,
    En,
    Fr,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::De, Language::En, Language::Fr];

    pub fn code(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::En => "en",
            Language::Fr => "fr",
        }
    }
}

impl FromStr for Language {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                DomainError::invalid("unsupported_language", "Language must be de, en or fr.")
            })
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_language() {
        for l in Language::ALL {
            assert_eq!(l.code().parse::<Language>().unwrap(), l);
            let json = serde_json::to_string(&l).unwrap();
            assert_eq!(json, format!("\"{}\"", l.code()));
            assert_eq!(serde_json::from_str::<Language>(&json).unwrap(), l);
        }
    }

    #[test]
    fn parses_case_insensitively_and_rejects_others() {
        assert_eq!(" DE ".parse::<Language>().unwrap(), Language::De);
        assert_eq!(
            "es".parse::<Language>().unwrap_err().code(),
            "unsupported_language"
        );
    }
}
