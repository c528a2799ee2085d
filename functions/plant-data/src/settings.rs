//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::store::{
    plants::solar_settings,
    telemetry_history::{TelemetryHistory, history_settings, telemetry_table},
};
use shop_domain::solar::{SolarSettings, history::HistorySettings};

use crate::Handler;

/// The catalog's per-kW monitoring product a `402 license_required` names.
pub const DEFAULT_MONITORING_PRODUCT: &str = "solar-monitoring";

shop_adapters::settings! {
    pub struct Settings {
        /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
        pub verifier: TokenVerifier = settings::verifier,
        /// `TRIAL_DAYS`, `UNKNOWN_DEVICE_POWER_W`: what the access rule counts with.
        pub solar: SolarSettings = solar_settings,
        /// The longest range per resolution and the freshness of current power.
        pub history: HistorySettings = history_settings,
        /// `TELEMETRY_TABLE`: where the readings are.
        pub telemetry_table: String = telemetry_table,
        /// `MONITORING_PRODUCT_ID` (`solar-monitoring`): what to buy when data is refused.
        pub monitoring_product: String =
            |v| v.or("MONITORING_PRODUCT_ID", DEFAULT_MONITORING_PRODUCT.to_owned()),
    }
}

// An owner's plant data: the plant from the shop table, readings from the telemetry
// table.
shop_adapters::function!(http Handler => route, Settings, |boot, settings| Handler {
    guard: boot.guard(settings.verifier),
    plants: boot.plants(),
    telemetry: TelemetryHistory::new(boot.dynamodb(), settings.telemetry_table),
    clock: boot.clock(),
    solar: settings.solar,
    history: settings.history,
    monitoring_product: settings.monitoring_product,
});

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use shop_testkit::{customer::jwt_vars, settings};

    /// What the template always sets: the token variables and the telemetry table.
    fn base() -> Vec<(&'static str, &'static str)> {
        [&jwt_vars()[..], &[("TELEMETRY_TABLE", "telemetry")]].concat()
    }

    fn with(extra: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        settings::read(Settings::from_vars, &base(), extra)
    }

    #[test]
    fn defaults() {
        let set = with(&[]).unwrap();
        assert_eq!(set.history, HistorySettings::default());
        assert_eq!(set.solar, SolarSettings::default());
        assert_eq!(set.monitoring_product, "solar-monitoring");
        assert_eq!(set.telemetry_table, "telemetry");
    }

    #[test]
    fn a_bad_or_missing_value_names_its_variable() {
        let bad = [("HISTORY_MAX_DAY_DAYS", "x"), ("TRIAL_DAYS", "0")];
        settings::assert_each_bad_value_named(Settings::from_vars, &base(), &bad);
        let err = Settings::from_vars(&Vars::given(&jwt_vars()))
            .err()
            .unwrap();
        assert!(err.to_string().contains("TELEMETRY_TABLE"), "{err}");
    }
}
