//! The job's settings, read once at cold start, and its handler built from them.

use shop_adapters::boot::prelude::*;

use crate::{Handler, Summary};

shop_adapters::settings! {
    pub struct Settings {
        /// `RECONCILE_AFTER_MINUTES`: how old an open order must be before the provider is asked
        /// (the webhook's chance).
        pub after: SignedDuration =
            |v| v.minutes("RECONCILE_AFTER_MINUTES", Self::DEFAULT_AFTER_MINUTES),
        /// `ORDER_EXPIRY_HOURS`: how long an order may wait for its payment before it expires.
        pub expire_after: SignedDuration =
            |v| v.hours("ORDER_EXPIRY_HOURS", Self::DEFAULT_EXPIRY_HOURS),
        /// `RECONCILE_BATCH`: orders looked at per run at most, per partition; the rest wait for
        /// the next run.
        pub batch: usize = |v| v.or("RECONCILE_BATCH", Self::DEFAULT_BATCH),
        /// A settled payment confirms its order through the flow.
        pub flow: OrderFlowSettings = OrderFlowSettings::from_vars,
        /// The provider asked about open orders.
        pub payments: PaymentSettings = PaymentSettings::from_vars,
    }
}

impl Settings {
    pub const DEFAULT_AFTER_MINUTES: i64 = 15;
    pub const DEFAULT_EXPIRY_HOURS: i64 = 24;
    pub const DEFAULT_BATCH: usize = 200;
}

shop_adapters::function!(schedule Handler<StripeClient>, Settings, Summary, |boot, settings| Handler {
    flow: boot.order_flow(&settings.flow),
    provider: boot.payments(&settings.payments)?,
    clock: boot.clock(),
    settings,
});

#[cfg(test)]
mod tests {
    use super::*;

    const REQUIRED: [(&str, &str); 4] = [
        ("MAIL_QUEUE_URL", "http://queue"),
        ("APP_URL", "http://app"),
        ("PAYMENT_API_URL", "http://pay"),
        ("PAYMENT_API_KEY", "sk_test"),
    ];

    fn with(extra: (&'static str, &'static str)) -> Result<Settings, ConfigError> {
        let mut vars = REQUIRED.to_vec();
        vars.push(extra);
        Settings::from_vars(&Vars::given(&vars))
    }

    #[test]
    fn defaults_give_the_webhook_a_quarter_hour_and_the_buyer_a_day() {
        let s = Settings::from_vars(&Vars::given(&REQUIRED)).unwrap();
        assert_eq!(s.after, SignedDuration::from_mins(15));
        assert_eq!(s.expire_after, SignedDuration::from_hours(24));
        assert_eq!(s.batch, 200);
        assert_eq!(
            with(("ORDER_EXPIRY_HOURS", "48")).unwrap().expire_after,
            SignedDuration::from_hours(48)
        );
        let bad = with(("RECONCILE_BATCH", "many"))
            .err()
            .map(|e| e.to_string());
        assert!(bad.is_some_and(|e| e.contains("RECONCILE_BATCH")));
    }
}
