//! The license overview for the owner: `GET /v1/subscriptions` and
//! `GET /v1/subscriptions/{id}`: product, state, period, quantity, seats used today, number,
//! invoice numbers, auto-renew and any scheduled change. `PUT /v1/subscriptions/{id}/auto-renew`
//! `{enabled}` turns automatic renewal off (the subscription ends at its term end) or on again.
//! Another account's license is 404.

use std::sync::Arc;

use jiff::civil::Date;
use serde::Deserialize;
use serde_json::json;
use shop_adapters::web::prelude::*;
use shop_adapters::{store::subscriptions::SubscriptionsRepo, web::paths::subscription_id};
use shop_domain::{
    Clock, DomainError,
    clock::berlin_date,
    id::{AccountId, SubscriptionId},
    seats::used_on,
    subscription::SubscriptionStatus,
};

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub guard: Guard,
    pub subscriptions: SubscriptionsRepo,
    pub clock: Arc<dyn Clock>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AutoRenew {
    enabled: bool,
}

impl Handler {
    async fn auto_renew(
        &self,
        req: &Request,
        owner: &AccountId,
        today: Date,
    ) -> Result<HttpResponse, AppError> {
        let id = subscription_id(req)?;
        let body: AutoRenew = http::json_body(req)?;
        let (sub, seats) = self.subscriptions.owned(&id, owner).await?;
        let next = sub.with_auto_renew(body.enabled)?;
        self.subscriptions.save(&next, sub.version).await?;
        tracing::info!(subscription = %id, enabled = body.enabled, "auto-renew set");
        http::json(StatusCode::OK, &next.view(used_on(&seats, today), today))
    }

    async fn route(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.caller(req, Need::Full).await?;
        let today = berlin_date(self.clock.now());
        let not_found = || {
            AppError::from(DomainError::not_found(
                "subscription_not_found",
                "No such license.",
            ))
        };
        if *req.method() == Method::PUT {
            return self.auto_renew(req, &caller.account.id, today).await;
        }
        match req.path_parameters().first("id") {
            None => {
                let mut views = Vec::new();
                let subs = self.subscriptions.list(&caller.account.id).await?;
                // Licenses whose payment never arrived are not licenses.
                for sub in subs.iter().filter(|s| s.status != SubscriptionStatus::Void) {
                    let used = match self.subscriptions.with_seats(&sub.id).await? {
                        Some((_, seats)) => used_on(&seats, today),
                        None => 0,
                    };
                    views.push(json!(sub.view(used, today)));
                }
                http::json(StatusCode::OK, &json!({ "subscriptions": views }))
            }
            Some(raw) => {
                let id = SubscriptionId::parse(raw).map_err(|_| not_found())?;
                let (sub, seats) = self
                    .subscriptions
                    .with_seats(&id)
                    .await?
                    .filter(|(s, _)| {
                        s.account_id == caller.account.id && s.status != SubscriptionStatus::Void
                    })
                    .ok_or_else(not_found)?;
                http::json(StatusCode::OK, &sub.view(used_on(&seats, today), today))
            }
        }
    }
}
