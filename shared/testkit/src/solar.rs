//! Plants, registry devices and monitoring licenses for adapter and handler tests, stored as
//! the plants function, the operator's import and a confirmed monitoring order leave them.

use aws_sdk_dynamodb::{Client, types::AttributeValue};
use jiff::civil::Date;
use shop_adapters::store::{
    devices::{DevicesRepo, Imported, NewDevice, code_hash, secret_hash},
    dynamo::{key, number_attr, put_item, string_attr},
    plants::{PLANT_SK, license_sk, plant_pk},
};
use shop_domain::{
    Money,
    account::model::Account,
    solar::{ActivationCode, DeviceConfig, PlantId, SerialNumber, check_plant},
    subscription::Subscription,
};

/// A plant's details as its `POST` body gives them.
pub fn details() -> serde_json::Value {
    serde_json::json!({
        "name": "Roof east", "country": "DE", "postal_code": "72555", "city": "Metzingen",
        "latitude": "48.5369", "longitude": "9.2833", "temperature_coefficient": "-0.45",
        "azimuth": "180", "tilt": "30", "module_area": "52.5", "feed_in_tariff": "0.0823",
        "type": "pv"
    })
}

/// Stores a new plant of `owner` without inverters (version 1).
pub async fn plant(client: &Client, table: &str, owner: &Account, id: &str) -> PlantId {
    let id = PlantId::parse(id).expect("a valid plant id");
    let body = details();
    let checked = check_plant(body.as_object().expect("an object")).expect("valid details");
    let mut item = key(plant_pk(&id), PLANT_SK);
    item.insert(
        "plant".into(),
        string_attr(serde_json::to_string(&checked).expect("details encode")),
    );
    item.insert("account_id".into(), string_attr(owner.id.as_str()));
    item.insert("version".into(), number_attr(1));
    item.insert("created_at".into(), string_attr("2026-11-01T10:00:00Z"));
    put_item(client, table, item, "the plant is stored")
        .await
        .expect("the plant is stored");
    id
}

/// Marks the plant as having had its first inverter on `day` (its trial long over, say).
pub async fn first_activation(client: &Client, table: &str, plant: &PlantId, day: Date) {
    client
        .update_item()
        .table_name(table)
        .set_key(Some(key(plant_pk(plant), PLANT_SK)))
        .update_expression("SET first_activation = :day")
        .expression_attribute_values(":day", string_attr(day.to_string()))
        .send()
        .await
        .expect("the plant is updated");
}

/// Registers a device with `code` (secret `secret-<serial>`); `None` power is type `unknown`.
pub async fn device(repo: &DevicesRepo, serial: &str, code: &str, power_w: Option<u64>) {
    let serial = SerialNumber::parse(serial).expect("a valid serial");
    let config = match power_w {
        Some(w) => DeviceConfig::parse("SMA-TEST", Some(w)),
        None => DeviceConfig::parse("unknown", None),
    }
    .expect("a valid configuration");
    let imported = repo
        .import(&NewDevice {
            code_hash: code_hash(&serial, &ActivationCode::parse(code).expect("a code")),
            secret_hash: secret_hash(&format!("secret-{serial}")),
            serial,
            config,
            firmware: "1.0.0".into(),
        })
        .await
        .expect("the device is registered");
    assert_eq!(imported, Imported::Added);
}

/// Stores `sub` as the monitoring license of the plant: its row in the plant's partition,
/// bought for `power_w`, covering `sub`'s period.
pub async fn license_row(
    client: &Client,
    table: &str,
    plant: &PlantId,
    sub: &Subscription,
    power_w: u64,
    net: Money,
) {
    let period = sub.period.expect("a paid license has a period");
    let mut item = key(plant_pk(plant), &license_sk(&sub.id));
    let date = |d: Date| string_attr(d.to_string());
    item.insert("subscription_id".into(), string_attr(sub.id.as_str()));
    item.insert("starts_on".into(), date(period.starts_on));
    item.insert("ends_on".into(), date(period.ends_on));
    item.insert("power_w".into(), AttributeValue::N(power_w.to_string()));
    item.insert("net".into(), string_attr(net.to_string()));
    put_item(client, table, item, "the license row is stored")
        .await
        .expect("the license row is stored");
}
