//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::flows::power_exceeded::AddingSettings;

use crate::Handler;

shop_adapters::settings! {
    pub struct Settings {
        /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
        pub verifier: TokenVerifier = settings::verifier,
        /// The solar rules, the wrong-code limit and the email when a license ends.
        pub adding: AddingSettings = AddingSettings::from_vars,
    }
}

shop_adapters::function!(http Handler => route, Settings, |boot, settings| Handler {
    guard: boot.guard(settings.verifier),
    adding: boot.adding(&settings.adding),
    solar: settings.adding.solar,
});

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use shop_adapters::store::activation_limit::ActivationSettings;
    use shop_domain::solar::SolarSettings;

    fn base() -> Vec<(&'static str, &'static str)> {
        shop_testkit::bed::protected_mail_vars("http://queue.example/mail")
    }

    #[test]
    fn defaults_are_the_named_constants() {
        let s = Settings::from_vars(&Vars::given(&base())).unwrap();
        assert_eq!(s.adding.solar, SolarSettings::default());
        assert_eq!(s.adding.activation.attempts, ActivationSettings::ATTEMPTS);
        assert_eq!(
            s.adding.activation.window.as_mins(),
            ActivationSettings::WINDOW_MINUTES
        );
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let bad = [
            ("UNKNOWN_DEVICE_POWER_W", "lots"),
            ("ACTIVATION_ATTEMPTS", "lots"),
            ("TRIAL_DAYS", "lots"),
        ];
        shop_testkit::settings::assert_each_bad_value_named(Settings::from_vars, &base(), &bad);
    }
}
