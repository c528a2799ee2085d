//! The import of validated old accounts into a wave (docs/data-model.md "import an account"):
//! per account the claim `OLDACCOUNT#<old id>` and the wave account, both conditional puts,
//! and the wave's `n_imported` counted in the same transaction. Accounts go in transactions of
//! [`ACCOUNTS_PER_TRANSACTION`]; a claim that exists cancels its transaction, which answers
//! the claim as stored (its wave), and the rest is written again without it. Nothing is read
//! first: the conditions decide.

use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use jiff::Timestamp;
use shop_domain::{
    DomainError,
    id::WaveId,
    migration::{OldAccount, Stage},
};

use super::{
    dynamo::{Item, key, number_attr, string_attr, to_json, transact_reasons, update_at},
    waves::{WavesRepo, wave_pk},
};
use crate::{AppError, error::Context};

/// Two puts per account and the wave's counter: 100 items is DynamoDB's transaction limit,
/// and 33 accounts of at most 64 KiB stay within its 4 MB.
pub const ACCOUNTS_PER_TRANSACTION: usize = 33;

/// What the import did with one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    /// Stored, waiting for its first stage.
    New,
    /// Already in this wave: nothing changed (the first import's record stays).
    Unchanged,
    /// Already in another wave: refused.
    InOtherWave,
}

impl WavesRepo {
    /// Imports `accounts` into `wave`; one outcome per account, in order. `404 wave_not_found`
    /// when the wave does not exist.
    pub async fn import(
        &self,
        wave: &WaveId,
        accounts: &[OldAccount],
        now: Timestamp,
    ) -> Result<Vec<Imported>, AppError> {
        let mut out = Vec::with_capacity(accounts.len());
        for chunk in accounts.chunks(ACCOUNTS_PER_TRANSACTION) {
            out.extend(self.import_chunk(wave, chunk, now).await?);
        }
        Ok(out)
    }

    async fn import_chunk(
        &self,
        wave: &WaveId,
        accounts: &[OldAccount],
        now: Timestamp,
    ) -> Result<Vec<Imported>, AppError> {
        let mut outcome: Vec<Option<Imported>> = vec![None; accounts.len()];
        loop {
            let pending: Vec<usize> = (0..accounts.len())
                .filter(|&i| outcome[i].is_none())
                .collect();
            if pending.is_empty() {
                break;
            }
            let mut items = Vec::with_capacity(pending.len() * 2 + 1);
            for &i in &pending {
                items.push(self.claim(wave, &accounts[i], now)?);
                items.push(self.wave_account(wave, &accounts[i], now)?);
            }
            items.push(self.count_imported(wave, pending.len())?);
            let Some(reasons) = transact_reasons(self.client(), items, "import accounts").await?
            else {
                for i in pending {
                    outcome[i] = Some(Imported::New);
                }
                break;
            };
            let failed = |n: usize| {
                reasons
                    .get(n)
                    .is_some_and(|r| r.code() == Some("ConditionalCheckFailed"))
            };
            if failed(pending.len() * 2) {
                return Err(DomainError::not_found(
                    "wave_not_found",
                    "There is no such migration wave.",
                )
                .into());
            }
            let mut progress = false;
            for (k, &i) in pending.iter().enumerate() {
                if failed(2 * k) {
                    let stored = reasons[2 * k].item().and_then(|item| item.get("wave"));
                    let same = matches!(stored, Some(AttributeValue::S(w)) if w == wave.as_str());
                    outcome[i] = Some(if same {
                        Imported::Unchanged
                    } else {
                        Imported::InOtherWave
                    });
                    progress = true;
                } else if failed(2 * k + 1) {
                    // The wave account without its claim cannot be written by this code;
                    // leaving it as it is changes nothing.
                    outcome[i] = Some(Imported::Unchanged);
                    progress = true;
                }
            }
            if !progress {
                return Err(AppError::fault(
                    "an import transaction failed without a reason",
                ));
            }
        }
        Ok(outcome.into_iter().flatten().collect())
    }

    /// `OLDACCOUNT#<old id>`: the account belongs to this wave, once.
    fn claim(
        &self,
        wave: &WaveId,
        account: &OldAccount,
        now: Timestamp,
    ) -> Result<TransactWriteItem, AppError> {
        let mut item = key(format!("OLDACCOUNT#{}", account.old_id), "OLDACCOUNT");
        item.insert("wave".into(), string_attr(wave.as_str()));
        item.insert("imported_at".into(), string_attr(now.to_string()));
        self.put_new(item, true)
    }

    /// The wave account, waiting for its first stage (the mailer's sparse index).
    fn wave_account(
        &self,
        wave: &WaveId,
        account: &OldAccount,
        now: Timestamp,
    ) -> Result<TransactWriteItem, AppError> {
        let first = Stage::FIRST.as_str();
        let mut item = key(wave_pk(wave), &format!("ACCT#{}", account.old_id));
        item.insert("account".into(), to_json(account)?);
        item.insert("next_stage".into(), string_attr(first));
        item.insert(
            "gsi2pk".into(),
            string_attr(format!("MIGRATION#{wave}#{first}")),
        );
        item.insert("gsi2sk".into(), string_attr(account.old_id.as_str()));
        item.insert("stages".into(), AttributeValue::M(Item::new()));
        item.insert("imported_at".into(), string_attr(now.to_string()));
        self.put_new(item, false)
    }

    fn put_new(&self, item: Item, answer_old: bool) -> Result<TransactWriteItem, AppError> {
        let mut put = Put::builder()
            .table_name(self.table())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)");
        if answer_old {
            put = put.return_values_on_condition_check_failure(
                ReturnValuesOnConditionCheckFailure::AllOld,
            );
        }
        let put = put.build().context("build an import put")?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn count_imported(&self, wave: &WaveId, n: usize) -> Result<TransactWriteItem, AppError> {
        let update = update_at(self.table(), key(wave_pk(wave), "WAVE"))
            .update_expression("ADD n_imported :n")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":n", number_attr(n))
            .build()
            .context("build the import count")?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
