//! `POST /v1/sessions` `{email, password}` → `{access_token, token_type, expires_in}`.
//!
//! An unknown email, a wrong password, an account without a password yet and a locked account
//! all get the same 401 answer, after the same work: the same reads (an unknown email reads an
//! account that never exists), one append to the email's attempt log and a password check
//! (against a decoy hash when there is no account). Every attempt is logged per email, whether
//! it has an account or not, with an atomic append before it is judged, and is judged by the
//! attempts logged before it, so parallel guesses are all counted and at most five are ever
//! judged by their password: five failures within five minutes lock the email for fifteen
//! (the password policy's numbers), however they arrive; a granted sign-in clears the log. An expired password signs in with a short token that only allows changing it.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use shop_adapters::web::prelude::*;
use shop_adapters::{
    error::Context,
    flows::passwords::Passwords,
    web::auth::jwt::{Scope, TokenIssuer},
};
use shop_domain::{
    DomainError, Email,
    account::{
        lockout::SignInFailures,
        model::{Account, SignIn},
    },
};

mod settings;

pub use settings::Settings;

/// How long the token for changing an expired password lives.
const PASSWORD_CHANGE_TOKEN: SignedDuration = SignedDuration::from_mins(5);
pub struct Handler {
    pub passwords: Passwords,
    pub issuer: TokenIssuer,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    email: String,
    password: String,
}

#[derive(Serialize)]
struct Session {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    password_change_required: bool,
}

fn refused() -> AppError {
    DomainError::Unauthorized {
        code: "invalid_credentials",
        detail: "Email or password is not right, or sign-in is paused after too many attempts. \
                 Try again later or reset the password."
            .into(),
    }
    .into()
}

impl Handler {
    async fn sign_in(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let pw = &self.passwords;
        let credentials: Credentials = http::json_body(req)?;
        let typed = credentials.email.as_str();
        let account = match Email::parse(typed) {
            Ok(email) => pw.accounts.find_by_email(&email).await?,
            Err(_) => None,
        };
        // Recorded before it is judged: parallel guesses each see the ones before them.
        let now = pw.clock.now();
        let before = pw.failures.attempt(typed, now).await?;
        let matches = match account.as_ref().and_then(|a| a.password.as_ref()) {
            Some(stored) => pw.hasher.verify(&credentials.password, &stored.hash),
            None => pw.hasher.verify_decoy(&credentials.password),
        };
        let failures = SignInFailures::replay(&before, &pw.policy.lockout);
        let decision = account.as_ref().map_or(SignIn::Refused, |a| {
            a.sign_in(&failures, matches, now, &pw.policy)
        });
        if !decision.is_failure() {
            pw.failures.clear(typed).await?;
        }
        match (decision, account) {
            (SignIn::Granted { password_expired }, Some(account)) => {
                self.session(&account, password_expired)
            }
            (SignIn::EmailNotVerified, _) => Err(DomainError::forbidden(
                "email_not_verified",
                "Open the validation link we emailed you first; POST /v1/accounts/activation-links sends a new one.",
            )
            .into()),
            _ => {
                tracing::info!("sign-in refused");
                Err(refused())
            }
        }
    }

    fn session(&self, account: &Account, password_expired: bool) -> Result<HttpResponse, AppError> {
        let (scope, lifetime) = if password_expired {
            (Scope::PasswordChange, PASSWORD_CHANGE_TOKEN)
        } else {
            (
                Scope::Full,
                SignedDuration::from_secs(self.issuer.lifetime_secs()),
            )
        };
        let token = self
            .issuer
            .issue(
                account.id.as_str(),
                &account.roles,
                scope,
                lifetime,
                self.passwords.clock.now(),
            )
            .context("sign the access token")?;
        tracing::info!(account = %account.id, ?scope, "signed in");
        http::json(
            StatusCode::OK,
            &Session {
                access_token: token,
                token_type: "Bearer",
                expires_in: lifetime.as_secs(),
                password_change_required: password_expired,
            },
        )
    }
}
