//! A plant's alert settings (`PUT /v1/plants/{id}/alerts`): each of the three conditions on or
//! off with its parameter, and the owner's expected yield per month. docs/solar.md, "Alerts".

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{DomainError, error::FieldError};

use super::forecast::MonthlyYield;

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// An inverter sent nothing for a while, counted in daylight.
    NoData,
    /// An inverter's energy per kW is well below the plant's best inverter's.
    Underperformance,
    /// The plant's energy of a finished day is below its forecast.
    BelowForecast,
}

impl Condition {
    pub const ALL: [Condition; 3] = [
        Condition::NoData,
        Condition::Underperformance,
        Condition::BelowForecast,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Condition::NoData => "no_data",
            Condition::Underperformance => "underperformance",
            Condition::BelowForecast => "below_forecast",
        }
    }
}

whole_newtype!(
    /// Daylight minutes without a reading before an inverter is reported: 15 (the job's
    /// period) to 1440.
    WindowMinutes(u16), 15..=1440, default 60,
    "invalid_window_minutes", "The window is 15 to 1440 whole minutes."
);

whole_newtype!(
    /// How far below the best inverter's energy per kW an inverter may fall: 1 to 99 percent.
    Percent(u8), 1..=99, default 20,
    "invalid_percent", "The percentage is 1 to 99."
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoDataRule {
    pub enabled: bool,
    pub window_minutes: WindowMinutes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnderperformanceRule {
    pub enabled: bool,
    pub percent: Percent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BelowForecastRule {
    pub enabled: bool,
}

/// A plant's alert settings. The parameter of a condition that is off is kept, so the form
/// shows it again when it is switched on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSettings {
    pub no_data: NoDataRule,
    pub underperformance: UnderperformanceRule,
    pub below_forecast: BelowForecastRule,
    /// The owner's expected yield per month; `None`: the default forecast.
    pub expected_yield_kwh: Option<MonthlyYield>,
}

impl Default for AlertSettings {
    /// What a plant has before its owner sets anything: every condition off.
    fn default() -> Self {
        Self {
            no_data: NoDataRule {
                enabled: false,
                window_minutes: WindowMinutes::DEFAULT,
            },
            underperformance: UnderperformanceRule {
                enabled: false,
                percent: Percent::DEFAULT,
            },
            below_forecast: BelowForecastRule { enabled: false },
            expected_yield_kwh: None,
        }
    }
}

impl AlertSettings {
    /// Whether the job has anything to look at for this plant.
    pub fn any_on(&self) -> bool {
        self.enabled().next().is_some()
    }

    /// The conditions switched on.
    pub fn enabled(&self) -> impl Iterator<Item = Condition> + '_ {
        Condition::ALL.into_iter().filter(|c| match c {
            Condition::NoData => self.no_data.enabled,
            Condition::Underperformance => self.underperformance.enabled,
            Condition::BelowForecast => self.below_forecast.enabled,
        })
    }
}

/// The settings of a `PUT` body, every wrong field listed (`422 invalid_alert_settings`): an
/// object with `no_data` (`enabled`, `window_minutes`), `underperformance` (`enabled`,
/// `percent`), `below_forecast` (`enabled`), each optional (absent: off, with the default
/// parameter), and `expected_yield_kwh` (12 numbers or decimal strings, or `null`).
pub fn check_alert_settings(body: &Map<String, Value>) -> Result<AlertSettings, DomainError> {
    let mut c = Check::default();
    let mut settings = AlertSettings::default();
    c.unknown(
        body,
        "",
        &[
            "no_data",
            "underperformance",
            "below_forecast",
            "expected_yield_kwh",
        ],
    );
    if let Some(rule) = c.section(body, "no_data", &["enabled", "window_minutes"]) {
        settings.no_data.enabled = c.flag(rule, "no_data.enabled");
        if let Some(m) = c.whole(rule, "no_data.window_minutes", WindowMinutes::CODE)
            && let Some(m) = c.keep("no_data.window_minutes", WindowMinutes::new(m))
        {
            settings.no_data.window_minutes = m;
        }
    }
    if let Some(rule) = c.section(body, "underperformance", &["enabled", "percent"]) {
        settings.underperformance.enabled = c.flag(rule, "underperformance.enabled");
        if let Some(p) = c.whole(rule, "underperformance.percent", Percent::CODE)
            && let Some(p) = c.keep("underperformance.percent", Percent::new(p))
        {
            settings.underperformance.percent = p;
        }
    }
    if let Some(rule) = c.section(body, "below_forecast", &["enabled"]) {
        settings.below_forecast.enabled = c.flag(rule, "below_forecast.enabled");
    }
    settings.expected_yield_kwh = match body.get("expected_yield_kwh") {
        None | Some(Value::Null) => None,
        Some(value) => {
            let months = months(value).ok_or_else(|| {
                DomainError::invalid(MonthlyYield::CODE, "The expected yield is 12 numbers.")
            });
            c.keep("expected_yield_kwh", months.and_then(MonthlyYield::new))
        }
    };
    if c.problems.is_empty() {
        Ok(settings)
    } else {
        Err(DomainError::Invalid {
            code: "invalid_alert_settings",
            detail: "Some alert settings are wrong; see `fields`.".into(),
            fields: c.problems,
        })
    }
}

fn months(value: &Value) -> Option<Vec<Decimal>> {
    value
        .as_array()?
        .iter()
        .map(|m| match m {
            Value::Number(n) => Decimal::from_str_exact(&n.to_string())
                .or_else(|_| Decimal::from_scientific(&n.to_string()))
                .ok(),
            Value::String(s) => Decimal::from_str_exact(s).ok(),
            _ => None,
        })
        .collect()
}

/// Collects the problems of one body while its fields are read.
#[derive(Default)]
struct Check {
    problems: Vec<FieldError>,
}

impl Check {
    fn report(&mut self, field: &str, problem: &DomainError) {
        self.problems.push(FieldError {
            field: field.to_owned(),
            code: problem.code(),
            detail: problem.to_string(),
        });
    }

    fn keep<T>(&mut self, field: &str, parsed: Result<T, DomainError>) -> Option<T> {
        parsed.map_err(|e| self.report(field, &e)).ok()
    }

    fn unknown(&mut self, object: &Map<String, Value>, prefix: &str, known: &[&str]) {
        for key in object.keys().filter(|k| !known.contains(&k.as_str())) {
            let problem = DomainError::invalid("unknown_field", format!("`{key}` is not a field."));
            self.report(&format!("{prefix}{key}"), &problem);
        }
    }

    /// A condition's object; absent or `null`: the default (off).
    fn section<'a>(
        &mut self,
        body: &'a Map<String, Value>,
        name: &str,
        known: &[&str],
    ) -> Option<&'a Map<String, Value>> {
        match body.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::Object(rule)) => {
                self.unknown(rule, &format!("{name}."), known);
                Some(rule)
            }
            Some(_) => {
                let problem =
                    DomainError::invalid("invalid_condition", format!("`{name}` is an object."));
                self.report(name, &problem);
                None
            }
        }
    }

    /// `enabled`, required in a condition's object.
    fn flag(&mut self, rule: &Map<String, Value>, field: &str) -> bool {
        match rule.get("enabled") {
            Some(Value::Bool(on)) => *on,
            _ => {
                let problem =
                    DomainError::invalid("invalid_enabled", format!("`{field}` is true or false."));
                self.report(field, &problem);
                false
            }
        }
    }

    /// A whole number (`2.0` is 2, as JSON Schema counts); absent: `None` (`null` is refused,
    /// as the contract says).
    fn whole(&mut self, rule: &Map<String, Value>, field: &str, code: &'static str) -> Option<u64> {
        let name = field.rsplit('.').next().unwrap_or(field);
        match rule.get(name) {
            None => None,
            Some(Value::Number(n)) if n.as_u64().is_some() => n.as_u64(),
            Some(Value::Number(n))
                if n.as_f64()
                    .is_some_and(|f| f >= 0.0 && f.fract() == 0.0 && f < 1e9) =>
            {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                n.as_f64().map(|f| f as u64)
            }
            Some(_) => {
                let problem = DomainError::invalid(code, format!("`{field}` is a whole number."));
                self.report(field, &problem);
                None
            }
        }
    }
}

#[cfg(test)]
#[path = "alerts_tests.rs"]
mod tests;
