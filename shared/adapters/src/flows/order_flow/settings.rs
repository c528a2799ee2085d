//! What every order function sets alike for the flow, and how the flow is wired from it.

use super::OrderFlow;
use crate::{
    boot::config::{ConfigError, Vars},
    messaging::outbox::MailOutbox,
    store::{accounts::AccountsRepo, orders::OrdersRepo},
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
}

impl OrderFlowSettings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            mail_queue_url: vars.required("MAIL_QUEUE_URL")?,
            app_url: vars.required("APP_URL")?,
            reminder_days: vars.or("REMINDER_DAYS", DEFAULT_REMINDER_DAYS)?,
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
            accounts: AccountsRepo::new(dynamodb, table),
            outbox: MailOutbox::new(sqs, settings.mail_queue_url.clone()),
            app_url: settings.app_url.clone(),
            reminder_days: settings.reminder_days,
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
}
