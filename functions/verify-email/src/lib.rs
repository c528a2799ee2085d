//! `POST /v1/accounts/verify-email` `{token}`: the customer opened the validation link; the
//! account becomes active and sign-in works. The token is single-use.

use std::sync::Arc;

use lambda_http::{Request, http::StatusCode};
use serde::Deserialize;
use shop_adapters::{
    AppError,
    store::accounts::{AccountsRepo, TokenPurpose},
    web::http::{self, HttpResponse},
};
use shop_domain::Clock;

mod settings;

pub struct Handler {
    pub accounts: AccountsRepo,
    pub clock: Arc<dyn Clock>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    token: String,
}

impl Handler {
    pub async fn handle(&self, req: Request) -> HttpResponse {
        http::respond(self.verify(&req).await)
    }

    async fn verify(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let body: Body = http::json_body(req)?;
        let now = self.clock.now();
        let (hash, account) = self
            .accounts
            .account_for_link(&body.token, TokenPurpose::VerifyEmail, now)
            .await?;
        // Keeps the version that was read: the repository stores it as the next one.
        let active = account.verified();
        let saved = self
            .accounts
            .consume_token(&hash, now, &active, None)
            .await?;
        tracing::info!(account = %saved.id, "email verified");
        http::json(
            StatusCode::OK,
            &serde_json::json!({"id": saved.id, "status": saved.status}),
        )
    }
}
