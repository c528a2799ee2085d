//! `POST /v1/accounts/activate` `{token, password, password_confirmation}`: a customer moved
//! from the old shop opens the link of the welcome email, sets a new password (typed twice)
//! and the account becomes active. The link is single-use: of concurrent uses exactly one wins.

use jiff::Timestamp;
use shop_adapters::{
    store::accounts::TokenPurpose,
    web::{
        link_password::{LinkStep, NewPassword, SetByLink},
        prelude::*,
    },
};
use shop_domain::{
    DomainError,
    account::model::{Account, AccountStatus},
};

/// The first password of a moved or invited account, set through its welcome link.
pub type Handler = SetByLink<Activation>;

pub struct Activation;

impl LinkStep for Activation {
    const PURPOSE: TokenPurpose = TokenPurpose::Activate;

    /// Only a pending account is activated; an active one signs in.
    fn set(new: NewPassword<'_>) -> Result<Account, AppError> {
        if new.account.status != AccountStatus::PendingActivation {
            return Err(DomainError::conflict(
                "already_active",
                "This account is already active; sign in.",
            )
            .into());
        }
        let hash = new.passwords.hasher.hash(new.password)?;
        Ok(new.account.activated(hash, new.now))
    }

    fn answer(saved: &Account, _: Timestamp) -> Result<HttpResponse, AppError> {
        tracing::info!(account = %saved.id, "account activated");
        http::json(
            StatusCode::OK,
            &serde_json::json!({"id": saved.id, "status": saved.status}),
        )
    }
}
