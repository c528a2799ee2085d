//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::web::auth::{jwt::TokenVerifier, settings};
use shop_domain::account::password::PasswordPolicy;

use crate::Handler;

shop_adapters::settings! {
    pub struct Settings {
        /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
        pub verifier: TokenVerifier = settings::verifier,
        /// `PASSWORD_POLICY`: the new password is held to it, wrong current ones count to its lock.
        pub policy: PasswordPolicy = settings::password_policy,
    }
}

impl Handler {
    pub fn new(boot: &Boot, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            guard: boot.guard(settings.verifier),
            passwords: boot.passwords(settings.policy)?,
        })
    }
}

shop_adapters::function!(http Handler => change, Settings);

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
