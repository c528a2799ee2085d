//! The writes that move a device into, within and out of a plant, each one transaction
//! (docs/data-model.md, "Plants, inverters and the device registry"): the device's
//! `plant_id` is the one place that says which plant holds it, so of two concurrent adds of the
//! same device exactly one wins, whoever makes them. Every write moves the plant's version.

use aws_sdk_dynamodb::{Client, types::TransactWriteItem};
use jiff::civil::Date;
use shop_domain::{
    id::AccountId,
    solar::{DeviceConfig, InverterLabel, PlantId, SerialNumber},
};

use crate::{
    AppError,
    error::Context,
    store::{
        devices::{Device, device_key},
        dynamo::{
            Item, SendHeld, delete_at, key, put_absent, string_attr, to_json, transact, update_at,
            update_item_at,
        },
        plants::{PLANT_SK, inverter_sk, plant_pk},
    },
};

/// What an add (or the new device of an exchange) came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    Added,
    /// The device was in this plant already (a retried add): nothing changed.
    AlreadyHere,
    /// Another plant holds the device.
    InUse,
    /// The plant is gone or not the caller's.
    NoPlant,
    /// The inverter to exchange is no longer in the plant.
    NoOldInverter,
}

/// The transaction item that frees a device from `plant` (its inverter row removed or its
/// plant deleted), on the condition that `plant` still holds it.
pub(crate) fn release(
    table: &str,
    plant: &PlantId,
    serial: &SerialNumber,
) -> Result<TransactWriteItem, AppError> {
    let update = update_at(table, device_key(serial))
        .update_expression("REMOVE plant_id, account_id")
        .condition_expression("plant_id = :plant")
        .expression_attribute_values(":plant", string_attr(plant.as_str()))
        .build()
        .context("build the device release")?;
    Ok(TransactWriteItem::builder().update(update).build())
}

#[derive(Clone)]
pub struct InvertersRepo {
    client: Client,
    table: String,
}

impl InvertersRepo {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub(crate) fn table(&self) -> &str {
        &self.table
    }

    /// Adds `device` (its code already checked against `device.code_hash`) to the owner's
    /// plant: device, inverter row and plant (first activation kept, version + 1) at once.
    pub async fn add(
        &self,
        plant: &PlantId,
        owner: &AccountId,
        device: &Device,
        label: &InverterLabel,
        today: Date,
    ) -> Result<Placed, AppError> {
        let items = self.placing(plant, owner, &[(device, label)], today)?;
        let failed = self.transact(items, "add an inverter").await?;
        self.placed(failed, plant, &device.serial, 2).await
    }

    /// Takes `old` out of the plant and puts `new` in its place with `label`, in one
    /// transaction: either both happen or neither.
    pub async fn exchange(
        &self,
        plant: &PlantId,
        owner: &AccountId,
        old: &SerialNumber,
        new: &Device,
        label: &InverterLabel,
        today: Date,
    ) -> Result<Placed, AppError> {
        let mut items = self.placing(plant, owner, &[(new, label)], today)?;
        items.extend(self.taking_out(plant, old)?);
        let failed = self.transact(items, "exchange an inverter").await?;
        match failed {
            Some(3 | 4) => Ok(Placed::NoOldInverter),
            other => self.placed(other, plant, &new.serial, 2).await,
        }
    }

    /// Takes an inverter out of the owner's plant; false when it is not in it.
    pub async fn remove(
        &self,
        plant: &PlantId,
        owner: &AccountId,
        serial: &SerialNumber,
    ) -> Result<bool, AppError> {
        let mut items = Vec::from(self.taking_out(plant, serial)?);
        items.push(self.touch_plant(plant, owner, None)?);
        Ok(self.transact(items, "remove an inverter").await?.is_none())
    }

    /// Writes a device's reported configuration into its inverter row and moves the plant's
    /// version (the plant's power changed: a license priced on the old one must not be written
    /// over it); false when the inverter is no longer in the owner's plant.
    pub async fn reconfigure(
        &self,
        plant: &PlantId,
        owner: &AccountId,
        serial: &SerialNumber,
        config: &DeviceConfig,
    ) -> Result<bool, AppError> {
        let update = update_at(&self.table, key(plant_pk(plant), &inverter_sk(serial)))
            .update_expression("SET config = :config")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":config", to_json(config)?)
            .build()
            .context("build the inverter's configuration update")?;
        let items = vec![
            TransactWriteItem::builder().update(update).build(),
            self.touch_plant(plant, owner, None)?,
        ];
        Ok(self
            .transact(items, "configure an inverter")
            .await?
            .is_none())
    }

    /// Renames an inverter of the owner's plant; false when it is not in it.
    pub async fn relabel(
        &self,
        plant: &PlantId,
        owner: &AccountId,
        serial: &SerialNumber,
        label: &InverterLabel,
    ) -> Result<bool, AppError> {
        update_item_at(
            &self.client,
            &self.table,
            key(plant_pk(plant), &inverter_sk(serial)),
        )
        .update_expression("SET label = :label")
        .condition_expression("attribute_exists(pk) AND account_id = :me")
        .expression_attribute_values(":label", string_attr(label.as_str()))
        .expression_attribute_values(":me", string_attr(owner.as_str()))
        .send_held("label an inverter")
        .await
    }

    /// Runs a transaction, again when it collided with another; the index of the item whose
    /// condition failed, if one did.
    pub(crate) async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
        what: &str,
    ) -> Result<Option<usize>, AppError> {
        transact(&self.client, items, what).await
    }

    /// Why a placing transaction (device claim first, plant at `plant_item`) failed.
    async fn placed(
        &self,
        failed: Option<usize>,
        plant: &PlantId,
        serial: &SerialNumber,
        plant_item: usize,
    ) -> Result<Placed, AppError> {
        match failed {
            None => Ok(Placed::Added),
            Some(i) if i == plant_item => Ok(Placed::NoPlant),
            Some(_) => {
                let holder = crate::store::devices::DevicesRepo::new(
                    self.client.clone(),
                    self.table.clone(),
                )
                .get(serial)
                .await?
                .and_then(|d| d.plant_id);
                Ok(match holder {
                    Some(p) if &p == plant => Placed::AlreadyHere,
                    Some(_) => Placed::InUse,
                    // Not held and still refused: its code changed meanwhile; say it is taken
                    // rather than guess.
                    None => Placed::InUse,
                })
            }
        }
    }

    /// The writes that put `devices` (each with its label) into the owner's plant: per device
    /// its claim and its inverter row, then the plant touched, last (at `2 * devices.len()`).
    pub(crate) fn placing(
        &self,
        plant: &PlantId,
        owner: &AccountId,
        devices: &[(&Device, &InverterLabel)],
        today: Date,
    ) -> Result<Vec<TransactWriteItem>, AppError> {
        let mut items = Vec::with_capacity(devices.len() * 2 + 1);
        for (device, label) in devices {
            items.push(self.claim_device(plant, owner, device)?);
            items.push(self.put_inverter(
                plant,
                owner,
                &device.serial,
                &device.config,
                label,
                today,
            )?);
        }
        items.push(self.touch_plant(plant, owner, Some(today))?);
        Ok(items)
    }

    fn claim_device(
        &self,
        plant: &PlantId,
        owner: &AccountId,
        device: &Device,
    ) -> Result<TransactWriteItem, AppError> {
        let update = update_at(&self.table, device_key(&device.serial))
            .update_expression("SET plant_id = :plant, account_id = :me")
            .condition_expression("attribute_not_exists(plant_id) AND code_hash = :hash")
            .expression_attribute_values(":plant", string_attr(plant.as_str()))
            .expression_attribute_values(":me", string_attr(owner.as_str()))
            .expression_attribute_values(":hash", string_attr(&device.code_hash))
            .build()
            .context("build the device claim")?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    fn put_inverter(
        &self,
        plant: &PlantId,
        owner: &AccountId,
        serial: &SerialNumber,
        config: &DeviceConfig,
        label: &InverterLabel,
        today: Date,
    ) -> Result<TransactWriteItem, AppError> {
        let mut item: Item = key(plant_pk(plant), &inverter_sk(serial));
        item.insert("serial".into(), string_attr(serial.as_str()));
        item.insert("label".into(), string_attr(label.as_str()));
        item.insert("config".into(), to_json(config)?);
        item.insert("activated_on".into(), string_attr(today.to_string()));
        item.insert("account_id".into(), string_attr(owner.as_str()));
        let put = put_absent(&self.table, item, "build the inverter put")?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// The writes that take `serial` out of the plant: its inverter row deleted (it must be
    /// there) and its device released (it must be the plant's).
    fn taking_out(
        &self,
        plant: &PlantId,
        serial: &SerialNumber,
    ) -> Result<[TransactWriteItem; 2], AppError> {
        let delete = delete_at(&self.table, key(plant_pk(plant), &inverter_sk(serial)))
            .condition_expression("attribute_exists(pk)")
            .build()
            .context("build the inverter delete")?;
        Ok([
            TransactWriteItem::builder().delete(delete).build(),
            release(&self.table, plant, serial)?,
        ])
    }

    /// The plant's version + 1 (and, with `activated`, its first activation day if it has
    /// none), on the condition that it is the owner's.
    pub(crate) fn touch_plant(
        &self,
        plant: &PlantId,
        owner: &AccountId,
        activated: Option<Date>,
    ) -> Result<TransactWriteItem, AppError> {
        let update = update_at(&self.table, key(plant_pk(plant), PLANT_SK))
            .condition_expression("account_id = :me")
            .expression_attribute_values(":me", string_attr(owner.as_str()))
            .expression_attribute_values(":one", crate::store::dynamo::number_attr(1));
        let update = match activated {
            Some(day) => update
                .update_expression(
                    "SET first_activation = if_not_exists(first_activation, :today), \
                     version = version + :one",
                )
                .expression_attribute_values(":today", string_attr(day.to_string())),
            None => update.update_expression("SET version = version + :one"),
        };
        Ok(TransactWriteItem::builder()
            .update(update.build().context("build the plant update")?)
            .build())
    }
}
