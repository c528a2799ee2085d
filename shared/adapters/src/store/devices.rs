//! The manufacturer's device registry in the shop table: `DEVICE#<serial>`/`DEVICE`, loaded by
//! the operator (`shop-tools import-devices`). Activation codes and telemetry secrets are kept
//! only as SHA-256 hashes, and compared in constant time. Which plant holds a device
//! (`plant_id`, `account_id`) is written by the inverter transactions in `store::inverters`.

use std::collections::HashMap;

use aws_sdk_dynamodb::{Client, types::AttributeValue};
use sha2::{Digest, Sha256};
use shop_domain::{
    id::AccountId,
    solar::{ActivationCode, DeviceConfig, PlantId, SerialNumber},
};
use subtle::ConstantTimeEq;

use crate::{
    AppError,
    error::Context,
    sdk::SendBoxed,
    store::dynamo::{
        Item, Table, batch_get, condition_failed, from_json, key, string_attr, text, to_json,
    },
};

/// The key of a device in the registry.
pub fn device_key(serial: &SerialNumber) -> Item {
    key(format!("DEVICE#{serial}"), "DEVICE")
}

/// Hex SHA-256 of `<serial>:<code>`: the serial is part of it, so one leaked hash does not
/// fit another device with the same code.
pub fn code_hash(serial: &SerialNumber, code: &ActivationCode) -> String {
    hex::encode(Sha256::digest(format!("{serial}:{code}").as_bytes()))
}

/// Hex SHA-256 of a device's telemetry secret.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Two hashes compared without an early exit, so timing tells nothing about how much of a
/// guessed code was right.
pub fn same_hash(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// One row of the operator's import, checked: what the registry stores about a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub serial: SerialNumber,
    pub code_hash: String,
    pub secret_hash: String,
    pub config: DeviceConfig,
    pub firmware: String,
}

/// A device as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub serial: SerialNumber,
    pub code_hash: String,
    pub secret_hash: String,
    pub config: DeviceConfig,
    /// The plant it is in, if any.
    pub plant_id: Option<PlantId>,
}

impl NewDevice {
    /// Whether `stored` is this device as the registry has it: same code, secret and
    /// configuration (hashes compared in constant time).
    pub fn matches(&self, stored: &Device) -> bool {
        let hashes = same_hash(&stored.code_hash, &self.code_hash)
            & same_hash(&stored.secret_hash, &self.secret_hash);
        hashes && stored.config == self.config
    }
}

impl Device {
    /// Whether `code` is this device's activation code (constant time).
    pub fn opens_with(&self, code: &ActivationCode) -> bool {
        same_hash(&self.code_hash, &code_hash(&self.serial, code))
    }
}

/// What importing one device did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    Added,
    /// Already there with the same code, secret and configuration: nothing changed.
    Unchanged,
    /// Already there with another code, secret or configuration: left as it was.
    Refused,
}

#[derive(Clone)]
pub struct DevicesRepo {
    table: Table,
}

impl DevicesRepo {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            table: Table::new(client, table),
        }
    }

    /// Adds a device unless its serial is registered. An existing device is never
    /// overwritten (that would drop the plant it is in): the same row again is `Unchanged`,
    /// a different one `Refused`.
    pub async fn import(&self, device: &NewDevice) -> Result<Imported, AppError> {
        let mut item = device_key(&device.serial);
        item.insert("serial".into(), string_attr(device.serial.as_str()));
        item.insert("code_hash".into(), string_attr(&device.code_hash));
        item.insert("secret_hash".into(), string_attr(&device.secret_hash));
        item.insert("config".into(), to_json(&device.config)?);
        item.insert("firmware".into(), string_attr(&device.firmware));
        if self.table.put_new(item, "import a device").await? {
            return Ok(Imported::Added);
        }
        self.compare(device).await
    }

    async fn compare(&self, device: &NewDevice) -> Result<Imported, AppError> {
        let stored = self
            .get(&device.serial)
            .await?
            .ok_or_else(|| AppError::unavailable("a device vanished while it was imported"))?;
        Ok(if device.matches(&stored) {
            Imported::Unchanged
        } else {
            Imported::Refused
        })
    }

    /// One device, read consistently.
    pub async fn get(&self, serial: &SerialNumber) -> Result<Option<Device>, AppError> {
        self.table
            .get(device_key(serial), "read a device")
            .await?
            .map(|item| device_row(&item))
            .transpose()
    }

    /// Stores the configuration a device reported about itself; answers the plant that holds
    /// it and the plant's owner, if one does. An unregistered serial changes nothing (`None`).
    pub async fn reconfigure(
        &self,
        serial: &SerialNumber,
        config: &DeviceConfig,
        firmware: &str,
    ) -> Result<Option<(PlantId, AccountId)>, AppError> {
        let result = self
            .table
            .update(device_key(serial))
            .update_expression("SET config = :config, firmware = :firmware")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":config", to_json(config)?)
            .expression_attribute_values(":firmware", string_attr(firmware))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send_boxed()
            .await;
        let item = match result {
            Ok(out) => out.attributes.unwrap_or_default(),
            Err(e) if condition_failed(&e) => return Ok(None),
            Err(e) => return Err(AppError::sdk("store a reported configuration", e)),
        };
        let (Some(plant), Some(owner)) = (text(&item, "plant_id"), text(&item, "account_id"))
        else {
            return Ok(None);
        };
        Ok(Some((
            PlantId::parse(plant).context("the plant of a device")?,
            AccountId::parse(owner).context("the owner of a device's plant")?,
        )))
    }

    /// Many devices by serial, 100 keys per call (consistent reads); missing ones are absent.
    pub async fn many(
        &self,
        serials: &[SerialNumber],
    ) -> Result<HashMap<SerialNumber, Device>, AppError> {
        let mut found = HashMap::new();
        // A batch must not name a key twice.
        let mut unique: Vec<&SerialNumber> = serials.iter().collect();
        unique.sort();
        unique.dedup();
        let keys = unique.iter().map(|s| device_key(s)).collect();
        for item in batch_get(
            &self.table.client,
            &self.table.name,
            keys,
            true,
            "read devices",
        )
        .await?
        {
            let device = device_row(&item)?;
            found.insert(device.serial.clone(), device);
        }
        Ok(found)
    }
}

fn device_row(item: &Item) -> Result<Device, AppError> {
    let plant_id = item
        .get("plant_id")
        .and_then(|v: &AttributeValue| v.as_s().ok())
        .map(|id| PlantId::parse(id).context("the plant of a device"))
        .transpose()?;
    Ok(Device {
        serial: SerialNumber::parse(text(item, "serial").unwrap_or_default())
            .context("the serial of a registered device")?,
        code_hash: text(item, "code_hash")
            .ok_or_else(|| AppError::fault("a registered device without its code hash"))?
            .to_owned(),
        secret_hash: text(item, "secret_hash")
            .ok_or_else(|| AppError::fault("a registered device without its secret hash"))?
            .to_owned(),
        config: from_json(item, "config")?,
        plant_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_hash_binds_serial_and_code() {
        let serial = SerialNumber::parse("ae-3tl-0042").unwrap();
        let other = SerialNumber::parse("AE-3TL-0043").unwrap();
        let code = ActivationCode::parse("K7Q2-9XPL").unwrap();
        let hash = code_hash(&serial, &code);
        assert_eq!(hash.len(), 64);
        assert_eq!(
            hash,
            code_hash(&SerialNumber::parse("AE-3TL-0042").unwrap(), &code)
        );
        assert_ne!(hash, code_hash(&other, &code));
        assert!(same_hash(&hash, &hash.clone()));
        assert!(!same_hash(&hash, &code_hash(&other, &code)));
        assert!(!same_hash(&hash, ""));
    }
}
