//! The reconciliation job (EventBridge schedule, every 15 minutes): orders still waiting for
//! their payment's outcome some time after they were placed (`RECONCILE_AFTER_MINUTES`) are
//! looked up at the payment provider, and its answer is applied through the same idempotent
//! path as the webhook: a charge whose webhook never arrived is confirmed, once. An order
//! nobody paid for within `ORDER_EXPIRY_HOURS` expires: its payment is cancelled, its new
//! licenses void, their holders free, and the buyer is told. One query on the sparse index of
//! open orders, oldest first; no scan.

use std::sync::Arc;

use serde::Serialize;
use shop_adapters::{
    AppError,
    flows::order_flow::OrderFlow,
    store::orders::{OPEN_ORDERS, SETTLING_ORDERS},
};
use shop_domain::{Clock, order::OrderStatus, ports::PaymentProvider};

mod settings;

pub use settings::Settings;

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
        Ok(summary)
    }
}
