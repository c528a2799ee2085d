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
    accounts::{AccountsRepo, StoredToken, TokenPurpose},
    auth::{password::PasswordHasherArgon2, secret_token},
    http::{self, HttpResponse},
    outbox::MailOutbox,
};
use shop_domain::{
    Clock,
    account::{
        lockout::SignInFailures,
        model::{Account, AccountStatus, PasswordRecord, RegistrationForm, check_registration},
        password::PasswordPolicy,
    },
    id::AccountId,
    mail::{DedupeKey, MailMessage, MailTemplate},
};

pub struct Handler {
    pub accounts: AccountsRepo,
    pub outbox: MailOutbox,
    pub hasher: PasswordHasherArgon2,
    pub clock: Arc<dyn Clock>,
    pub policy: PasswordPolicy,
    /// The web app's address; links in emails point there.
    pub app_url: String,
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
    pub async fn handle(&self, req: Request) -> HttpResponse {
        http::respond(self.register(&req).await)
    }

    async fn register(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let form: RegistrationForm = http::json_body(req)?;
        let registration = check_registration(form, &self.policy)?;
        let now = self.clock.now();
        let token = secret_token::generate()?;
        let account = Account {
            id: AccountId::parse(&new_id()?)?,
            email: registration.email,
            name: registration.name,
            company: registration.company,
            country: registration.country,
            language: registration.language,
            status: AccountStatus::PendingVerification,
            roles: vec!["customer".into()],
            // Ticking the box accepts the terms in force now.
            terms_accepted: self.accounts.current_terms().await?,
            password: Some(PasswordRecord {
                hash: self.hasher.hash(&registration.password)?,
                set_at: now,
                history: Vec::new(),
            }),
            failures: SignInFailures::default(),
            created_at: now,
            version: 1,
        };
        let stored = StoredToken {
            hash: token.hash.clone(),
            purpose: TokenPurpose::VerifyEmail,
            account: account.id.clone(),
            expires_at: now
                .checked_add(self.link_valid)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        };
        self.accounts.register(&account, &stored).await?;
        self.outbox
            .enqueue(&MailMessage {
                template: MailTemplate::EmailVerification,
                language: account.language,
                to: account.email.clone(),
                data: serde_json::json!({
                    "name": account.name.as_str(),
                    "link": format!("{}/verify-email?token={}", self.app_url.trim_end_matches('/'), token.raw),
                    "valid_days": self.link_valid.as_hours() / 24,
                })
                .as_object()
                .cloned()
                .unwrap_or_default(),
                dedupe_key: DedupeKey::parse(&format!("verify:{}:{}", account.id, &token.hash[..16]))?,
            })
            .await?;
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

/// A random account id (128 bits, hex).
fn new_id() -> Result<String, AppError> {
    Ok(secret_token::generate()?.raw[..32].to_owned())
}
