//! The function's settings, read once at cold start, and its handler built from them.

use std::time::Duration;

use jiff::SignedDuration;
use shop_adapters::boot::prelude::*;
use shop_adapters::{
    clients::payments::{PaymentSettings, StripeClient},
    flows::order_flow::OrderFlowSettings,
    store::idempotency::IdempotencyPolicy,
    web::auth::{jwt::TokenVerifier, settings},
};

use crate::Handler;

/// An upgrade request's key: held while it runs, kept a day, a repeat waits for the first.
pub const REQUESTS: IdempotencyPolicy = IdempotencyPolicy {
    lease: SignedDuration::from_secs(60),
    retention: SignedDuration::from_hours(24),
};
pub const WAIT_FOR_FIRST: Duration = Duration::from_secs(20);

pub struct Settings {
    /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
    pub verifier: TokenVerifier,
    pub flow: OrderFlowSettings,
    pub payments: PaymentSettings,
}

impl Settings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            verifier: settings::verifier(vars)?,
            flow: OrderFlowSettings::from_vars(vars)?,
            payments: PaymentSettings::from_vars(vars)?,
        })
    }
}

impl Handler<StripeClient> {
    pub fn new(boot: &Boot, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            guard: boot.guard(settings.verifier),
            flow: boot.order_flow(&settings.flow),
            requests: boot.idempotent_requests(REQUESTS, WAIT_FOR_FIRST),
            provider: boot.payments(&settings.payments)?,
            clock: boot.clock(),
        })
    }
}

shop_adapters::function!(http Handler<StripeClient>, Settings);
