//! What an inverter sends (`POST /v1/telemetry`): a batch of readings and, now and then, its
//! configuration. The whole request is checked at once, so the inverter learns every bad
//! reading by its index in one answer; a request with any bad reading is refused whole, so no
//! partial batch is ever queued. Also the two pure steps of storing: duplicates removed inside
//! a batch, and the daily aggregate folded per Berlin day. docs/telemetry.md has the decisions.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp, civil::Date};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use super::device_credential::{DeviceCredential, bad_device_credential};

use crate::{
    DomainError,
    clock::berlin_date,
    error::FieldError,
    solar::{DeviceConfig, NominalPower, SerialNumber},
};

/// The limits of one request, each a setting of `ingest-telemetry`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelemetryLimits {
    /// Readings per request (`TELEMETRY_MAX_READINGS`).
    pub max_readings: usize,
    /// How far a reading's time may lie ahead of the clock (`TELEMETRY_MAX_FUTURE_SECONDS`):
    /// inverter clocks drift; more than this is a wrong clock, not drift.
    pub max_future: SignedDuration,
    /// How old a reading may be (`TELEMETRY_MAX_AGE_DAYS`): an inverter that was offline sends
    /// what it buffered, but nothing older than this.
    pub max_age: SignedDuration,
    /// The largest AC power a reading may report: the largest nominal power of a device.
    pub max_ac_w: u64,
    /// The largest day energy: `max_ac_w` for 24 hours.
    pub max_e_day_wh: u64,
    /// The largest lifetime energy: `max_ac_w` for 50 years, rounded up.
    pub max_e_total_wh: u64,
    /// Error codes per reading.
    pub max_errors: usize,
}

impl TelemetryLimits {
    /// One day of 5-minute readings: an inverter that was offline for a day sends it at once.
    pub const MAX_READINGS: usize = 288;
    pub const MAX_FUTURE_SECONDS: i64 = 300;
    pub const MAX_AGE_DAYS: i64 = 30;
    pub const MAX_AC_W: u64 = NominalPower::MAX_W as u64;
    pub const MAX_E_DAY_WH: u64 = Self::MAX_AC_W * 24;
    pub const MAX_E_TOTAL_WH: u64 = 10_000_000_000_000;
    pub const MAX_ERRORS: usize = 32;
}

impl Default for TelemetryLimits {
    fn default() -> Self {
        Self {
            max_readings: Self::MAX_READINGS,
            max_future: SignedDuration::from_secs(Self::MAX_FUTURE_SECONDS),
            max_age: SignedDuration::from_hours(24 * Self::MAX_AGE_DAYS),
            max_ac_w: Self::MAX_AC_W,
            max_e_day_wh: Self::MAX_E_DAY_WH,
            max_e_total_wh: Self::MAX_E_TOTAL_WH,
            max_errors: Self::MAX_ERRORS,
        }
    }
}

/// One checked reading. `t` is the inverter's time of the reading in whole seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reading {
    /// Epoch seconds (UTC).
    pub t: i64,
    pub ac_w: u64,
    pub e_day_wh: u64,
    pub e_total_wh: u64,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<u32>,
}

/// A configuration the device reports about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigReport {
    pub config: DeviceConfig,
    /// Free text as the device writes it, at most 64 characters.
    pub firmware: String,
}

/// A checked request of one device: what goes on the queue, as one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelemetryBatch {
    pub serial: SerialNumber,
    pub readings: Vec<Reading>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ConfigReport>,
}

/// The body as read, before any rule: readings are kept as JSON values so one bad reading
/// does not hide the others (a typed reader stops at the first).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryRequest {
    #[serde(default)]
    pub readings: Vec<Value>,
    #[serde(default)]
    pub config: Option<Value>,
}

impl TelemetryRequest {
    /// Every rule at once: `Ok` only when every reading and the configuration are good.
    pub fn check(
        &self,
        serial: &SerialNumber,
        now: Timestamp,
        limits: &TelemetryLimits,
    ) -> Result<TelemetryBatch, DomainError> {
        if self.readings.len() > limits.max_readings {
            return Err(DomainError::invalid(
                "too_many_readings",
                format!(
                    "A request carries at most {} readings; send the rest in another.",
                    limits.max_readings
                ),
            ));
        }
        if self.readings.is_empty() && self.config.is_none() {
            return Err(DomainError::invalid(
                "no_readings",
                "A request carries at least one reading or a configuration.",
            ));
        }
        let mut problems = Vec::new();
        let mut readings = Vec::with_capacity(self.readings.len());
        for (i, raw) in self.readings.iter().enumerate() {
            match check_reading(raw, now, limits) {
                Ok(r) => readings.push(r),
                Err(found) => problems.extend(found.into_iter().map(|p| p.at(i))),
            }
        }
        let report = match &self.config {
            None => None,
            Some(raw) => match check_config(raw) {
                Ok(report) => Some(report),
                Err(p) => {
                    problems.push(p.at_config());
                    None
                }
            },
        };
        if !problems.is_empty() {
            return Err(DomainError::Invalid {
                code: "invalid_readings",
                detail: format!(
                    "{} problem(s) in the request; nothing was accepted.",
                    problems.len()
                ),
                fields: problems,
            });
        }
        Ok(TelemetryBatch {
            serial: serial.clone(),
            readings,
            report,
        })
    }
}

/// A problem with one field of one reading, before it is placed.
struct Problem {
    field: String,
    code: &'static str,
    detail: String,
}

impl Problem {
    fn new(field: impl Into<String>, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            detail: detail.into(),
        }
    }

    /// As the answer lists it: `readings[<index>].<field>`.
    fn at(self, index: usize) -> FieldError {
        self.under(format!("readings[{index}]"))
    }

    fn at_config(self) -> FieldError {
        self.under("config".to_owned())
    }

    /// Named below `parent`: `<parent>.<field>`, or `parent` itself for the whole object.
    fn under(self, parent: String) -> FieldError {
        let field = if self.field.is_empty() {
            parent
        } else {
            format!("{parent}.{}", self.field)
        };
        FieldError {
            field,
            code: self.code,
            detail: self.detail,
        }
    }
}

const READING_FIELDS: [&str; 6] = ["time", "ac_w", "e_day_wh", "e_total_wh", "status", "errors"];

fn check_reading(
    raw: &Value,
    now: Timestamp,
    limits: &TelemetryLimits,
) -> Result<Reading, Vec<Problem>> {
    let Some(map) = raw.as_object() else {
        return Err(vec![Problem::new(
            "",
            "invalid_reading",
            "A reading is a JSON object.",
        )]);
    };
    let mut problems: Vec<Problem> = map
        .keys()
        .filter(|k| !READING_FIELDS.contains(&k.as_str()))
        .map(|k| {
            Problem::new(
                k.as_str(),
                "unknown_field",
                "A reading has only the documented fields.",
            )
        })
        .collect();
    let t = keep(&mut problems, check_time(map, now, limits));
    let ac_w = keep(
        &mut problems,
        whole(map, "ac_w", limits.max_ac_w, "invalid_ac_w"),
    );
    let e_day_wh = keep(
        &mut problems,
        whole(map, "e_day_wh", limits.max_e_day_wh, "invalid_e_day_wh"),
    );
    let e_total_wh = keep(
        &mut problems,
        whole(
            map,
            "e_total_wh",
            limits.max_e_total_wh,
            "invalid_e_total_wh",
        ),
    );
    let status = keep(
        &mut problems,
        whole(map, "status", u64::from(u16::MAX), "invalid_status"),
    );
    let errors = keep(&mut problems, check_errors(map, limits.max_errors));
    match (t, ac_w, e_day_wh, e_total_wh, status, errors) {
        (Some(t), Some(ac_w), Some(e_day_wh), Some(e_total_wh), Some(status), Some(errors))
            if problems.is_empty() =>
        {
            Ok(Reading {
                t,
                ac_w,
                e_day_wh,
                e_total_wh,
                status: u16::try_from(status).unwrap_or(u16::MAX),
                errors,
            })
        }
        _ => Err(problems),
    }
}

fn keep<T>(problems: &mut Vec<Problem>, checked: Result<T, Problem>) -> Option<T> {
    checked.map_err(|p| problems.push(p)).ok()
}

fn check_time(
    map: &Map<String, Value>,
    now: Timestamp,
    limits: &TelemetryLimits,
) -> Result<i64, Problem> {
    let at: Timestamp = map
        .get("time")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            Problem::new(
                "time",
                "invalid_time",
                "A reading's time is an RFC 3339 instant with its offset (2026-06-21T12:00:00Z).",
            )
        })?;
    if at > now + limits.max_future {
        return Err(Problem::new(
            "time",
            "time_in_future",
            format!(
                "A reading's time may be at most {} s ahead of ours; check the inverter's clock.",
                limits.max_future.as_secs()
            ),
        ));
    }
    if at < now - limits.max_age {
        return Err(Problem::new(
            "time",
            "time_too_old",
            format!(
                "Readings older than {} days are not taken.",
                limits.max_age.as_hours() / 24
            ),
        ));
    }
    Ok(at.as_second())
}

/// A whole number from 0 to `max` (JSON Schema's integer: `2.0` is 2).
fn whole(
    map: &Map<String, Value>,
    field: &'static str,
    max: u64,
    code: &'static str,
) -> Result<u64, Problem> {
    map.get(field)
        .and_then(whole_value)
        .filter(|n| *n <= max)
        .ok_or_else(|| {
            Problem::new(
                field,
                code,
                format!("`{field}` is a whole number from 0 to {max}."),
            )
        })
}

fn whole_value(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19)
            // Exact: a whole f64 below 2^64 converts without loss of meaning here.
            .map(|f| {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let n = f as u64;
                n
            })
    })
}

fn check_errors(map: &Map<String, Value>, max: usize) -> Result<Vec<u32>, Problem> {
    let bad = || {
        Problem::new(
            "errors",
            "invalid_errors",
            format!("`errors` is a list of at most {max} whole numbers from 0 to 4294967295."),
        )
    };
    let Some(raw) = map.get("errors") else {
        return Ok(Vec::new());
    };
    let list = raw.as_array().filter(|l| l.len() <= max).ok_or_else(bad)?;
    list.iter()
        .map(|v| {
            whole_value(v)
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(bad)
        })
        .collect()
}

fn check_config(raw: &Value) -> Result<ConfigReport, Problem> {
    let Some(map) = raw.as_object() else {
        return Err(Problem::new(
            "",
            "invalid_config",
            "The configuration is a JSON object.",
        ));
    };
    if map
        .keys()
        .any(|k| !["type", "nominal_power_w", "firmware"].contains(&k.as_str()))
    {
        return Err(Problem::new(
            "",
            "unknown_field",
            "A configuration has `type`, `nominal_power_w` and `firmware` only.",
        ));
    }
    let device_type = map.get("type").and_then(Value::as_str).ok_or_else(|| {
        Problem::new(
            "type",
            "invalid_device_type",
            "`type` is the device's model name.",
        )
    })?;
    let power = match map.get("nominal_power_w") {
        None | Some(Value::Null) => None,
        Some(v) => Some(whole_value(v).ok_or_else(|| {
            Problem::new(
                "nominal_power_w",
                "invalid_nominal_power",
                "`nominal_power_w` is a whole number of watts.",
            )
        })?),
    };
    let config = DeviceConfig::parse(device_type, power).map_err(|e| {
        let field = if e.code() == "invalid_device_type" {
            "type"
        } else {
            "nominal_power_w"
        };
        Problem::new(field, e.code(), e.to_string())
    })?;
    let firmware = match map.get("firmware") {
        None => String::new(),
        // Counted before trimming, as the contract's `maxLength` counts what was sent.
        Some(v) => v
            .as_str()
            .filter(|f| f.chars().count() <= 64 && !f.chars().any(char::is_control))
            .map(str::trim)
            .ok_or_else(|| {
                Problem::new(
                    "firmware",
                    "invalid_firmware",
                    "`firmware` is at most 64 characters without control characters.",
                )
            })?
            .to_owned(),
    };
    Ok(ConfigReport { config, firmware })
}

/// The readings of a batch by time, one per time: a reading the inverter sent twice in one
/// batch (a retry that overlapped) is stored once, and the later one in the list wins, as it
/// is what the inverter said last.
pub fn dedupe(readings: &[Reading]) -> Vec<Reading> {
    let by_time: BTreeMap<i64, &Reading> = readings.iter().map(|r| (r.t, r)).collect();
    by_time.into_values().cloned().collect()
}

/// An inverter's day as one batch moves it: `energy_wh` and `last_t` of the day's newest
/// reading, `peak_w` the day's largest power.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayAggregate {
    pub energy_wh: u64,
    pub last_t: i64,
    pub peak_w: u64,
}

impl DayAggregate {
    /// Two views of one day joined: the newer reading's energy, the larger peak. The store
    /// applies the same rule to the stored item under conditions, so the order in which
    /// batches arrive does not matter.
    pub fn merge(self, other: Self) -> Self {
        let newer = if other.last_t > self.last_t {
            other
        } else {
            self
        };
        Self {
            energy_wh: newer.energy_wh,
            last_t: newer.last_t,
            peak_w: self.peak_w.max(other.peak_w),
        }
    }
}

/// The Berlin day of a reading's time.
pub fn reading_day(t: i64) -> Date {
    berlin_date(Timestamp::from_second(t).unwrap_or(Timestamp::UNIX_EPOCH))
}

/// The batch's readings folded into one aggregate per Berlin day.
pub fn fold_days(readings: &[Reading]) -> BTreeMap<Date, DayAggregate> {
    let mut days: BTreeMap<Date, DayAggregate> = BTreeMap::new();
    for r in readings {
        let one = DayAggregate {
            energy_wh: r.e_day_wh,
            last_t: r.t,
            peak_w: r.ac_w,
        };
        days.entry(reading_day(r.t))
            .and_modify(|d| *d = d.merge(one))
            .or_insert(one);
    }
    days
}

/// The newest reading of a batch: what the latest state moves to.
pub fn newest(readings: &[Reading]) -> Option<&Reading> {
    readings.iter().max_by_key(|r| r.t)
}

#[cfg(test)]
#[path = "telemetry_tests.rs"]
mod tests;
