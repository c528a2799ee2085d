//! `POST /v1/subscriptions/{id}/renew`: the owner renews a fixed-term license, only from 40
//! days before its end (earlier: 409 with the day it opens). Renewed before the end, the new
//! term follows without a gap and the paid rest of the running one is kept (the license shows
//! both; `409 already_renewed` until the new one begins); after the end it starts on the day
//! of payment. A plant's monitoring license renews at the plant's total power on the renewal
//! day and the catalog's price per kW then; its paid term gets its own row in the plant.
//! Charged
//! off-session to the stored payment method; the order for a term has one id, so a repeated
//! request reaches the same order and never charges twice.

use std::sync::Arc;

use shop_adapters::web::prelude::*;
use shop_adapters::{
    flows::renewal::RenewalFlow, store::catalog::CatalogRepo, web::paths::subscription_id,
};
use shop_domain::{
    Clock, DomainError,
    catalog::{self, Product},
    changes::fixed_term_renewal,
    clock::berlin_date,
    order::{Order, monitoring::plant_renewal},
    solar::PlantToLicense,
    subscription::{Renewal, Subscription},
};

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub guard: Guard,
    pub catalog: CatalogRepo,
    pub renewals: RenewalFlow,
    pub clock: Arc<dyn Clock>,
}

impl Handler {
    async fn renew(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.caller(req, Need::Full).await?;
        let id = subscription_id(req)?;
        let flow = &self.renewals.flow;
        let (sub, _) = flow.subscriptions.owned(&id, &caller.account.id).await?;
        let now = self.clock.now();
        // A renewed next term that has begun is the running one.
        let sub = sub.as_of(berlin_date(now));
        let period = fixed_term_renewal(&sub, berlin_date(now), flow.reminder_days)?;
        let term_index = sub.term_index + 1;
        let order_id = sub.renewal_order_id()?;
        let renewal = Renewal {
            quantity: sub.quantity,
            period,
            term_index,
        };
        let tax = sub.tax_treatment()?;
        let order = match &sub.plant {
            None => Order::renewal(&sub, order_id, renewal, tax, now)?,
            Some(cover) => {
                let plant = flow
                    .orders
                    .plant_licenses
                    .plants()
                    .owned(&caller.account.id, &cover.plant)
                    .await?;
                let products = self.catalog.all().await?;
                plant_renewal(
                    &sub,
                    order_id,
                    renewal,
                    tax,
                    sold(&products, &sub)?,
                    &PlantToLicense {
                        id: plant.id.clone(),
                        name: plant.details.name.clone(),
                        power: plant.total_power(&flow.solar),
                    },
                    now,
                )?
            }
        };
        let placed = flow.place_change(order, &sub).await?;
        let charged = flow
            .charge(placed, &*self.renewals.provider, true, now)
            .await?;
        if let Some(refused) = charged.refusal() {
            // The next request is a new attempt (a new order and provider key), not this
            // refused order again.
            let repo = &flow.subscriptions;
            let fresh = repo
                .get(&id)
                .await?
                .ok_or_else(|| AppError::fault(format!("license {id} vanished")))?;
            if let Some(counted) = fresh.with_refused_charge(&sub) {
                repo.save(&counted, fresh.version).await?;
            }
            return Err(refused.into());
        }
        tracing::info!(subscription = %id, order = %charged.id, "fixed term renewed");
        http::json(StatusCode::CREATED, &charged.view())
    }
}

/// The catalog's product of a license, to price its renewal.
fn sold<'a>(products: &'a [Product], sub: &Subscription) -> Result<&'a Product, DomainError> {
    catalog::product(products, &sub.product_id).ok_or_else(|| {
        DomainError::conflict(
            "renewal_not_offered",
            format!(
                "{} is no longer sold; buy a new license instead.",
                sub.product_id
            ),
        )
    })
}
