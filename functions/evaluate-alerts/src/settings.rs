//! The job's settings, read once at cold start, and its handler built from them.

use crate::{Handler, Summary};

shop_adapters::settings! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Settings {
        /// `ALERT_QUEUE_URL`: where each plant with alerts on goes to `check-plant-alerts`.
        pub queue_url: String = |v| v.required("ALERT_QUEUE_URL"),
    }
}

shop_adapters::function!(schedule Handler, Settings, Summary, |boot, settings| Handler {
    alerts: boot.alert_settings(),
    queue: boot.jobs(&settings.queue_url),
});

#[cfg(test)]
mod tests {
    use super::*;
    use shop_adapters::boot::prelude::*;

    #[test]
    fn the_queue_is_required() {
        let err = Settings::from_vars(&Vars::given(&[])).unwrap_err();
        assert!(err.to_string().contains("ALERT_QUEUE_URL"));
    }
}
