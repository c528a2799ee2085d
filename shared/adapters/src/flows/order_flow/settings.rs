//! What every order function sets alike for the flow, and how the flow is wired from it.

use shop_domain::solar::SolarSettings;

use super::OrderFlow;
use crate::{
    boot::config::{ConfigError, Vars},
    messaging::outbox::MailOutbox,
    store::{
        accounts::AccountsRepo, orders::OrdersRepo, plants::solar_settings,
        subscriptions::SubscriptionsRepo,
    },
};

/// Days before a fixed-term license ends that its owner is reminded, when `REMINDER_DAYS` is
/// unset.
pub const DEFAULT_REMINDER_DAYS: i64 = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFlowSettings {
    /// `MAIL_QUEUE_URL`: where confirmations and reminders go.
    pub mail_queue_url: String,
    /// `APP_URL`: the web app, for links to orders and documents.
    pub app_url: String,
    /// `REMINDER_DAYS`.
    pub reminder_days: i64,
    /// `TRIAL_DAYS`, `UNKNOWN_DEVICE_POWER_W`: a plant's power and trial, for its license.
    pub solar: SolarSettings,
}

impl OrderFlowSettings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            mail_queue_url: vars.required("MAIL_QUEUE_URL")?,
            app_url: vars.required("APP_URL")?,
            reminder_days: vars.or("REMINDER_DAYS", DEFAULT_REMINDER_DAYS)?,
            solar: solar_settings(vars)?,
        })
    }
}

impl OrderFlow {
    pub fn new(
        dynamodb: aws_sdk_dynamodb::Client,
        sqs: aws_sdk_sqs::Client,
        table: &str,
        settings: &OrderFlowSettings,
    ) -> Self {
        Self {
            orders: OrdersRepo::new(dynamodb.clone(), table),
            subscriptions: SubscriptionsRepo::new(dynamodb.clone(), table),
            accounts: AccountsRepo::new(dynamodb, table),
            outbox: MailOutbox::new(sqs, settings.mail_queue_url.clone()),
            app_url: settings.app_url.clone(),
            reminder_days: settings.reminder_days,
            solar: settings.solar,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminder_days_default_and_queue_required() {
        let vars = Vars::given(&[("MAIL_QUEUE_URL", "q"), ("APP_URL", "https://app")]);
        let settings = OrderFlowSettings::from_vars(&vars).unwrap();
        assert_eq!(settings.reminder_days, DEFAULT_REMINDER_DAYS);
        let err = OrderFlowSettings::from_vars(&Vars::given(&[("APP_URL", "a")])).unwrap_err();
        assert!(err.to_string().contains("MAIL_QUEUE_URL"), "{err}");
        let bad = Vars::given(&[
            ("MAIL_QUEUE_URL", "q"),
            ("APP_URL", "a"),
            ("REMINDER_DAYS", "x"),
        ]);
        let err = OrderFlowSettings::from_vars(&bad).unwrap_err();
        assert!(err.to_string().contains("REMINDER_DAYS"), "{err}");
    }

    /// A monitoring license is priced and started by the same solar rules the plants use,
    /// not by the defaults.
    #[test]
    fn the_solar_rules_come_from_the_environment() {
        let base = [("MAIL_QUEUE_URL", "q"), ("APP_URL", "a")];
        let default = OrderFlowSettings::from_vars(&Vars::given(&base)).unwrap();
        assert_eq!(default.solar, SolarSettings::default());
        let set = [
            &base[..],
            &[("TRIAL_DAYS", "30"), ("UNKNOWN_DEVICE_POWER_W", "5000")],
        ]
        .concat();
        let settings = OrderFlowSettings::from_vars(&Vars::given(&set)).unwrap();
        assert_eq!(settings.solar.trial_days, 30);
        assert_eq!(settings.solar.unknown_device_power.0, 5000);
    }
}
