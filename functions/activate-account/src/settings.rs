//! Activation reads only the password policy; the rest comes from the boot step.

use shop_adapters::boot::prelude::*;
use shop_adapters::web::auth::settings;
use shop_domain::account::password::PasswordPolicy;

use crate::Handler;

shop_adapters::settings! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Settings {
        /// `PASSWORD_POLICY`: the new password is held to it.
        pub policy: PasswordPolicy = settings::password_policy,
    }
}

impl Handler {
    pub fn new(boot: &Boot, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            passwords: boot.passwords(settings.policy)?,
        })
    }
}

shop_adapters::function!(http Handler, Settings);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_is_named() {
        let vars = Vars::given(&[("PASSWORD_POLICY", "nist")]);
        let settings = Settings::from_vars(&vars).unwrap();
        assert_eq!(Some(settings.policy), PasswordPolicy::named("nist"));
        let err = Settings::from_vars(&Vars::given(&[("PASSWORD_POLICY", "x")])).unwrap_err();
        assert!(err.to_string().contains("PASSWORD_POLICY"));
    }
}
