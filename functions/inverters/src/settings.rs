//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::{
    flows::{links::LinkSettings, power_exceeded::PowerExceeded},
    store::activation_limit::ActivationLimit,
    web::auth::{jwt::TokenVerifier, settings},
};
use shop_domain::solar::{SolarSettings, Watts};

use crate::Handler;

/// Wrong activation codes an account may enter per window (`ACTIVATION_ATTEMPTS`).
pub const DEFAULT_ACTIVATION_ATTEMPTS: u32 = 10;
/// The window those attempts are counted in, minutes (`ACTIVATION_WINDOW_MINUTES`).
pub const DEFAULT_ACTIVATION_WINDOW_MINUTES: i64 = 60;

pub struct Settings {
    /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
    pub verifier: TokenVerifier,
    /// `UNKNOWN_DEVICE_POWER_W` (20,000) and `TRIAL_DAYS` (40).
    pub solar: SolarSettings,
    pub activation_attempts: u32,
    pub activation_window: jiff::SignedDuration,
    /// `MAIL_QUEUE_URL` and `APP_URL`: the email to the owner when a license ends.
    pub links: LinkSettings,
}

impl Settings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            verifier: settings::verifier(vars)?,
            solar: SolarSettings {
                trial_days: vars.or("TRIAL_DAYS", SolarSettings::TRIAL_DAYS)?,
                unknown_device_power: Watts(vars.or(
                    "UNKNOWN_DEVICE_POWER_W",
                    SolarSettings::UNKNOWN_DEVICE_POWER.0,
                )?),
            },
            activation_attempts: vars.or("ACTIVATION_ATTEMPTS", DEFAULT_ACTIVATION_ATTEMPTS)?,
            activation_window: vars.minutes(
                "ACTIVATION_WINDOW_MINUTES",
                DEFAULT_ACTIVATION_WINDOW_MINUTES,
            )?,
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
            limit: ActivationLimit::new(
                boot.dynamodb(),
                boot.table(),
                settings.activation_attempts,
                settings.activation_window,
            ),
            power: PowerExceeded {
                plants: boot.plants(),
                inverters: boot.inverters(),
                subscriptions: boot.subscriptions(),
                accounts: boot.accounts(),
                outbox: boot.outbox(&settings.links.mail_queue_url),
                app_url: settings.links.app_url.clone(),
                settings: settings.solar,
            },
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
        assert_eq!(s.activation_attempts, DEFAULT_ACTIVATION_ATTEMPTS);
        assert_eq!(
            s.activation_window.as_mins(),
            DEFAULT_ACTIVATION_WINDOW_MINUTES
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
