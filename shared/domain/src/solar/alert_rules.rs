//! When a plant's alert conditions hold, and what each finding does to the alert's state:
//! each condition and subject (an inverter, or the plant) alerts once per event and sends one
//! all-clear when it ends, decided by the stored state (written under a condition by the
//! caller) so a job that runs twice sends nothing twice. docs/solar.md, "Alerts".

use jiff::{SignedDuration, Timestamp, civil::Date};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{
    SerialNumber, Watts,
    alerts::{Percent, WindowMinutes},
    sun::Daylight,
};

/// What an alert is about: an inverter of the plant, or the plant as a whole.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    Plant,
    Inverter(SerialNumber),
}

impl Subject {
    /// Its part of stored keys and dedupe keys: `PLANT` or `INV#<serial>`.
    pub fn key(&self) -> String {
        match self {
            Subject::Plant => "PLANT".into(),
            Subject::Inverter(serial) => format!("INV#{serial}"),
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "PLANT" => Some(Subject::Plant),
            _ => raw
                .strip_prefix("INV#")
                .and_then(|s| SerialNumber::parse(s).ok())
                .map(Subject::Inverter),
        }
    }
}

/// What a look at a condition found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The condition holds now.
    Holds,
    /// It does not (any open alert of it has ended).
    Fine,
    /// It cannot be judged now (night, too few inverters to compare): the state stays.
    Unknown,
}

/// No data: the inverter's latest reading (`None`: it never sent one) is older than the
/// window, counting only daylight: from the later of the reading and this daylight's sunrise.
/// At night nothing is judged.
pub fn no_data(
    window: WindowMinutes,
    daylight: &Daylight,
    latest: Option<Timestamp>,
    now: Timestamp,
) -> Verdict {
    let Some(sunrise) = daylight.risen_at(now) else {
        return Verdict::Unknown;
    };
    let since = latest.map_or(sunrise, |t| t.max(sunrise));
    let silent = now.duration_since(since);
    if silent > SignedDuration::from_mins(i64::from(window.get())) {
        Verdict::Holds
    } else {
        Verdict::Fine
    }
}

/// One inverter's production of the day, as the underperformance rule reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Production {
    pub serial: SerialNumber,
    /// `None` for a device of type `unknown`: it is not compared (decision: its power, and so
    /// its energy per kW, is not known).
    pub nominal: Option<Watts>,
    pub energy_wh: u64,
}

/// Below this best energy per kW of nominal power (Wh/kW) the day is too young to compare
/// (an inverter a few minutes late at dawn is no fault).
pub const MIN_BEST_WH_PER_KW: u64 = 100;

/// Underperformance, per inverter: its energy per kW of nominal power is `percent` or more
/// below the best inverter's of the plant. Judged only among inverters of known power, at
/// least two of them, once the best has made [`MIN_BEST_WH_PER_KW`]; the others are
/// `Unknown`.
pub fn underperformance(
    percent: Percent,
    inverters: &[Production],
) -> Vec<(SerialNumber, Verdict)> {
    let specific = |p: &Production| {
        p.nominal
            .filter(|w| w.0 > 0)
            .map(|w| Decimal::from(p.energy_wh) * Decimal::from(1000) / Decimal::from(w.0))
    };
    let known: Vec<Decimal> = inverters.iter().filter_map(specific).collect();
    let best = known.iter().max().copied().unwrap_or_default();
    let comparable = known.len() >= 2 && best >= Decimal::from(MIN_BEST_WH_PER_KW);
    let threshold = best * Decimal::from(100 - u64::from(percent.get())) / Decimal::from(100);
    inverters
        .iter()
        .map(|p| {
            let verdict = match specific(p) {
                Some(s) if comparable && s <= threshold => Verdict::Holds,
                Some(_) if comparable => Verdict::Fine,
                _ => Verdict::Unknown,
            };
            (p.serial.clone(), verdict)
        })
        .collect()
}

/// Below forecast: the plant's energy of a finished day is below the day's forecast.
pub fn below_forecast(energy_wh: u64, forecast_wh: Decimal) -> Verdict {
    if Decimal::from(energy_wh) < forecast_wh {
        Verdict::Holds
    } else {
        Verdict::Fine
    }
}

/// An alert's stored state, per plant, condition and subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Alerted on `day`, not ended yet.
    Alerting,
    /// The alert of `day` has ended.
    Cleared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertState {
    pub status: Status,
    /// The Berlin day of the alert (for below forecast: the day judged).
    pub day: Date,
    /// The status whose email was queued; the email is queued again until it is.
    pub mailed: Option<Status>,
}

/// What to do about one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Open an alert on `day` and email it: only if none is open and none was on that day.
    Open,
    /// End the open alert and send the all-clear.
    Clear,
    /// The current status's email was not queued yet (a run stopped between the write and
    /// the queue): queue it again (its dedupe key sends it once).
    Remail,
    Nothing,
}

/// The one state machine of alerts. A condition that holds opens an alert unless one is open
/// (one email per event, however long it lasts) or one was already raised on `day` (at most
/// one alert per condition, subject and day, so a flapping inverter does not flood the
/// owner); a condition that ended clears the open alert (one all-clear); `Unknown` changes
/// nothing.
pub fn step(state: Option<&AlertState>, verdict: Verdict, day: Date) -> Step {
    let remail = |s: &AlertState| {
        if s.mailed == Some(s.status) {
            Step::Nothing
        } else {
            Step::Remail
        }
    };
    match (state, verdict) {
        (None, Verdict::Holds) => Step::Open,
        (None, _) => Step::Nothing,
        (Some(s), Verdict::Holds) if s.status == Status::Cleared && s.day < day => Step::Open,
        (Some(s), Verdict::Fine) if s.status == Status::Alerting && s.mailed.is_some() => {
            Step::Clear
        }
        (Some(s), _) => remail(s),
    }
}

#[cfg(test)]
#[path = "alert_rules_tests.rs"]
mod tests;
