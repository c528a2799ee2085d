//! The job's settings, read once at cold start, and its handler built from them.

use crate::{Handler, Summary};

/// Earlier days looked at when `RENEWAL_LOOKBACK_DAYS` is unset: a missed week is caught up.
pub const DEFAULT_LOOKBACK_DAYS: i64 = 7;

shop_adapters::settings! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Settings {
        /// `RENEWAL_QUEUE_URL`: where due licenses go to the `renew` worker.
        pub queue_url: String = |v| v.required("RENEWAL_QUEUE_URL"),
        /// `RENEWAL_LOOKBACK_DAYS`.
        pub lookback_days: i64 = |v| v.or("RENEWAL_LOOKBACK_DAYS", DEFAULT_LOOKBACK_DAYS),
    }
}

shop_adapters::function!(schedule Handler, Settings, Summary, |boot, settings| Handler {
    subscriptions: boot.subscriptions(),
    queue: boot.jobs(&settings.queue_url),
    clock: boot.clock(),
    lookback_days: settings.lookback_days,
});

#[cfg(test)]
mod tests {
    use super::*;
    use shop_testkit::settings;

    const QUEUE: [(&str, &str); 1] = [("RENEWAL_QUEUE_URL", "http://q")];

    #[test]
    fn a_week_is_looked_back_unless_set() {
        let days = |extra: &[_]| settings::read(Settings::from_vars, &QUEUE, extra).unwrap();
        assert_eq!(days(&[]).lookback_days, DEFAULT_LOOKBACK_DAYS);
        assert_eq!(days(&[("RENEWAL_LOOKBACK_DAYS", "2")]).lookback_days, 2);
        settings::assert_each_needed(Settings::from_vars, &QUEUE, &["RENEWAL_QUEUE_URL"]);
    }
}
