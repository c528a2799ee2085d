//! Prorated upgrade of a subscription, body `{quantity}` = the new total:
//! - `POST /v1/subscriptions/{id}/upgrade/preview`: what the upgrade will charge, exactly;
//! - `POST /v1/subscriptions/{id}/upgrade` (`Idempotency-Key`): an upgrade order for the
//!   added licenses over the rest of the term, charged off-session to the stored payment method
//!   and confirmed at once when the charge succeeds: the quantity rises, the term end stays,
//!   a pending downgrade is cleared, and an invoice is issued.
//!
//! The order is placed in one transaction with the subscription's next version, so an upgrade
//! decided on a subscription that changed meanwhile (a downgrade request) is `409`.

use std::sync::Arc;

use shop_adapters::web::prelude::*;
use shop_adapters::{
    flows::order_flow::OrderFlow,
    web::idempotent_http::{self, IdempotentRequests},
    web::paths::subscription_id,
};
use shop_domain::{
    Clock, Quantity,
    changes::{NewTotal, UpgradeQuote, check_upgrade, quote_upgrade},
    clock::berlin_date,
    id::{AccountId, SubscriptionId},
    order::{LineChange, Order},
    ports::PaymentProvider,
    subscription::Subscription,
    wire::Object,
};

mod settings;

pub use settings::Settings;

pub struct Handler<P> {
    pub guard: Guard,
    pub flow: OrderFlow,
    pub requests: IdempotentRequests,
    pub provider: P,
    pub clock: Arc<dyn Clock>,
}

impl<P: PaymentProvider> Handler<P> {
    async fn route(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.caller(req, Need::Full).await?;
        let id = subscription_id(req)?;
        let owner = &caller.account.id;
        if req
            .raw_http_path()
            .trim_end_matches('/')
            .ends_with("/preview")
        {
            let (sub, quote) = self.quote(&id, owner, new_total(req)?).await?;
            return http::json(
                StatusCode::OK,
                &serde_json::json!({
                    "subscription_id": sub.id,
                    "from": quote.from,
                    "to": quote.to,
                    "remaining_days": quote.remaining_days,
                    "term_days": quote.term_days,
                    "term_ends_on": quote.period.ends_on,
                    "fee": quote.line,
                }),
            );
        }
        let key = idempotent_http::key(req)?;
        let body = idempotent_http::body(req)?;
        // Checked before the key is claimed: a refused body consumes nothing.
        let to = new_total(req)?;
        let scope = upgrade_scope(owner);
        self.requests
            .run(&scope, &key, body, self.clock.as_ref(), || {
                self.upgrade(&id, owner, &key, to)
            })
            .await
    }

    async fn quote(
        &self,
        id: &SubscriptionId,
        owner: &AccountId,
        to: Quantity,
    ) -> Result<(Subscription, UpgradeQuote), AppError> {
        let (sub, _) = self.flow.subscriptions.owned(id, owner).await?;
        let today = berlin_date(self.clock.now());
        // The refusals first: a license that cannot be upgraded needs no price.
        check_upgrade(&sub, to, today)?;
        let quote = quote_upgrade(&sub, to, today, sub.tax_treatment()?.rate())?;
        Ok((sub, quote))
    }

    async fn upgrade(
        &self,
        id: &SubscriptionId,
        owner: &AccountId,
        key: &str,
        to: Quantity,
    ) -> Result<HttpResponse, AppError> {
        let order_id = idempotent_http::derived_order_id(&upgrade_scope(owner), key)?;
        let now = self.clock.now();
        if let Some(placed) = self.flow.orders.get(&order_id).await? {
            // The answer to this request was lost after its order was placed: go on from
            // where the order stands (quoting again would refuse it once it was paid).
            tracing::info!(order = %placed.id, status = ?placed.status, "upgrade resumed");
            return answer(self.flow.charge(placed, &self.provider, true, now).await?);
        }
        let (sub, quote) = self.quote(id, owner, to).await?;
        let order = Order::change_of(
            &sub,
            order_id,
            LineChange::Upgrade {
                from: quote.from,
                to: quote.to,
            },
            quote.line.clone(),
            sub.tax_treatment()?,
            now,
        )?;
        let placed = self.flow.place_change(order, &sub).await?;
        answer(self.flow.charge(placed, &self.provider, true, now).await?)
    }
}

/// The upgrade order as the owner sees it, or why it will not be paid.
fn answer(charged: Order) -> Result<HttpResponse, AppError> {
    let charged = charged.accepted()?;
    tracing::info!(order = %charged.id, status = ?charged.status, "upgrade ordered");
    http::json(StatusCode::CREATED, &charged.view())
}

/// The new total the body asks for.
fn new_total(req: &Request) -> Result<Quantity, AppError> {
    let Object(body): Object<NewTotal> = http::json_body(req)?;
    Ok(body.quantity()?)
}

/// Upgrade keys are the account's own.
fn upgrade_scope(owner: &AccountId) -> String {
    format!("upgrade#{owner}")
}
