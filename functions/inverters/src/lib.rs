//! The inverters of a plant, for its owner:
//! - `GET /v1/plants/{id}/inverters`: every inverter, and the power the plant counts;
//! - `POST /v1/plants/{id}/inverters` `{serial, activation_code, label?}`: add one from the
//!   device registry (the first add starts the plant's one trial);
//! - `PATCH /v1/plants/{id}/inverters/{serial}` `{label}`: rename it;
//! - `DELETE /v1/plants/{id}/inverters/{serial}`: take it out (the device is free again),
//!   answering the plant's inverters left;
//! - `POST /v1/plants/{id}/inverters/{serial}/exchange` `{serial, activation_code}`: a new
//!   device takes the place and label of a defective one, in one transaction.
//!
//! Adds and exchanges check the activation code after a per-account limit of wrong codes,
//! and end the licenses the plant's new power outgrows (`flows::power_exceeded`). Another
//! account's plant answers 404, like a missing one.

use serde::Serialize;
use serde_json::json;
use shop_adapters::web::{paths, prelude::*};
use shop_adapters::{
    flows::power_exceeded::Adding,
    store::plants::{PlantInverter, PlantRecord, plant_not_found},
};
use shop_domain::{
    DomainError,
    solar::{Ended, PlantId, SerialNumber, SolarSettings},
};

mod activation;
mod forms;
mod settings;

pub use settings::Settings;

pub struct Handler {
    pub guard: Guard,
    pub adding: Adding,
    pub solar: SolarSettings,
}

/// An inverter as the routes answer it.
#[derive(Serialize)]
pub struct InverterView<'a> {
    serial: &'a SerialNumber,
    label: &'a str,
    #[serde(rename = "type")]
    device_type: &'a str,
    nominal_power_w: Option<u64>,
    /// What it counts in the plant's total (20,000 W for a device of type `unknown`).
    counted_power_w: u64,
    activated_on: String,
}

impl Handler {
    async fn route(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.caller(req, Need::Full).await?;
        let owner = &caller.account.id;
        let plant = paths::plant_id(req)?;
        let serial = req
            .path_parameters()
            .first("serial")
            .map(|raw| SerialNumber::parse(raw).map_err(|_| inverter_not_found(&plant, raw)))
            .transpose()?;
        let exchange = http::path_ends_with(req, "/exchange");
        match (req.method().clone(), serial) {
            (Method::GET, None) => {
                let record = self.adding.plants.owned(owner, &plant).await?;
                http::json(StatusCode::OK, &self.listing(&record))
            }
            (Method::POST, None) => self.add(owner, &plant, forms::add(req)?).await,
            (Method::POST, Some(old)) if exchange => {
                self.exchange(owner, &plant, &old, forms::exchange(req)?)
                    .await
            }
            (Method::PATCH, Some(serial)) => {
                let label = forms::label(req)?;
                if !self
                    .adding
                    .inverters
                    .relabel(&plant, owner, &serial, &label)
                    .await?
                {
                    return Err(inverter_not_found(&plant, serial.as_str()).into());
                }
                let record = self.adding.plants.owned(owner, &plant).await?;
                let inverter = find(&record, &serial)?;
                http::json(StatusCode::OK, &self.view(inverter))
            }
            (Method::DELETE, Some(serial)) => {
                self.adding.plants.owned(owner, &plant).await?;
                if !self.adding.inverters.remove(&plant, owner, &serial).await? {
                    return Err(inverter_not_found(&plant, serial.as_str()).into());
                }
                tracing::info!(plant = %plant, serial = %serial, "inverter removed");
                let record = self.adding.plants.owned(owner, &plant).await?;
                http::json(StatusCode::OK, &self.listing(&record))
            }
            (method, _) => Err(DomainError::not_found(
                "route_not_found",
                format!("No route for {method} {}.", req.raw_http_path()),
            )
            .into()),
        }
    }

    fn view<'a>(&self, inverter: &'a PlantInverter) -> InverterView<'a> {
        InverterView {
            serial: &inverter.serial,
            label: &inverter.label,
            device_type: inverter.config.type_name(),
            nominal_power_w: inverter.config.nominal_power().map(u64::from),
            counted_power_w: inverter
                .config
                .counted_power(self.solar.unknown_device_power)
                .0,
            activated_on: inverter.activated_on.to_string(),
        }
    }

    fn listing(&self, record: &PlantRecord) -> serde_json::Value {
        let inverters: Vec<InverterView<'_>> =
            record.inverters.iter().map(|i| self.view(i)).collect();
        json!({
            "inverters": inverters,
            "total_power_w": record.total_power(&self.solar).0,
            "first_activation": record.first_activation.map(|d| d.to_string()),
        })
    }

    /// The answer of an add or exchange: the inverter, the plant's power now, and the
    /// licenses that ended today because of it, with their residual value.
    fn placed(
        &self,
        record: &PlantRecord,
        serial: &SerialNumber,
        ended: &[Ended],
    ) -> Result<serde_json::Value, AppError> {
        let inverter = find(record, serial)?;
        Ok(json!({
            "inverter": self.view(inverter),
            "total_power_w": record.total_power(&self.solar).0,
            "first_activation": record.first_activation.map(|d| d.to_string()),
            "ended_licenses": ended,
        }))
    }
}

fn find<'a>(record: &'a PlantRecord, serial: &SerialNumber) -> Result<&'a PlantInverter, AppError> {
    record
        .inverters
        .iter()
        .find(|i| &i.serial == serial)
        .ok_or_else(|| inverter_not_found(&record.id, serial.as_str()).into())
}

fn inverter_not_found(plant: &PlantId, serial: &str) -> DomainError {
    DomainError::not_found(
        "inverter_not_found",
        format!("Plant {plant} has no inverter {serial}."),
    )
}

/// A plant that vanished (or changed hands) between the read and the write.
fn gone(plant: &PlantId) -> AppError {
    plant_not_found(plant).into()
}
