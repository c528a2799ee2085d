//! The function's settings, read once at cold start, and its handler built from them.

use lambda_http::Request;
use shop_adapters::{
    boot::{
        Boot, Error, HttpHandler,
        config::{ConfigError, Vars},
    },
    clients::payments::{PaymentSettings, StripeClient},
    flows::{order_flow::OrderFlowSettings, renewal::RenewalFlow},
    web::{
        auth::{jwt::TokenVerifier, settings},
        http::HttpResponse,
    },
};
use shop_domain::changes::RetryPolicy;

use crate::Handler;

pub struct Settings {
    /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
    pub verifier: TokenVerifier,
    pub flow: OrderFlowSettings,
    pub payments: PaymentSettings,
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            verifier: settings::verifier(vars)?,
            flow: OrderFlowSettings::from_vars(vars)?,
            payments: PaymentSettings::from_vars(vars)?,
        })
    }
}

impl Handler<StripeClient> {
    pub fn boot(boot: &Boot) -> Result<Self, Error> {
        Self::new(boot, Settings::from_env()?)
    }

    pub fn new(boot: &Boot, settings: Settings) -> Result<Self, Error> {
        let renewals = RenewalFlow {
            flow: boot.order_flow(&settings.flow),
            provider: boot.payments(&settings.payments)?,
            // A customer's renewal is charged once, while the customer waits; no retries.
            retry: RetryPolicy { days: Vec::new() },
        };
        Ok(Self {
            guard: boot.guard(settings.verifier),
            renewals,
            clock: boot.clock(),
        })
    }
}

impl HttpHandler for Handler<StripeClient> {
    async fn handle(&self, req: Request) -> HttpResponse {
        Handler::handle(self, req).await
    }
}
