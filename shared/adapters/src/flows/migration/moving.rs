//! The move of one account as ONE transaction: the stage mark (first, under
//! `next_stage = :seen`, with the wave's counters), the new account and its email marker (or
//! nothing, when the email has an account: the licenses join it), the licenses with their
//! holder markers (found by the renewal job on their `due` day), the owner's seat and the
//! imported orders. Ids come from the old ids, so a repeated move names the same rows; the
//! mark makes a repeat change nothing.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use jiff::Timestamp;
use serde_json::json;
use sha2::{Digest, Sha256};
use shop_domain::{
    DomainError, Language,
    account::{lifecycle::Invitee, model::Account},
    catalog::LocalizedText,
    catalog::price_region,
    clock::berlin_date,
    id::{AccountId, OldAccountId, OrderId, SubscriptionId},
    migration::{
        export::{OldAccount, OldNumber},
        moving::{Move, MoveContext, MoveIds, SkipReason, plan_move},
        stages::Stage,
    },
    vat::tax::Buyer,
};

use super::{MigrationFlow, refused};
use crate::{
    AppError,
    error::Context,
    store::{
        dynamo::string_attr,
        migration_stages::{Marked, WaveAccount, WaveState},
    },
};

/// DynamoDB's limit on the writes of one transaction.
const MAX_WRITES: usize = 100;

/// Ids derived from the old account's id: the same on every attempt.
struct Derived<'a>(&'a OldAccountId);

fn hashed(prefix: &str, parts: &[&str]) -> String {
    let digest = Sha256::digest(parts.join("\n").as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

impl MoveIds for Derived<'_> {
    fn license(&self, old: &OldNumber) -> Result<SubscriptionId, DomainError> {
        SubscriptionId::parse(&hashed("mig-", &[self.0.as_str(), "license", old.as_str()]))
    }
    fn order(&self, old: &OldNumber) -> Result<OrderId, DomainError> {
        OrderId::parse(&hashed("mig-", &[self.0.as_str(), "order", old.as_str()]))
    }
    fn seat(&self, _license: &SubscriptionId) -> String {
        "owner".into()
    }
}

/// The new shop's account id of a moved account.
pub fn moved_account_id(old: &OldAccountId) -> Result<AccountId, AppError> {
    AccountId::parse(&hashed("mig-", &[old.as_str(), "account"])).context("moved account id")
}

impl MigrationFlow {
    pub(super) async fn move_account(
        &self,
        wave: &WaveState,
        acct: &WaveAccount,
        skipped: &[Stage],
        now: Timestamp,
    ) -> Result<Marked, AppError> {
        let old = &acct.account;
        let (account_id, new_account) = match self.accounts.find_by_email(&old.email).await? {
            Some(existing) => (existing.id, None),
            None => {
                let id = moved_account_id(&old.old_id)?;
                let account = Account::moved(id.clone(), invitee(old), wave.id.clone(), now);
                (id, Some(account))
            }
        };
        let plan = self.plan(old, &account_id, now).await?;
        let mut reasons = vec!["", ""];
        let mut items = self.stages.mark(
            acct,
            Stage::Move,
            skipped,
            &counters(&plan),
            &[
                ("account_id", string_attr(account_id.as_str())),
                (
                    "moved",
                    string_attr(summary(&plan, old.language).to_string()),
                ),
            ],
            now,
        )?;
        let mut puts: Vec<(Put, &'static str)> = Vec::new();
        if let Some(account) = &new_account {
            let [marker, account] = self.accounts.new_account(account)?;
            puts.push((marker, "email_registered_meanwhile"));
            puts.push((account, "account_exists"));
        }
        let mut held = Vec::new();
        for moved in &plan.licenses {
            let sub = &moved.license;
            puts.push((self.subscriptions.put(sub, None)?, "license_exists"));
            if !held.contains(&&sub.product_id) {
                held.push(&sub.product_id);
                puts.push((self.subscriptions.hold(sub)?, "product_already_held"));
            }
            if let Some(seat) = &moved.seat {
                puts.push((self.subscriptions.seat_put(&sub.id, seat)?, "seat"));
            }
        }
        for order in &plan.orders {
            puts.push((self.orders.put_order(order, None)?, "order_exists"));
        }
        if items.len() + puts.len() > MAX_WRITES {
            return Err(DomainError::invalid(
                "too_many_rows",
                "The account's licenses and orders need more than one transaction.",
            )
            .into());
        }
        for (put, reason) in puts {
            items.push(TransactWriteItem::builder().put(put).build());
            reasons.push(reason);
        }
        match self.stages.commit(items).await? {
            Marked::Refused(i) => Err(refused(reasons.get(i).copied().unwrap_or("refused"))),
            marked => Ok(marked),
        }
    }

    /// The domain's move of `old` into `account_id`, priced and taxed as checkout would.
    async fn plan(
        &self,
        old: &OldAccount,
        account_id: &AccountId,
        now: Timestamp,
    ) -> Result<Move, AppError> {
        let catalog = self.catalog.all().await?;
        let region = price_region(&catalog, old.country.as_str(), &self.fallback_region)?;
        let buyer = match old.vat_id {
            // The old shop invoiced with this VAT ID; it is taken as validated.
            Some(_) => Buyer::Business {
                country: &old.country,
                vat_validated: true,
            },
            None => Buyer::Consumer {
                country: &old.country,
            },
        };
        let ctx = MoveContext {
            account_id,
            catalog: &catalog,
            region: &region,
            tax: self.rates.treatment(&self.seller, buyer)?,
            today: berlin_date(now),
            now,
        };
        Ok(plan_move(old, &ctx, &Derived(&old.old_id))?)
    }
}

fn invitee(old: &OldAccount) -> Invitee {
    Invitee {
        email: old.email.clone(),
        name: old.name.clone(),
        company: old.company.clone(),
        country: old.country.clone(),
        language: old.language,
    }
}

/// The wave's counters the move adds to, besides `n_moved`.
fn counters(plan: &Move) -> Vec<(String, u64)> {
    let mut counts = vec![("licenses_moved".to_owned(), plan.licenses.len() as u64)];
    for reason in SkipReason::ALL {
        counts.push((reason.counter(), plan.skipped_for(reason) as u64));
    }
    counts
}

/// What the welcome email lists: the licenses moved and the product of the owner's seat.
fn summary(plan: &Move, language: Language) -> serde_json::Value {
    let licenses: Vec<_> = plan
        .licenses
        .iter()
        .map(|m| {
            json!({
                "product": name_in(&m.license.product_name, language),
                "number": m.license.number,
                "quantity": m.license.quantity.get(),
                "ends_on": m.license.period.map(|p| p.ends_on.to_string()),
            })
        })
        .collect();
    let seat = plan
        .licenses
        .iter()
        .find(|m| m.seat.is_some())
        .map(|m| name_in(&m.license.product_name, language));
    json!({"licenses": licenses, "seat_product": seat})
}

fn name_in(name: &LocalizedText, language: Language) -> String {
    match language {
        Language::De => name.de.clone(),
        Language::En => name.en.clone(),
        Language::Fr => name.fr.clone(),
    }
}
