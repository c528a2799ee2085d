//! Telemetry rows for the data routes' tests, written through the SDK in the shape
//! docs/data-model.md ("Telemetry") fixes and store-telemetry writes: raw readings
//! (`R#<serial>`), the latest state (`L#<serial>`) and daily aggregates (`D#<serial>`); and a
//! plant's inverter rows, as the inverters function leaves them.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::{
    Client,
    types::{AttributeValue, PutRequest, WriteRequest},
};
use jiff::{Timestamp, civil::Date};
use shop_adapters::boot::aws::SdkConfig;
use shop_adapters::store::{
    dynamo::{Item, key, number_attr, put_item, string_attr},
    plants::{PLANT_SK, PUBLIC_PLANTS, inverter_sk, plant_pk},
    telemetry_history::{days_pk, latest_key, reading_sk, readings_pk},
};
use shop_domain::{
    account::model::Account,
    clock::berlin_date,
    solar::{PlantId, SerialNumber, check_plant, series::Reading},
};

/// A new, empty table with the telemetry table's keys.
pub async fn fresh_telemetry_table(sdk: &SdkConfig) -> (Client, String) {
    crate::fresh_table_like(sdk, crate::TELEMETRY_TABLE).await
}

/// Puts an inverter row into the plant (type `SMA-TEST`, 10 kW), activated on `day`.
pub async fn inverter_row(
    client: &Client,
    table: &str,
    owner: &Account,
    plant: &PlantId,
    serial: &str,
    day: Date,
) {
    let serial = SerialNumber::parse(serial).expect("a valid serial");
    let mut item = key(plant_pk(plant), &inverter_sk(&serial));
    item.insert("serial".into(), string_attr(serial.as_str()));
    item.insert("label".into(), string_attr(format!("Label {serial}")));
    item.insert(
        "config".into(),
        string_attr(r#"{"type":"SMA-TEST","nominal_power_w":10000}"#),
    );
    item.insert("activated_on".into(), string_attr(day.to_string()));
    item.insert("account_id".into(), string_attr(owner.id.as_str()));
    put_item(client, table, item, "the inverter row is stored")
        .await
        .expect("the inverter row is stored");
}

/// Writes `readings` of `serial` as store-telemetry would: each raw reading, the latest
/// state (the newest reading) and per Berlin day the aggregate (the day's newest `e_day_wh`,
/// its time, the day's peak power).
pub async fn put_readings(client: &Client, table: &str, serial: &str, readings: &[Reading]) {
    let serial = SerialNumber::parse(serial).expect("a valid serial");
    let mut items: Vec<Item> = Vec::new();
    let mut days: BTreeMap<Date, (Reading, u64)> = BTreeMap::new();
    for r in readings {
        let mut item = key(readings_pk(&serial), &reading_sk(r.at));
        item.extend(values(r));
        item.insert("status".into(), number_attr(0));
        item.insert(
            "expires_at".into(),
            number_attr(r.at.as_second() + 2 * 365 * 86_400),
        );
        items.push(item);
        let day = days.entry(berlin_date(r.at)).or_insert((*r, 0));
        if r.at >= day.0.at {
            day.0 = *r;
        }
        day.1 = day.1.max(r.ac_w);
    }
    for (day, (last, peak)) in &days {
        let mut item = key(days_pk(&serial), &day.to_string());
        item.insert("energy_wh".into(), number_attr(last.e_day_wh));
        item.insert("last_t".into(), number_attr(last.at.as_second()));
        item.insert("peak_w".into(), number_attr(*peak));
        items.push(item);
    }
    if let Some(newest) = readings.iter().max_by_key(|r| r.at) {
        let mut item = latest_key(&serial);
        item.extend(values(newest));
        item.insert("t".into(), number_attr(newest.at.as_second()));
        item.insert("status".into(), number_attr(0));
        items.push(item);
    }
    for chunk in items.chunks(25) {
        let writes = chunk
            .iter()
            .map(|item| {
                let put = PutRequest::builder()
                    .set_item(Some(item.clone()))
                    .build()
                    .expect("a put request");
                WriteRequest::builder().put_request(put).build()
            })
            .collect();
        let out = client
            .batch_write_item()
            .request_items(table, writes)
            .send()
            .await
            .expect("the telemetry rows are stored");
        assert!(
            out.unprocessed_items().is_none_or(|u| u.is_empty()),
            "the stand-in processes every item"
        );
    }
}

fn values(r: &Reading) -> [(String, AttributeValue); 3] {
    [
        ("ac_w".into(), number_attr(r.ac_w)),
        ("e_day_wh".into(), number_attr(r.e_day_wh)),
        ("e_total_wh".into(), number_attr(r.e_total_wh)),
    ]
}

/// A day of 5-minute readings from `first` on (`n` of them): a bell-shaped curve peaking at
/// `peak_w`, `e_day_wh` counting up from 0, `e_total_wh` from `total_before`.
pub fn curve(first: Timestamp, n: i64, peak_w: u64, total_before: u64) -> Vec<Reading> {
    let mut e_day = 0;
    (0..n)
        .map(|i| {
            let x = i as f64 / n.max(1) as f64;
            let ac_w = (peak_w as f64 * (std::f64::consts::PI * x).sin()).round() as u64;
            e_day += ac_w / 12; // 5 minutes at ac_w
            Reading {
                at: first + jiff::SignedDuration::from_mins(5 * i),
                ac_w,
                e_day_wh: e_day,
                e_total_wh: total_before + e_day,
            }
        })
        .collect()
}

/// Makes the plant public, in `city`, as a PATCH by its owner leaves it: the details with
/// `public` on and the sparse index entry `gsi2pk = PUBLIC_PLANTS`, `gsi2sk = <id>`.
pub async fn make_public(client: &Client, table: &str, plant: &PlantId, city: &str) {
    let mut body = crate::solar::details();
    body["public"] = true.into();
    body["city"] = city.into();
    let checked = check_plant(body.as_object().expect("an object")).expect("valid details");
    client
        .update_item()
        .table_name(table)
        .set_key(Some(key(plant_pk(plant), PLANT_SK)))
        .update_expression("SET plant = :plant, gsi2pk = :public, gsi2sk = :id")
        .expression_attribute_values(
            ":plant",
            string_attr(serde_json::to_string(&checked).expect("details encode")),
        )
        .expression_attribute_values(":public", string_attr(PUBLIC_PLANTS))
        .expression_attribute_values(":id", string_attr(plant.as_str()))
        .send()
        .await
        .expect("the plant is made public");
}
