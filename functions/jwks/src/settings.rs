//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;

use crate::Handler;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `JWT_PUBLIC_KEYS`: the key set as published.
    pub jwks: String,
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::env())
    }

    /// Refuses a key set nobody could verify with (with `JWT_ISSUER`, `JWT_AUDIENCE`).
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        settings::verifier(vars)?;
        Ok(Self {
            jwks: vars.required("JWT_PUBLIC_KEYS")?,
        })
    }
}

impl Handler {
    /// Reads only its settings: the key set needs no AWS client, so no boot step either.
    pub fn from_env() -> Result<Self, Error> {
        Self::new(Settings::from_env()?)
    }

    pub fn new(settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            jwks: settings.jwks,
        })
    }
}

impl HttpHandler for Handler {
    async fn handle(&self, _: Request) -> HttpResponse {
        Handler::handle(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shop_testkit::{customer::jwt_vars, settings};

    #[test]
    fn an_unusable_key_set_is_refused() {
        let bad = [("JWT_PUBLIC_KEYS", "{\"keys\": 7}")];
        settings::assert_each_bad_value_named(Settings::from_vars, &jwt_vars(), &bad);
    }
}
