//! The emails of a wave: the announcement and the reminder (the date, what moves, what to do),
//! and the welcome after the move (the activation link, or, for an email that had an account
//! already, that the licenses joined it).

use jiff::Timestamp;
use serde_json::{Map, Value, json};
use shop_domain::{
    account::model::AccountStatus,
    mail::{MailMessage, MailTemplate},
    migration::{moving::sort_license, stages::Stage},
};

use super::{MigrationFlow, stage_mail};
use crate::{
    AppError,
    store::{
        accounts::TokenPurpose,
        migration_stages::{WaveAccount, WaveState},
    },
};

impl MigrationFlow {
    /// The announcement or the reminder: how many licenses move on the transfer date and how
    /// many stay in the old shop.
    pub(super) fn notice(
        &self,
        wave: &WaveState,
        acct: &WaveAccount,
        stage: Stage,
    ) -> Result<MailMessage, AppError> {
        let paid = acct.account.payment.is_some();
        let moving = acct
            .account
            .licenses
            .iter()
            .filter(|l| sort_license(l, paid, wave.transfer_date).is_ok())
            .count();
        let data = object(json!({
            "name": acct.account.name.as_str(),
            "transfer_date": wave.transfer_date.to_string(),
            "moving": moving,
            "staying": acct.account.licenses.len() - moving,
            "link": self.links.app_url.trim_end_matches('/'),
        }));
        let template = match stage {
            Stage::Announce => MailTemplate::MigrationAnnouncement,
            _ => MailTemplate::MigrationReminder,
        };
        stage_mail(acct, stage, template, data)
    }

    /// The welcome: a pending account gets a fresh activation link (a retry stores another
    /// one; send-mail sends only the first message of the key, whose link stays valid); an
    /// account that is active already is told its licenses joined it.
    pub(super) async fn welcome(
        &self,
        acct: &WaveAccount,
        now: Timestamp,
    ) -> Result<MailMessage, AppError> {
        let id = acct
            .account_id
            .as_ref()
            .ok_or_else(|| AppError::fault("a moved wave account without its account"))?;
        let account = self
            .accounts
            .get(id)
            .await?
            .ok_or_else(|| AppError::fault("the moved account is gone"))?;
        let moved: Value = acct
            .moved
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| AppError::internal("stored move summary", e))?
            .unwrap_or_else(|| json!({"licenses": [], "seat_product": null}));
        let mut data = object(moved);
        data.insert("name".into(), account.name.as_str().into());
        let template = if account.status == AccountStatus::PendingActivation {
            let link =
                self.links
                    .prepare(&account, TokenPurpose::Activate, self.activation_valid, now)?;
            self.accounts.add_token(&link.stored).await?;
            for field in ["link", "valid_days"] {
                if let Some(v) = link.mail.data.get(field) {
                    data.insert(field.into(), v.clone());
                }
            }
            MailTemplate::MigrationWelcome
        } else {
            data.insert(
                "link".into(),
                format!("{}/sign-in", self.links.app_url.trim_end_matches('/')).into(),
            );
            MailTemplate::MigrationJoined
        };
        let mut mail = stage_mail(acct, Stage::Welcome, template, data)?;
        mail.language = account.language;
        mail.to = account.email;
        Ok(mail)
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
