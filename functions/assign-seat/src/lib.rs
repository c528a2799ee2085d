//! Seats of a license, for its owner:
//! - `GET /v1/subscriptions/{id}/seats`: every seat, past and future;
//! - `POST /v1/subscriptions/{id}/seats` `{email, starts_on?, ends_on?}`: assign, and invite the
//!   colleague (an activation link when the email has no account: a pending one is created);
//! - `PATCH /v1/subscriptions/{id}/seats/{seat_id}` `{starts_on?, ends_on?}`: change the dates;
//! - `POST /v1/subscriptions/{id}/seats/{seat_id}/deactivate`: access ends now.
//!
//! Every change reads the license with all its seats, lets the domain decide, and writes the
//! seat together with the license's next version; a concurrent change makes the write fail and
//! the change is decided again on fresh state. Another account's license answers 404.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp, civil::Date};
use serde_json::json;
use shop_adapters::web::prelude::*;
use shop_adapters::{
    flows::links::LinkMailer,
    store::accounts::{AccountsRepo, Registered, TokenPurpose, new_account_id},
    store::subscriptions::SubscriptionsRepo,
    web::auth::secret_token::random_id,
    web::paths::subscription_id,
};
use shop_domain::{
    Clock, DomainError, Language,
    account::{lifecycle::Invitee, model::Account},
    id::{AccountId, SubscriptionId},
    mail::{DedupeKey, MailMessage, MailTemplate},
    seats::{self, Seat, SeatChange, SeatForm},
    subscription::Subscription,
    wire::Object,
};

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub guard: Guard,
    pub subscriptions: SubscriptionsRepo,
    pub accounts: AccountsRepo,
    pub links: LinkMailer,
    pub clock: Arc<dyn Clock>,
    /// How long the activation link of a newly invited colleague works.
    pub activation_valid: SignedDuration,
    /// How often a change is decided again after losing a race.
    pub attempts: u32,
}

impl Handler {
    async fn route(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.caller(req, Need::Full).await?;
        let owner = &caller.account;
        let params = req.path_parameters();
        let id = subscription_id(req)?;
        let seat_id = params.first("seat_id").map(str::to_owned);
        let deactivate = http::path_ends_with(req, "/deactivate");
        match (req.method().clone(), seat_id) {
            (Method::GET, None) => {
                let (_, seats) = self.subscriptions.owned(&id, &owner.id).await?;
                http::json(StatusCode::OK, &json!({ "seats": seats }))
            }
            (Method::POST, None) => {
                let Object(form): Object<SeatForm> = http::json_body(req)?;
                let seat_id = random_id()?;
                let (sub, seat) = self
                    .mutate(&id, &owner.id, |sub, seats, now, today| {
                        seats::assign(sub, seats, &form, seat_id.clone(), now, today)
                    })
                    .await?;
                self.invite(owner, &sub, &seat).await?;
                tracing::info!(subscription = %id, seat = %seat.id, "seat assigned");
                http::json(StatusCode::CREATED, &seat)
            }
            (Method::PATCH, Some(seat_id)) => {
                let Object(change): Object<SeatChange> = http::json_body(req)?;
                let (_, seat) = self
                    .mutate(&id, &owner.id, |sub, seats, _, today| {
                        seats::change(sub, seats, &seat_id, &change, today)
                    })
                    .await?;
                http::json(StatusCode::OK, &seat)
            }
            (Method::POST, Some(seat_id)) if deactivate => {
                let (_, seat) = self
                    .mutate(&id, &owner.id, |_, seats, now, today| {
                        seats::deactivate(seats, &seat_id, now, today)
                    })
                    .await?;
                tracing::info!(subscription = %id, seat = %seat.id, "seat deactivated");
                http::json(StatusCode::OK, &seat)
            }
            (method, _) => Err(DomainError::not_found(
                "route_not_found",
                format!("No route for {method} {}.", req.raw_http_path()),
            )
            .into()),
        }
    }

    async fn mutate<F>(
        &self,
        id: &SubscriptionId,
        owner: &AccountId,
        change: F,
    ) -> Result<(Subscription, Seat), AppError>
    where
        F: Fn(&Subscription, &[Seat], Timestamp, Date) -> Result<Seat, DomainError>,
    {
        self.subscriptions
            .change_seat(id, owner, self.attempts, || self.clock.now(), change)
            .await
    }

    /// Emails the colleague: a sign-in link when the email has an account, otherwise a new
    /// pending account and its activation link. Once per seat, in the colleague's language
    /// (the owner's for a new account).
    async fn invite(
        &self,
        owner: &Account,
        sub: &Subscription,
        seat: &Seat,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let base = self.links.app_url.trim_end_matches('/');
        let existing = self.accounts.find_by_email(&seat.email).await?;
        let (language, link, activate) = match existing {
            Some(account) => (account.language, format!("{base}/sign-in"), false),
            None => match self.pending_account(owner, seat, now).await? {
                Some(link) => (owner.language, link, true),
                // Registered meanwhile by someone else: they sign in.
                None => (owner.language, format!("{base}/sign-in"), false),
            },
        };
        let product = match language {
            Language::De => &sub.product_name.de,
            Language::En => &sub.product_name.en,
            Language::Fr => &sub.product_name.fr,
        };
        let data = json!({
            "owner": owner.name.as_str(),
            "product": product,
            "starts_on": seat.starts_on.to_string(),
            "ends_on": seat.ends_on.to_string(),
            "link": link,
            "activate": activate,
            "valid_days": self.activation_valid.as_hours() / 24,
        });
        self.links
            .outbox
            .enqueue(&MailMessage {
                template: MailTemplate::SeatInvitation,
                language,
                to: seat.email.clone(),
                data: data.as_object().cloned().unwrap_or_default(),
                dedupe_key: DedupeKey::parse(&format!("seat-invite:{}:{}", sub.id, seat.id))?,
            })
            .await
    }

    /// Creates a pending account for a colleague without one; answers its activation link,
    /// or `None` when the email got an account meanwhile.
    async fn pending_account(
        &self,
        owner: &Account,
        seat: &Seat,
        now: Timestamp,
    ) -> Result<Option<String>, AppError> {
        let invitee = Invitee::colleague_of(owner, seat.email.clone())?;
        let account = Account::invited(new_account_id()?, invitee, now);
        let link =
            self.links
                .prepare(&account, TokenPurpose::Activate, self.activation_valid, now)?;
        match self.accounts.register(&account, &link.stored).await? {
            Registered::Created => Ok(link
                .mail
                .data
                .get("link")
                .and_then(|v| v.as_str())
                .map(str::to_owned)),
            Registered::EmailTaken => Ok(None),
        }
    }
}
