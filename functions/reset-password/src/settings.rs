//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::web::auth::{password::PasswordHasherArgon2, settings};
use shop_domain::account::password::PasswordPolicy;

use crate::Handler;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `PASSWORD_POLICY`: the new password is held to it, and its lockout is cleared.
    pub policy: PasswordPolicy,
}

impl Settings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            policy: settings::password_policy(vars)?,
        })
    }
}

impl Handler {
    pub fn new(boot: &Boot, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
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
    fn a_bad_policy_is_named() {
        let vars = Vars::given(&[("PASSWORD_POLICY", "nist")]);
        let settings = Settings::from_vars(&vars).unwrap();
        assert_eq!(Some(settings.policy), PasswordPolicy::named("nist"));
        let err = Settings::from_vars(&Vars::given(&[("PASSWORD_POLICY", "x")])).unwrap_err();
        assert!(err.to_string().contains("PASSWORD_POLICY"));
    }
}
