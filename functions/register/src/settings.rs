//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::web::auth::password::PasswordHasherArgon2;

use crate::Handler;

shop_adapters::settings! {
    pub struct Settings {
        /// `PASSWORD_POLICY`: the first password is held to it.
        pub policy: PasswordPolicy = settings::password_policy,
        /// `VERIFY_LINK_DAYS`: how long the validation link works.
        pub link_valid: SignedDuration = settings::verification_valid,
        /// The validation email's queue and links.
        pub links: LinkSettings = LinkSettings::from_vars,
    }
}

shop_adapters::function!(http Handler => register, Settings, |boot, settings| Handler {
    accounts: boot.accounts(),
    links: boot.link_mailer(&settings.links),
    hasher: PasswordHasherArgon2::new()?,
    clock: boot.clock(),
    policy: settings.policy,
    link_valid: settings.link_valid,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_works_a_week_unless_set() {
        let queue = [("MAIL_QUEUE_URL", "http://q"), ("APP_URL", "http://app")];
        let unset = Settings::from_vars(&Vars::given(&queue)).unwrap();
        assert_eq!(unset.link_valid, SignedDuration::from_hours(7 * 24));
        let err = Settings::from_vars(&Vars::given(&[("VERIFY_LINK_DAYS", "x")])).err();
        assert!(err.is_some_and(|e| e.to_string().contains("VERIFY_LINK_DAYS")));
    }
}
