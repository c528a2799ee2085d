//! "Email me a link", two routes with one answer:
//! - `POST /v1/accounts/activation-links` `{email}`: a fresh activation link to a moved account,
//!   a fresh validation link to a registered one;
//! - `POST /v1/password-resets` `{email}`: a password reset link to an active account (an
//!   account still waiting for activation or validation gets that link instead).
//!
//! The answer is the same whether or not such an account exists, so it reveals nothing.
//! Requests are limited per email address and hour (`LINK_REQUESTS_PER_HOUR`, default 3) —
//! for every address alike, known or not.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use lambda_http::{Request, RequestExt, http::StatusCode};
use serde::Deserialize;
use shop_adapters::{
    AppError,
    error::Context,
    flows::links::LinkMailer,
    store::accounts::{AccountsRepo, TokenPurpose},
    web::http::{self, HttpResponse},
};
use shop_domain::{Clock, DomainError, Email, account::model::AccountStatus};

mod settings;

pub use settings::Settings;

const WINDOW: SignedDuration = SignedDuration::from_hours(1);

pub struct Handler {
    pub accounts: AccountsRepo,
    pub links: LinkMailer,
    pub clock: Arc<dyn Clock>,
    pub per_hour: u32,
    pub activation_valid: SignedDuration,
    pub verification_valid: SignedDuration,
    pub reset_valid: SignedDuration,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkRequest {
    /// Read as text, then parsed: a malformed address is `422 invalid_email` as on every
    /// other route, not an unreadable body.
    email: String,
}

impl Handler {
    async fn request(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let body: LinkRequest = http::json_body(req)?;
        let email = Email::parse(&body.email)?;
        let now = self.clock.now();
        let window =
            Timestamp::from_second(now.as_second() - now.as_second().rem_euclid(WINDOW.as_secs()))
                .context("start of the rate window")?;
        let window_end = window
            .checked_add(WINDOW)
            .context("end of the rate window")?;
        if !self
            .accounts
            .take_rate_slot("link", &email, window, window_end, self.per_hour)
            .await?
        {
            return Err(DomainError::RateLimited {
                code: "too_many_link_requests",
                detail: "Too many links were requested for this address; try again in an hour."
                    .into(),
            }
            .into());
        }
        let wants_reset = req.raw_http_path().starts_with("/v1/password-resets");
        if let Some(account) = self.accounts.find_by_email(&email).await? {
            let link = match account.status {
                AccountStatus::PendingActivation => {
                    Some((TokenPurpose::Activate, self.activation_valid))
                }
                AccountStatus::PendingVerification => {
                    Some((TokenPurpose::VerifyEmail, self.verification_valid))
                }
                AccountStatus::Active if wants_reset => {
                    Some((TokenPurpose::ResetPassword, self.reset_valid))
                }
                AccountStatus::Active => None,
            };
            if let Some((purpose, valid)) = link {
                self.links.issue(&account, purpose, valid, now).await?;
            }
        }
        http::json(
            StatusCode::ACCEPTED,
            &serde_json::json!({"message": "If an account waits for a link at this address, a new one is on its way."}),
        )
    }
}
