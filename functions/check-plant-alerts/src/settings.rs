//! The worker's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::store::plants::solar_settings;
use shop_domain::solar::{SolarSettings, forecast::SpecificYield};

use crate::Handler;

shop_adapters::settings! {
    pub struct Settings {
        /// `TELEMETRY_TABLE`: the inverters' readings.
        pub telemetry_table: String = |v| v.required("TELEMETRY_TABLE"),
        /// `MAIL_QUEUE_URL`, `APP_URL`: where alert emails go and what they link to.
        pub links: LinkSettings = LinkSettings::from_vars,
        /// `TRIAL_DAYS`, `UNKNOWN_DEVICE_POWER_W`: whether monitoring is allowed today.
        pub solar: SolarSettings = solar_settings,
        /// `ALERT_SPECIFIC_YIELD`: kWh per kWp and year of the default forecast (950).
        pub specific_yield: SpecificYield = |v| v.read(
            "ALERT_SPECIFIC_YIELD",
            &SpecificYield::DEFAULT.get().to_string(),
            |raw| raw.parse::<u32>().ok().and_then(SpecificYield::new).ok_or("1 to 3000 kWh per kWp and year"),
        ),
    }
}

shop_adapters::function!(sqs Handler => work, Settings, |boot, settings| Handler {
    alerts: boot.plant_alerts(
        &settings.telemetry_table,
        &settings.links,
        settings.solar,
        settings.specific_yield,
    ),
    clock: boot.clock(),
});

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const BASE: [(&str, &str); 3] = [
        ("TELEMETRY_TABLE", "telemetry"),
        ("MAIL_QUEUE_URL", "http://q"),
        ("APP_URL", "https://app"),
    ];

    #[test]
    fn the_specific_yield_defaults_and_a_bad_one_is_named() {
        let unset = Settings::from_vars(&Vars::given(&BASE)).unwrap();
        assert_eq!(unset.specific_yield, SpecificYield::DEFAULT);
        let vars = [&BASE[..], &[("ALERT_SPECIFIC_YIELD", "1100")]].concat();
        let set = Settings::from_vars(&Vars::given(&vars)).unwrap();
        assert_eq!(set.specific_yield.get(), 1100);
        for bad in ["0", "x", "5000"] {
            let vars = [&BASE[..], &[("ALERT_SPECIFIC_YIELD", bad)]].concat();
            let err = Settings::from_vars(&Vars::given(&vars)).err().unwrap();
            assert!(err.to_string().contains("ALERT_SPECIFIC_YIELD"), "{err}");
        }
        let err = Settings::from_vars(&Vars::given(&BASE[1..])).err().unwrap();
        assert!(err.to_string().contains("TELEMETRY_TABLE"));
    }
}
