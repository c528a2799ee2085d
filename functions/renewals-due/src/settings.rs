//! The job's settings, read once at cold start, and its handler built from them.

use shop_adapters::{
    AppError,
    boot::{
        Boot, Error, ScheduledJob,
        config::{ConfigError, Vars},
    },
};

use crate::{Handler, Summary};

/// Earlier days looked at when `RENEWAL_LOOKBACK_DAYS` is unset: a missed week is caught up.
pub const DEFAULT_LOOKBACK_DAYS: i64 = 7;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `RENEWAL_QUEUE_URL`: where due licenses go to the `renew` worker.
    pub queue_url: String,
    /// `RENEWAL_LOOKBACK_DAYS`.
    pub lookback_days: i64,
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&Vars::env())
    }

    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            queue_url: vars.required("RENEWAL_QUEUE_URL")?,
            lookback_days: vars.or("RENEWAL_LOOKBACK_DAYS", DEFAULT_LOOKBACK_DAYS)?,
        })
    }
}

impl Handler {
    pub fn boot(boot: &Boot) -> Result<Self, Error> {
        Ok(Self::new(boot, Settings::from_env()?))
    }

    pub fn new(boot: &Boot, settings: Settings) -> Self {
        Self {
            subscriptions: boot.subscriptions(),
            queue: boot.jobs(&settings.queue_url),
            clock: boot.clock(),
            lookback_days: settings.lookback_days,
        }
    }
}

impl ScheduledJob for Handler {
    type Report = Summary;

    async fn handle(&self) -> Result<Summary, AppError> {
        Handler::handle(self).await
    }
}

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
