//! An order's life after the domain planned it: placing it (number, licenses, holder markers
//! in one transaction), applying what the payment provider reports, and cancelling it. Both
//! checkout and the webhook apply payment outcomes through [`OrderFlow::apply`], so a decline
//! seen at checkout and the same decline arriving by webhook end in one state.

use jiff::Timestamp;
use shop_domain::{
    DomainError,
    clock::berlin_date,
    id::OrderId,
    order::{
        Document, LineChange, Order, OrderStatus, PaymentEvent,
        confirm::Confirmation,
        new::{LineLicense, NewOrder},
    },
    ports::{Charge, ChargeOutcome, PaymentProvider},
    solar::SolarSettings,
    subscription::Subscription,
};

use crate::{
    AppError, Boxed,
    messaging::outbox::MailOutbox,
    sdk::SendBoxed,
    store::accounts::AccountsRepo,
    store::orders::{NumberedError, OrdersRepo, Write},
    store::subscriptions::{HolderState, SubscriptionsRepo},
};

mod cancel;
mod followups;
mod plants;
mod reconcile;
mod settings;

pub use settings::OrderFlowSettings;

pub const ORDER_SERIES: &str = "ORD";
pub const INVOICE_SERIES: &str = "INV";
pub const CREDIT_NOTE_SERIES: &str = "CN";

#[derive(Clone)]
pub struct OrderFlow {
    pub orders: OrdersRepo,
    pub subscriptions: SubscriptionsRepo,
    pub accounts: AccountsRepo,
    pub outbox: MailOutbox,
    /// The web app's address, for links to the order and its documents.
    pub app_url: String,
    /// Days before a fixed-term license ends that its owner is reminded (`REMINDER_DAYS`, 40).
    pub reminder_days: i64,
    /// The solar rules a monitoring license's price and start are decided by.
    pub solar: SolarSettings,
}

/// What the payment provider said about an order's payment, at checkout or by webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReport {
    pub order_id: OrderId,
    pub payment_id: String,
    pub event: PaymentEvent,
    pub failure: Option<String>,
    pub redirect_url: Option<String>,
}

impl OrderFlow {
    /// Numbers and writes a new order with its licenses and claims the residual credits it
    /// shows. An email that holds (or is buying) the product already answers
    /// `409 license_exists`, also when two checkouts race; a credit another order claimed
    /// first, `409 credit_used`.
    pub fn place<'a>(
        &'a self,
        order: NewOrder,
        licenses: Vec<LineLicense>,
    ) -> Boxed<'a, Result<Order, AppError>> {
        Box::pin(async move {
            let year = berlin_date(order.created_at()).year();
            let subs = &self.subscriptions;
            let mut placed = None;
            let result = self
                .orders
                .numbered(ORDER_SERIES, year, |number| {
                    let o = order.numbered(number);
                    let mut writes = vec![Write::Put(self.orders.put_order(&o, None)?)];
                    for license in &licenses {
                        match license {
                            LineLicense::Trial(trial) => {
                                writes.push(Write::Update(subs.move_holder(
                                    trial,
                                    HolderState::Trial,
                                    HolderState::Pending,
                                    &o.id,
                                )?))
                            }
                            LineLicense::New(pending) => {
                                let sub = pending.numbered(number);
                                writes.push(Write::Put(subs.put(&sub, None)?));
                                if license.held_once() {
                                    writes.push(Write::Put(subs.claim_holder(&sub, &o.id)?));
                                }
                            }
                        }
                    }
                    for c in &o.credits {
                        writes.push(Write::Update(
                            self.orders
                                .plant_licenses
                                .claim_credit(&c.plant, &c.ended, &c.license)?,
                        ));
                    }
                    placed = Some(o);
                    Ok(writes)
                })
                .await;
            self.outcome(result, placed, &order, |index| {
                license_taken(&licenses, index).unwrap_or_else(|| {
                    AppError::fault(format!("order {} was placed twice", order.id()))
                })
            })
            .await
        })
    }

    /// What a placing transaction's outcome means: the order placed; the order placed before
    /// under its id (a retry: the order item's condition, index 0); or `lost(index)`.
    async fn outcome(
        &self,
        result: Result<String, NumberedError>,
        placed: Option<Order>,
        order: &NewOrder,
        lost: impl FnOnce(usize) -> AppError,
    ) -> Result<Order, AppError> {
        match result {
            Ok(_) => placed.ok_or_else(|| AppError::fault("order placed without its number")),
            Err(NumberedError::Condition(0)) => self.placed_before(order).await,
            Err(NumberedError::Condition(index)) => Err(lost(index)),
            Err(NumberedError::Other(e)) => Err(e),
        }
    }

    /// The order placed before under the id of `order`: the id comes from the caller's
    /// idempotency key, so this is a retry, which goes on from where that order stands.
    async fn placed_before(&self, order: &NewOrder) -> Result<Order, AppError> {
        self.orders
            .get(order.id())
            .await?
            .filter(|o| &o.account_id == order.account_id())
            .ok_or_else(|| AppError::fault(format!("order id {} taken", order.id())))
    }

    /// Numbers and writes an order that changes an existing license (upgrade, renewal), in one
    /// transaction with the license moved to its next version: a change decided on a license
    /// that changed meanwhile fails with `409 concurrent_change`. An order written before under
    /// the same id (a retry) goes on from where it stands.
    pub fn place_change<'a>(
        &'a self,
        order: NewOrder,
        sub: &'a Subscription,
    ) -> Boxed<'a, Result<Order, AppError>> {
        Box::pin(async move {
            let year = berlin_date(order.created_at()).year();
            let touched = sub.next_version();
            let mut placed = None;
            let result = self
                .orders
                .numbered(ORDER_SERIES, year, |number| {
                    let o = order.numbered(number);
                    let writes = vec![
                        Write::Put(self.orders.put_order(&o, None)?),
                        Write::Put(self.subscriptions.put(&touched, Some(sub.version))?),
                    ];
                    placed = Some(o);
                    Ok(writes)
                })
                .await;
            let stale = |_| crate::store::subscriptions::stale();
            self.outcome(result, placed, &order, stale).await
        })
    }

    /// Charges an order that has no payment yet (an order that has one is a retry). With the
    /// customer present (checkout) only the webhook confirms; an off-session charge (upgrade,
    /// renewal) that succeeds at once is confirmed at once through the same [`Self::apply`],
    /// and the webhook that follows changes nothing.
    pub fn charge<'a>(
        &'a self,
        order: Order,
        provider: &'a dyn PaymentProvider,
        off_session: bool,
        now: Timestamp,
    ) -> Boxed<'a, Result<Order, AppError>> {
        Box::pin(async move {
            if order.status != OrderStatus::PendingPayment || order.payment.payment_id.is_some() {
                return Ok(order);
            }
            let outcome = provider
                .charge(&Charge {
                    idempotency_key: order.id.as_str(),
                    amount: order.totals.gross,
                    method: order.payment.method,
                    payment_method: &order.payment.payment_method,
                    customer: &order.payment.customer,
                    order_id: order.id.as_str(),
                    off_session,
                })
                .await?;
            let report = |payment_id: String, event, failure, redirect_url| PaymentReport {
                order_id: order.id.clone(),
                payment_id,
                event,
                failure,
                redirect_url,
            };
            let report = match outcome {
                ChargeOutcome::Succeeded { payment_id } if off_session => {
                    report(payment_id, PaymentEvent::Succeeded, None, None)
                }
                ChargeOutcome::Succeeded { payment_id } => {
                    let mut known = order.clone();
                    known.payment.payment_id = Some(payment_id);
                    self.orders.update_order(&known, order.status).await?;
                    return Ok(self.orders.get(&order.id).await?.unwrap_or(known));
                }
                ChargeOutcome::Processing { payment_id } => {
                    report(payment_id, PaymentEvent::Processing, None, None)
                }
                ChargeOutcome::RequiresAction {
                    payment_id,
                    redirect_url,
                } => report(
                    payment_id,
                    PaymentEvent::RequiresAction,
                    None,
                    Some(redirect_url),
                ),
                ChargeOutcome::Declined { payment_id, reason } => report(
                    payment_id.unwrap_or_else(|| format!("declined-{}", order.id)),
                    PaymentEvent::Failed,
                    Some(reason),
                    None,
                ),
            };
            self.apply(&report, now).await
        })
    }

    /// Applies a payment outcome to an order; repeated and late outcomes change nothing.
    /// Answers the order as it stands afterwards.
    pub fn apply<'a>(
        &'a self,
        report: &'a PaymentReport,
        now: Timestamp,
    ) -> Boxed<'a, Result<Order, AppError>> {
        Box::pin(async move {
            let PaymentReport {
                order_id,
                payment_id,
                event,
                failure,
                redirect_url,
            } = report;
            let (payment_id, event) = (payment_id.as_str(), *event);
            loop {
                let order = self.orders.get(order_id).await?.ok_or_else(|| {
                    AppError::fault(format!("payment for unknown order {order_id}"))
                })?;
                if order
                    .payment
                    .payment_id
                    .as_deref()
                    .is_some_and(|p| p != payment_id)
                {
                    // Not the payment this order went with (a stale attempt): nothing to apply.
                    tracing::warn!(order = %order_id, "payment event for another payment ignored");
                    return Ok(order);
                }
                let Some(next) = order.status.after(event) else {
                    // A retry after a crash between the write and the steps that follow.
                    self.follow_up(&order, Some(event), now).await?;
                    return Ok(order);
                };
                let mut changed = order.clone();
                changed.status = next;
                changed.payment.payment_id = Some(payment_id.to_owned());
                if failure.is_some() {
                    changed.payment.failure = failure.clone();
                }
                if redirect_url.is_some() {
                    changed.payment.redirect_url = redirect_url.clone();
                }
                let done = match next {
                    OrderStatus::Confirmed => self.confirm(&order, changed, now).await?,
                    OrderStatus::PaymentFailed | OrderStatus::Expired => {
                        self.fail(&order, changed).await?
                    }
                    _ => self
                        .orders
                        .update_order(&changed, order.status)
                        .await?
                        .then_some(changed),
                };
                // `None`: another event moved the order meanwhile; judge again on fresh state.
                if let Some(done) = done {
                    self.follow_up(&done, None, now).await?;
                    tracing::info!(order = %done.id, status = ?done.status, "payment applied");
                    return Ok(done);
                }
            }
        })
    }

    async fn confirm(
        &self,
        order: &Order,
        mut changed: Order,
        now: Timestamp,
    ) -> Result<Option<Order>, AppError> {
        let subs = self.orders.subscriptions_of(order).await?;
        let day = berlin_date(now);
        let plants = self.plants_at_payment(&subs, day).await?;
        changed.confirmed_at = Some(now);
        let repo = &self.subscriptions;
        let mut confirmed = None;
        let result = self
            .orders
            .numbered(INVOICE_SERIES, day.year(), |number| {
                let mut o = changed.clone();
                o.invoice = Some(Document {
                    number: number.to_owned(),
                    issued_at: now,
                });
                let mut writes = vec![Write::Put(self.orders.put_order(&o, Some(order.status))?)];
                let paid = order.paid_licenses(
                    &subs,
                    Confirmation {
                        day,
                        invoice: number,
                        reminder_days: self.reminder_days,
                    },
                );
                for (((line, sub), paid), plant) in
                    order.lines.iter().zip(&subs).zip(paid).zip(&plants)
                {
                    let (paid, in_plant) = self.paid_in_plant(line, paid, plant.as_ref(), day)?;
                    writes.push(Write::Put(repo.put(&paid, Some(sub.version))?));
                    writes.extend(in_plant);
                    if line.change == LineChange::Purchase && sub.plant.is_none() {
                        writes.push(Write::Update(repo.move_holder(
                            sub,
                            HolderState::Pending,
                            HolderState::Held,
                            &order.id,
                        )?));
                    }
                }
                confirmed = Some(o);
                Ok(writes)
            })
            .await;
        match result {
            Ok(_) => Ok(confirmed),
            Err(NumberedError::Condition(_)) => Ok(None),
            Err(NumberedError::Other(e)) => Err(e),
        }
    }

    async fn fail(&self, order: &Order, changed: Order) -> Result<Option<Order>, AppError> {
        let subs = self.orders.subscriptions_of(order).await?;
        let repo = &self.subscriptions;
        let mut tx = self.orders.transact().transact_items(
            Write::Put(self.orders.put_order(&changed, Some(order.status))?).item(),
        );
        for (line, sub) in order.lines.iter().zip(&subs) {
            // An upgrade or renewal that was not paid leaves its license as it is; the
            // renewal's retries are the renewal worker's business.
            if line.change != LineChange::Purchase {
                continue;
            }
            tx = if sub.plant.is_some() {
                let mut tx = tx
                    .transact_items(Write::Put(repo.put(&sub.voided(), Some(sub.version))?).item());
                for w in self.release_credits(sub)? {
                    tx = tx.transact_items(w.item());
                }
                tx
            } else if line.converts_trial {
                tx.transact_items(
                    Write::Update(repo.move_holder(
                        sub,
                        HolderState::Pending,
                        HolderState::Trial,
                        &order.id,
                    )?)
                    .item(),
                )
            } else {
                tx.transact_items(Write::Put(repo.put(&sub.voided(), Some(sub.version))?).item())
                    .transact_items(Write::Delete(repo.release_holder(sub, &order.id)?).item())
            };
        }
        match tx.send_boxed().await {
            Ok(_) => Ok(Some(changed)),
            Err(e) if crate::store::dynamo::first_condition_failed(&e).is_some() => Ok(None),
            Err(e) => Err(AppError::sdk("fail order", e)),
        }
    }
}

/// The `license_exists` refusal for the license whose holder marker made write `index` of a
/// placing transaction fail: write 0 is the order, then one write per trial and two per new
/// license.
fn license_taken(licenses: &[LineLicense], index: usize) -> Option<AppError> {
    let mut at = 1;
    for license in licenses {
        let width = match license {
            LineLicense::Trial(_) => 1,
            LineLicense::New(_) if license.held_once() => 2,
            LineLicense::New(_) => 1,
        };
        if index < at + width {
            return Some(
                DomainError::conflict(
                    "license_exists",
                    format!(
                        "{} holds a license of {} already (or is buying one right now). One \
                         email holds one license per product; assign seats to colleagues \
                         instead.",
                        license.holder(),
                        license.product_id()
                    ),
                )
                .into(),
            );
        }
        at += width;
    }
    // The writes after the licenses claim the residual credits.
    Some(
        DomainError::conflict(
            "credit_used",
            "The residual value of the plant's ended license was just credited on another \
             order; check out again to see the price without it.",
        )
        .into(),
    )
}
