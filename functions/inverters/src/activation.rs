//! Adding and exchanging: both prove the caller holds the device (its activation code, after
//! the limit of wrong codes), place it with one transaction, then end the licenses the
//! plant's new power outgrows.

use jiff::civil::Date;
use lambda_http::http::StatusCode;
use shop_adapters::{
    AppError,
    store::{devices::Device, inverters::Placed},
    web::http::{self, HttpResponse},
};
use shop_domain::{
    DomainError,
    clock::berlin_date,
    id::AccountId,
    solar::{PlantId, SerialNumber},
};

use crate::{
    Handler,
    forms::{AddForm, Claim},
    gone, inverter_not_found,
};

impl Handler {
    pub(crate) async fn add(
        &self,
        owner: &AccountId,
        plant: &PlantId,
        form: AddForm,
    ) -> Result<HttpResponse, AppError> {
        self.adding.plants.owned(owner, plant).await?;
        let (device, today) = self.open(owner, &form.claim).await?;
        let status = if self.already_here(&device, plant)? {
            StatusCode::OK
        } else {
            let placed = self
                .adding
                .inverters
                .add(plant, owner, &device, &form.label, today)
                .await?;
            self.status_of(placed, plant)?
        };
        tracing::info!(plant = %plant, serial = %device.serial, %status, "inverter added");
        self.settled(owner, plant, &device.serial, today, status)
            .await
    }

    pub(crate) async fn exchange(
        &self,
        owner: &AccountId,
        plant: &PlantId,
        old: &SerialNumber,
        claim: Claim,
    ) -> Result<HttpResponse, AppError> {
        if &claim.serial == old {
            return Err(DomainError::invalid(
                "same_inverter",
                "The new inverter must be another device than the one it replaces.",
            )
            .into());
        }
        let record = self.adding.plants.owned(owner, plant).await?;
        let (device, today) = self.open(owner, &claim).await?;
        let Some(defective) = record.inverters.iter().find(|i| &i.serial == old) else {
            // A retried exchange that went through: the new one is there, the old one gone.
            if device.plant_id.as_ref() == Some(plant) {
                return self
                    .settled(owner, plant, &device.serial, today, StatusCode::OK)
                    .await;
            }
            return Err(inverter_not_found(plant, old.as_str()).into());
        };
        if self.already_here(&device, plant)? {
            return Err(in_use());
        }
        let label = shop_domain::solar::InverterLabel::parse(&defective.label)?;
        let placed = self
            .adding
            .inverters
            .exchange(plant, owner, old, &device, &label, today)
            .await?;
        if placed == Placed::NoOldInverter {
            return Err(inverter_not_found(plant, old.as_str()).into());
        }
        let status = self.status_of(placed, plant)?;
        tracing::info!(plant = %plant, old = %old, new = %device.serial, "inverter exchanged");
        self.settled(owner, plant, &device.serial, today, status)
            .await
    }

    /// The device behind `claim`, if its code is right. The limit is checked first, so that
    /// once it is reached no code is compared at all; a right code gives its slot back. An
    /// unknown serial and a wrong code answer alike.
    async fn open(&self, owner: &AccountId, claim: &Claim) -> Result<(Device, Date), AppError> {
        let now = self.adding.clock.now();
        if !self.adding.limit.take(owner, now).await? {
            tracing::warn!(account = %owner, "activation attempts exhausted");
            return Err(DomainError::RateLimited {
                code: "too_many_activation_attempts",
                detail: format!(
                    "Too many wrong activation codes; try again within {} minutes.",
                    self.adding.limit.window.as_mins()
                ),
            }
            .into());
        }
        match self.adding.devices.get(&claim.serial).await? {
            Some(device) if device.opens_with(&claim.code) => {
                self.adding.limit.give_back(owner, now).await?;
                Ok((device, berlin_date(now)))
            }
            _ => {
                tracing::info!(account = %owner, "wrong activation code");
                Err(DomainError::invalid(
                    "invalid_activation",
                    "This serial number and activation code do not match a device.",
                )
                .into())
            }
        }
    }

    /// Whether the device is in `plant` already (a retried add); free is `false`, held by
    /// another plant is 409 (not saying whose).
    fn already_here(&self, device: &Device, plant: &PlantId) -> Result<bool, AppError> {
        match &device.plant_id {
            None => Ok(false),
            Some(p) if p == plant => Ok(true),
            Some(_) => Err(in_use()),
        }
    }

    fn status_of(&self, placed: Placed, plant: &PlantId) -> Result<StatusCode, AppError> {
        match placed {
            Placed::Added => Ok(StatusCode::CREATED),
            Placed::AlreadyHere => Ok(StatusCode::OK),
            Placed::InUse => Err(in_use()),
            Placed::NoPlant | Placed::NoOldInverter => Err(gone(plant)),
        }
    }

    /// Ends what the plant's power now outgrows and answers the placed inverter.
    async fn settled(
        &self,
        owner: &AccountId,
        plant: &PlantId,
        serial: &SerialNumber,
        today: Date,
        status: StatusCode,
    ) -> Result<HttpResponse, AppError> {
        let (record, ended) = self.adding.power.settle(plant, owner, today).await?;
        for e in &ended {
            tracing::info!(plant = %plant, license = %e.license, "license ended by power");
        }
        http::json(status, &self.placed(&record, serial, &ended)?)
    }
}

fn in_use() -> AppError {
    DomainError::conflict(
        "inverter_in_use",
        "This inverter is in a plant already; it must be removed there first.",
    )
    .into()
}
