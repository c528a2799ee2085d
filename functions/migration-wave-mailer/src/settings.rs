//! The job's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;
use shop_adapters::flows::migration::stage_days;
use shop_domain::migration::stages::StageDays;

use crate::{Handler, Summary};

shop_adapters::settings! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Settings {
        /// `MIGRATION_QUEUE_URL`: where due accounts go to the `migrate-account` worker.
        pub queue_url: String = |v| v.required("MIGRATION_QUEUE_URL"),
        /// `MIGRATION_ANNOUNCE_DAYS`, `MIGRATION_ANNOUNCE_UNTIL_DAYS`, `MIGRATION_REMIND_DAYS`.
        pub days: StageDays = stage_days,
    }
}

impl Handler {
    pub fn new(boot: &Boot, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            stages: boot.migration_stages(),
            queue: boot.jobs(&settings.queue_url),
            clock: boot.clock(),
            days: settings.days,
        })
    }
}

shop_adapters::function!(schedule Handler, Settings, Summary);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_days_default_to_fourteen_seven_and_one_and_a_bad_order_is_named() {
        let queue = ("MIGRATION_QUEUE_URL", "http://q");
        let unset = Settings::from_vars(&Vars::given(&[queue])).unwrap();
        assert_eq!(unset.days, StageDays::default());
        let set = Settings::from_vars(&Vars::given(&[queue, ("MIGRATION_REMIND_DAYS", "2")]));
        assert_eq!(set.map(|s| s.days.remind), Ok(2));
        let bad = Settings::from_vars(&Vars::given(&[queue, ("MIGRATION_REMIND_DAYS", "9")]));
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("MIGRATION_ANNOUNCE_DAYS")
        );
        let err = Settings::from_vars(&Vars::given(&[])).unwrap_err();
        assert!(err.to_string().contains("MIGRATION_QUEUE_URL"));
    }
}
