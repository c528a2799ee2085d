//! Accounts in the shop table (see docs/data-model.md): the account as a JSON document under
//! `ACCOUNT#<id>`, a marker `EMAIL#<email>` that makes emails unique, single-use link tokens
//! under `TOKEN#<sha256>`, and the published terms version under `SETTINGS`.
//!
//! Every change is a conditional write: registration is one transaction (marker, account,
//! token); later changes require the version that was read; a token is consumed in the same
//! transaction as the account change it allows.

use std::collections::HashMap;

use aws_sdk_dynamodb::{
    Client,
    types::{AttributeValue, Put, TransactWriteItem},
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use shop_domain::{
    DomainError, Email,
    account::model::{Account, TermsVersion},
    id::{AccountId, WaveId},
};

use crate::{
    AppError,
    error::Context,
    sdk::SendBoxed,
    store::dynamo::{
        SendHeld, Table, first_condition_failed, key, number, number_attr, put_absent, put_once,
        string_attr, text, update_at,
    },
};

/// What a link token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenPurpose {
    VerifyEmail,
    Activate,
    ResetPassword,
}

impl TokenPurpose {
    fn name(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::Activate => "activate",
            TokenPurpose::ResetPassword => "reset_password",
        }
    }
}

/// A link token as stored: only its hash, what it is for, whose, and until when.
pub struct StoredToken {
    pub hash: String,
    pub purpose: TokenPurpose,
    pub account: AccountId,
    pub expires_at: Timestamp,
}

/// What a registration came to: a taken email is an answer for the caller to give (or not).
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    Created,
    EmailTaken,
}

impl Registered {
    /// `409 email_taken` when the email has an account already.
    pub fn or_email_taken(self) -> Result<(), AppError> {
        match self {
            Registered::Created => Ok(()),
            Registered::EmailTaken => Err(DomainError::conflict(
                "email_taken",
                "An account with this email exists. Sign in, or reset the password.",
            )
            .into()),
        }
    }
}

/// A new random account id (128 bits, hex).
pub fn new_account_id() -> Result<AccountId, AppError> {
    AccountId::parse(&crate::web::auth::secret_token::random_id()?).context("new account id")
}

#[derive(Clone)]
pub struct AccountsRepo {
    table: Table,
}

fn account_key(id: &AccountId) -> HashMap<String, AttributeValue> {
    key(format!("ACCOUNT#{id}"), "PROFILE")
}

fn email_key(email: &Email) -> HashMap<String, AttributeValue> {
    key(format!("EMAIL#{email}"), "EMAIL")
}

fn token_key(hash: &str) -> HashMap<String, AttributeValue> {
    key(format!("TOKEN#{hash}"), "TOKEN")
}

impl AccountsRepo {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            table: Table::new(client, table),
        }
    }

    fn account_put(
        &self,
        account: &Account,
        condition: &str,
        expected: Option<u64>,
    ) -> Result<Put, AppError> {
        let mut item = account_key(&account.id);
        item.insert(
            "account".into(),
            string_attr(serde_json::to_string(account).context("encode an account")?),
        );
        item.insert("version".into(), number_attr(account.version));
        let mut put = self.table.put_row(item).condition_expression(condition);
        if let Some(v) = expected {
            put = put.expression_attribute_values(":expected", number_attr(v));
        }
        put.build().context("build the account put")
    }

    fn token_put(&self, token: &StoredToken) -> Result<Put, AppError> {
        let mut item = token_key(&token.hash);
        item.insert("purpose".into(), string_attr(token.purpose.name()));
        item.insert("account_id".into(), string_attr(token.account.as_str()));
        item.insert(
            "expires_at".into(),
            number_attr(token.expires_at.as_second()),
        );
        put_absent(&self.table.name, item, "build the token put")
    }

    /// Creates a new account with its email marker and first link token, unless the email
    /// has an account (also when two registrations race).
    pub async fn register(
        &self,
        account: &Account,
        token: &StoredToken,
    ) -> Result<Registered, AppError> {
        let [marker, new] = self.new_account(account)?;
        let result = self
            .table
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(marker).build())
            .transact_items(TransactWriteItem::builder().put(new).build())
            .transact_items(
                TransactWriteItem::builder()
                    .put(self.token_put(token)?)
                    .build(),
            )
            .send_boxed()
            .await;
        match result {
            Ok(_) => Ok(Registered::Created),
            Err(e) if first_condition_failed(&e) == Some(0) => Ok(Registered::EmailTaken),
            Err(e) => Err(AppError::sdk("register account", e)),
        }
    }

    /// The email marker (first: its condition fails when the email has an account) and the
    /// account of a new account, for a transaction that creates it.
    pub fn new_account(&self, account: &Account) -> Result<[Put; 2], AppError> {
        let mut marker = email_key(&account.email);
        marker.insert("account_id".into(), string_attr(account.id.as_str()));
        let marker = put_absent(&self.table.name, marker, "build the email marker put")?;
        Ok([
            marker,
            self.account_put(account, "attribute_not_exists(pk)", None)?,
        ])
    }

    pub async fn get(&self, id: &AccountId) -> Result<Option<Account>, AppError> {
        self.table
            .get_json(account_key(id), "account", "get account")
            .await
    }

    pub async fn find_by_email(&self, email: &Email) -> Result<Option<Account>, AppError> {
        let marker = self.table.get(email_key(email), "get email marker").await?;
        let Some(id) = marker.as_ref().and_then(|i| text(i, "account_id")) else {
            // The same second read as for a known email, of an account that never exists, so
            // an unknown email costs what a known one does.
            self.table
                .get(key("ACCOUNT#-".into(), "PROFILE"), "get account")
                .await?;
            return Ok(None);
        };
        self.get(&AccountId::parse(id).context("account id of an email marker")?)
            .await
    }

    /// Stores `account` (whose `version` is the one read) as version + 1; `concurrent_change`
    /// when someone else changed it since.
    pub async fn save(&self, account: &Account) -> Result<Account, AppError> {
        let next = account.next_version();
        let put = self.account_put(&next, "version = :expected", Some(account.version))?;
        if put_once(&self.table.client, put, "save account").await? {
            Ok(next)
        } else {
            Err(stale())
        }
    }

    /// The account a token was issued for, if the token exists with this purpose.
    pub async fn token_owner(
        &self,
        hash: &str,
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> Result<AccountId, AppError> {
        let found = self.table.get(token_key(hash), "get token").await?;
        let item = found
            .filter(|i| text(i, "purpose") == Some(purpose.name()))
            .ok_or_else(link_unknown)?;
        if item.contains_key("used_at") {
            return Err(link_used());
        }
        let expires = number(&item, "expires_at")
            .and_then(|at| i64::try_from(at).ok())
            .ok_or_else(|| AppError::fault("token without expiry"))?;
        if now.as_second() >= expires {
            return Err(link_expired());
        }
        let id =
            text(&item, "account_id").ok_or_else(|| AppError::fault("token without account"))?;
        AccountId::parse(id).context("account id of a token")
    }

    /// The account a link presented by a customer was issued for, with the token's stored
    /// hash (to consume it with the change it allows).
    pub async fn account_for_link(
        &self,
        raw_token: &str,
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> Result<(String, Account), AppError> {
        let hash = crate::web::auth::secret_token::hash(raw_token);
        let id = self.token_owner(&hash, purpose, now).await?;
        let account = self.get(&id).await?.ok_or_else(link_unknown)?;
        Ok((hash, account))
    }

    /// Uses the token and stores the account change it allows, in one transaction: of many
    /// concurrent uses exactly one succeeds. `counted_in`: the migration wave whose
    /// `n_activated` the change adds one to, in the same transaction (the activation of a
    /// moved account, [`Account::activates_moved`]).
    pub async fn consume_token(
        &self,
        hash: &str,
        now: Timestamp,
        account: &Account,
        counted_in: Option<&WaveId>,
    ) -> Result<Account, AppError> {
        let next = account.next_version();
        let mark_used = update_at(&self.table.name, token_key(hash))
            .update_expression("SET used_at = :now")
            .condition_expression(
                "attribute_exists(pk) AND attribute_not_exists(used_at) AND expires_at > :now",
            )
            .expression_attribute_values(":now", number_attr(now.as_second()))
            .build()
            .context("build the token use")?;
        let mut transaction = self
            .table
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(mark_used).build())
            .transact_items(
                TransactWriteItem::builder()
                    .put(self.account_put(&next, "version = :expected", Some(account.version))?)
                    .build(),
            );
        if let Some(wave) = counted_in {
            // Counted with the activation itself, so exactly once however often it is tried.
            let counted = update_at(&self.table.name, key(format!("WAVE#{wave}"), "WAVE"))
                .update_expression("ADD n_activated :one")
                .expression_attribute_values(":one", number_attr(1))
                .build()
                .context("build the activation count")?;
            transaction =
                transaction.transact_items(TransactWriteItem::builder().update(counted).build());
        }
        let result = transaction.send_boxed().await;
        match result {
            Ok(_) => Ok(next),
            Err(e) => match first_condition_failed(&e) {
                Some(0) => Err(link_used()),
                Some(_) => Err(stale()),
                None => Err(AppError::sdk("use token", e)),
            },
        }
    }

    /// Stores a new link token for an existing account.
    pub async fn add_token(&self, token: &StoredToken) -> Result<(), AppError> {
        let put = self.token_put(token)?;
        self.table.put_item(put.item, "add token").await
    }

    /// Counts one request of `purpose` for `email` in the window starting at `window`; false
    /// when `limit` were already counted there. The counter expires with its window (TTL).
    pub async fn take_rate_slot(
        &self,
        purpose: &str,
        email: &Email,
        window: Timestamp,
        window_end: Timestamp,
        limit: u32,
    ) -> Result<bool, AppError> {
        self.table
            .update(key(
                format!("RATE#{purpose}#{email}#{}", window.as_second()),
                "RATE",
            ))
            .update_expression("ADD #n :one SET expires_at = :end")
            .condition_expression("attribute_not_exists(#n) OR #n < :limit")
            .expression_attribute_names("#n", "n")
            .expression_attribute_values(":one", number_attr(1))
            .expression_attribute_values(":limit", number_attr(limit))
            .expression_attribute_values(":end", number_attr(window_end.as_second()))
            .send_held("rate limit")
            .await
    }

    /// The terms version customers must have accepted, as published by an operator.
    pub async fn current_terms(&self) -> Result<Option<TermsVersion>, AppError> {
        let found = self
            .table
            .get(key("SETTINGS".into(), "TERMS"), "get terms")
            .await?;
        found
            .as_ref()
            .and_then(|i| text(i, "version"))
            .map(|v| TermsVersion::parse(v).context("stored terms version"))
            .transpose()
    }

    pub async fn publish_terms(&self, version: &TermsVersion) -> Result<(), AppError> {
        let mut item = key("SETTINGS".into(), "TERMS");
        item.insert("version".into(), string_attr(version.as_str()));
        self.table.put_item(item, "publish terms").await
    }
}

fn stale() -> AppError {
    DomainError::conflict(
        "concurrent_change",
        "The account was changed at the same time; try again.",
    )
    .into()
}

const NEW_LINK: &str = "Ask for a new link with POST /v1/accounts/activation-links.";

fn link_unknown() -> AppError {
    DomainError::not_found(
        "link_unknown",
        format!("This link is not known. {NEW_LINK}"),
    )
    .into()
}

fn link_used() -> AppError {
    DomainError::conflict(
        "link_used",
        format!("This link was already used. {NEW_LINK}"),
    )
    .into()
}

fn link_expired() -> AppError {
    DomainError::conflict("link_expired", format!("This link has expired. {NEW_LINK}")).into()
}
