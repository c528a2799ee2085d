//! What follows a confirmed order: seats rolled over to a renewed term, and the emails.

use jiff::Timestamp;
use serde_json::json;
use shop_domain::{
    mail::{DedupeKey, MailMessage, MailTemplate},
    order::{LineChange, Order, OrderStatus, PaymentEvent},
    seats::next_to_carry,
};

use super::OrderFlow;
use crate::{AppError, error::Context};

impl OrderFlow {
    /// Seats that ran to the end of the term a paid renewal follows run on to the new term's
    /// end, as many as the new term has licenses (`seats::next_to_carry` decides which). Each
    /// seat is written with the license's next version; running it again finds nothing left
    /// to carry.
    pub(super) async fn roll_seats(&self, order: &Order, now: Timestamp) -> Result<(), AppError> {
        let repo = &self.subscriptions;
        for line in &order.lines {
            let LineChange::Renewal {
                period, quantity, ..
            } = &line.change
            else {
                continue;
            };
            let Ok(old_end) = period.starts_on.yesterday() else {
                continue;
            };
            let owner = &order.account_id;
            loop {
                let (sub, seats) = repo.owned(&line.subscription_id, owner).await?;
                let Some(seat) = next_to_carry(&seats, old_end, *quantity) else {
                    break;
                };
                let extended = seat.extended_to(period.ends_on);
                // A lost race reads again; the loop ends when no seat is left to carry.
                repo.write_seat(&sub, &sub.next_version(), &extended)
                    .await?;
            }
            tracing::info!(subscription = %line.subscription_id, at = %now, "seats rolled over");
        }
        Ok(())
    }

    /// The steps after an order reached `order.status`: seats carried over and the
    /// confirmation for a paid order, the notice for an expired one. `repeated`: the event
    /// that found the order there already (a retry after a crash), which runs them again;
    /// each step is idempotent (seats carried once, emails deduplicated by order).
    pub(super) async fn follow_up(
        &self,
        order: &Order,
        repeated: Option<PaymentEvent>,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let reached = |event| repeated.is_none_or(|e| e == event);
        match order.status {
            OrderStatus::Confirmed if reached(PaymentEvent::Succeeded) => {
                self.roll_seats(order, now).await?;
                self.send_confirmation(order).await
            }
            // A purchase's buyer is told; an upgrade or renewal that expired changes nothing
            // (its caller heard at once; the renewal worker mails its own failure).
            OrderStatus::Expired
                if reached(PaymentEvent::Expired)
                    && order.lines.iter().all(|l| l.change == LineChange::Purchase) =>
            {
                let data = self.mail_data(order).await?;
                self.mail(order, MailTemplate::OrderExpired, "order-expired", data)
                    .await
            }
            _ => Ok(()),
        }
    }

    pub(super) fn link(&self, order: &Order) -> String {
        format!("{}/orders/{}", self.app_url.trim_end_matches('/'), order.id)
    }

    pub(super) async fn send_confirmation(&self, order: &Order) -> Result<(), AppError> {
        let invoice = order
            .invoice
            .as_ref()
            .ok_or_else(|| AppError::fault("confirmed order without invoice"))?;
        let mut data = self.mail_data(order).await?;
        data.insert("invoice_number".into(), invoice.number.clone().into());
        self.mail(
            order,
            MailTemplate::OrderConfirmation,
            "order-confirmed",
            data,
        )
        .await
    }

    /// The data both order emails share.
    pub(super) async fn mail_data(
        &self,
        order: &Order,
    ) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
        let lines = order.invoice_lines();
        let value = json!({
            "order_number": order.number,
            "lines": lines,
            "net": order.totals.net,
            "tax": order.totals.tax,
            "gross": order.totals.gross,
            "reverse_charge": order.tax == shop_domain::vat::TaxTreatment::ReverseCharge,
            "link": self.link(order),
        });
        Ok(value.as_object().cloned().unwrap_or_default())
    }

    pub(super) async fn mail(
        &self,
        order: &Order,
        template: MailTemplate,
        event: &str,
        mut data: serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), AppError> {
        let account = self
            .accounts
            .get(&order.account_id)
            .await?
            .ok_or_else(|| AppError::fault("order of a missing account"))?;
        data.insert("name".into(), account.name.as_str().into());
        self.outbox
            .enqueue(&MailMessage {
                template,
                language: account.language,
                to: account.email,
                data,
                dedupe_key: DedupeKey::parse(&format!("{event}:{}", order.id))
                    .context("dedupe key of an order mail")?,
            })
            .await
    }
}
