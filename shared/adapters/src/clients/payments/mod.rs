//! The payment provider: charges and refunds over its HTTP API, and its signed webhook.

pub mod stripe;
pub mod webhook;

pub use stripe::StripeClient;

use std::time::Duration;

use crate::boot::config::{self, ConfigError};

/// The provider client from `PAYMENT_API_URL`, `PAYMENT_API_KEY`, `APP_URL` (where the bank
/// sends customers back) and `PAYMENT_TIMEOUT_SECONDS`.
pub fn from_env() -> Result<StripeClient, Box<dyn std::error::Error + Send + Sync>> {
    let timeout = Duration::from_secs(config::parsed_or("PAYMENT_TIMEOUT_SECONDS", 10u64)?);
    Ok(StripeClient::new(
        config::required("PAYMENT_API_URL")?,
        config::required("PAYMENT_API_KEY")?,
        config::required("APP_URL")?,
        timeout,
    )
    .map_err(|e| ConfigError::Invalid {
        name: "PAYMENT_API_URL".into(),
        reason: e.to_string(),
    })?)
}
