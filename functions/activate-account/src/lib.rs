//! `POST /v1/accounts/activate` `{token, password, password_confirmation}`: a customer moved
//! from the old shop opens the link of the welcome email, sets a new password (typed twice)
//! and the account becomes active. The link is single-use: of concurrent uses exactly one wins.

use lambda_http::{Request, http::StatusCode};
use shop_adapters::{
    AppError,
    flows::passwords::Passwords,
    store::accounts::TokenPurpose,
    web::http::{self, HttpResponse},
};
use shop_domain::{DomainError, account::model::AccountStatus};

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub passwords: Passwords,
}

impl Handler {
    async fn activate(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let (saved, _) = self
            .passwords
            .set_by_link(req, TokenPurpose::Activate, |p, account, password, now| {
                if account.status != AccountStatus::PendingActivation {
                    return Err(DomainError::conflict(
                        "already_active",
                        "This account is already active; sign in.",
                    )
                    .into());
                }
                Ok(account.activated(p.hasher.hash(password)?, now))
            })
            .await?;
        tracing::info!(account = %saved.id, "account activated");
        http::json(
            StatusCode::OK,
            &serde_json::json!({"id": saved.id, "status": saved.status}),
        )
    }
}
