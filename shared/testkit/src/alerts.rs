//! Telemetry rows as the store function writes them (docs/data-model.md, "Telemetry"), for the
//! alert tests: a fresh telemetry table, an inverter's latest state and its daily aggregate.

use aws_sdk_dynamodb::Client;
use jiff::{Timestamp, civil::Date};
use shop_adapters::store::dynamo::{Item, key, number_attr, put_item};

use crate::TestBed;

/// A fresh table cloned from the template's telemetry table; answers its name.
pub async fn telemetry_table(bed: &TestBed) -> String {
    crate::fresh_table_like(bed.boot.sdk(), crate::TELEMETRY_TABLE)
        .await
        .1
}

async fn put(client: &Client, table: &str, item: Item) {
    put_item(client, table, item, "store a telemetry row")
        .await
        .expect("the telemetry row is stored");
}

/// The inverter's latest state: its newest reading at `t`.
pub async fn latest(client: &Client, table: &str, serial: &str, t: Timestamp) {
    let mut item = key(format!("L#{serial}"), "L");
    item.insert("t".into(), number_attr(t.as_second()));
    item.insert("ac_w".into(), number_attr(1000));
    put(client, table, item).await;
}

/// The inverter's aggregate of the Berlin `day`: `energy_wh` made by its last reading.
pub async fn daily(client: &Client, table: &str, serial: &str, day: Date, energy_wh: u64) {
    let mut item = key(format!("D#{serial}"), &day.to_string());
    item.insert("energy_wh".into(), number_attr(energy_wh));
    item.insert("peak_w".into(), number_attr(5000));
    put(client, table, item).await;
}

/// An inverter row in the plant, activated on `day`; `None` power is type `unknown`.
pub async fn inverter(
    bed: &TestBed,
    plant: &shop_domain::solar::PlantId,
    serial: &str,
    power_w: Option<u64>,
    day: Date,
) {
    use shop_adapters::store::{dynamo::string_attr, plants::plant_pk};
    use shop_domain::solar::DeviceConfig;
    let config = match power_w {
        Some(w) => DeviceConfig::parse("SMA-TEST", Some(w)),
        None => DeviceConfig::parse("unknown", None),
    }
    .expect("a valid configuration");
    let mut item = key(plant_pk(plant), &format!("INV#{serial}"));
    item.insert("serial".into(), string_attr(serial));
    item.insert("label".into(), string_attr(format!("Roof {serial}")));
    let config = serde_json::to_string(&config).expect("the configuration encodes");
    item.insert("config".into(), string_attr(config));
    item.insert("activated_on".into(), string_attr(day.to_string()));
    put(&bed.dynamodb, &bed.table, item).await;
}
