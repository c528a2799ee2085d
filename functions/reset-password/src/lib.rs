//! `POST /v1/password-resets/confirm` `{token, password, password_confirmation}`: the customer
//! opened the reset link and sets a new password. The link is single-use and short-lived; the
//! policy and the history apply, the minimum age does not. A reset also ends a lockout.

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
    Clock,
    account::{
        model::{LinkPasswordForm, PasswordChange},
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
        http::respond(self.reset(&req).await)
    }

    async fn reset(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let body: LinkPasswordForm = http::json_body(req)?;
        body.check(&self.policy)?;
        let now = self.clock.now();
        let (hash, account) = self
            .accounts
            .account_for_link(&body.token, TokenPurpose::ResetPassword, now)
            .await?;
        let changed = self.hasher.replace_password(
            &account,
            &body.password,
            PasswordChange::ByReset,
            now,
            &self.policy,
        )?;
        let saved = self.accounts.consume_token(&hash, now, &changed).await?;
        self.failures.clear(saved.email.as_str()).await?;
        tracing::info!(account = %saved.id, "password reset");
        http::json(StatusCode::OK, &serde_json::json!({"password_set_at": now}))
    }
}
