//! A plant's alert settings (docs/solar.md, "Alerts"), for its owner only:
//! - `GET /v1/plants/{id}/alerts`: the settings (every condition off while none were set);
//! - `PUT /v1/plants/{id}/alerts`: replace them, every wrong field listed
//!   (`422 invalid_alert_settings`); the plant joins the alert job's index while a condition
//!   is on and leaves it when all are off.
//!
//! Another account's plant is `404 plant_not_found`, as a missing one.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use shop_adapters::store::{alerts::AlertsRepo, plants::PlantsRepo};
use shop_adapters::web::{paths, prelude::*};
use shop_domain::{
    Clock, DomainError,
    solar::{
        PlantId,
        alerts::{AlertSettings, check_alert_settings},
    },
};

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub guard: Guard,
    pub plants: PlantsRepo,
    pub alerts: AlertsRepo,
    pub clock: Arc<dyn Clock>,
}

impl Handler {
    async fn route(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.caller(req, Need::Full).await?;
        let id = paths::plant_id(req)?;
        let plant = self.plants.owned(&caller.account.id, &id).await?;
        match req.method().clone() {
            Method::GET => {
                let settings = self.alerts.settings(&id).await?.unwrap_or_default();
                answer(&id, &settings)
            }
            Method::PUT => {
                let body: Map<String, Value> = http::json_body(req)?;
                let settings = check_alert_settings(&body)?;
                self.alerts
                    .save(&id, &plant.account_id, &settings, self.clock.now())
                    .await?;
                tracing::info!(plant = %id, on = settings.any_on(), "alert settings saved");
                answer(&id, &settings)
            }
            method => Err(DomainError::not_found(
                "route_not_found",
                format!("No route for {method} {}.", req.raw_http_path()),
            )
            .into()),
        }
    }
}

/// The settings as stored, the expected yield's decimals as strings (like every decimal).
fn answer(id: &PlantId, settings: &AlertSettings) -> Result<HttpResponse, AppError> {
    let mut body = serde_json::to_value(settings)
        .map_err(|e| AppError::internal("encode alert settings", e))?;
    body["plant_id"] = json!(id.as_str());
    http::json(StatusCode::OK, &body)
}
