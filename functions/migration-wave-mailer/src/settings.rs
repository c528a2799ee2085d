//! The job's settings, read once at cold start, and its handler built from them.

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

shop_adapters::function!(schedule Handler, Settings, Summary, |boot, settings| Handler {
    stages: boot.migration_stages(),
    queue: boot.jobs(&settings.queue_url),
    clock: boot.clock(),
    days: settings.days,
});

#[cfg(test)]
mod tests {
    use super::*;
    use shop_testkit::settings;

    const QUEUE: [(&str, &str); 1] = [("MIGRATION_QUEUE_URL", "http://q")];

    #[test]
    fn the_stage_days_default_to_fourteen_seven_and_one_and_a_bad_order_is_named() {
        let days = |extra: &[_]| settings::read(Settings::from_vars, &QUEUE, extra).map(|s| s.days);
        assert_eq!(days(&[]), Ok(StageDays::default()));
        assert_eq!(
            days(&[("MIGRATION_REMIND_DAYS", "2")]).map(|d| d.remind),
            Ok(2)
        );
        let bad = days(&[("MIGRATION_REMIND_DAYS", "9")])
            .err()
            .map(|e| e.to_string());
        assert!(bad.is_some_and(|e| e.contains("MIGRATION_ANNOUNCE_DAYS")));
        settings::assert_each_needed(Settings::from_vars, &QUEUE, &["MIGRATION_QUEUE_URL"]);
    }
}
