//! The alert worker's use case: one plant's look (`shop_domain::solar::alert_check`), every
//! finding stepped through the alert state machine, each step written under its condition
//! and its email queued (dedupe key per plant, condition, subject and day, and per all-clear)
//! before the state notes it queued. A deleted plant's alert partition is removed here.

use jiff::{Timestamp, civil::Date};
use serde::Serialize;
use serde_json::{Value, json};
use shop_domain::{
    account::model::Account,
    clock::berlin_date,
    mail::{DedupeKey, MailMessage, MailTemplate},
    solar::{
        PlantId, SolarSettings,
        alert_check::{AlertInput, Finding, InverterView, findings},
        alert_rules::{AlertState, Status, Step, Subject, step},
        alerts::AlertSettings,
        forecast::SpecificYield,
        may_show_data,
    },
};

use crate::{
    AppError,
    boot::Boot,
    flows::links::LinkSettings,
    messaging::outbox::MailOutbox,
    store::{
        accounts::AccountsRepo,
        alert_telemetry::AlertTelemetry,
        alerts::{AlertRow, AlertsRepo},
        plants::{PlantRecord, PlantsRepo},
    },
};

/// What one look at a plant did, for the log and the tests.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Checked {
    /// The plant was deleted: its alerts were removed.
    pub gone: bool,
    /// Monitoring is not allowed today (no trial, no license), or every condition is off.
    pub skipped: bool,
    pub opened: usize,
    pub cleared: usize,
    /// Emails queued again after a run that stopped before noting them.
    pub remailed: usize,
}

pub struct PlantAlertsFlow {
    pub plants: PlantsRepo,
    pub alerts: AlertsRepo,
    pub telemetry: AlertTelemetry,
    pub accounts: AccountsRepo,
    pub outbox: MailOutbox,
    pub app_url: String,
    pub solar: SolarSettings,
    pub specific_yield: SpecificYield,
}

impl Boot {
    /// The alert worker's flow, on the shop table and the telemetry table.
    pub fn plant_alerts(
        &self,
        telemetry_table: &str,
        links: &LinkSettings,
        solar: SolarSettings,
        specific_yield: SpecificYield,
    ) -> PlantAlertsFlow {
        PlantAlertsFlow {
            plants: self.plants(),
            alerts: self.alert_settings(),
            telemetry: AlertTelemetry::new(self.dynamodb(), telemetry_table),
            accounts: self.accounts(),
            outbox: self.outbox(&links.mail_queue_url),
            app_url: links.app_url.clone(),
            solar,
            specific_yield,
        }
    }

    pub fn alert_settings(&self) -> AlertsRepo {
        AlertsRepo::new(self.dynamodb(), self.table())
    }
}

impl PlantAlertsFlow {
    pub async fn check(&self, id: &PlantId, now: Timestamp) -> Result<Checked, AppError> {
        let stored = self.alerts.read(id).await?;
        let Some(settings) = stored.settings.filter(AlertSettings::any_on) else {
            return Ok(Checked {
                skipped: true,
                ..Checked::default()
            });
        };
        let Some(plant) = self.plants.read(id).await? else {
            let removed = self.alerts.forget(id).await?;
            tracing::info!(plant = %id, removed, "alerts of a deleted plant removed");
            return Ok(Checked {
                gone: true,
                ..Checked::default()
            });
        };
        let today = berlin_date(now);
        if !may_show_data(&plant.history(), today, &self.solar) {
            return Ok(Checked {
                skipped: true,
                ..Checked::default()
            });
        }
        let inverters = views(&plant);
        let serials: Vec<_> = inverters.iter().map(|i| i.serial.clone()).collect();
        let days: Vec<Date> = [Some(today), today.yesterday().ok()]
            .into_iter()
            .flatten()
            .collect();
        let readings = self.telemetry.read(&serials, &days).await?;
        let input = AlertInput {
            settings: &settings,
            latitude: plant.details.latitude.get(),
            longitude: plant.details.longitude.get(),
            inverters: &inverters,
            latest: &readings.latest,
            energy: &readings.energy,
            now,
            today,
            specific_yield: self.specific_yield,
        };
        let mut checked = Checked::default();
        let mut owner = None;
        for finding in findings(&input) {
            let state = stored
                .states
                .get(&(finding.condition, finding.subject.clone()));
            let Some((state, step)) = self.decide(id, &finding, state).await? else {
                continue;
            };
            let count = match step {
                Step::Open => &mut checked.opened,
                Step::Clear => &mut checked.cleared,
                Step::Remail | Step::Nothing => &mut checked.remailed,
            };
            if owner.is_none() {
                owner = Some(self.owner(&plant).await?);
            }
            if let Some(owner) = &owner {
                self.mail(&plant, owner, &finding, &state).await?;
            }
            self.alerts.mailed(row_of(id, &finding), &state).await?;
            *count += 1;
        }
        Ok(checked)
    }

    /// The step the state machine takes for `finding`, written under its condition: the state
    /// whose email is to be queued, `None` when there is nothing to send (or another run won).
    async fn decide(
        &self,
        id: &PlantId,
        finding: &Finding,
        state: Option<&AlertState>,
    ) -> Result<Option<(AlertState, Step)>, AppError> {
        let row = row_of(id, finding);
        let next = match (step(state, finding.verdict, finding.day), state) {
            (Step::Open, _) => {
                let won = self.alerts.open(row, finding.day).await?;
                let opened = AlertState {
                    status: Status::Alerting,
                    day: finding.day,
                    mailed: None,
                };
                won.then_some((opened, Step::Open))
            }
            (Step::Clear, Some(open)) => {
                let won = self.alerts.clear(row, open.day).await?;
                let cleared = AlertState {
                    status: Status::Cleared,
                    ..*open
                };
                won.then_some((cleared, Step::Clear))
            }
            (Step::Remail, Some(current)) => Some((*current, Step::Remail)),
            _ => None,
        };
        Ok(next)
    }

    async fn owner(&self, plant: &PlantRecord) -> Result<Account, AppError> {
        self.accounts
            .get(&plant.account_id)
            .await?
            .ok_or_else(|| AppError::fault("a plant without its owner's account"))
    }

    /// The alert's or the all-clear's email, in the owner's language.
    async fn mail(
        &self,
        plant: &PlantRecord,
        owner: &Account,
        finding: &Finding,
        state: &AlertState,
    ) -> Result<(), AppError> {
        let (template, prefix) = match state.status {
            Status::Alerting => (MailTemplate::PlantAlert, "alert"),
            Status::Cleared => (MailTemplate::PlantAlertCleared, "alert-clear"),
        };
        let inverter = match &finding.subject {
            Subject::Plant => String::new(),
            Subject::Inverter(serial) => plant
                .inverters
                .iter()
                .find(|i| &i.serial == serial)
                .filter(|i| !i.label.is_empty())
                .map_or_else(|| serial.to_string(), |i| format!("{} ({serial})", i.label)),
        };
        let mut data = finding.facts.clone();
        let base = json!({
            "name": owner.name.as_str(),
            "plant": plant.details.name.as_str(),
            "condition": finding.condition.name(),
            "inverter": inverter,
            "day": state.day.to_string(),
            "link": format!("{}/plants/{}", self.app_url.trim_end_matches('/'), plant.id),
        });
        if let Value::Object(base) = base {
            data.extend(base);
        }
        let key = format!(
            "{prefix}:{}:{}:{}:{}",
            plant.id,
            finding.condition.name(),
            finding.subject.key(),
            state.day
        );
        self.outbox
            .enqueue(&MailMessage {
                template,
                language: owner.language,
                to: owner.email.clone(),
                data,
                dedupe_key: DedupeKey::parse(&key)?,
            })
            .await
    }
}

fn views(plant: &PlantRecord) -> Vec<InverterView> {
    plant
        .inverters
        .iter()
        .map(|i| InverterView {
            serial: i.serial.clone(),
            nominal: i.config.nominal_power().map(|p| p.watts()),
            activated_on: i.activated_on,
        })
        .collect()
}

/// The state row of `finding`'s alert on the plant `id`.
fn row_of<'a>(id: &'a PlantId, finding: &'a Finding) -> AlertRow<'a> {
    AlertRow {
        plant: id,
        condition: finding.condition,
        subject: &finding.subject,
    }
}
