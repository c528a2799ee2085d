//! The function's settings, read once at cold start, and its handler built from them.

use lambda_http::Request;
use shop_adapters::{
    boot::{
        Boot, Error, HttpHandler,
        config::{ConfigError, Vars},
    },
    web::{
        auth::{jwt::TokenVerifier, settings},
        http::HttpResponse,
    },
};

use crate::Handler;

pub struct Settings {
    /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
    pub verifier: TokenVerifier,
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            verifier: settings::verifier(vars)?,
        })
    }
}

impl Handler {
    pub fn boot(boot: &Boot) -> Result<Self, Error> {
        Ok(Self::new(boot, Settings::from_env()?))
    }

    /// The caller's licenses, behind the guard.
    pub fn new(boot: &Boot, settings: Settings) -> Self {
        Self {
            guard: boot.guard(settings.verifier),
            subscriptions: boot.subscriptions(),
            clock: boot.clock(),
        }
    }
}

impl HttpHandler for Handler {
    async fn handle(&self, req: Request) -> HttpResponse {
        Handler::handle(self, req).await
    }
}
