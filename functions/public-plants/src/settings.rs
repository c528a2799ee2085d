//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::store::{
    plants::solar_settings,
    public_plants::PublicPlants,
    telemetry_history::{TelemetryHistory, history_settings, telemetry_table},
};
use shop_domain::solar::{SolarSettings, history::HistorySettings};

use crate::Handler;

/// Plants per page when the caller names no `limit`.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// How long browsers and CDNs may keep a page.
pub const DEFAULT_CACHE_SECONDS: i64 = 60;

shop_adapters::settings! {
    pub struct Settings {
        /// `TRIAL_DAYS`, `UNKNOWN_DEVICE_POWER_W`: the access rule and the counted power.
        pub solar: SolarSettings = solar_settings,
        /// `CURRENT_POWER_FRESHNESS_MINUTES` (20) of these.
        pub history: HistorySettings = history_settings,
        /// `TELEMETRY_TABLE`: where the latest states are.
        pub telemetry_table: String = telemetry_table,
        /// `PUBLIC_PAGE_SIZE` (20, at most 50): plants per page by default.
        pub page_size: u32 = |v| v.read("PUBLIC_PAGE_SIZE", &DEFAULT_PAGE_SIZE.to_string(), |raw| {
            raw.parse::<u32>()
                .ok()
                .filter(|n| (1..=crate::MAX_PAGE_SIZE).contains(n))
                .ok_or("a whole number from 1 to 50")
        }),
        /// `PUBLIC_CACHE_SECONDS` (60): `Cache-Control: public, max-age=` of a page.
        pub cache: jiff::SignedDuration = |v| v.seconds("PUBLIC_CACHE_SECONDS", DEFAULT_CACHE_SECONDS),
    }
}

// Anyone's view of the public plants: no guard, read only.
shop_adapters::function!(http Handler => route, Settings, |boot, settings| Handler {
    public: PublicPlants::new(boot.dynamodb(), boot.table()),
    telemetry: TelemetryHistory::new(boot.dynamodb(), settings.telemetry_table),
    clock: boot.clock(),
    solar: settings.solar,
    freshness: settings.history.freshness,
    page_size: settings.page_size,
    cache_control: format!("public, max-age={}", settings.cache.as_secs()),
});

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use shop_adapters::boot::prelude::*;
    use shop_testkit::settings;

    /// What the template always sets.
    const BASE: [(&str, &str); 1] = [("TELEMETRY_TABLE", "telemetry")];

    fn with(extra: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        settings::read(Settings::from_vars, &BASE, extra)
    }

    #[test]
    fn defaults() {
        let set = with(&[]).unwrap();
        assert_eq!(set.page_size, 20);
        assert_eq!(set.cache.as_secs(), 60);
        assert_eq!(set.history.freshness, HistorySettings::default().freshness);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let bad = [
            ("PUBLIC_PAGE_SIZE", "0"),
            ("PUBLIC_PAGE_SIZE", "51"),
            ("PUBLIC_CACHE_SECONDS", "-1"),
            ("CURRENT_POWER_FRESHNESS_MINUTES", "x"),
        ];
        settings::assert_each_bad_value_named(Settings::from_vars, &BASE, &bad);
    }
}
