//! The handler of the functions that set a password through an emailed link (activation of a
//! moved or invited account, password reset): the body, the policy, the single use of the link
//! and the end of a lockout are the same for both (`Passwords::set_by_link`); each function
//! says only which link it takes, what the password does to the account, and what it answers.

use std::marker::PhantomData;

use jiff::Timestamp;
use lambda_http::Request;
use shop_domain::account::model::Account;

use super::{
    auth::settings::PolicySettings,
    http::{self, HttpResponse},
};
use crate::{
    AppError,
    boot::{Boot, Error, HttpHandler, config::Vars},
    flows::passwords::Passwords,
    store::accounts::TokenPurpose,
};

/// What one link function decides.
pub trait LinkStep: Send + Sync {
    /// The links it takes.
    const PURPOSE: TokenPurpose;
    /// The link's account with the new password set, or why not (nothing is stored then).
    fn set(new: NewPassword<'_>) -> Result<Account, AppError>;
    /// The answer once the account is stored (`now`: when).
    fn answer(saved: &Account, now: Timestamp) -> Result<HttpResponse, AppError>;
}

/// The password typed for the account of a valid link, as a step gets it.
pub struct NewPassword<'a> {
    /// The hasher and the policy.
    pub passwords: &'a Passwords,
    pub account: Account,
    pub password: &'a str,
    pub now: Timestamp,
}

/// A link function's handler. It reads only the password policy (`PASSWORD_POLICY`, read and
/// tested in `web::auth::settings`): the new password is held to it, and its lockout ends.
pub struct SetByLink<S> {
    pub passwords: Passwords,
    step: PhantomData<S>,
}

impl<S: LinkStep> SetByLink<S> {
    pub fn new(boot: &Boot, settings: PolicySettings) -> Result<Self, Error> {
        Ok(Self {
            passwords: boot.passwords(settings.policy)?,
            step: PhantomData,
        })
    }

    /// The handler as deployed: its settings from the environment.
    pub fn boot(boot: &Boot) -> Result<Self, Error> {
        Self::new(boot, PolicySettings::from_vars(&Vars::env())?)
    }

    pub async fn handle(&self, req: Request) -> HttpResponse {
        http::respond(self.use_link(&req).await)
    }

    async fn use_link(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let (saved, now) = self
            .passwords
            .set_by_link(req, S::PURPOSE, |passwords, account, password, now| {
                S::set(NewPassword {
                    passwords,
                    account,
                    password,
                    now,
                })
            })
            .await?;
        S::answer(&saved, now)
    }
}

impl<S: LinkStep> HttpHandler for SetByLink<S> {
    async fn handle(&self, req: Request) -> HttpResponse {
        SetByLink::handle(self, req).await
    }
}
