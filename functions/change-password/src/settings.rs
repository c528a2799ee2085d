//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::web::auth::{jwt::TokenVerifier, password::PasswordHasherArgon2, settings};
use shop_domain::account::password::PasswordPolicy;

use crate::Handler;

pub struct Settings {
    /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
    pub verifier: TokenVerifier,
    /// `PASSWORD_POLICY`: the new password is held to it, wrong current ones count to its lock.
    pub policy: PasswordPolicy,
}

impl Settings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            verifier: settings::verifier(vars)?,
            policy: settings::password_policy(vars)?,
        })
    }
}

impl Handler {
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

shop_adapters::function!(http Handler, Settings);

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
