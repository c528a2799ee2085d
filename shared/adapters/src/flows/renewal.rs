//! Renewing licenses: the daily job's worker (one due license per message) and a customer's
//! renewal of a fixed-term license. A renewal is an order for the next term, placed under the
//! license's version and charged off-session to the stored payment method; its id names the
//! license, the term and the attempt, so a job run twice or a retried worker reaches the same
//! order and the provider's idempotency key: one charge, one invoice, one email.

use jiff::{Timestamp, civil::Date};
use serde_json::json;
use shop_domain::{
    Language,
    changes::RetryPolicy,
    clock::berlin_date,
    id::{OrderId, SubscriptionId},
    mail::{DedupeKey, MailMessage, MailTemplate},
    order::{Order, OrderStatus},
    ports::PaymentProvider,
    renewal::DueStep,
    subscription::{Renewal, Subscription},
};

use crate::{AppError, Boxed, flows::order_flow::OrderFlow};

pub struct RenewalFlow {
    pub flow: OrderFlow,
    /// A trait object, so this flow is compiled once here, not in each function using it.
    pub provider: Box<dyn PaymentProvider>,
    /// Days after the renewal date on which a failed charge is tried again.
    pub retry: RetryPolicy,
}

/// What the worker did with one due license.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renewed {
    /// Nothing due (processed before, or not yet).
    Skipped,
    Reminded,
    Expired,
    /// The next term is paid.
    Renewed {
        order: OrderId,
    },
    /// The charge failed; tried again on this day.
    PastDue {
        retry_on: Date,
    },
    /// The payment is on its way (SEPA); looked at again on this day.
    Waiting {
        until: Date,
    },
}

impl RenewalFlow {
    /// Handles the license `id` that the job found due on `due_on`.
    pub fn process<'a>(
        &'a self,
        id: &'a SubscriptionId,
        due_on: Date,
        now: Timestamp,
    ) -> Boxed<'a, Result<Renewed, AppError>> {
        Box::pin(async move {
            let today = berlin_date(now);
            let repo = &self.flow.subscriptions;
            let Some(stored) = repo.get(id).await? else {
                return Ok(Renewed::Skipped);
            };
            // A fixed term renewed early runs its next term once the old one ended; the step
            // below stores that along with what it changes.
            let sub = stored.as_of(today);
            match sub.due_step(due_on, today)? {
                DueStep::NotDue => Ok(Renewed::Skipped),
                DueStep::Remind { ends_on } => {
                    self.remind(&sub, ends_on).await?;
                    self.store(&sub, sub.reminded(ends_on)).await?;
                    Ok(Renewed::Reminded)
                }
                DueStep::Renew(renewal) => self.renew(&sub, renewal, today, now).await,
                // The owner's renewal of the next term is on its way (SEPA): not expired under it;
                // looked at again tomorrow, and its confirmation sets the next due day.
                DueStep::EndUnlessRenewing if self.renewal_in_flight(&sub).await? => {
                    let until = today.tomorrow().unwrap_or(today);
                    self.store(&sub, sub.waiting(until)).await?;
                    Ok(Renewed::Waiting { until })
                }
                DueStep::EndUnlessRenewing | DueStep::End => {
                    self.store(&sub, sub.expired()).await?;
                    tracing::info!(subscription = %id, "license ended");
                    Ok(Renewed::Expired)
                }
            }
        })
    }

    /// Charges the next term of a subscription whose term ended.
    async fn renew(
        &self,
        sub: &Subscription,
        renewal: Renewal,
        today: Date,
        now: Timestamp,
    ) -> Result<Renewed, AppError> {
        let order_id = sub.renewal_order_id()?;
        let tax = sub.tax_treatment()?;
        let order = Order::renewal(sub, order_id, renewal, tax, now)?;
        let placed = self.flow.place_change(order, sub).await?;
        let charged = self.flow.charge(placed, &*self.provider, true, now).await?;
        match charged.status {
            OrderStatus::Confirmed => {
                tracing::info!(subscription = %sub.id, order = %charged.id, "renewed");
                Ok(Renewed::Renewed { order: charged.id })
            }
            // An attempt that expired unpaid counts as a failed one: the next try is a new
            // attempt (a new order and provider key).
            OrderStatus::PaymentFailed | OrderStatus::Expired => {
                let failed = sub.failed_renewal(&self.retry, today);
                let fresh = self.fresh(&sub.id).await?;
                self.store(&fresh, failed.applied_to(&fresh)).await?;
                tracing::info!(subscription = %sub.id, failures = failed.failures, "renewal charge failed");
                let data = json!({
                    "retry_on": failed.retry_on.map(|d| d.to_string()),
                    "expired": failed.retry_on.is_none(),
                    "reason": charged.payment.failure.clone().unwrap_or_default(),
                });
                let dedupe = format!("renewal-failed:{}", charged.id);
                self.notify(sub, MailTemplate::RenewalFailed, &dedupe, data)
                    .await?;
                Ok(failed
                    .retry_on
                    .map_or(Renewed::Expired, |retry_on| Renewed::PastDue { retry_on }))
            }
            _ => {
                let until = today.tomorrow().unwrap_or(today);
                let fresh = self.fresh(&sub.id).await?;
                self.store(&fresh, fresh.waiting(until)).await?;
                Ok(Renewed::Waiting { until })
            }
        }
    }

    /// Whether the order for `sub`'s next term waits for its payment.
    async fn renewal_in_flight(&self, sub: &Subscription) -> Result<bool, AppError> {
        let order = self.flow.orders.get(&sub.renewal_order_id()?).await?;
        Ok(order.is_some_and(|o| o.status.is_open()))
    }

    /// Reminds the owner that a fixed-term license ends; once per license and end date.
    async fn remind(&self, sub: &Subscription, ends_on: Date) -> Result<(), AppError> {
        let data = json!({ "ends_on": ends_on.to_string() });
        let dedupe = format!("renewal-reminder:{}:{}", sub.id, ends_on);
        self.notify(sub, MailTemplate::RenewalReminder, &dedupe, data)
            .await
    }

    /// Emails the owner about a license, in the owner's language; once per `dedupe` key.
    async fn notify(
        &self,
        sub: &Subscription,
        template: MailTemplate,
        dedupe: &str,
        data: serde_json::Value,
    ) -> Result<(), AppError> {
        let account = self
            .flow
            .accounts
            .get(&sub.account_id)
            .await?
            .ok_or_else(|| AppError::fault("license of a missing account"))?;
        let product = match account.language {
            Language::De => &sub.product_name.de,
            Language::En => &sub.product_name.en,
            Language::Fr => &sub.product_name.fr,
        };
        let mut fields = data.as_object().cloned().unwrap_or_default();
        fields.insert("name".into(), account.name.as_str().into());
        fields.insert("product".into(), product.as_str().into());
        fields.insert(
            "link".into(),
            format!(
                "{}/licenses/{}",
                self.flow.app_url.trim_end_matches('/'),
                sub.id
            )
            .into(),
        );
        self.flow
            .outbox
            .enqueue(&MailMessage {
                template,
                language: account.language,
                to: account.email,
                data: fields,
                dedupe_key: DedupeKey::parse(dedupe)?,
            })
            .await
    }

    /// Stores `next`, decided on the license as `read`; an expired subscription also frees
    /// its holder, so the email may buy the product again.
    async fn store(&self, read: &Subscription, next: Subscription) -> Result<(), AppError> {
        let repo = &self.flow.subscriptions;
        if next.frees_holder() {
            repo.end(&next, read.version).await
        } else {
            repo.save(&next, read.version).await
        }
    }

    /// The license as it is now (the charge moved its version).
    async fn fresh(&self, id: &SubscriptionId) -> Result<Subscription, AppError> {
        self.flow
            .subscriptions
            .get(id)
            .await?
            .ok_or_else(|| AppError::fault(format!("license {id} vanished")))
    }
}
