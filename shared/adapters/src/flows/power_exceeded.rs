//! After an inverter raised a plant's power: every license the plant outgrew ends that day
//! (`shop_domain::solar::end_exceeded`), each in one transaction (the plant's license row
//! `ended_on`, set only if unset; the license `SUB#<id>` under its version; the plant's
//! version), and the owner is emailed once per license (dedupe key per license). Running it
//! again, after a retried add or a crash between the steps, ends nothing twice and finishes
//! what was left: the emails of the licenses ended that day are queued again and sent once.

use std::collections::BTreeMap;

use std::sync::Arc;

use jiff::civil::Date;
use serde_json::json;
use shop_domain::{
    Clock, Money,
    id::{AccountId, SubscriptionId},
    mail::{DedupeKey, MailMessage, MailTemplate},
    solar::{Ended, PlantId, PlantLicense, SolarSettings, end_exceeded},
};

use crate::{
    AppError,
    boot::config::{ConfigError, Vars},
    flows::links::LinkSettings,
    messaging::outbox::MailOutbox,
    store::{
        accounts::AccountsRepo, activation_limit::ActivationLimit, devices::DevicesRepo,
        inverters::InvertersRepo, plants::PlantRecord, plants::PlantsRepo,
        subscriptions::SubscriptionsRepo,
    },
    store::{activation_limit::ActivationSettings, plants::solar_settings},
};

/// What every function that adds inverters (one by one, or from a spreadsheet) reads besides
/// its own settings: the solar rules' settings, the wrong-code limit, and where the email
/// about an ended license goes.
#[derive(Debug, Clone)]
pub struct AddingSettings {
    /// `TRIAL_DAYS` (40), `UNKNOWN_DEVICE_POWER_W` (20,000).
    pub solar: SolarSettings,
    /// `ACTIVATION_ATTEMPTS` (10) wrong codes per `ACTIVATION_WINDOW_MINUTES` (60).
    pub activation: ActivationSettings,
    /// `MAIL_QUEUE_URL`, `APP_URL`.
    pub links: LinkSettings,
}

impl AddingSettings {
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            solar: solar_settings(vars)?,
            activation: ActivationSettings::from_vars(vars)?,
            links: LinkSettings::from_vars(vars)?,
        })
    }
}

/// What adding inverters to a plant uses, one by one or by sheet; built once at cold start.
pub struct Adding {
    pub plants: PlantsRepo,
    pub devices: DevicesRepo,
    pub inverters: InvertersRepo,
    /// The wrong-code limit, taken before a code is compared.
    pub limit: ActivationLimit,
    /// Ends the licenses a plant outgrew, after every add.
    pub power: PowerExceeded,
    pub clock: Arc<dyn Clock>,
}

/// A license write that lost a race is decided again on fresh state this often.
const ATTEMPTS: u32 = 5;

pub struct PowerExceeded {
    pub plants: PlantsRepo,
    pub inverters: InvertersRepo,
    pub subscriptions: SubscriptionsRepo,
    pub accounts: AccountsRepo,
    pub outbox: MailOutbox,
    /// The web app, for the link to the plant in the email.
    pub app_url: String,
    pub settings: SolarSettings,
}

impl PowerExceeded {
    /// Ends what the plant's power outgrew on `today`; answers the plant as it is now and the
    /// licenses ended `today` (by this call or an earlier one), with their residual values.
    pub async fn settle(
        &self,
        id: &PlantId,
        owner: &AccountId,
        today: Date,
    ) -> Result<(PlantRecord, Vec<Ended>), AppError> {
        let mut plant = self.plants.owned(owner, id).await?;
        for _ in 0..ATTEMPTS {
            let due = end_exceeded(&plant.licenses, plant.total_power(&self.settings), today);
            if due.is_empty() {
                break;
            }
            for ended in &due {
                self.end(&plant, ended, today).await?;
            }
            plant = self.plants.owned(owner, id).await?;
        }
        let ended: Vec<Ended> = plant
            .licenses
            .iter()
            .filter(|l| l.ended_on == Some(today))
            .map(|l| ended_on(l, today))
            .collect();
        // One email per license: a renewal paid ahead (a row of its own) ends with it, and
        // its value is in the same credit.
        let mut per_license: BTreeMap<&SubscriptionId, Vec<&Ended>> = BTreeMap::new();
        for e in &ended {
            per_license
                .entry(plant.license_of(&e.license))
                .or_default()
                .push(e);
        }
        for (license, rows) in per_license {
            self.tell_owner(&plant, license, &rows).await?;
        }
        Ok((plant, ended))
    }

    /// One license ended, as `Subscription::ended_by_power` says, with its row and the
    /// plant's version.
    async fn end(&self, plant: &PlantRecord, ended: &Ended, day: Date) -> Result<(), AppError> {
        let sub = self
            .subscriptions
            .get(plant.license_of(&ended.license))
            .await?
            .ok_or_else(|| AppError::fault("a plant's license row without its license"))?;
        let next = sub.ended_by_power();
        self.inverters
            .end_license(&self.subscriptions, plant, &ended.license, &sub, &next, day)
            .await
    }

    /// The owner's email about `license`, ended with its `rows`. Its content depends only on
    /// what ended (not on the plant's power now), so a later add the same day queues the same
    /// email under the same dedupe key and it is sent once.
    async fn tell_owner(
        &self,
        plant: &PlantRecord,
        license: &SubscriptionId,
        rows: &[&Ended],
    ) -> Result<(), AppError> {
        let Some(first) = rows.first() else {
            return Ok(());
        };
        let owner = self
            .accounts
            .get(&plant.account_id)
            .await?
            .ok_or_else(|| AppError::fault("a plant without its owner's account"))?;
        let number = self
            .subscriptions
            .get(license)
            .await?
            .map_or_else(|| license.to_string(), |sub| sub.number);
        let residual: Money = rows.iter().map(|e| e.residual.value).sum();
        let data = json!({
            "name": owner.name.as_str(),
            "plant": plant.details.name.as_str(),
            "license": number,
            "licensed_power": first.licensed_power.to_string(),
            "ended_on": first.ended_on.to_string(),
            "residual": residual.to_string(),
            "link": format!("{}/plants/{}", self.app_url.trim_end_matches('/'), plant.id),
        });
        self.outbox
            .enqueue(&MailMessage {
                template: MailTemplate::MonitoringLicenseEnded,
                language: owner.language,
                to: owner.email,
                data: data.as_object().cloned().unwrap_or_default(),
                dedupe_key: DedupeKey::parse(&format!("license-ended:{license}"))?,
            })
            .await
    }
}

/// A license ended on `day`, with what is left of it.
fn ended_on(license: &PlantLicense, day: Date) -> Ended {
    Ended {
        license: license.id.clone(),
        licensed_power: license.power,
        ended_on: day,
        residual: license.residual(day),
    }
}
