//! Whether a plant's data may be shown on a day, and the monitoring state the plant shows:
//! both read the same history (the day its first inverter was activated, and its licenses).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{PlantLicense, SolarSettings};
use crate::{DomainError, catalog::Term, subscription::Period};

/// What decides a plant's access to its data.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MonitoringHistory {
    /// The Berlin day the plant's first inverter was activated. Kept when inverters are
    /// removed, so a plant has one trial in its life ([`first_activation`]).
    pub first_activation: Option<Date>,
    pub licenses: Vec<PlantLicense>,
}

/// The trial of a plant whose first inverter was activated on `first_activation`: day 1 is
/// that day, day `trial_days` its last (40 days from 1 March are 1 March to 9 April).
pub fn trial_period(first_activation: Date, trial_days: u16) -> Period {
    Period::starting(first_activation, Term::Days(trial_days))
}

/// The first activation day to keep when an inverter is activated on `today`: the one kept
/// already, if any, so removing and adding inverters never starts a second trial.
pub fn first_activation(kept: Option<Date>, today: Date) -> Date {
    kept.unwrap_or(today)
}

/// THE access rule: a plant's data may be shown on `day` while its trial runs or a license
/// that has not ended covers that day. Everything that shows data asks this and nothing else.
pub fn may_show_data(history: &MonitoringHistory, day: Date, settings: &SolarSettings) -> bool {
    history.trial(settings).is_some_and(|t| t.contains(day))
        || history.licenses.iter().any(|l| l.covers(day))
}

/// The monitoring state of a plant on a day, as the plant shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MonitoringState {
    /// No inverter yet (or none left), and nothing else to say.
    NoInverters,
    Trial {
        until: Date,
    },
    /// Licensed without a gap until `until` (a renewal paid ahead counts on).
    Licensed {
        until: Date,
    },
    Unlicensed,
    /// The plant outgrew its license on `on`; a new license for the new power is due.
    LicenseEndedPowerExceeded {
        on: Date,
    },
}

impl MonitoringHistory {
    pub fn trial(&self, settings: &SolarSettings) -> Option<Period> {
        self.first_activation
            .map(|first| trial_period(first, settings.trial_days))
    }

    /// The state on `day`, first match wins: a covering license, the trial, a license ended
    /// by power that no later license followed, no inverters, unlicensed. A state lets data be
    /// shown exactly when [`may_show_data`] does.
    pub fn state(
        &self,
        day: Date,
        has_inverters: bool,
        settings: &SolarSettings,
    ) -> MonitoringState {
        if let Some(until) = self.licensed_until(day) {
            return MonitoringState::Licensed { until };
        }
        if let Some(trial) = self.trial(settings).filter(|t| t.contains(day)) {
            return MonitoringState::Trial {
                until: trial.ends_on,
            };
        }
        if let Some(on) = self.power_exceeded_on(day) {
            return MonitoringState::LicenseEndedPowerExceeded { on };
        }
        if has_inverters {
            MonitoringState::Unlicensed
        } else {
            MonitoringState::NoInverters
        }
    }

    /// The last day of the unbroken run of license days that holds `day`.
    fn licensed_until(&self, day: Date) -> Option<Date> {
        run_end(&self.license_spans().collect::<Vec<_>>(), day)
    }

    /// Each license's covered days, first and last.
    fn license_spans(&self) -> impl Iterator<Item = (Date, Date)> + '_ {
        self.licenses
            .iter()
            .filter_map(|l| Some((l.period.starts_on, l.last_day()?)))
    }

    /// The latest day on or before `day` a license ended by power, unless a license starting
    /// on or after that day (bought for the new power) follows it.
    fn power_exceeded_on(&self, day: Date) -> Option<Date> {
        let on = self
            .licenses
            .iter()
            .filter_map(|l| l.ended_on)
            .filter(|&end| end <= day)
            .max()?;
        let followed = self
            .licenses
            .iter()
            .any(|l| l.period.starts_on >= on && l.ended_on.is_none_or(|end| end > on));
        (!followed).then_some(on)
    }

    /// The first day of a license paid on `paid_on`: the day after the plant's access (trial
    /// or licenses, without a gap) runs out when paid while it runs, so nothing paid for or
    /// free is lost; otherwise the day of payment.
    pub fn license_start(&self, paid_on: Date, settings: &SolarSettings) -> Date {
        let trial = self
            .trial(settings)
            .filter(|t| t.starts_on <= t.ends_on)
            .map(|t| (t.starts_on, t.ends_on));
        let spans: Vec<(Date, Date)> = self.license_spans().chain(trial).collect();
        run_end(&spans, paid_on).map_or(paid_on, |last| last.tomorrow().unwrap_or(last))
    }

    /// A plant may be deleted unless a license that has not ended covers today or a later
    /// day (a renewal paid ahead too): `plant_licensed`, naming the last licensed day.
    pub fn check_deletable(&self, today: Date) -> Result<(), DomainError> {
        match self
            .license_spans()
            .map(|(_, last)| last)
            .filter(|&last| last >= today)
            .max()
        {
            None => Ok(()),
            Some(last) => Err(DomainError::conflict(
                "plant_licensed",
                format!("The plant is licensed until {last}; it can be deleted after that day."),
            )),
        }
    }
}

/// The last day of the unbroken run of `spans` (first and last day, both covered) that holds
/// `day`; `None` when none holds it. Each step jumps to a span's end, so a run of n spans
/// takes at most n steps.
fn run_end(spans: &[(Date, Date)], day: Date) -> Option<Date> {
    let mut end = None;
    let mut next = day;
    while let Some(last) = spans
        .iter()
        .filter(|(first, last)| *first <= next && next <= *last)
        .map(|&(_, last)| last)
        .max()
    {
        end = Some(last);
        match last.tomorrow() {
            Ok(after) => next = after,
            Err(_) => break,
        }
    }
    end
}

#[cfg(test)]
#[path = "monitoring_tests.rs"]
mod tests;
