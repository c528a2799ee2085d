//! The one error type of the domain. Every variant carries a stable machine-readable `code`
//! (the web app switches on it) and a human sentence; the HTTP glue maps the variant to a status.

use std::fmt;

/// A broken rule, named by a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The request cannot be read at all (bad JSON, bad query syntax): HTTP 400.
    #[error("{detail}")]
    Malformed { code: &'static str, detail: String },
    /// The request was read but a value breaks a rule: HTTP 422.
    #[error("{detail}")]
    Invalid {
        code: &'static str,
        detail: String,
        /// Which input fields are wrong and why, when the rule is about fields.
        fields: Vec<FieldError>,
    },
    /// The thing asked for does not exist for this caller: HTTP 404.
    #[error("{detail}")]
    NotFound { code: &'static str, detail: String },
    /// The current state forbids the change, or a concurrent change won: HTTP 409.
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// Credentials were refused: HTTP 401. One answer for every reason, so it reveals none.
    #[error("{detail}")]
    Unauthorized { code: &'static str, detail: String },
    /// The caller is known but may not do this (yet): HTTP 403.
    #[error("{detail}")]
    Forbidden { code: &'static str, detail: String },
    /// Too many requests of this kind for now: HTTP 429.
    #[error("{detail}")]
    RateLimited { code: &'static str, detail: String },
    /// Payment is needed first (declined, or a license is missing): HTTP 402. `buy` says
    /// where, when something can be bought to resolve it.
    #[error("{detail}")]
    PaymentRequired {
        code: &'static str,
        detail: String,
        buy: Option<Buy>,
    },
    /// The request is larger than the route takes; refused before it is read: HTTP 413.
    #[error("{detail}")]
    TooLarge { code: &'static str, detail: String },
    /// The body is of a kind the route does not read (its content type): HTTP 415.
    #[error("{detail}")]
    UnsupportedMediaType { code: &'static str, detail: String },
    /// Something must be done first, at `link`: HTTP 412.
    #[error("{detail}")]
    PreconditionFailed {
        code: &'static str,
        detail: String,
        link: &'static str,
    },
}

/// Where to buy what a `402` lacks: the route to post to and the catalog product.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Buy {
    pub link: &'static str,
    pub product_id: String,
}

/// One offending input field, for answers that list every problem at once.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub detail: String,
}

impl DomainError {
    pub fn malformed(code: &'static str, detail: impl fmt::Display) -> Self {
        Self::Malformed {
            code,
            detail: detail.to_string(),
        }
    }

    pub fn invalid(code: &'static str, detail: impl fmt::Display) -> Self {
        Self::Invalid {
            code,
            detail: detail.to_string(),
            fields: Vec::new(),
        }
    }

    /// `Err(invalid(..))` unless `ok`: the guard a newtype's constructor ends with, so the
    /// accepted value is built once, after it.
    pub fn invalid_unless(
        ok: bool,
        code: &'static str,
        detail: impl fmt::Display,
    ) -> Result<(), Self> {
        if ok {
            Ok(())
        } else {
            Err(Self::invalid(code, detail))
        }
    }

    pub fn not_found(code: &'static str, detail: impl fmt::Display) -> Self {
        Self::NotFound {
            code,
            detail: detail.to_string(),
        }
    }

    pub fn conflict(code: &'static str, detail: impl fmt::Display) -> Self {
        Self::Conflict {
            code,
            detail: detail.to_string(),
        }
    }

    pub fn forbidden(code: &'static str, detail: impl fmt::Display) -> Self {
        Self::Forbidden {
            code,
            detail: detail.to_string(),
        }
    }

    /// The stable code the web app switches on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { code, .. }
            | Self::Invalid { code, .. }
            | Self::NotFound { code, .. }
            | Self::Conflict { code, .. }
            | Self::Unauthorized { code, .. }
            | Self::Forbidden { code, .. }
            | Self::RateLimited { code, .. }
            | Self::PaymentRequired { code, .. }
            | Self::TooLarge { code, .. }
            | Self::UnsupportedMediaType { code, .. }
            | Self::PreconditionFailed { code, .. } => code,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_message_come_from_the_constructor() {
        let e = DomainError::conflict("seat_limit_reached", "all 5 seats are taken");
        assert_eq!(e.code(), "seat_limit_reached");
        assert_eq!(e.to_string(), "all 5 seats are taken");
    }
}
