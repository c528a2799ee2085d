//! Plants in the shop table. One partition per plant, read with one consistent query:
//! `PLANT#<id>`/`PLANT` (the owner's details, the first activation day, `version`),
//! `INV#<serial>` (each inverter in the plant) and `LICENSE#<license id>` (each paid monitoring
//! license of the plant). docs/data-model.md has the rows and the writes that keep them true.

use aws_sdk_dynamodb::Client;
use jiff::civil::Date;
use shop_domain::{
    Money,
    id::{AccountId, SubscriptionId},
    solar::{
        DeviceConfig, Inverter, MonitoringHistory, MonitoringState, PlantDetails, PlantId,
        PlantLicense, SerialNumber, SolarSettings, Watts, total_power,
    },
    subscription::Period,
};

mod writes;

pub use writes::{PUBLIC_PLANTS, plant_changed};

use crate::{
    AppError,
    error::Context,
    store::dynamo::{Item, Partition, from_json, number, query_all, text},
};

/// The partition key of a plant's items.
pub fn plant_pk(id: &PlantId) -> String {
    format!("PLANT#{id}")
}

/// The sort key of the plant's own item.
pub const PLANT_SK: &str = "PLANT";

/// The sort key of an inverter's row in its plant.
pub fn inverter_sk(serial: &SerialNumber) -> String {
    format!("INV#{serial}")
}

/// The sort key of a monitoring license's row in its plant.
pub fn license_sk(license: &SubscriptionId) -> String {
    format!("LICENSE#{license}")
}

/// One inverter as its plant holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlantInverter {
    pub serial: SerialNumber,
    /// The owner's name for it; empty when none was given.
    pub label: String,
    pub config: DeviceConfig,
    /// The Berlin day it was added to this plant.
    pub activated_on: Date,
}

/// A plant with everything its rules read: its inverters and its licenses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlantRecord {
    pub id: PlantId,
    pub account_id: AccountId,
    pub details: PlantDetails,
    /// The Berlin day its first inverter was activated, kept for life (one trial per plant).
    pub first_activation: Option<Date>,
    pub version: u64,
    pub inverters: Vec<PlantInverter>,
    pub licenses: Vec<PlantLicense>,
}

impl PlantRecord {
    /// What the access rule and the monitoring state read.
    pub fn history(&self) -> MonitoringHistory {
        MonitoringHistory {
            first_activation: self.first_activation,
            licenses: self.licenses.clone(),
        }
    }

    /// The plant's total nominal power: what each inverter counts, added.
    pub fn total_power(&self, settings: &SolarSettings) -> Watts {
        let inverters: Vec<Inverter> = self
            .inverters
            .iter()
            .map(|i| Inverter {
                serial: i.serial.clone(),
                config: i.config.clone(),
            })
            .collect();
        total_power(&inverters, settings.unknown_device_power)
    }

    pub fn state(&self, today: Date, settings: &SolarSettings) -> MonitoringState {
        self.history()
            .state(today, !self.inverters.is_empty(), settings)
    }
}

#[derive(Clone)]
pub struct PlantsRepo {
    client: Client,
    table: String,
}

impl PlantsRepo {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// A plant with its inverters and licenses, read consistently in one query.
    pub async fn read(&self, id: &PlantId) -> Result<Option<PlantRecord>, AppError> {
        let items = query_all(
            &self.client,
            &self.table,
            Partition::Table,
            plant_pk(id),
            false,
        )
        .await?;
        let mut plant = None;
        let mut inverters = Vec::new();
        let mut licenses = Vec::new();
        for item in &items {
            match text(item, "sk") {
                Some(PLANT_SK) => plant = Some(item),
                Some(sk) if sk.starts_with("INV#") => inverters.push(inverter_row(item)?),
                Some(sk) if sk.starts_with("LICENSE#") => licenses.push(license_row(item)?),
                _ => {}
            }
        }
        let Some(plant) = plant else {
            return Ok(None);
        };
        licenses.sort_by_key(|l: &PlantLicense| (l.period.starts_on, l.id.to_string()));
        Ok(Some(PlantRecord {
            id: id.clone(),
            account_id: AccountId::parse(text(plant, "account_id").unwrap_or_default())
                .context("the account of a stored plant")?,
            details: from_json(plant, "plant")?,
            first_activation: optional_date(plant, "first_activation")?,
            version: number(plant, "version")
                .ok_or_else(|| AppError::fault("a stored plant without its version"))?,
            inverters,
            licenses,
        }))
    }

    /// The account's plant; another account's plant is not found, as a missing one.
    pub async fn owned(&self, owner: &AccountId, id: &PlantId) -> Result<PlantRecord, AppError> {
        match self.read(id).await? {
            Some(plant) if &plant.account_id == owner => Ok(plant),
            _ => Err(plant_not_found(id).into()),
        }
    }
}

pub use shop_domain::solar::plant_not_found;

fn inverter_row(item: &Item) -> Result<PlantInverter, AppError> {
    Ok(PlantInverter {
        serial: SerialNumber::parse(text(item, "serial").unwrap_or_default())
            .context("the serial number of a plant's inverter")?,
        label: text(item, "label").unwrap_or_default().to_owned(),
        config: from_json(item, "config")?,
        activated_on: optional_date(item, "activated_on")?
            .ok_or_else(|| AppError::fault("a plant's inverter without its activation day"))?,
    })
}

fn license_row(item: &Item) -> Result<PlantLicense, AppError> {
    let required = |name: &str| {
        text(item, name)
            .ok_or_else(|| AppError::fault(format!("a plant's license row without {name}")))
    };
    let date = |name: &str| -> Result<Date, AppError> {
        optional_date(item, name)?
            .ok_or_else(|| AppError::fault(format!("a plant's license row without {name}")))
    };
    Ok(PlantLicense {
        id: SubscriptionId::parse(required("subscription_id")?)
            .context("the license id of a plant's license row")?,
        period: Period {
            starts_on: date("starts_on")?,
            ends_on: date("ends_on")?,
        },
        power: Watts(
            number(item, "power_w")
                .ok_or_else(|| AppError::fault("a plant's license row without power_w"))?,
        ),
        net: Money::parse(required("net")?).context("the net price of a plant's license row")?,
        ended_on: optional_date(item, "ended_on")?,
    })
}

fn optional_date(item: &Item, name: &str) -> Result<Option<Date>, AppError> {
    text(item, name)
        .map(|raw| {
            raw.parse::<Date>()
                .map_err(|e| AppError::internal(format!("stored {name} {raw:?}"), e))
        })
        .transpose()
}

/// The solar rules' settings as a function reads them: `TRIAL_DAYS` (40) and
/// `UNKNOWN_DEVICE_POWER_W` (20000), each at least 1.
pub fn solar_settings(
    vars: &crate::boot::config::Vars,
) -> Result<SolarSettings, crate::boot::config::ConfigError> {
    let trial_days = vars.read(
        "TRIAL_DAYS",
        &SolarSettings::TRIAL_DAYS.to_string(),
        |raw| {
            raw.parse::<u16>()
                .ok()
                .filter(|d| *d >= 1)
                .ok_or("a whole number of days, at least 1")
        },
    )?;
    let unknown = SolarSettings::UNKNOWN_DEVICE_POWER.0.to_string();
    let unknown_device_power = vars.read("UNKNOWN_DEVICE_POWER_W", &unknown, |raw| {
        raw.parse::<u64>()
            .ok()
            .filter(|w| *w >= 1)
            .map(Watts)
            .ok_or("whole watts, at least 1")
    })?;
    Ok(SolarSettings {
        trial_days,
        unknown_device_power,
    })
}
