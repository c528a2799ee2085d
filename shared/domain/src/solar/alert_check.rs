//! One look at a plant's alerts: from its settings, its inverters and their readings, what
//! each switched-on condition finds for each subject, with the facts its email shows. The
//! worker stores and mails what [`step`](super::alert_rules::step) makes of each finding.

use std::collections::HashMap;

use jiff::{Timestamp, civil::Date, tz::TimeZone};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Map, Value, json};

use super::{
    SerialNumber, Watts,
    alert_rules::{Production, Subject, Verdict, below_forecast, no_data, underperformance},
    alerts::{AlertSettings, Condition},
    forecast::{SpecificYield, daily_forecast_wh},
    sun::Daylight,
};

/// An inverter as the alerts see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InverterView {
    pub serial: SerialNumber,
    /// `None` for type `unknown`.
    pub nominal: Option<Watts>,
    pub activated_on: Date,
}

/// Everything one look reads.
#[derive(Debug, Clone)]
pub struct AlertInput<'a> {
    pub settings: &'a AlertSettings,
    pub latitude: Decimal,
    pub longitude: Decimal,
    pub inverters: &'a [InverterView],
    /// Each inverter's newest reading time.
    pub latest: &'a HashMap<SerialNumber, Timestamp>,
    /// Each inverter's energy (Wh) of today and yesterday (Berlin days).
    pub energy: &'a HashMap<(SerialNumber, Date), u64>,
    pub now: Timestamp,
    /// The Berlin date of `now`.
    pub today: Date,
    pub specific_yield: SpecificYield,
}

/// What one condition found for one subject, on its day.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub condition: Condition,
    pub subject: Subject,
    /// The Berlin day the finding is about: today, or the finished day for below forecast.
    pub day: Date,
    pub verdict: Verdict,
    /// What the email says besides the plant and the subject (always all of the condition's
    /// placeholders).
    pub facts: Map<String, Value>,
}

/// Every finding of the switched-on conditions.
pub fn findings(input: &AlertInput<'_>) -> Vec<Finding> {
    let mut found = Vec::new();
    let s = input.settings;
    if s.no_data.enabled {
        let daylight = Daylight::at(input.latitude, input.longitude, input.today);
        for inverter in input.inverters {
            let latest = input.latest.get(&inverter.serial).copied();
            let verdict = no_data(s.no_data.window_minutes, &daylight, latest, input.now);
            found.push(Finding {
                condition: Condition::NoData,
                subject: Subject::Inverter(inverter.serial.clone()),
                day: input.today,
                verdict,
                facts: facts(json!({
                    "window_minutes": s.no_data.window_minutes.get(),
                    "last_reading": latest.map_or_else(|| "–".to_owned(), berlin_minute),
                })),
            });
        }
    }
    if s.underperformance.enabled {
        found.extend(underperforming(input));
    }
    if s.below_forecast.enabled {
        found.extend(forecast(input));
    }
    found
}

fn underperforming(input: &AlertInput<'_>) -> Vec<Finding> {
    let today = input.today;
    let production: Vec<Production> = input
        .inverters
        .iter()
        .map(|i| Production {
            serial: i.serial.clone(),
            nominal: i.nominal,
            energy_wh: energy(input, &i.serial, today),
        })
        .collect();
    let per_kw = |p: &Production| {
        p.nominal
            .filter(|w| w.0 > 0)
            .map(|w| Decimal::from(p.energy_wh) / Decimal::from(w.0))
    };
    let best = production
        .iter()
        .filter_map(per_kw)
        .max()
        .unwrap_or_default();
    let percent = input.settings.underperformance.percent;
    underperformance(percent, &production)
        .into_iter()
        .zip(&production)
        .map(|((serial, verdict), p)| Finding {
            condition: Condition::Underperformance,
            subject: Subject::Inverter(serial),
            day: today,
            verdict,
            facts: facts(json!({
                "percent": percent.get(),
                "energy_per_kw": shown(per_kw(p).unwrap_or_default(), 2),
                "best_per_kw": shown(best, 2),
            })),
        })
        .collect()
}

/// The finished day before today, judged once every inverter was in the plant that whole
/// day (an inverter added today would make yesterday look short).
fn forecast(input: &AlertInput<'_>) -> Option<Finding> {
    let day = input.today.yesterday().ok()?;
    let whole_day = input.inverters.iter().all(|i| i.activated_on <= day);
    let power = Watts(
        input
            .inverters
            .iter()
            .filter_map(|i| i.nominal.map(|w| w.0))
            .sum(),
    );
    let expected = input.settings.expected_yield_kwh.as_ref();
    let forecast_wh = daily_forecast_wh(day, expected, power, input.specific_yield);
    let energy_wh: u64 = input
        .inverters
        .iter()
        .map(|i| energy(input, &i.serial, day))
        .sum();
    let verdict = if whole_day && !input.inverters.is_empty() {
        below_forecast(energy_wh, forecast_wh)
    } else {
        Verdict::Unknown
    };
    let kwh = |wh: Decimal| shown(wh / Decimal::ONE_THOUSAND, 1);
    Some(Finding {
        condition: Condition::BelowForecast,
        subject: Subject::Plant,
        day,
        verdict,
        facts: facts(json!({
            "energy_kwh": kwh(Decimal::from(energy_wh)),
            "forecast_kwh": kwh(forecast_wh),
        })),
    })
}

fn energy(input: &AlertInput<'_>, serial: &SerialNumber, day: Date) -> u64 {
    input
        .energy
        .get(&(serial.clone(), day))
        .copied()
        .unwrap_or_default()
}

/// `value` with exactly `places` decimals, rounded half away from zero, as the email shows it.
fn shown(value: Decimal, places: u32) -> String {
    let rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    format!("{rounded:.prec$}", prec = places as usize)
}

fn facts(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// `2026-06-21 14:05` in Berlin time, as the owner reads it.
fn berlin_minute(t: Timestamp) -> String {
    let zone = TimeZone::get("Europe/Berlin").unwrap_or(TimeZone::UTC);
    t.to_zoned(zone).strftime("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
#[path = "alert_check_tests.rs"]
mod tests;
