//! The payment provider: charges and refunds over its HTTP API, and its signed webhook.

pub mod stripe;
pub mod webhook;

pub use stripe::StripeClient;

use std::time::Duration;

use crate::boot::config::{ConfigError, Vars};

/// Seconds a call to the provider may take when `PAYMENT_TIMEOUT_SECONDS` is unset.
pub const DEFAULT_TIMEOUT_SECONDS: i64 = 10;

/// How to reach the provider: `PAYMENT_API_URL`, `PAYMENT_API_KEY`, `APP_URL` (where the bank
/// sends customers back) and `PAYMENT_TIMEOUT_SECONDS`.
#[derive(Clone, PartialEq, Eq)]
pub struct PaymentSettings {
    pub api_url: String,
    pub api_key: String,
    pub return_url: String,
    pub timeout: Duration,
}

impl PaymentSettings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        let timeout = vars.seconds("PAYMENT_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)?;
        Ok(Self {
            api_url: vars.required("PAYMENT_API_URL")?,
            api_key: vars.required("PAYMENT_API_KEY")?,
            return_url: vars.required("APP_URL")?,
            timeout: timeout.unsigned_abs(),
        })
    }
}

/// The key stays out of logs.
impl std::fmt::Debug for PaymentSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentSettings")
            .field("api_url", &self.api_url)
            .field("return_url", &self.return_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_defaults_and_the_key_is_never_shown() {
        let vars = Vars::given(&[
            ("PAYMENT_API_URL", "https://pay"),
            ("PAYMENT_API_KEY", "sk_secret"),
            ("APP_URL", "https://app"),
        ]);
        let settings = PaymentSettings::from_vars(&vars).unwrap();
        assert_eq!(
            settings.timeout,
            Duration::from_secs(DEFAULT_TIMEOUT_SECONDS.unsigned_abs())
        );
        assert!(!format!("{settings:?}").contains("sk_secret"));
        let err = PaymentSettings::from_vars(&Vars::given(&[])).unwrap_err();
        assert!(err.to_string().contains("PAYMENT_API_URL"), "{err}");
    }
}
