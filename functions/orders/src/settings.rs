//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::{
    clients::payments::{PaymentSettings, StripeClient},
    flows::order_flow::OrderFlowSettings,
    web::auth::{jwt::TokenVerifier, settings},
};
use shop_domain::order::CancellationPolicy;

use crate::{Handler, documents};

/// Calendar days after confirmation an order may be cancelled (`CANCELLATION_DAYS`).
pub const DEFAULT_CANCELLATION_DAYS: i32 = 21;
/// The seller as printed on documents (`SELLER_ADDRESS`).
pub const DEFAULT_SELLER: &str = "License Shop GmbH, Musterstrasse 1, 10115 Berlin, Germany";

pub struct Settings {
    /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
    pub verifier: TokenVerifier,
    pub cancellation: CancellationPolicy,
    pub seller: String,
    pub flow: OrderFlowSettings,
    pub payments: PaymentSettings,
}

impl Settings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            verifier: settings::verifier(vars)?,
            cancellation: CancellationPolicy {
                days: vars.or("CANCELLATION_DAYS", DEFAULT_CANCELLATION_DAYS)?,
            },
            seller: vars.or("SELLER_ADDRESS", DEFAULT_SELLER.to_owned())?,
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
            provider: boot.payments(&settings.payments)?,
            clock: boot.clock(),
            cancellation: settings.cancellation,
            seller: settings.seller,
            documents: documents()?,
        })
    }
}

shop_adapters::function!(http Handler<StripeClient>, Settings);
