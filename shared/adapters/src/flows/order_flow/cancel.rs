//! Cancelling a confirmed order: the credit note, the licenses ended and their holders freed
//! in one numbered transaction, then the refund and the email.

use jiff::Timestamp;
use shop_domain::{
    clock::berlin_date,
    id::OrderId,
    mail::MailTemplate,
    order::{Document, Order, OrderStatus},
    ports::PaymentProvider,
};

use super::{CREDIT_NOTE_SERIES, OrderFlow};
use crate::{
    AppError, Boxed,
    store::orders::{NumberedError, Write},
};

impl OrderFlow {
    /// Cancels a confirmed order inside its window whose licenses were never activated: a
    /// credit note, the licenses cancelled and their holders freed in one transaction, then
    /// the refund. A refund that failed is tried again by cancelling again.
    pub fn cancel<'a>(
        &'a self,
        owner: &'a shop_domain::id::AccountId,
        order_id: &'a OrderId,
        now: Timestamp,
        policy: shop_domain::order::CancellationPolicy,
        provider: &'a dyn PaymentProvider,
    ) -> Boxed<'a, Result<Order, AppError>> {
        Box::pin(async move {
            let mut order = self.orders.get_owned(order_id, owner).await?;
            if order.status != OrderStatus::Cancelled {
                order = self.cancel_documents(order, now, policy).await?;
            }
            if order.payment.refund_id.is_some() {
                return Ok(order);
            }
            let payment_id = order
                .payment
                .payment_id
                .clone()
                .ok_or_else(|| AppError::fault("confirmed order without payment id"))?;
            let refund = provider
                .refund(
                    &payment_id,
                    order.totals.gross,
                    &format!("refund-{}", order.id),
                )
                .await?;
            let mut refunded = order.clone();
            refunded.payment.refund_id = Some(refund);
            if !self
                .orders
                .update_order(&refunded, OrderStatus::Cancelled)
                .await?
            {
                return Err(AppError::fault("cancelled order changed status"));
            }
            let credit = refunded
                .credit_note
                .as_ref()
                .ok_or_else(|| AppError::fault("cancelled order without credit note"))?;
            let mut data = self.mail_data(&refunded).await?;
            data.insert("credit_note_number".into(), credit.number.clone().into());
            data.insert(
                "invoice_number".into(),
                refunded
                    .invoice
                    .as_ref()
                    .map(|i| i.number.clone())
                    .unwrap_or_default()
                    .into(),
            );
            self.mail(
                &refunded,
                MailTemplate::OrderCancellation,
                "order-cancelled",
                data,
            )
            .await?;
            tracing::info!(order = %refunded.id, "order cancelled and refunded");
            Ok(refunded)
        })
    }

    async fn cancel_documents(
        &self,
        mut order: Order,
        now: Timestamp,
        policy: shop_domain::order::CancellationPolicy,
    ) -> Result<Order, AppError> {
        // Each round lost to a concurrent change (a seat, a payment event) judges again.
        for _ in 0..CANCEL_ATTEMPTS {
            let subs = self.orders.subscriptions_of(&order).await?;
            order.check_cancellable(now, subs.iter().any(|s| s.activated), policy)?;
            let repo = &self.subscriptions;
            let mut cancelled = order.clone();
            let result = self
                .orders
                .numbered(CREDIT_NOTE_SERIES, berlin_date(now).year(), |number| {
                    let mut o = order.clone();
                    o.status = OrderStatus::Cancelled;
                    o.cancelled_at = Some(now);
                    o.credit_note = Some(Document {
                        number: number.to_owned(),
                        issued_at: now,
                    });
                    let mut writes =
                        vec![Write::Put(self.orders.put_order(&o, Some(order.status))?)];
                    for sub in &subs {
                        writes.push(Write::Put(repo.put(&sub.cancelled(), Some(sub.version))?));
                        if sub.plant.is_some() {
                            writes.extend(self.cancel_in_plant(sub)?);
                        } else {
                            writes.push(Write::Delete(repo.release_holder(sub, &order.id)?));
                        }
                    }
                    cancelled = o;
                    Ok(writes)
                })
                .await;
            match result {
                Ok(_) => return Ok(cancelled),
                // A seat was assigned or the order changed meanwhile: judge again.
                Err(NumberedError::Condition(_)) => {
                    order = self
                        .orders
                        .get(&order.id)
                        .await?
                        .ok_or_else(|| AppError::fault("order vanished"))?;
                    if order.status == OrderStatus::Cancelled {
                        return Ok(order);
                    }
                }
                Err(NumberedError::Other(e)) => return Err(e),
            }
        }
        Err(crate::store::subscriptions::stale())
    }
}

/// How often a cancellation is judged again after losing to a concurrent change.
const CANCEL_ATTEMPTS: usize = 10;
