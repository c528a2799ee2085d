//! The license overview for the owner: `GET /v1/subscriptions` and
//! `GET /v1/subscriptions/{id}`: product, state, period, quantity, seats used today, number,
//! invoice numbers, auto-renew and any scheduled change. Another account's license is 404.

use std::sync::Arc;

use lambda_http::{Request, RequestExt, http::StatusCode};
use serde_json::json;
use shop_adapters::{
    AppError,
    auth::guard::{Guard, Need},
    http::{self, HttpResponse},
    subscriptions::SubscriptionsRepo,
};
use shop_domain::{
    Clock, DomainError, clock::berlin_date, id::SubscriptionId, seats::used_on,
    subscription::SubscriptionStatus,
};

pub struct Handler {
    pub guard: Guard,
    pub subscriptions: SubscriptionsRepo,
    pub clock: Arc<dyn Clock>,
}

impl Handler {
    pub async fn handle(&self, req: Request) -> HttpResponse {
        http::respond(self.route(&req).await)
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
                    views.push(json!(sub.view(used)));
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
                http::json(StatusCode::OK, &sub.view(used_on(&seats, today)))
            }
        }
    }
}
