//! The worker's settings, read once at cold start, and its handler built from them.

use shop_adapters::flows::migration::MigrationSettings;

use crate::Handler;

shop_adapters::settings! {
    pub struct Settings {
        /// Mail queue, app address, stage days, activation link days, seller and region.
        pub migration: MigrationSettings = MigrationSettings::from_vars,
    }
}

shop_adapters::function!(sqs Handler => work, Settings, |boot, settings| Handler {
    flow: boot.migration_flow(&settings.migration)?,
    clock: boot.clock(),
});

#[cfg(test)]
mod tests {
    use super::*;
    use shop_adapters::boot::prelude::*;

    #[test]
    fn the_mail_queue_is_required_and_the_link_works_two_weeks() {
        let err = Settings::from_vars(&Vars::given(&[]))
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("MAIL_QUEUE_URL")));
        let vars = [("MAIL_QUEUE_URL", "http://q"), ("APP_URL", "https://app")];
        let settings = Settings::from_vars(&Vars::given(&vars)).unwrap();
        assert_eq!(settings.migration.activation_valid.as_hours(), 14 * 24);
        let bad = [
            ("MAIL_QUEUE_URL", "http://q"),
            ("APP_URL", "a"),
            ("SELLER_COUNTRY", "x"),
        ];
        let err = Settings::from_vars(&Vars::given(&bad))
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("SELLER_COUNTRY")));
    }
}
