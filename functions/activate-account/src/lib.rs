//! `POST /v1/accounts/activate` `{token, password, password_confirmation}`: a customer moved
//! from the old shop opens the link of the welcome email, sets a new password (typed twice)
//! and the account becomes active. The link is single-use: of concurrent uses exactly one wins.

use std::sync::Arc;

use lambda_http::{Request, http::StatusCode};
use shop_adapters::{
    AppError,
    store::accounts::{AccountsRepo, TokenPurpose},
    store::sign_in_failures::SignInFailureLog,
    web::auth::password::PasswordHasherArgon2,
    web::http::{self, HttpResponse},
};
use shop_domain::{
    Clock, DomainError,
    account::{
        model::{AccountStatus, LinkPasswordForm},
        password::PasswordPolicy,
    },
};

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub accounts: AccountsRepo,
    /// Cleared once the password is set: a lock of the email ends with it.
    pub failures: SignInFailureLog,
    pub hasher: PasswordHasherArgon2,
    pub clock: Arc<dyn Clock>,
    pub policy: PasswordPolicy,
}

impl Handler {
    pub async fn handle(&self, req: Request) -> HttpResponse {
        http::respond(self.activate(&req).await)
    }

    async fn activate(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let body: LinkPasswordForm = http::json_body(req)?;
        body.check(&self.policy)?;
        let now = self.clock.now();
        let (hash, account) = self
            .accounts
            .account_for_link(&body.token, TokenPurpose::Activate, now)
            .await?;
        if account.status != AccountStatus::PendingActivation {
            return Err(DomainError::conflict(
                "already_active",
                "This account is already active; sign in.",
            )
            .into());
        }
        let active = account.activated(self.hasher.hash(&body.password)?, now);
        let saved = self.accounts.consume_token(&hash, now, &active).await?;
        self.failures.clear(saved.email.as_str()).await?;
        tracing::info!(account = %saved.id, "account activated");
        http::json(
            StatusCode::OK,
            &serde_json::json!({"id": saved.id, "status": saved.status}),
        )
    }
}
