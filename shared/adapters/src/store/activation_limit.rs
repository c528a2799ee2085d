//! Wrong activation codes per account and window (`RATE#activation#<account>#<window start>`):
//! a slot is taken *before* a code is compared and given back when the code was right, so of
//! any number of parallel guesses at most `limit` are ever compared in one window. The counter
//! expires with its window (TTL `expires_at`).

use aws_sdk_dynamodb::{Client, operation::update_item::builders::UpdateItemFluentBuilder};
use jiff::{SignedDuration, Timestamp};
use shop_domain::id::AccountId;

use crate::{
    AppError,
    store::dynamo::{SendHeld, key, number_attr, update_item_at},
};

#[derive(Clone)]
pub struct ActivationLimit {
    client: Client,
    table: String,
    /// Wrong codes an account may enter per window.
    pub limit: u32,
    pub window: SignedDuration,
}

/// How many wrong activation codes an account may enter, and in what window: read by every
/// function that adds inverters (one by one, or from a spreadsheet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivationSettings {
    /// `ACTIVATION_ATTEMPTS`: wrong codes per window (429 beyond).
    pub attempts: u32,
    /// `ACTIVATION_WINDOW_MINUTES`.
    pub window: SignedDuration,
}

impl ActivationSettings {
    pub const ATTEMPTS: u32 = 10;
    pub const WINDOW_MINUTES: i64 = 60;

    pub fn from_vars(
        vars: &crate::boot::config::Vars,
    ) -> Result<Self, crate::boot::config::ConfigError> {
        Ok(Self {
            attempts: vars.or("ACTIVATION_ATTEMPTS", Self::ATTEMPTS)?,
            window: vars.minutes("ACTIVATION_WINDOW_MINUTES", Self::WINDOW_MINUTES)?,
        })
    }
}

impl ActivationLimit {
    pub fn new(
        client: Client,
        table: impl Into<String>,
        limit: u32,
        window: SignedDuration,
    ) -> Self {
        Self {
            client,
            table: table.into(),
            limit,
            window,
        }
    }

    /// The window `now` falls in, and when it ends.
    fn window_of(&self, now: Timestamp) -> (i64, i64) {
        let length = self.window.as_secs().max(1);
        let start = now.as_second().div_euclid(length) * length;
        (start, start + length)
    }

    /// An update of the account's counter of the window from `start`, whose count is `#n`.
    fn counter(&self, account: &AccountId, start: i64) -> UpdateItemFluentBuilder {
        update_item_at(
            &self.client,
            &self.table,
            key(format!("RATE#activation#{account}#{start}"), "RATE"),
        )
        .expression_attribute_names("#n", "n")
    }

    /// Takes a slot for one comparison of a code; false when the window's wrong codes are
    /// used up (the code must then not be compared at all).
    pub async fn take(&self, account: &AccountId, now: Timestamp) -> Result<bool, AppError> {
        self.charge(account, now, 1).await
    }

    /// Counts `wrong` codes at once (a spreadsheet's), if the window has room for all of them;
    /// with none wrong, whether the account may still enter codes at all. False: nothing was
    /// counted, and the caller answers as if no code had been compared.
    pub async fn charge(
        &self,
        account: &AccountId,
        now: Timestamp,
        wrong: u32,
    ) -> Result<bool, AppError> {
        let Some(most) = self.limit.checked_sub(wrong.max(1)) else {
            return Ok(false);
        };
        let (start, end) = self.window_of(now);
        self.counter(account, start)
            .update_expression("ADD #n :wrong SET expires_at = :end")
            .condition_expression("attribute_not_exists(#n) OR #n <= :most")
            .expression_attribute_values(":wrong", number_attr(wrong))
            .expression_attribute_values(":most", number_attr(most))
            .expression_attribute_values(":end", number_attr(end))
            .send_held("count an activation attempt")
            .await
    }

    /// Gives back the slot taken at `now`: the code was right, so it was no guess.
    pub async fn give_back(&self, account: &AccountId, now: Timestamp) -> Result<(), AppError> {
        let (start, _) = self.window_of(now);
        self.counter(account, start)
            .update_expression("ADD #n :minus")
            .condition_expression("#n > :zero")
            .expression_attribute_values(":minus", number_attr(-1))
            .expression_attribute_values(":zero", number_attr(0))
            .send_held("give back an activation attempt")
            .await
            // Nothing to give back (the window ended meanwhile): nothing to do.
            .map(|_| ())
    }
}
