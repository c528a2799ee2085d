//! One account of a migration wave, as the worker handles it: the domain plans the stage due
//! today; an email stage is queued (dedupe key `migration:<wave>:<old id>:<stage>`) BEFORE the
//! stage is marked, so a crash between the two sends again under the same key and send-mail
//! sends it once; the move is one transaction with its mark. A failure is recorded on the
//! wave account and tried again on the next run; it never stops the wave.

mod moving;
mod notices;

pub use moving::moved_account_id;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use shop_domain::{
    DomainError,
    account::profile::Country,
    catalog::Region,
    clock::berlin_date,
    mail::{DedupeKey, MailMessage, MailTemplate},
    migration::stages::{Stage, StageDays, plan},
    vat::tax::VatRates,
};

use crate::{
    AppError,
    error::Context,
    flows::links::LinkMailer,
    messaging::{jobs::MigrationJob, outbox::MailOutbox},
    store::{
        accounts::AccountsRepo,
        catalog::CatalogRepo,
        migration_stages::{Marked, MigrationStages, WaveAccount, WaveState},
        orders::OrdersRepo,
        subscriptions::SubscriptionsRepo,
    },
};

pub struct MigrationFlow {
    pub stages: MigrationStages,
    pub accounts: AccountsRepo,
    pub subscriptions: SubscriptionsRepo,
    pub orders: OrdersRepo,
    pub catalog: CatalogRepo,
    pub outbox: MailOutbox,
    /// Activation links of the welcome email (and the shop's address for the others).
    pub links: LinkMailer,
    pub days: StageDays,
    /// How long the welcome email's activation link is valid.
    pub activation_valid: SignedDuration,
    pub rates: VatRates,
    pub seller: Country,
    /// The region whose prices a country the catalog does not sell in pays.
    pub fallback_region: Region,
}

/// What the worker did for one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Migrated {
    /// No such wave or account (deleted, or a message from elsewhere).
    Unknown,
    Paused,
    /// The stages run now (none: nothing due, or another run did it).
    Ran(Vec<Stage>),
    /// A stage failed; recorded with this reason on the wave account.
    Failed {
        stage: Stage,
        reason: String,
    },
}

impl MigrationFlow {
    /// Runs every stage due today for the job's account, one after another (the welcome
    /// follows the move).
    pub async fn process(&self, job: &MigrationJob, now: Timestamp) -> Result<Migrated, AppError> {
        let Some(wave) = self.stages.wave(&job.wave).await? else {
            return Ok(Migrated::Unknown);
        };
        if wave.paused {
            return Ok(Migrated::Paused);
        }
        let today = berlin_date(now);
        let mut ran = Vec::new();
        for _ in Stage::ALL {
            let Some(acct) = self.stages.account(&job.wave, &job.old_id).await? else {
                return Ok(Migrated::Unknown);
            };
            let planned = plan(today, wave.transfer_date, acct.next_stage, &self.days);
            let Some(stage) = planned.run else { break };
            match self.run(&wave, &acct, stage, &planned.skipped, now).await {
                Ok(Marked::Done) => ran.push(stage),
                Ok(Marked::AlreadyDone) => break,
                Ok(Marked::Refused(_)) => {
                    return Err(AppError::fault("a refused write is reported as a failure"));
                }
                Err(e) => {
                    let reason = reason_of(&e);
                    tracing::warn!(wave = %wave.id, old_id = %acct.account.old_id, stage = stage.as_str(), error = %e.report(), "migration stage failed");
                    self.stages.record_failure(&acct, &reason, now).await?;
                    return Ok(Migrated::Failed { stage, reason });
                }
            }
        }
        Ok(Migrated::Ran(ran))
    }

    async fn run(
        &self,
        wave: &WaveState,
        acct: &WaveAccount,
        stage: Stage,
        skipped: &[Stage],
        now: Timestamp,
    ) -> Result<Marked, AppError> {
        match stage {
            Stage::Announce | Stage::Remind => {
                let mail = self.notice(wave, acct, stage)?;
                self.outbox.enqueue(&mail).await?;
                let items = self.stages.mark(acct, stage, skipped, &[], &[], now)?;
                self.stages.commit(items).await
            }
            Stage::Move => self.move_account(wave, acct, skipped, now).await,
            Stage::Welcome => {
                let mail = self.welcome(acct, now).await?;
                self.outbox.enqueue(&mail).await?;
                let items = self.stages.mark(acct, stage, skipped, &[], &[], now)?;
                self.stages.commit(items).await
            }
        }
    }
}

/// The message of a stage's email, under the key that makes it once per account and stage.
fn stage_mail(
    acct: &WaveAccount,
    stage: Stage,
    template: MailTemplate,
    data: serde_json::Map<String, serde_json::Value>,
) -> Result<MailMessage, AppError> {
    let key = format!(
        "migration:{}:{}:{}",
        acct.wave,
        acct.account.old_id,
        stage.as_str()
    );
    Ok(MailMessage {
        template,
        language: acct.account.language,
        to: acct.account.email.clone(),
        data,
        dedupe_key: DedupeKey::parse(&key).context("dedupe key of a migration mail")?,
    })
}

/// The reason kept on the wave account: a domain error's code, or what kind of fault it was.
fn reason_of(e: &AppError) -> String {
    match e {
        AppError::Domain(d) => d.code().to_owned(),
        AppError::Unavailable { .. } => "unavailable".into(),
        AppError::Unauthenticated(_) | AppError::Internal { .. } => "internal".into(),
    }
}

/// A write of the move refused by its condition, named for the report.
fn refused(what: &'static str) -> AppError {
    DomainError::conflict(what, "A row of the move exists already.").into()
}

/// The stage days, from `MIGRATION_ANNOUNCE_DAYS` (14), `MIGRATION_ANNOUNCE_UNTIL_DAYS` (7)
/// and `MIGRATION_REMIND_DAYS` (1): the mailer and the worker must read the same.
pub fn stage_days(
    vars: &crate::boot::config::Vars,
) -> Result<StageDays, crate::boot::config::ConfigError> {
    let d = StageDays::default();
    let announce = vars.or("MIGRATION_ANNOUNCE_DAYS", d.announce)?;
    let until = vars.or("MIGRATION_ANNOUNCE_UNTIL_DAYS", d.announce_until)?;
    let remind = vars.or("MIGRATION_REMIND_DAYS", d.remind)?;
    StageDays::new(announce, until, remind).map_err(|reason| {
        crate::boot::config::ConfigError::Invalid {
            name: "MIGRATION_ANNOUNCE_DAYS".into(),
            reason: reason.into(),
        }
    })
}

crate::settings! {
    /// What the worker reads: the link settings, the stage days, how long the activation link
    /// works (`ACTIVATION_LINK_DAYS`, 14), the seller's country and the fallback price region.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct MigrationSettings {
        pub links: crate::flows::links::LinkSettings = crate::flows::links::LinkSettings::from_vars,
        pub days: StageDays = stage_days,
        pub activation_valid: SignedDuration = crate::web::auth::settings::activation_valid,
        pub seller: Country = |v| v.read("SELLER_COUNTRY", "DE", Country::parse),
        pub fallback_region: Region = |v| v.read("DEFAULT_REGION", "DE", Region::parse),
    }
}
