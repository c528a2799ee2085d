//! The reconciliation job (EventBridge schedule, every 15 minutes): orders still waiting for
//! their payment's outcome some time after they were placed (`RECONCILE_AFTER_MINUTES`) are
//! looked up at the payment provider, and its answer is applied through the same idempotent
//! path as the webhook: a charge whose webhook never arrived is confirmed, once. An order
//! nobody paid for within `ORDER_EXPIRY_HOURS` expires: its payment is cancelled, its new
//! licenses void, their holders free, and the buyer is told. One query on the sparse index of
//! open orders, oldest first; no scan.

use std::sync::Arc;

use jiff::SignedDuration;
use serde::Serialize;
use shop_adapters::{
    AppError,
    boot::config::{self, ConfigError},
    flows::order_flow::OrderFlow,
    store::orders::{OPEN_ORDERS, SETTLING_ORDERS},
};
use shop_domain::{Clock, order::OrderStatus, ports::PaymentProvider};

/// The job's settings, from the environment at cold start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// How old an open order must be before the provider is asked (the webhook's chance).
    pub after: SignedDuration,
    /// How long an order may wait for its payment before it expires.
    pub expire_after: SignedDuration,
    /// Orders looked at per run at most, per partition; the rest wait for the next run.
    pub batch: usize,
}

impl Settings {
    pub const DEFAULT_AFTER_MINUTES: i64 = 15;
    pub const DEFAULT_EXPIRY_HOURS: i64 = 24;
    pub const DEFAULT_BATCH: usize = 200;

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// The settings from `var` (the environment, or a test's values); unset means default.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let setting = |name: &str, default: i64| config::value_or(name, var(name), default);
        Ok(Self {
            after: SignedDuration::from_mins(setting(
                "RECONCILE_AFTER_MINUTES",
                Self::DEFAULT_AFTER_MINUTES,
            )?),
            expire_after: SignedDuration::from_hours(setting(
                "ORDER_EXPIRY_HOURS",
                Self::DEFAULT_EXPIRY_HOURS,
            )?),
            batch: config::value_or(
                "RECONCILE_BATCH",
                var("RECONCILE_BATCH"),
                Self::DEFAULT_BATCH,
            )?,
        })
    }
}

pub struct Handler<P> {
    pub flow: OrderFlow,
    pub provider: P,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
}

/// What a run did, by the status each order was left in.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub looked_at: usize,
    pub confirmed: usize,
    pub failed: usize,
    pub expired: usize,
    pub waiting: usize,
    /// Orders that could not be reconciled now (provider or table unavailable); the next run
    /// tries them again.
    pub errors: usize,
}

impl<P: PaymentProvider> Handler<P> {
    pub async fn handle(&self) -> Result<Summary, AppError> {
        let now = self.clock.now();
        let mut stale = Vec::new();
        // SEPA debits on their way have their own partition: days of them never crowd out
        // orders whose outcome was lost minutes ago.
        for partition in [OPEN_ORDERS, SETTLING_ORDERS] {
            let before = now - self.settings.after;
            let orders = &self.flow.orders;
            stale.extend(
                orders
                    .open_before(partition, before, self.settings.batch)
                    .await?,
            );
        }
        let mut summary = Summary {
            looked_at: stale.len(),
            ..Summary::default()
        };
        for order in &stale {
            let outcome = self
                .flow
                .reconcile(order, &self.provider, now, self.settings.expire_after)
                .await;
            match outcome {
                Ok(OrderStatus::Confirmed) => summary.confirmed += 1,
                Ok(OrderStatus::PaymentFailed) => summary.failed += 1,
                Ok(OrderStatus::Expired) => summary.expired += 1,
                Ok(_) => summary.waiting += 1,
                Err(e) => {
                    tracing::error!(order = %order.id, error = %e.report(), "order not reconciled");
                    summary.errors += 1;
                }
            }
        }
        tracing::info!(?summary, "reconciliation done");
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_give_the_webhook_a_quarter_hour_and_the_buyer_a_day() {
        let s = Settings::from_vars(|_| None).unwrap();
        assert_eq!(s.after, SignedDuration::from_mins(15));
        assert_eq!(s.expire_after, SignedDuration::from_hours(24));
        assert_eq!(s.batch, 200);
        let set = |name: &str| (name == "ORDER_EXPIRY_HOURS").then(|| "48".to_owned());
        assert_eq!(
            Settings::from_vars(set).unwrap().expire_after,
            SignedDuration::from_hours(48)
        );
        let bad = |name: &str| (name == "RECONCILE_BATCH").then(|| "many".to_owned());
        assert!(Settings::from_vars(bad).is_err());
    }
}
