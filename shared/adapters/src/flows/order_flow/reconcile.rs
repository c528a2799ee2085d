//! Orders whose payment outcome never reached the shop (a webhook that gave up, a crash
//! between placing an order and answering): the provider is asked, and what it says is
//! applied through the same idempotent [`OrderFlow::apply`] as its webhook. An order nobody
//! paid for expires: its payment is cancelled at the provider first, so it can never be paid
//! after its licenses were freed.

use jiff::{SignedDuration, Timestamp};
use shop_domain::{
    order::{
        Order, OrderStatus, PaymentEvent,
        reconcile::{Reconciliation, reconcile},
    },
    ports::{PaymentProvider, PaymentState},
};

use super::{OrderFlow, PaymentReport};
use crate::{AppError, Boxed};

impl OrderFlow {
    /// Reconciles one open order at `now`; answers its status afterwards.
    pub fn reconcile<'a>(
        &'a self,
        order: &'a Order,
        provider: &'a dyn PaymentProvider,
        now: Timestamp,
        expire_after: SignedDuration,
    ) -> Boxed<'a, Result<OrderStatus, AppError>> {
        Box::pin(async move {
            let known = order.payment.payment_id.as_deref();
            let found = provider.find_payment(order.id.as_str(), known).await?;
            let report = |payment_id: String, event, failure| PaymentReport {
                order_id: order.id.clone(),
                payment_id,
                event,
                failure,
                redirect_url: None,
            };
            let report = match reconcile(order, found.as_ref(), now, expire_after) {
                Reconciliation::Wait => return Ok(order.status),
                Reconciliation::Apply {
                    payment_id,
                    event,
                    failure,
                } => report(payment_id, event, failure),
                Reconciliation::Expire { cancel } => {
                    let after = match &cancel {
                        Some(id) => Some(provider.cancel_payment(id).await?),
                        None => None,
                    };
                    let expired = report(
                        cancel
                            .or_else(|| known.map(str::to_owned))
                            .unwrap_or_else(|| format!("expired-{}", order.id)),
                        PaymentEvent::Expired,
                        Some(format!(
                            "not paid within {} hours",
                            expire_after.as_secs() / 3600
                        )),
                    );
                    match after {
                        // Paid (or settling) at the last moment: that outcome counts.
                        Some(p) if p.state == PaymentState::Succeeded => {
                            report(p.payment_id, PaymentEvent::Succeeded, None)
                        }
                        Some(p) if p.state == PaymentState::Processing => {
                            report(p.payment_id, PaymentEvent::Processing, None)
                        }
                        _ => expired,
                    }
                }
            };
            let done = self.apply(&report, now).await?;
            tracing::info!(order = %order.id, status = ?done.status, "order reconciled");
            Ok(done.status)
        })
    }
}
