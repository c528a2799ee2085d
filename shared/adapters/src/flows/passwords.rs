//! What every function that checks or sets a password works with (sign-in, the password
//! change, activation and reset), and the one way a password is set through an emailed link.

use std::sync::Arc;

use jiff::Timestamp;
use lambda_http::Request;
use shop_domain::{
    Clock,
    account::{model::Account, model::LinkPasswordForm, password::PasswordPolicy},
};

use crate::{
    AppError,
    store::{
        accounts::{AccountsRepo, TokenPurpose},
        sign_in_failures::SignInFailureLog,
    },
    web::{auth::password::PasswordHasherArgon2, http},
};

/// The accounts, the attempt log the policy's lockout counts in, the hasher, the clock and the
/// policy: wired once by `Boot::passwords`, so the four functions cannot wire them apart.
pub struct Passwords {
    pub accounts: AccountsRepo,
    /// Cleared once a password is set or a sign-in granted: a lock of the email ends with it.
    pub failures: SignInFailureLog,
    pub hasher: PasswordHasherArgon2,
    pub clock: Arc<dyn Clock>,
    pub policy: PasswordPolicy,
}

impl Passwords {
    /// Sets the password a link for `purpose` allows (`{token, password,
    /// password_confirmation}`): the body is held to the policy, `change` turns the link's
    /// account into its next version with the new password, which is stored as the link is
    /// used up (of concurrent uses exactly one wins), and a lock of the email ends. Answers
    /// the stored account and the time it was set.
    pub async fn set_by_link(
        &self,
        req: &Request,
        purpose: TokenPurpose,
        change: impl FnOnce(&Self, Account, &str, Timestamp) -> Result<Account, AppError>,
    ) -> Result<(Account, Timestamp), AppError> {
        let body: LinkPasswordForm = http::json_body(req)?;
        body.check(&self.policy)?;
        let now = self.clock.now();
        let (hash, account) = self
            .accounts
            .account_for_link(&body.token, purpose, now)
            .await?;
        let read = account.clone();
        let changed = change(self, account, &body.password, now)?;
        let wave = read.activates_moved(&changed);
        let saved = self
            .accounts
            .consume_token(&hash, now, &changed, wave)
            .await?;
        self.failures.clear(saved.email.as_str()).await?;
        Ok((saved, now))
    }
}
