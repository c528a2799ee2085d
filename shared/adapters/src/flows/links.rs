//! Emailed single-use links (validation, activation): a fresh token, stored only as its hash,
//! and the email that carries it, in the account's language.

use jiff::{SignedDuration, Timestamp};
use shop_domain::{
    account::model::Account,
    mail::{DedupeKey, MailMessage, MailTemplate},
};

use crate::{
    AppError,
    error::Context,
    messaging::outbox::MailOutbox,
    store::accounts::{AccountsRepo, StoredToken, TokenPurpose},
    web::auth::secret_token::{self, SecretToken},
};

#[derive(Clone)]
pub struct LinkMailer {
    pub accounts: AccountsRepo,
    pub outbox: MailOutbox,
    /// The web app's address; links point there.
    pub app_url: String,
}

/// A token ready to store and the email that will carry it.
pub struct Link {
    pub stored: StoredToken,
    pub mail: MailMessage,
}

impl LinkMailer {
    /// Prepares a link for `account`; the caller stores `stored` (alone or in a transaction)
    /// and then calls [`LinkMailer::send`].
    pub fn prepare(
        &self,
        account: &Account,
        purpose: TokenPurpose,
        valid: SignedDuration,
        now: Timestamp,
    ) -> Result<Link, AppError> {
        let SecretToken { raw, hash } = secret_token::generate()?;
        let (template, page) = match purpose {
            TokenPurpose::VerifyEmail => (MailTemplate::EmailVerification, "verify-email"),
            TokenPurpose::Activate => (MailTemplate::AccountActivation, "activate"),
            TokenPurpose::ResetPassword => (MailTemplate::PasswordReset, "reset-password"),
        };
        let mut data = serde_json::Map::new();
        data.insert("name".into(), account.name.as_str().into());
        data.insert(
            "link".into(),
            format!("{}/{page}?token={raw}", self.app_url.trim_end_matches('/')).into(),
        );
        data.insert("valid_days".into(), (valid.as_hours() / 24).into());
        data.insert("valid_hours".into(), valid.as_hours().into());
        let mail = MailMessage {
            template,
            language: account.language,
            to: account.email.clone(),
            data,
            dedupe_key: DedupeKey::parse(&format!("{}:{}:{}", page, account.id, &hash[..16]))
                .context("dedupe key of a link mail")?,
        };
        let stored = StoredToken {
            hash,
            purpose,
            account: account.id.clone(),
            expires_at: now.checked_add(valid).context("expiry of a link")?,
        };
        Ok(Link { stored, mail })
    }

    pub async fn send(&self, link: &Link) -> Result<(), AppError> {
        self.outbox.enqueue(&link.mail).await
    }

    /// Stores a new link for an existing account and emails it.
    pub async fn issue(
        &self,
        account: &Account,
        purpose: TokenPurpose,
        valid: SignedDuration,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let link = self.prepare(account, purpose, valid, now)?;
        self.accounts.add_token(&link.stored).await?;
        self.send(&link).await
    }

    /// Creates a pending account (moved from the old shop, or a demo) with its activation
    /// link, and sends the welcome email.
    pub async fn invite(
        &self,
        account: &Account,
        valid: SignedDuration,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let link = self.prepare(account, TokenPurpose::Activate, valid, now)?;
        self.accounts
            .register(account, &link.stored)
            .await?
            .or_email_taken()?;
        self.send(&link).await
    }
}

crate::settings! {
    /// Where link emails go and where their links point: `MAIL_QUEUE_URL`, `APP_URL`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct LinkSettings {
        pub mail_queue_url: String = |v| v.required("MAIL_QUEUE_URL"),
        pub app_url: String = |v| v.required("APP_URL"),
    }
}
