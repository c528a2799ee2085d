//! The one error enum a function's use case returns. Domain errors carry their own codes; the
//! rest are faults of a dependency (retry later) or of ours, which keep what caused them so the
//! log shows the whole chain while the caller hears one sentence.

use std::{borrow::Cow, error::Error, fmt};

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use shop_domain::DomainError;

/// Whatever failed underneath a fault, kept for the log.
pub type Cause = Box<dyn Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// No valid access token: HTTP 401. Why is logged, never told.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// A dependency did not answer in time or throttled us: worth retrying. HTTP 503.
    #[error("unavailable: {what}")]
    Unavailable {
        what: Cow<'static, str>,
        #[source]
        cause: Option<Cause>,
    },
    /// A fault on our side (bad stored data, a bug). HTTP 500; the detail is only logged.
    #[error("internal: {what}")]
    Internal {
        what: Cow<'static, str>,
        #[source]
        cause: Option<Cause>,
    },
}

impl AppError {
    /// A fault of ours that nothing underneath explains (stored data breaking an invariant).
    pub fn fault(what: impl Into<Cow<'static, str>>) -> Self {
        AppError::Internal {
            what: what.into(),
            cause: None,
        }
    }

    /// A fault of ours: `what` failed because of `cause`.
    pub fn internal(what: impl Into<Cow<'static, str>>, cause: impl Into<Cause>) -> Self {
        AppError::Internal {
            what: what.into(),
            cause: Some(cause.into()),
        }
    }

    /// A dependency that did not answer; nothing more is known than `what`.
    pub fn unavailable(what: impl Into<Cow<'static, str>>) -> Self {
        AppError::Unavailable {
            what: what.into(),
            cause: None,
        }
    }

    /// Classifies any AWS SDK failure; `op` names the call for the log.
    pub fn sdk<E, R>(op: &str, err: SdkError<E, R>) -> AppError
    where
        E: ProvideErrorMetadata + Error + Send + Sync + 'static,
        R: fmt::Debug + Send + Sync + 'static,
    {
        const RETRYABLE: [&str; 6] = [
            "ThrottlingException",
            "ProvisionedThroughputExceededException",
            "RequestLimitExceeded",
            "ServiceUnavailable",
            "InternalServerError",
            "TransactionInProgressException",
        ];
        let transient = match &err {
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => true,
            _ => err.code().is_some_and(|c| RETRYABLE.contains(&c)),
        };
        let what = format!("{op}: {}", err.code().unwrap_or("no error code")).into();
        let cause = Some(Box::new(err) as Cause);
        if transient {
            AppError::Unavailable { what, cause }
        } else {
            AppError::Internal { what, cause }
        }
    }

    /// This error and every cause under it on one line, for the log. Causes are errors of
    /// libraries and services, never request bodies, so the line holds no secrets.
    pub fn report(&self) -> Report<'_> {
        Report(self)
    }
}

/// See [`AppError::report`].
pub struct Report<'a>(&'a (dyn Error + 'static));

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0.to_string();
        f.write_str(&shown)?;
        let mut next = self.0.source();
        while let Some(cause) = next {
            let text = cause.to_string();
            // Many errors repeat their cause in their own message; say it once.
            if !shown.ends_with(&text) {
                write!(f, ": {text}")?;
            }
            shown = text;
            next = cause.source();
        }
        Ok(())
    }
}

/// Turns any failure into an internal fault (HTTP 500) that says what failed and keeps the
/// failure as its cause: `serde_json::to_string(&x).context("encode the order")?`.
pub trait Context<T> {
    fn context(self, what: &'static str) -> Result<T, AppError>;

    /// As [`Context::context`], for a description built only when it failed.
    fn with_context(self, what: impl FnOnce() -> String) -> Result<T, AppError>;
}

impl<T, E: Into<Cause>> Context<T> for Result<T, E> {
    fn context(self, what: &'static str) -> Result<T, AppError> {
        self.map_err(|e| AppError::internal(what, e))
    }

    fn with_context(self, what: impl FnOnce() -> String) -> Result<T, AppError> {
        self.map_err(|e| AppError::internal(what(), e))
    }
}

impl From<shop_domain::ports::PortError> for AppError {
    fn from(e: shop_domain::ports::PortError) -> Self {
        match e {
            shop_domain::ports::PortError::Unavailable(why) => AppError::unavailable(why),
            shop_domain::ports::PortError::Fault(why) => AppError::fault(why),
        }
    }
}

/// A stored license that lacks a value money depends on is a fault of the stored data (500),
/// never a guess: which license and what it lacks stay in the log's chain.
impl From<shop_domain::subscription::Incomplete> for AppError {
    fn from(e: shop_domain::subscription::Incomplete) -> Self {
        AppError::internal("a license's stored state", e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("disk on fire")]
    struct Root;

    #[derive(Debug, thiserror::Error)]
    #[error("read failed: disk on fire")]
    struct Wrapper(#[source] Root);

    #[test]
    fn a_fault_keeps_its_cause_and_reports_the_chain_once() {
        let err: Result<(), _> = Err(Wrapper(Root));
        let err = err.context("load the order").unwrap_err();
        assert!(err.source().is_some_and(|c| c.is::<Wrapper>()));
        assert_eq!(
            err.report().to_string(),
            "internal: load the order: read failed: disk on fire"
        );
    }

    #[test]
    fn a_fault_without_cause_reports_what_failed() {
        let err = AppError::fault(format!("order {} vanished", 7));
        assert!(err.source().is_none());
        assert_eq!(err.report().to_string(), "internal: order 7 vanished");
        let err = Err::<(), _>("bad").with_context(|| "parse it".into());
        assert_eq!(
            err.unwrap_err().report().to_string(),
            "internal: parse it: bad"
        );
    }

    #[test]
    fn an_incomplete_license_is_our_fault_and_names_what_it_lacks() {
        let id = shop_domain::id::SubscriptionId::parse("lic-1").unwrap();
        let missing = shop_domain::subscription::Incomplete {
            id,
            missing: "tax treatment",
        };
        let err = AppError::from(missing);
        assert!(matches!(err, AppError::Internal { .. }));
        assert_eq!(
            err.report().to_string(),
            "internal: a license's stored state: license lic-1 has no stored tax treatment"
        );
    }
}
