//! The function's settings, read once at cold start, and its handler built from them.

use std::time::Duration;

use shop_adapters::boot::prelude::*;
use shop_adapters::web::auth::device::DeviceAuth;
use shop_domain::solar::telemetry::TelemetryLimits;

use crate::Handler;

shop_adapters::settings! {
    pub struct Settings {
        /// `TELEMETRY_QUEUE_URL`: where checked requests go.
        pub queue_url: String = |v| v.required("TELEMETRY_QUEUE_URL"),
        /// `TELEMETRY_MAX_READINGS` (288), `TELEMETRY_MAX_FUTURE_SECONDS` (300),
        /// `TELEMETRY_MAX_AGE_DAYS` (30).
        pub limits: TelemetryLimits = limits,
        /// `DEVICE_CACHE_SECONDS` (60): how long a warm instance trusts what it read of a device.
        pub device_cache: Duration = |v| {
            v.or("DEVICE_CACHE_SECONDS", DeviceAuth::CACHE_SECONDS)
                .map(Duration::from_secs)
        },
    }
}

fn limits(vars: &Vars) -> Result<TelemetryLimits, ConfigError> {
    Ok(TelemetryLimits {
        max_readings: vars.or("TELEMETRY_MAX_READINGS", TelemetryLimits::MAX_READINGS)?,
        max_future: vars.seconds(
            "TELEMETRY_MAX_FUTURE_SECONDS",
            TelemetryLimits::MAX_FUTURE_SECONDS,
        )?,
        max_age: vars.days("TELEMETRY_MAX_AGE_DAYS", TelemetryLimits::MAX_AGE_DAYS)?,
        ..TelemetryLimits::default()
    })
}

impl Handler {
    pub fn new(boot: &Boot, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            auth: boot.device_auth(settings.device_cache),
            queue: boot.telemetry_queue(&settings.queue_url),
            clock: boot.clock(),
            limits: settings.limits,
        })
    }
}

shop_adapters::function!(http Handler => serve, Settings);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const QUEUE: [(&str, &str); 1] = [("TELEMETRY_QUEUE_URL", "http://queue.example/t")];

    #[test]
    fn the_limits_default_to_their_named_constants() {
        let s = Settings::from_vars(&Vars::given(&QUEUE)).unwrap();
        assert_eq!(s.limits, TelemetryLimits::default());
        assert_eq!(s.device_cache, Duration::from_secs(60));
    }

    #[test]
    fn a_bad_setting_names_its_variable() {
        for name in [
            "TELEMETRY_MAX_READINGS",
            "TELEMETRY_MAX_FUTURE_SECONDS",
            "TELEMETRY_MAX_AGE_DAYS",
            "DEVICE_CACHE_SECONDS",
        ] {
            let vars = [QUEUE[0], (name, "soon")];
            let err = Settings::from_vars(&Vars::given(&vars)).err().unwrap();
            assert!(err.to_string().contains(name), "{err}");
        }
        let err = Settings::from_vars(&Vars::given(&[])).err().unwrap();
        assert!(err.to_string().contains("TELEMETRY_QUEUE_URL"), "{err}");
    }
}
