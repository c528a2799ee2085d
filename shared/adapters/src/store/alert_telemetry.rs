//! What the alert worker reads from the telemetry table (docs/data-model.md, "Telemetry"):
//! each inverter's latest reading time (`L#<serial>`/`L`, `t`) and its energy of a Berlin day
//! (`D#<serial>`/`<day>`, `energy_wh`), for all of a plant's inverters in one `BatchGetItem`
//! (100 keys a call), unprocessed keys asked again.

use std::collections::HashMap;

use aws_sdk_dynamodb::{Client, types::KeysAndAttributes};
use jiff::{Timestamp, civil::Date};
use shop_domain::solar::SerialNumber;

use crate::{
    AppError,
    error::Context,
    sdk::SendBoxed,
    store::dynamo::{Item, key, number, text},
};

const BATCH_GET: usize = 100;
const ATTEMPTS: usize = 8;

/// The readings an alert decision needs, by inverter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertReadings {
    /// The time of each inverter's newest reading; absent: it never sent one.
    pub latest: HashMap<SerialNumber, Timestamp>,
    /// Each inverter's energy (Wh) of each day asked for; absent: nothing that day.
    pub energy: HashMap<(SerialNumber, Date), u64>,
}

#[derive(Clone)]
pub struct AlertTelemetry {
    client: Client,
    table: String,
}

impl AlertTelemetry {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The latest state and the aggregates of `days` of every inverter in `serials`.
    pub async fn read(
        &self,
        serials: &[SerialNumber],
        days: &[Date],
    ) -> Result<AlertReadings, AppError> {
        let mut keys: Vec<Item> = Vec::new();
        for serial in serials {
            keys.push(key(format!("L#{serial}"), "L"));
            for day in days {
                keys.push(key(format!("D#{serial}"), &day.to_string()));
            }
        }
        let mut readings = AlertReadings::default();
        for chunk in keys.chunks(BATCH_GET) {
            for item in self.batch_get(chunk.to_vec()).await? {
                take(&mut readings, &item)?;
            }
        }
        Ok(readings)
    }

    async fn batch_get(&self, mut keys: Vec<Item>) -> Result<Vec<Item>, AppError> {
        let mut found = Vec::new();
        for attempt in 0..ATTEMPTS {
            if keys.is_empty() {
                return Ok(found);
            }
            if attempt > 0 {
                let pause = 25_u64 << attempt.min(6);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            let wanted = KeysAndAttributes::builder()
                .set_keys(Some(std::mem::take(&mut keys)))
                .projection_expression("pk, sk, t, energy_wh")
                .build()
                .context("build a telemetry batch read")?;
            let out = self
                .client
                .batch_get_item()
                .request_items(&self.table, wanted)
                .send_boxed()
                .await
                .map_err(|e| AppError::sdk("read telemetry for alerts", e))?;
            if let Some(items) = out.responses().and_then(|r| r.get(&self.table)) {
                found.extend(items.iter().cloned());
            }
            keys = out
                .unprocessed_keys()
                .and_then(|u| u.get(&self.table))
                .map(|k| k.keys().to_vec())
                .unwrap_or_default();
        }
        if keys.is_empty() {
            Ok(found)
        } else {
            Err(AppError::unavailable("telemetry reads left unprocessed"))
        }
    }
}

fn take(readings: &mut AlertReadings, item: &Item) -> Result<(), AppError> {
    let pk = text(item, "pk").unwrap_or_default();
    let sk = text(item, "sk").unwrap_or_default();
    if let Some(serial) = pk.strip_prefix("L#") {
        let serial = SerialNumber::parse(serial).context("the serial of a latest state")?;
        let t = number(item, "t")
            .and_then(|t| i64::try_from(t).ok())
            .and_then(|t| Timestamp::from_second(t).ok())
            .ok_or_else(|| AppError::fault("a latest state without its time"))?;
        readings.latest.insert(serial, t);
    } else if let Some(serial) = pk.strip_prefix("D#") {
        let serial = SerialNumber::parse(serial).context("the serial of a daily aggregate")?;
        let day = sk
            .parse::<Date>()
            .map_err(|e| AppError::internal("the day of a daily aggregate", e))?;
        let energy = number(item, "energy_wh")
            .ok_or_else(|| AppError::fault("a daily aggregate without energy_wh"))?;
        readings.energy.insert((serial, day), energy);
    }
    Ok(())
}
