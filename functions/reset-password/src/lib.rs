//! `POST /v1/password-resets/confirm` `{token, password, password_confirmation}`: the customer
//! opened the reset link and sets a new password. The link is single-use and short-lived; the
//! policy and the history apply, the minimum age does not. A reset also ends a lockout.

use lambda_http::{Request, http::StatusCode};
use shop_adapters::{
    AppError,
    flows::passwords::Passwords,
    store::accounts::TokenPurpose,
    web::http::{self, HttpResponse},
};
use shop_domain::account::model::PasswordChange;

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub passwords: Passwords,
}

impl Handler {
    async fn reset(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let (saved, now) = self
            .passwords
            .set_by_link(
                req,
                TokenPurpose::ResetPassword,
                |p, account, password, now| {
                    let how = PasswordChange::ByReset;
                    p.hasher
                        .replace_password(&account, password, how, now, &p.policy)
                },
            )
            .await?;
        tracing::info!(account = %saved.id, "password reset");
        http::json(StatusCode::OK, &serde_json::json!({"password_set_at": now}))
    }
}
