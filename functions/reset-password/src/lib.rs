//! `POST /v1/password-resets/confirm` `{token, password, password_confirmation}`: the customer
//! opened the reset link and sets a new password. The link is single-use and short-lived; the
//! policy and the history apply, the minimum age does not. A reset also ends a lockout.

use jiff::Timestamp;
use shop_adapters::{
    store::accounts::TokenPurpose,
    web::{
        link_password::{LinkStep, NewPassword, SetByLink},
        prelude::*,
    },
};
use shop_domain::account::model::{Account, PasswordChange};

/// A new password through the reset link.
pub type Handler = SetByLink<Reset>;

pub struct Reset;

impl LinkStep for Reset {
    const PURPOSE: TokenPurpose = TokenPurpose::ResetPassword;

    /// The policy's history applies (the current password cannot come back this way).
    fn set(new: NewPassword<'_>) -> Result<Account, AppError> {
        let (p, how) = (new.passwords, PasswordChange::ByReset);
        p.hasher
            .replace_password(&new.account, new.password, how, new.now, &p.policy)
    }

    fn answer(saved: &Account, now: Timestamp) -> Result<HttpResponse, AppError> {
        tracing::info!(account = %saved.id, "password reset");
        http::json(StatusCode::OK, &serde_json::json!({"password_set_at": now}))
    }
}
