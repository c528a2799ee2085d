//! The function's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::store::plants::solar_settings;
use shop_domain::solar::SolarSettings;

use crate::Handler;

shop_adapters::settings! {
    pub struct Settings {
        /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
        pub verifier: TokenVerifier = settings::verifier,
        /// `APP_URL`: the web app, where app entries link.
        pub app_url: String = |v| v.required("APP_URL"),
        /// `TRIAL_DAYS`, `UNKNOWN_DEVICE_POWER_W`: whether a plant may show its data today.
        pub solar: SolarSettings = solar_settings,
    }
}

shop_adapters::function!(http Handler => route, Settings, |boot, settings| Handler {
    guard: boot.guard(settings.verifier),
    accounts: boot.accounts(),
    subscriptions: boot.subscriptions(),
    plants: boot.plants(),
    solar: settings.solar,
    clock: boot.clock(),
    app_url: settings.app_url,
});
