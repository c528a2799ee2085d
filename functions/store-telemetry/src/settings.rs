//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::{
    flows::links::LinkSettings,
    store::{plants::solar_settings, telemetry::StoreSettings},
};
use shop_domain::solar::SolarSettings;

use crate::Handler;

shop_adapters::settings! {
    pub struct Settings {
        /// `TELEMETRY_TABLE`: where readings, latest states and daily aggregates live.
        pub table: String = |v| v.required("TELEMETRY_TABLE"),
        /// `TELEMETRY_RETENTION_DAYS` (730), `TELEMETRY_WRITE_ATTEMPTS` (6),
        /// `TELEMETRY_BACKOFF_MS` (50).
        pub store: StoreSettings = StoreSettings::from_vars,
        /// `TRIAL_DAYS`, `UNKNOWN_DEVICE_POWER_W`: the power rule after a reported configuration.
        pub solar: SolarSettings = solar_settings,
        /// `MAIL_QUEUE_URL`, `APP_URL`: the email about a license the plant outgrew.
        pub links: LinkSettings = LinkSettings::from_vars,
    }
}

shop_adapters::function!(sqs Handler, Settings, |boot, settings| Handler {
    telemetry: boot.telemetry(&settings.table, settings.store),
    devices: boot.devices(),
    inverters: boot.inverters(),
    power: boot.power_exceeded(&settings.links, settings.solar),
    clock: boot.clock(),
});

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use shop_adapters::boot::config::Vars;

    fn vars() -> Vec<(&'static str, &'static str)> {
        let mail = shop_testkit::bed::mail_vars("http://queue.example/mail");
        [&[("TELEMETRY_TABLE", "Telemetry")][..], &mail].concat()
    }

    #[test]
    fn the_store_settings_default_to_their_named_constants() {
        let s = Settings::from_vars(&Vars::given(&vars())).unwrap();
        assert_eq!(s.store, StoreSettings::default());
        assert_eq!(s.store.retention.as_hours(), 730 * 24);
    }

    #[test]
    fn a_bad_setting_names_its_variable() {
        for name in [
            "TELEMETRY_RETENTION_DAYS",
            "TELEMETRY_WRITE_ATTEMPTS",
            "TELEMETRY_BACKOFF_MS",
        ] {
            let mut v = vars();
            v.push((name, "-x"));
            let err = Settings::from_vars(&Vars::given(&v)).err().unwrap();
            assert!(err.to_string().contains(name), "{err}");
        }
        let err = Settings::from_vars(&Vars::given(&[])).err().unwrap();
        assert!(err.to_string().contains("TELEMETRY_TABLE"), "{err}");
    }
}
