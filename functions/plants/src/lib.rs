//! A plant owner's plants (SPEC section 6, docs/solar.md):
//! - `GET /v1/plants`: the account's plants, newest first;
//! - `POST /v1/plants`: create one (the monitoring buyer rule first: the trial is use too);
//! - `GET /v1/plants/{id}`: one plant with its total power, inverters, monitoring state and
//!   licenses;
//! - `PATCH /v1/plants/{id}`: the given fields laid over the plant, the whole checked again;
//! - `DELETE /v1/plants/{id}`: refused while a license runs, else the plant, its rows and the
//!   release of its devices in one transaction.
//!
//! Another account's plant is `404 plant_not_found`, as a missing one. PATCH and DELETE write
//! under the version they read (`409 concurrent_change` when it moved).

use std::sync::Arc;

use lambda_http::{Body, Response};
use serde_json::{Map, Value, json};
use shop_adapters::web::prelude::*;
use shop_adapters::{
    error::Context, store::plants::PlantsRepo, web::auth::secret_token::random_id, web::paths,
};
use shop_domain::{
    Clock, DomainError,
    account::model::Account,
    clock::berlin_date,
    solar::{PlantId, SolarSettings, check_monitoring_buyer, check_plant, monitoring_buyer},
};

mod settings;
mod view;

pub use settings::Settings;

pub struct Handler {
    pub guard: Guard,
    pub plants: PlantsRepo,
    pub clock: Arc<dyn Clock>,
    pub solar: SolarSettings,
}

impl Handler {
    async fn route(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.caller(req, Need::Full).await?;
        let account = &caller.account;
        let id = req.path_parameters().first("id").map(paths::parse_plant_id);
        match (req.method().clone(), id) {
            (Method::GET, None) => self.list(account).await,
            (Method::POST, None) => self.create(req, account).await,
            (Method::GET, Some(id)) => {
                let plant = self.plants.owned(&account.id, &id?).await?;
                self.answer(StatusCode::OK, &plant)
            }
            (Method::PATCH, Some(id)) => self.patch(req, account, &id?).await,
            (Method::DELETE, Some(id)) => self.delete(account, &id?).await,
            (method, _) => Err(DomainError::not_found(
                "route_not_found",
                format!("No route for {method} {}.", req.raw_http_path()),
            )
            .into()),
        }
    }

    async fn list(&self, account: &Account) -> Result<HttpResponse, AppError> {
        let today = berlin_date(self.clock.now());
        let plants: Vec<Value> = self
            .plants
            .list(&account.id)
            .await?
            .iter()
            .map(|plant| view::plant(plant, today, &self.solar))
            .collect();
        http::json(StatusCode::OK, &json!({ "plants": plants }))
    }

    async fn create(&self, req: &Request, account: &Account) -> Result<HttpResponse, AppError> {
        let body: Map<String, Value> = http::json_body(req)?;
        check_monitoring_buyer(monitoring_buyer(account))?;
        let details = check_plant(&body)?;
        let id = PlantId::parse(&random_id()?).context("a fresh plant id")?;
        let plant = self
            .plants
            .create(id, &account.id, details, self.clock.now())
            .await?;
        tracing::info!(plant = %plant.id, "plant created");
        self.answer(StatusCode::CREATED, &plant)
    }

    async fn patch(
        &self,
        req: &Request,
        account: &Account,
        id: &PlantId,
    ) -> Result<HttpResponse, AppError> {
        let body: Map<String, Value> = http::json_body(req)?;
        let plant = self.plants.owned(&account.id, id).await?;
        let next = plant.with_details(plant.details.patched(&body)?);
        self.plants.save_details(&next, plant.version).await?;
        tracing::info!(plant = %id, "plant changed");
        self.answer(StatusCode::OK, &next)
    }

    async fn delete(&self, account: &Account, id: &PlantId) -> Result<HttpResponse, AppError> {
        let plant = self.plants.owned(&account.id, id).await?;
        plant
            .history()
            .check_deletable(berlin_date(self.clock.now()))?;
        self.plants.delete(&plant).await?;
        tracing::info!(plant = %id, inverters = plant.inverters.len(), "plant deleted");
        Response::builder()
            .status(StatusCode::NO_CONTENT)
            .header("cache-control", "no-store")
            .body(Body::Empty)
            .context("build the answer")
    }

    fn answer(
        &self,
        status: StatusCode,
        plant: &shop_adapters::store::plants::PlantRecord,
    ) -> Result<HttpResponse, AppError> {
        let today = berlin_date(self.clock.now());
        http::json(status, &view::plant(plant, today, &self.solar))
    }
}
