//! The signed-in customer's own resource:
//! - `GET /v1/me`: the profile;
//! - `GET /v1/me/apps`: the app portal (single sign-on list);
//! - `POST /v1/me/terms` `{version}`: accept the current terms of use.
//!
//! The profile and the acceptance work with outdated terms (the web app must be able to show
//! and accept them); the app list, like every ordinary route, answers 412 until they are
//! accepted.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use shop_adapters::web::prelude::*;
use shop_adapters::{
    store::accounts::AccountsRepo, store::plants::PlantsRepo,
    store::subscriptions::SubscriptionsRepo,
};
use shop_domain::{
    Clock, DomainError,
    account::model::{Account, TermsVersion},
    clock::berlin_date,
    solar::{SolarSettings, may_show_data},
};

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub guard: Guard,
    pub accounts: AccountsRepo,
    pub subscriptions: SubscriptionsRepo,
    pub plants: PlantsRepo,
    pub solar: SolarSettings,
    pub clock: Arc<dyn Clock>,
    /// The web app's address; app entries link there.
    pub app_url: String,
}

/// Applications every signed-in customer may open, before any product seat.
const BASE_APPS: [&str; 2] = ["shop", "license-management"];

/// The plant owners' app (docs/solar.md): always listed (SPEC section 1), since it is where a
/// plant is created; its `data` says whether a plant of the account may show data today.
const MONITORING_APP: &str = "monitoring";

#[derive(Serialize)]
struct App {
    id: String,
    url: String,
    /// Monitoring only: a plant of the account may show its data today (the access rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptTerms {
    version: TermsVersion,
}

impl Handler {
    async fn route(&self, req: &Request) -> Result<HttpResponse, AppError> {
        match (
            req.method().clone(),
            req.raw_http_path().trim_end_matches('/'),
        ) {
            (Method::GET, "/v1/me") => {
                let caller = self.guard.caller(req, Need::FullAnyTerms).await?;
                http::json(StatusCode::OK, &profile(&caller.account))
            }
            (Method::GET, "/v1/me/apps") => {
                let caller = self.guard.caller(req, Need::Full).await?;
                http::json(
                    StatusCode::OK,
                    &serde_json::json!({"apps": self.apps(&caller).await?}),
                )
            }
            (Method::POST, "/v1/me/terms") => self.accept_terms(req).await,
            (method, path) => Err(DomainError::not_found(
                "route_not_found",
                format!("No route for {method} {path}."),
            )
            .into()),
        }
    }

    /// The base apps, monitoring (with whether a plant of the account may show its data today:
    /// trial or license), and the app of every product whose seat the caller holds today in a
    /// license that grants access today: decided by today's date, so a seat that ended or was
    /// deactivated disappears at once.
    async fn apps(&self, caller: &Caller) -> Result<Vec<App>, AppError> {
        let base = self.app_url.trim_end_matches('/');
        let today = berlin_date(self.clock.now());
        let plants = self.plants.list(&caller.account.id).await?;
        let data = plants
            .iter()
            .any(|p| may_show_data(&p.history(), today, &self.solar));
        let mut apps: Vec<(String, Option<bool>)> = BASE_APPS
            .iter()
            .map(|id| ((*id).to_owned(), None))
            .collect();
        apps.push((MONITORING_APP.to_owned(), Some(data)));
        for (sub_id, seat) in self.subscriptions.seats_of(&caller.account.email).await? {
            if seat.starts_on > today {
                continue;
            }
            let granted = self.subscriptions.get(&sub_id).await?;
            if let Some(sub) = granted.filter(|s| s.seat_grants(&seat, today))
                && !apps.iter().any(|(id, _)| id == sub.app.as_str())
            {
                apps.push((sub.app.to_string(), None));
            }
        }
        Ok(apps
            .into_iter()
            .map(|(id, data)| App {
                url: format!("{base}/{id}"),
                id,
                data,
            })
            .collect())
    }

    async fn accept_terms(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.caller(req, Need::FullAnyTerms).await?;
        let body: AcceptTerms = http::json_body(req)?;
        let current = self.accounts.current_terms().await?;
        if current.as_ref() != Some(&body.version) {
            return Err(DomainError::conflict(
                "terms_version_outdated",
                format!(
                    "Only the current terms can be accepted ({}).",
                    current
                        .as_ref()
                        .map_or("none published", TermsVersion::as_str)
                ),
            )
            .into());
        }
        let accepted = caller.account.with_terms_accepted(body.version);
        let saved = self.accounts.save(&accepted).await?;
        tracing::info!(account = %saved.id, "terms accepted");
        http::json(StatusCode::OK, &profile(&saved))
    }
}

fn profile(a: &Account) -> serde_json::Value {
    serde_json::json!({
        "id": a.id,
        "email": a.email,
        "name": a.name,
        "company": a.company,
        "country": a.country,
        "language": a.language,
        "status": a.status,
        "roles": a.roles,
        "terms_accepted": a.terms_accepted,
        "password_set_at": a.password.as_ref().map(|p| p.set_at),
    })
}
