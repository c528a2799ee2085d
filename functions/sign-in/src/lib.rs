//! `POST /v1/sessions` `{email, password}` → `{access_token, token_type, expires_in}`.
//!
//! An unknown email, a wrong password, an account without a password yet and a locked account
//! all get the same 401 answer, after the same work: an unknown email is checked against a
//! decoy hash, so timing reveals nothing either. Five failures within five minutes lock the
//! account for fifteen (the password policy's numbers). An expired password signs in with a
//! short token that only allows changing it.

use std::sync::Arc;

use jiff::SignedDuration;
use lambda_http::{Request, http::StatusCode};
use serde::{Deserialize, Serialize};
use shop_adapters::{
    AppError,
    accounts::AccountsRepo,
    auth::{
        jwt::{Scope, TokenIssuer},
        password::PasswordHasherArgon2,
    },
    http::{self, HttpResponse},
};
use shop_domain::{
    Clock, DomainError, Email,
    account::{
        model::{Account, SignIn},
        password::PasswordPolicy,
    },
};

/// How long the token for changing an expired password lives.
const PASSWORD_CHANGE_TOKEN: SignedDuration = SignedDuration::from_mins(5);
/// A failure count lost to a concurrent attempt is recounted on fresh state this often.
const SAVE_ATTEMPTS: usize = 3;

pub struct Handler {
    pub accounts: AccountsRepo,
    pub hasher: PasswordHasherArgon2,
    pub issuer: TokenIssuer,
    pub clock: Arc<dyn Clock>,
    pub policy: PasswordPolicy,
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
    pub async fn handle(&self, req: Request) -> HttpResponse {
        http::respond(self.sign_in(&req).await)
    }

    async fn sign_in(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let credentials: Credentials = http::json_body(req)?;
        let account = match Email::parse(&credentials.email) {
            Ok(email) => self.accounts.find_by_email(&email).await?,
            Err(_) => None,
        };
        let matches = match account.as_ref().and_then(|a| a.password.as_ref()) {
            Some(stored) => self.hasher.verify(&credentials.password, &stored.hash),
            None => self.hasher.verify_decoy(&credentials.password),
        };
        let Some(account) = account else {
            return Err(refused());
        };
        let decision = self.decide(account, matches).await?;
        match decision {
            (SignIn::Granted { password_expired }, account) => self.session(&account, password_expired),
            (SignIn::EmailNotVerified, _) => Err(DomainError::forbidden(
                "email_not_verified",
                "Open the validation link we emailed you first; POST /v1/accounts/activation-links sends a new one.",
            )
            .into()),
            (SignIn::Refused, account) => {
                tracing::info!(account = %account.id, "sign-in refused");
                Err(refused())
            }
        }
    }

    /// Decides the attempt and stores the failure count it changed, recounting on fresh state
    /// when another attempt saved first.
    async fn decide(
        &self,
        mut account: Account,
        matches: bool,
    ) -> Result<(SignIn, Account), AppError> {
        for _ in 1..SAVE_ATTEMPTS {
            let (decision, failures) = account.sign_in(matches, self.clock.now(), &self.policy);
            let Some(failures) = failures else {
                return Ok((decision, account));
            };
            match self
                .accounts
                .save(&Account {
                    failures,
                    ..account.clone()
                })
                .await
            {
                Ok(saved) => return Ok((decision, saved)),
                Err(AppError::Domain(DomainError::Conflict {
                    code: "concurrent_change",
                    ..
                })) => {
                    account = self.accounts.get(&account.id).await?.ok_or_else(refused)?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(
            DomainError::conflict("concurrent_change", "Too many sign-ins at once; try again.")
                .into(),
        )
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
                self.clock.now(),
            )
            .map_err(|e| AppError::Internal(format!("signing failed: {e}")))?;
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
