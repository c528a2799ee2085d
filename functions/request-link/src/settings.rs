//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;

use crate::Handler;

/// Links one email may ask for per hour (`LINK_REQUESTS_PER_HOUR`).
pub const DEFAULT_PER_HOUR: u32 = 3;

shop_adapters::settings! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Settings {
        /// `LINK_REQUESTS_PER_HOUR`: links one email may ask for per hour.
        pub per_hour: u32 = |v| v.or("LINK_REQUESTS_PER_HOUR", DEFAULT_PER_HOUR),
        /// `ACTIVATION_LINK_DAYS`, as long as an invitation's.
        pub activation_valid: SignedDuration = settings::activation_valid,
        /// `VERIFY_LINK_DAYS`, as long as a registration's.
        pub verification_valid: SignedDuration = settings::verification_valid,
        /// `RESET_LINK_HOURS`.
        pub reset_valid: SignedDuration = settings::reset_valid,
        /// The link email's queue and links.
        pub links: LinkSettings = LinkSettings::from_vars,
    }
}

shop_adapters::function!(http Handler => request, Settings, |boot, settings| Handler {
    accounts: boot.accounts(),
    links: boot.link_mailer(&settings.links),
    clock: boot.clock(),
    per_hour: settings.per_hour,
    activation_valid: settings.activation_valid,
    verification_valid: settings.verification_valid,
    reset_valid: settings.reset_valid,
});

#[cfg(test)]
mod tests {
    use super::*;

    const LINKS: [(&str, &str); 2] = [("MAIL_QUEUE_URL", "http://q"), ("APP_URL", "http://app")];

    #[test]
    fn defaults_apply_when_unset() {
        let s = Settings::from_vars(&Vars::given(&LINKS)).unwrap();
        assert_eq!(s.per_hour, DEFAULT_PER_HOUR);
        assert_eq!(s.activation_valid, SignedDuration::from_hours(14 * 24));
        assert_eq!(s.verification_valid, SignedDuration::from_hours(7 * 24));
        assert_eq!(s.reset_valid, SignedDuration::from_hours(2));
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let mut vars = LINKS.to_vec();
        vars.push(("RESET_LINK_HOURS", "two"));
        let err = Settings::from_vars(&Vars::given(&vars)).unwrap_err();
        assert!(err.to_string().contains("RESET_LINK_HOURS"), "{err}");
    }
}
