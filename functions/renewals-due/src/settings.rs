//! The job's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;

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

impl Handler {
    pub fn new(boot: &Boot, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            subscriptions: boot.subscriptions(),
            queue: boot.jobs(&settings.queue_url),
            clock: boot.clock(),
            lookback_days: settings.lookback_days,
        })
    }
}

shop_adapters::function!(schedule Handler, Settings, Summary);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_is_looked_back_unless_set() {
        let queue = ("RENEWAL_QUEUE_URL", "http://q");
        let unset = Settings::from_vars(&Vars::given(&[queue])).unwrap();
        assert_eq!(unset.lookback_days, DEFAULT_LOOKBACK_DAYS);
        let set = Settings::from_vars(&Vars::given(&[queue, ("RENEWAL_LOOKBACK_DAYS", "2")]));
        assert_eq!(set.map(|s| s.lookback_days), Ok(2));
        let err = Settings::from_vars(&Vars::given(&[])).unwrap_err();
        assert!(err.to_string().contains("RENEWAL_QUEUE_URL"));
    }
}
