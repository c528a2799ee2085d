//! The one error enum a function's use case returns. Domain errors carry their own codes; the
//! rest are faults of a dependency (retry later) or of ours.

use std::fmt::Debug;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use shop_domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// No valid access token: HTTP 401. Why is logged, never told.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// A dependency did not answer in time or throttled us: worth retrying. HTTP 503.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A fault on our side (bad stored data, a bug). HTTP 500; the detail is only logged.
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    /// Classifies any AWS SDK failure; `op` names the call for the log.
    pub fn sdk<E, R>(op: &str, err: SdkError<E, R>) -> AppError
    where
        E: ProvideErrorMetadata + Debug,
        R: Debug,
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
        let detail = format!("{op}: {}", err.code().unwrap_or("no error code"));
        if transient {
            AppError::Unavailable(detail)
        } else {
            AppError::Internal(format!("{detail}: {err:?}"))
        }
    }
}

impl From<shop_domain::ports::PortError> for AppError {
    fn from(e: shop_domain::ports::PortError) -> Self {
        match e {
            shop_domain::ports::PortError::Unavailable(why) => AppError::Unavailable(why),
            shop_domain::ports::PortError::Fault(why) => AppError::Internal(why),
        }
    }
}
