//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::{
    flows::links::LinkSettings,
    store::{activation_limit::ActivationSettings, plants::solar_settings},
    web::auth::{jwt::TokenVerifier, settings},
};
use shop_domain::solar::SolarSettings;

use crate::Handler;

pub struct Settings {
    /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
    pub verifier: TokenVerifier,
    /// `UNKNOWN_DEVICE_POWER_W` (20,000) and `TRIAL_DAYS` (40).
    pub solar: SolarSettings,
    /// `ACTIVATION_ATTEMPTS` (10) wrong codes per `ACTIVATION_WINDOW_MINUTES` (60).
    pub activation: ActivationSettings,
    /// `MAIL_QUEUE_URL` and `APP_URL`: the email to the owner when a license ends.
    pub links: LinkSettings,
}

impl Settings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            verifier: settings::verifier(vars)?,
            solar: solar_settings(vars)?,
            activation: ActivationSettings::from_vars(vars)?,
            links: LinkSettings::from_vars(vars)?,
        })
    }
}

impl Handler {
    pub fn new(boot: &Boot, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            guard: boot.guard(settings.verifier),
            plants: boot.plants(),
            devices: boot.devices(),
            inverters: boot.inverters(),
            limit: boot.activation_limit(settings.activation),
            power: boot.power_exceeded(&settings.links, settings.solar),
            clock: boot.clock(),
            solar: settings.solar,
        })
    }
}

shop_adapters::function!(http Handler, Settings);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn base() -> Vec<(&'static str, &'static str)> {
        let links = [
            ("MAIL_QUEUE_URL", "http://queue.example/mail"),
            ("APP_URL", "https://app.example"),
        ];
        [&shop_testkit::customer::jwt_vars()[..], &links].concat()
    }

    #[test]
    fn defaults_are_the_named_constants() {
        let s = Settings::from_vars(&Vars::given(&base())).unwrap();
        assert_eq!(s.solar, SolarSettings::default());
        assert_eq!(s.activation.attempts, ActivationSettings::ATTEMPTS);
        assert_eq!(
            s.activation.window.as_mins(),
            ActivationSettings::WINDOW_MINUTES
        );
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for name in [
            "UNKNOWN_DEVICE_POWER_W",
            "ACTIVATION_ATTEMPTS",
            "TRIAL_DAYS",
        ] {
            let vars = [&base()[..], &[(name, "lots")]].concat();
            let err = Settings::from_vars(&Vars::given(&vars)).err().unwrap();
            assert!(err.to_string().contains(name), "{err}");
        }
    }
}
