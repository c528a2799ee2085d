//! A reset reads only the password policy (whose lockout it ends); the rest comes from the
//! boot step.

use shop_adapters::boot::prelude::*;
use shop_adapters::web::auth::settings;
use shop_domain::account::password::PasswordPolicy;

use crate::Handler;

shop_adapters::settings! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Settings {
        /// `PASSWORD_POLICY`: the new password is held to it, and its lockout is cleared.
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

    /// Unset, the vendor policy applies; a name it does not know stops the start.
    #[test]
    fn the_policy_defaults_to_vendor_and_a_bad_one_is_named() {
        let unset = Settings::from_vars(&Vars::given(&[])).map(|s| s.policy);
        assert_eq!(unset.ok(), PasswordPolicy::named("vendor"));
        let bad = Settings::from_vars(&Vars::given(&[("PASSWORD_POLICY", "lax")]));
        assert!(bad.is_err_and(|e| e.to_string().contains("PASSWORD_POLICY")));
    }
}
