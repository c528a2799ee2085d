//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::{
    flows::links::LinkSettings,
    store::{activation_limit::ActivationSettings, plants::solar_settings},
    web::auth::{jwt::TokenVerifier, settings},
};
use shop_domain::solar::SolarSettings;
use shop_sheets::Limits;

use crate::Handler;

pub struct Settings {
    /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
    pub verifier: TokenVerifier,
    /// `IMPORT_MAX_FILE_BYTES` (4 MiB), `IMPORT_MAX_ROWS` (1,000), `IMPORT_MAX_UNPACKED_BYTES`
    /// (16 MiB): what one upload may cost.
    pub limits: Limits,
    /// `TRIAL_DAYS`, `UNKNOWN_DEVICE_POWER_W`: as for a single add.
    pub solar: SolarSettings,
    /// `ACTIVATION_ATTEMPTS`, `ACTIVATION_WINDOW_MINUTES`: each row's code counts, as a
    /// single add's does.
    pub activation: ActivationSettings,
    /// `MAIL_QUEUE_URL`, `APP_URL`: the email when a license ends.
    pub links: LinkSettings,
}

impl Settings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            verifier: settings::verifier(vars)?,
            limits: Limits {
                max_file_bytes: vars.or("IMPORT_MAX_FILE_BYTES", Limits::MAX_FILE_BYTES)?,
                max_rows: vars.or("IMPORT_MAX_ROWS", Limits::MAX_ROWS)?,
                max_unpacked_bytes: vars
                    .or("IMPORT_MAX_UNPACKED_BYTES", Limits::MAX_UNPACKED_BYTES)?,
            },
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
            limits: settings.limits,
        })
    }
}

shop_adapters::function!(http Handler, Settings);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn jwt() -> Vec<(&'static str, &'static str)> {
        let links = [
            ("MAIL_QUEUE_URL", "http://queue.example/mail"),
            ("APP_URL", "https://app.example"),
        ];
        [&shop_testkit::customer::jwt_vars()[..], &links].concat()
    }

    #[test]
    fn the_limits_default_to_their_named_constants() {
        let s = Settings::from_vars(&Vars::given(&jwt())).unwrap();
        assert_eq!(s.limits, Limits::default());
        assert_eq!(s.limits.max_rows, 1_000);
    }

    #[test]
    fn a_bad_limit_names_its_variable() {
        let mut vars = jwt();
        vars.push(("IMPORT_MAX_ROWS", "many"));
        let err = Settings::from_vars(&Vars::given(&vars)).err().unwrap();
        assert!(err.to_string().contains("IMPORT_MAX_ROWS"), "{err}");
    }
}
