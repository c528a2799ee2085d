//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::store::plants::solar_settings;
use shop_domain::solar::SolarSettings;

use crate::Handler;

pub struct Settings {
    /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
    pub verifier: TokenVerifier,
    /// `TRIAL_DAYS` (40) and `UNKNOWN_DEVICE_POWER_W` (20000): what the monitoring state and
    /// the total power shown count with.
    pub solar: SolarSettings,
}

impl Settings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            verifier: settings::verifier(vars)?,
            solar: solar_settings(vars)?,
        })
    }
}

// The caller's plants, behind the guard.
shop_adapters::function!(http Handler => route, Settings, |boot, settings| Handler {
    guard: boot.guard(settings.verifier),
    plants: boot.plants(),
    clock: boot.clock(),
    solar: settings.solar,
});

#[cfg(test)]
mod tests {
    use super::*;
    use shop_domain::solar::Watts;
    use shop_testkit::{customer::jwt_vars, settings};

    #[test]
    fn the_solar_settings_default_to_the_domains() {
        let solar = |extra: &[_]| settings::protected(Settings::from_vars, extra).solar;
        assert_eq!(solar(&[]), SolarSettings::default());
        let set = solar(&[("TRIAL_DAYS", "30"), ("UNKNOWN_DEVICE_POWER_W", "5000")]);
        assert_eq!(
            (set.trial_days, set.unknown_device_power),
            (30, Watts(5000))
        );
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let bad = [
            ("TRIAL_DAYS", "0"),
            ("TRIAL_DAYS", "forty"),
            ("UNKNOWN_DEVICE_POWER_W", "-1"),
        ];
        settings::assert_each_bad_value_named(Settings::from_vars, &jwt_vars(), &bad);
    }
}
