//! The function's settings, read once at cold start, and its handler built from them.

use lambda_http::Request;
use shop_adapters::{
    boot::{
        Boot, Error, HttpHandler,
        config::{ConfigError, Vars},
    },
    web::{
        auth::{jwt::TokenVerifier, password::PasswordHasherArgon2, settings},
        http::HttpResponse,
    },
};
use shop_domain::account::password::PasswordPolicy;

use crate::Handler;

pub struct Settings {
    /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
    pub verifier: TokenVerifier,
    /// `PASSWORD_POLICY`: the new password is held to it, wrong current ones count to its lock.
    pub policy: PasswordPolicy,
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            verifier: settings::verifier(vars)?,
            policy: settings::password_policy(vars)?,
        })
    }
}

impl Handler {
    pub fn boot(boot: &Boot) -> Result<Self, Error> {
        Self::new(boot, Settings::from_env()?)
    }

    pub fn new(boot: &Boot, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            guard: boot.guard(settings.verifier),
            accounts: boot.accounts(),
            failures: boot.sign_in_failures(&settings.policy),
            hasher: PasswordHasherArgon2::new()?,
            clock: boot.clock(),
            policy: settings.policy,
        })
    }
}

impl HttpHandler for Handler {
    async fn handle(&self, req: Request) -> HttpResponse {
        Handler::handle(self, req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_trusted_keys_it_does_not_start() {
        let vars = Vars::given(&[("PASSWORD_POLICY", "nist")]);
        let err = Settings::from_vars(&vars).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("environment variable JWT_PUBLIC_KEYS is not set")
        );
    }
}
