//! Reads of the telemetry table (`TELEMETRY_TABLE`) for the plant data routes, by key only:
//! the inverters' latest states with BatchGetItem, an inverter's raw readings (`R#<serial>`)
//! and daily aggregates (`D#<serial>`) with a Query on a range of sort keys, every page.
//! Never a scan. The rows are docs/data-model.md, "Telemetry" (written by store-telemetry).

use aws_sdk_dynamodb::{Client, types::AttributeValue};
use jiff::{SignedDuration, Timestamp, civil::Date};
use rust_decimal::{Decimal, RoundingStrategy, prelude::ToPrimitive};
use shop_domain::solar::{
    SerialNumber,
    history::HistorySettings,
    series::{DailyEnergy, Reading},
};

use crate::{
    AppError,
    boot::config::{ConfigError, Vars},
    store::dynamo::{Item, all_pages, batch_get, key, string_attr, text},
};

/// The partition of an inverter's raw readings.
pub fn readings_pk(serial: &SerialNumber) -> String {
    format!("R#{serial}")
}

/// The partition of an inverter's daily aggregates.
pub fn days_pk(serial: &SerialNumber) -> String {
    format!("D#{serial}")
}

/// The key of an inverter's latest state.
pub fn latest_key(serial: &SerialNumber) -> Item {
    key(format!("L#{serial}"), "L")
}

/// A reading's sort key: its epoch seconds, 10 digits, so sort keys order as times.
pub fn reading_sk(at: Timestamp) -> String {
    format!("{:010}", at.as_second().max(0))
}

#[derive(Clone)]
pub struct TelemetryHistory {
    client: Client,
    table: String,
}

impl TelemetryHistory {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Each inverter's latest reading, in the order of `serials` (`None`: none stored yet).
    /// One BatchGetItem per 100 inverters, eventually consistent (a reading of a moment ago
    /// may be missing for that moment).
    pub async fn latest(&self, serials: &[SerialNumber]) -> Result<Vec<Option<Reading>>, AppError> {
        let mut unique: Vec<&SerialNumber> = serials.iter().collect();
        unique.sort();
        unique.dedup();
        let keys = unique.iter().map(|s| latest_key(s)).collect();
        let items = batch_get(&self.client, &self.table, keys, false, "read latest states").await?;
        let mut found = std::collections::HashMap::new();
        for item in &items {
            let serial = text(item, "pk").and_then(|pk| pk.strip_prefix("L#"));
            if let Some(serial) = serial {
                found.insert(serial.to_owned(), reading(item, "t")?);
            }
        }
        Ok(serials
            .iter()
            .map(|s| found.get(s.as_str()).copied())
            .collect())
    }

    /// An inverter's raw readings with `from <= t < to`, oldest first.
    pub async fn readings(
        &self,
        serial: &SerialNumber,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Reading>, AppError> {
        let last = to - jiff::SignedDuration::from_secs(1);
        let items = self
            .range(readings_pk(serial), reading_sk(from), reading_sk(last))
            .await?;
        items.iter().map(|item| reading(item, "sk")).collect()
    }

    /// An inverter's daily aggregates of the Berlin days `from..=to`, oldest first.
    pub async fn days(
        &self,
        serial: &SerialNumber,
        from: Date,
        to: Date,
    ) -> Result<Vec<DailyEnergy>, AppError> {
        let items = self
            .range(days_pk(serial), from.to_string(), to.to_string())
            .await?;
        items
            .iter()
            .map(|item| {
                let raw = text(item, "sk").unwrap_or_default();
                let day = raw
                    .parse::<Date>()
                    .map_err(|e| AppError::internal(format!("stored aggregate day {raw:?}"), e))?;
                Ok(DailyEnergy {
                    day,
                    energy_wh: whole(item, "energy_wh")?,
                })
            })
            .collect()
    }

    /// Every item of partition `pk` with `low <= sk <= high`, all pages.
    async fn range(&self, pk: String, low: String, high: String) -> Result<Vec<Item>, AppError> {
        if low > high {
            return Ok(Vec::new());
        }
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND sk BETWEEN :low AND :high")
            .expression_attribute_values(":pk", string_attr(pk))
            .expression_attribute_values(":low", string_attr(low))
            .expression_attribute_values(":high", string_attr(high));
        all_pages(query, "query telemetry").await
    }
}

/// A reading from a row; its time is the number attribute `t` (latest state) or the sort key.
fn reading(item: &Item, time: &str) -> Result<Reading, AppError> {
    let seconds: i64 = match item.get(time) {
        Some(AttributeValue::N(n) | AttributeValue::S(n)) => n.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| AppError::fault(format!("a telemetry row without its time {time}")))?;
    Ok(Reading {
        at: Timestamp::from_second(seconds)
            .map_err(|e| AppError::internal("a telemetry row's time", e))?,
        ac_w: whole(item, "ac_w")?,
        e_day_wh: whole(item, "e_day_wh")?,
        e_total_wh: whole(item, "e_total_wh")?,
    })
}

/// A stored number as whole units (a fraction rounded half away from zero). A missing or
/// negative value is a fault: energies decide revenue, never a silent 0.
fn whole(item: &Item, name: &str) -> Result<u64, AppError> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse::<Decimal>().ok())
        .and_then(|d| {
            d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
                .to_u64()
        })
        .ok_or_else(|| AppError::fault(format!("a telemetry row without a valid {name}")))
}

/// The history settings as the data functions read them: the longest range of each
/// resolution (`HISTORY_MAX_5M_HOURS` 48, `HISTORY_MAX_HOUR_DAYS` 31, `HISTORY_MAX_DAY_DAYS`
/// 366, `HISTORY_MAX_MONTH_MONTHS` 36) and `CURRENT_POWER_FRESHNESS_MINUTES` (20), each at
/// least 1.
pub fn history_settings(vars: &Vars) -> Result<HistorySettings, ConfigError> {
    let d = HistorySettings::default();
    let positive = |name: &str, default: i64| -> Result<i64, ConfigError> {
        vars.read(name, &default.to_string(), |raw| {
            raw.parse::<i64>()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or("a whole number from 1 to 100000")
        })
    };
    let max_day_days = positive("HISTORY_MAX_DAY_DAYS", d.max_day_days.into())?;
    let max_month_months = positive("HISTORY_MAX_MONTH_MONTHS", d.max_month_months.into())?;
    Ok(HistorySettings {
        max_5m: SignedDuration::from_hours(positive(
            "HISTORY_MAX_5M_HOURS",
            HistorySettings::MAX_5M_HOURS,
        )?),
        max_hour: SignedDuration::from_hours(
            24 * positive("HISTORY_MAX_HOUR_DAYS", HistorySettings::MAX_HOUR_DAYS)?,
        ),
        max_day_days: i32::try_from(max_day_days).unwrap_or(d.max_day_days),
        max_month_months: i32::try_from(max_month_months).unwrap_or(d.max_month_months),
        freshness: SignedDuration::from_mins(positive(
            "CURRENT_POWER_FRESHNESS_MINUTES",
            HistorySettings::FRESHNESS_MINUTES,
        )?),
    })
}

/// `TELEMETRY_TABLE`: the telemetry table's name (required; the template sets it).
pub fn telemetry_table(vars: &Vars) -> Result<String, ConfigError> {
    vars.required("TELEMETRY_TABLE")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn history_settings_default_to_the_domains_and_name_a_bad_variable() {
        assert_eq!(
            history_settings(&Vars::given(&[])).unwrap(),
            HistorySettings::default()
        );
        let set = history_settings(&Vars::given(&[("CURRENT_POWER_FRESHNESS_MINUTES", "5")]));
        assert_eq!(set.unwrap().freshness, SignedDuration::from_mins(5));
        for name in [
            "HISTORY_MAX_5M_HOURS",
            "HISTORY_MAX_HOUR_DAYS",
            "HISTORY_MAX_DAY_DAYS",
            "HISTORY_MAX_MONTH_MONTHS",
            "CURRENT_POWER_FRESHNESS_MINUTES",
        ] {
            let err = history_settings(&Vars::given(&[(name, "0")])).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
    }

    #[test]
    fn sort_keys_order_as_times() {
        let a = reading_sk(Timestamp::from_second(999_999_999).unwrap());
        let b = reading_sk(Timestamp::from_second(1_000_000_000).unwrap());
        assert_eq!(a, "0999999999");
        assert!(a < b);
    }
}
