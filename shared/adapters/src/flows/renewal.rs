//! Renewing licenses: the daily job's worker (one due license per message) and a customer's
//! renewal of a fixed-term license. A renewal is an order for the next term, placed under the
//! license's version and charged off-session to the stored payment method; its id names the
//! license, the term and the attempt, so a job run twice or a retried worker reaches the same
//! order and the provider's idempotency key: one charge, one invoice, one email.

use jiff::{Span, Timestamp, civil::Date};
use serde_json::json;
use shop_domain::{
    Language,
    catalog::Billing,
    changes::{RetryPolicy, nth_term},
    clock::berlin_date,
    id::{OrderId, SubscriptionId},
    mail::{DedupeKey, MailMessage, MailTemplate},
    order::{Order, OrderStatus},
    ports::PaymentProvider,
    subscription::{Period, Renewal, Subscription, SubscriptionStatus},
};

use crate::{AppError, flows::order_flow::OrderFlow};

pub struct RenewalFlow<P> {
    pub flow: OrderFlow,
    pub provider: P,
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

impl<P: PaymentProvider> RenewalFlow<P> {
    /// Handles the license `id` that the job found due on `due_on`.
    pub async fn process(
        &self,
        id: &SubscriptionId,
        due_on: Date,
        now: Timestamp,
    ) -> Result<Renewed, AppError> {
        let today = berlin_date(now);
        let repo = &self.flow.orders.subscriptions;
        let Some(stored) = repo.get(id).await? else {
            return Ok(Renewed::Skipped);
        };
        // A fixed term renewed early runs its next term once the old one ended; the step
        // below stores that along with what it changes.
        let sub = stored.as_of(today);
        if sub.due_on != Some(due_on) || today < due_on {
            return Ok(Renewed::Skipped);
        }
        let period = sub
            .period
            .ok_or_else(|| AppError::fault(format!("due license {id} without a term")))?;
        let running = matches!(
            sub.status,
            SubscriptionStatus::Active | SubscriptionStatus::PastDue
        );
        match sub.billing {
            Billing::FixedTerm if running && today <= period.ends_on => {
                self.remind(&sub, period).await?;
                self.save(&sub, |s| s.due_on = period.ends_on.tomorrow().ok())
                    .await?;
                Ok(Renewed::Reminded)
            }
            Billing::Subscription if running && sub.auto_renew => {
                self.renew(&sub, period, today, now).await
            }
            // The owner's renewal of the next term is on its way (SEPA): not expired under it;
            // looked at again tomorrow, and its confirmation sets the next due day.
            Billing::FixedTerm if self.renewal_in_flight(&sub).await? => {
                let until = today.tomorrow().unwrap_or(today);
                self.save(&sub, |s| s.due_on = Some(until)).await?;
                Ok(Renewed::Waiting { until })
            }
            _ => {
                self.save(&sub, |s| {
                    if matches!(
                        s.status,
                        SubscriptionStatus::Active | SubscriptionStatus::PastDue
                    ) {
                        s.status = SubscriptionStatus::Expired;
                    }
                    s.due_on = None;
                })
                .await?;
                tracing::info!(subscription = %id, "license ended");
                Ok(Renewed::Expired)
            }
        }
    }

    /// Charges the next term of a subscription whose term ended.
    async fn renew(
        &self,
        sub: &Subscription,
        period: Period,
        today: Date,
        now: Timestamp,
    ) -> Result<Renewed, AppError> {
        let next_index = sub.term_index + 1;
        let anchor = sub.anchor.unwrap_or(period.starts_on);
        let next = nth_term(anchor, sub.term, next_index);
        let quantity = sub
            .scheduled_change
            .as_ref()
            .map_or(sub.quantity, |c| c.quantity);
        let order_id = sub.renewal_order_id()?;
        let renewal = Renewal {
            quantity,
            period: next,
            term_index: next_index,
        };
        let tax = crate::store::subscriptions::stored_tax(sub)?;
        let order = Order::renewal(sub, order_id, renewal, tax, now)?;
        let placed = self.flow.place_change(order, sub).await?;
        let charged = self.flow.charge(placed, &self.provider, true, now).await?;
        match charged.status {
            OrderStatus::Confirmed => {
                tracing::info!(subscription = %sub.id, order = %charged.id, "renewed");
                Ok(Renewed::Renewed { order: charged.id })
            }
            // An attempt that expired unpaid counts as a failed one: the next try is a new
            // attempt (a new order and provider key).
            OrderStatus::PaymentFailed | OrderStatus::Expired => {
                let renewal_day = period.ends_on.tomorrow().unwrap_or(today);
                let failures = sub.failed_charges + 1;
                let retry_on = self.retry.next_try(renewal_day, failures);
                self.save_fresh(&sub.id, |s| {
                    s.failed_charges = failures;
                    s.due_on = retry_on;
                    s.status = if retry_on.is_some() {
                        SubscriptionStatus::PastDue
                    } else {
                        SubscriptionStatus::Expired
                    };
                })
                .await?;
                tracing::info!(subscription = %sub.id, failures, "renewal charge failed");
                let data = json!({
                    "retry_on": retry_on.map(|d| d.to_string()),
                    "expired": retry_on.is_none(),
                    "reason": charged.payment.failure.clone().unwrap_or_default(),
                });
                let dedupe = format!("renewal-failed:{}", charged.id);
                self.notify(sub, MailTemplate::RenewalFailed, &dedupe, data)
                    .await?;
                Ok(retry_on.map_or(Renewed::Expired, |retry_on| Renewed::PastDue { retry_on }))
            }
            _ => {
                let until = today.checked_add(Span::new().days(1)).unwrap_or(today);
                self.save_fresh(&sub.id, |s| s.due_on = Some(until)).await?;
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
    async fn remind(&self, sub: &Subscription, period: Period) -> Result<(), AppError> {
        let data = json!({ "ends_on": period.ends_on.to_string() });
        let dedupe = format!("renewal-reminder:{}:{}", sub.id, period.ends_on);
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

    /// Stores a change of `sub`; an expired subscription also frees its holder, so the email
    /// may buy the product again (an expired fixed term is renewed instead and keeps it).
    async fn save(
        &self,
        sub: &Subscription,
        change: impl FnOnce(&mut Subscription),
    ) -> Result<(), AppError> {
        let mut next = sub.clone();
        change(&mut next);
        next.version = sub.version + 1;
        let repo = &self.flow.orders.subscriptions;
        if next.status == SubscriptionStatus::Expired && next.billing == Billing::Subscription {
            repo.end(&next, sub.version).await
        } else {
            repo.save(&next, sub.version).await
        }
    }

    /// Applies `change` to the license as it is now (the charge moved its version).
    async fn save_fresh(
        &self,
        id: &SubscriptionId,
        change: impl FnOnce(&mut Subscription),
    ) -> Result<(), AppError> {
        let sub = self
            .flow
            .orders
            .subscriptions
            .get(id)
            .await?
            .ok_or_else(|| AppError::fault(format!("license {id} vanished")))?;
        self.save(&sub, change).await
    }
}
