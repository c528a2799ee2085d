//! `POST /v1/accounts`: a new customer registers with email, name, country, language and a
//! password, ticking the terms of use and the privacy notice. The account waits for its email
//! to be validated; the validation link goes out through the mail queue.
//!
//! A taken email answers `409 email_taken`: the web app needs to send the customer to sign-in
//! or password reset. (This tells a caller that an address has an account; see the notes in
//! docs/architecture.md.)

use std::sync::Arc;

use jiff::SignedDuration;
use lambda_http::{Request, http::StatusCode};
use serde::Serialize;
use shop_adapters::{
    AppError,
    flows::links::LinkMailer,
    store::accounts::{AccountsRepo, TokenPurpose, new_account_id},
    web::auth::password::PasswordHasherArgon2,
    web::http::{self, HttpResponse},
};
use shop_domain::{
    Clock,
    account::{
        model::{Account, AccountStatus, RegistrationForm, check_registration},
        password::PasswordPolicy,
    },
    id::AccountId,
};

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub accounts: AccountsRepo,
    pub links: LinkMailer,
    pub hasher: PasswordHasherArgon2,
    pub clock: Arc<dyn Clock>,
    pub policy: PasswordPolicy,
    /// How long the validation link works.
    pub link_valid: SignedDuration,
}

#[derive(Serialize)]
struct Registered<'a> {
    id: &'a AccountId,
    email: &'a str,
    status: AccountStatus,
}

impl Handler {
    async fn register(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let form: RegistrationForm = http::json_body(req)?;
        let registration = check_registration(form, &self.policy)?;
        let now = self.clock.now();
        let hash = self.hasher.hash(&registration.password)?;
        // Ticking the box accepts the terms in force now.
        let terms = self.accounts.current_terms().await?;
        let account = Account::registered(new_account_id()?, registration, hash, terms, now);
        let link = self
            .links
            .prepare(&account, TokenPurpose::VerifyEmail, self.link_valid, now)?;
        self.accounts
            .register(&account, &link.stored)
            .await?
            .or_email_taken()?;
        self.links.send(&link).await?;
        tracing::info!(account = %account.id, "account registered");
        http::json(
            StatusCode::CREATED,
            &Registered {
                id: &account.id,
                email: account.email.as_str(),
                status: account.status,
            },
        )
    }
}
