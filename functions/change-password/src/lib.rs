//! `PUT /v1/me/password` `{current_password, password, password_confirmation}`: the signed-in
//! owner changes the password. Also allowed with the short token a sign-in with an expired
//! password gives. The policy applies, none of the last 8 passwords may return, and a password
//! younger than 2 days cannot be changed by its owner (a reset by email link can). A wrong
//! current password counts like a failed sign-in (a stolen token cannot guess it without
//! limit), and while the email is locked the current password is refused as wrong.

use serde::Deserialize;
use shop_adapters::flows::passwords::Passwords;
use shop_adapters::web::prelude::*;
use shop_domain::{
    DomainError,
    account::{
        lockout::SignInFailures,
        model::{PasswordChange, check_new_password},
    },
    error::FieldError,
};

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub guard: Guard,
    pub passwords: Passwords,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    current_password: String,
    password: String,
    password_confirmation: String,
}

impl Handler {
    async fn change(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let pw = &self.passwords;
        let caller = self.guard.caller(req, Need::PasswordChange).await?;
        let body: Change = http::json_body(req)?;
        check_new_password(&pw.policy, &body.password, &body.password_confirmation)?;
        let account = caller.account;
        let email = account.email.as_str();
        let now = pw.clock.now();
        // Logged before it is judged, like a sign-in: parallel guesses each see the earlier.
        let before = pw.failures.attempt(email, now).await?;
        let locked = SignInFailures::replay(&before, &pw.policy.lockout).is_locked(now);
        let current_ok = account
            .password
            .as_ref()
            .is_some_and(|p| pw.hasher.verify(&body.current_password, &p.hash));
        if locked || !current_ok {
            return Err(DomainError::Invalid {
                code: "invalid_password",
                detail: "The current password is not right.".into(),
                fields: vec![FieldError {
                    field: "current_password".into(),
                    code: "current_password_wrong",
                    detail: "The current password is not right.".into(),
                }],
            }
            .into());
        }
        let changed = pw.hasher.replace_password(
            &account,
            &body.password,
            PasswordChange::ByOwner,
            now,
            &pw.policy,
        )?;
        let saved = pw.accounts.save(&changed).await?;
        pw.failures.clear(email).await?;
        tracing::info!(account = %saved.id, "password changed");
        http::json(StatusCode::OK, &serde_json::json!({"password_set_at": now}))
    }
}
