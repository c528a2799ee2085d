//! A plant as its owner sees it: the details (decimals as strings), the total nominal power,
//! each inverter with the power it counts, the monitoring state on today's Berlin date and the
//! licenses.

use jiff::civil::Date;
use serde_json::{Value, json};
use shop_adapters::store::plants::PlantRecord;
use shop_domain::solar::SolarSettings;

pub fn plant(plant: &PlantRecord, today: Date, settings: &SolarSettings) -> Value {
    let mut body = match serde_json::to_value(&plant.details) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let unknown = settings.unknown_device_power;
    let inverters: Vec<Value> = plant
        .inverters
        .iter()
        .map(|i| {
            json!({
                "serial": i.serial,
                "label": i.label,
                "type": i.config.type_name(),
                "nominal_power_w": i.config.nominal_power().map(u64::from),
                "counted_power_w": i.config.counted_power(unknown).0,
                "activated_on": i.activated_on,
            })
        })
        .collect();
    let licenses: Vec<Value> = plant
        .licenses
        .iter()
        .map(|l| {
            json!({
                "id": l.id,
                "period": l.period,
                "power_w": l.power.0,
                "ended_on": l.ended_on,
            })
        })
        .collect();
    body.insert("id".into(), json!(plant.id));
    body.insert(
        "total_nominal_power_w".into(),
        json!(plant.total_power(settings).0),
    );
    body.insert("inverters".into(), Value::Array(inverters));
    body.insert("monitoring".into(), json!(plant.state(today, settings)));
    body.insert("licenses".into(), Value::Array(licenses));
    Value::Object(body)
}
