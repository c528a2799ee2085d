//! A downgrade scheduled for the next renewal:
//! - `PUT /v1/subscriptions/{id}/scheduled-change` `{quantity}`: the new, lower total from the
//!   next term on; a later request replaces an earlier one. Refused (409 `seats_beyond_term`,
//!   naming them) while more seats run into the next term than the new total.
//! - `DELETE /v1/subscriptions/{id}/scheduled-change`: withdraw it.
//!
//! Both are decided on the subscription as read and stored under its version: a change that
//! raced another (an upgrade) is `409 concurrent_change` and changes nothing.

use std::sync::Arc;

use shop_adapters::web::prelude::*;
use shop_adapters::{store::subscriptions::SubscriptionsRepo, web::paths::subscription_id};
use shop_domain::{
    Clock, DomainError,
    changes::{NewTotal, schedule_downgrade},
    clock::berlin_date,
    seats::used_on,
    wire::Object,
};

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub guard: Guard,
    pub subscriptions: SubscriptionsRepo,
    pub clock: Arc<dyn Clock>,
}

impl Handler {
    async fn route(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.caller(req, Need::Full).await?;
        let id = subscription_id(req)?;
        let (sub, seats) = self.subscriptions.owned(&id, &caller.account.id).await?;
        let scheduled_change = match *req.method() {
            Method::PUT => {
                let Object(body): Object<NewTotal> = http::json_body(req)?;
                let to = body.quantity()?;
                Some(schedule_downgrade(&sub, &seats, to)?)
            }
            Method::DELETE => None,
            _ => {
                return Err(DomainError::not_found("route_not_found", "No such route.").into());
            }
        };
        let next = sub.with_scheduled_change(scheduled_change);
        self.subscriptions.save(&next, sub.version).await?;
        tracing::info!(subscription = %id, change = ?next.scheduled_change, "scheduled change set");
        let today = berlin_date(self.clock.now());
        http::json(StatusCode::OK, &next.view(used_on(&seats, today), today))
    }
}
