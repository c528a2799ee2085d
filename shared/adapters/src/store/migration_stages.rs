//! The rows of migration waves the daily mailer and its worker read and write
//! (docs/data-model.md, "Migration waves"): the waves by `gsi1 = WAVES`, the accounts due for a
//! stage by the sparse `gsi2 = MIGRATION#<wave>#<next stage>`, and each stage done as one
//! transaction with the wave's counters under the condition `next_stage = :seen`.

use std::collections::HashMap;

use aws_sdk_dynamodb::{
    Client,
    types::{AttributeValue, TransactWriteItem, Update},
};
use jiff::{Timestamp, civil::Date};
use serde::Deserialize;
use shop_domain::{
    id::{AccountId, OldAccountId, WaveId},
    migration::{
        export::OldAccount,
        stages::{Stage, stored_next},
    },
};

use crate::{
    AppError,
    error::Context,
    store::dynamo::{
        GSI1, GSI2, Item, Table, Tried, from_json, index_page, key, number_attr, query_all,
        string_attr, text, transact_once, update_at,
    },
};

/// A wave as the mailer needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveState {
    pub id: WaveId,
    pub transfer_date: Date,
    pub paused: bool,
}

/// The part of the wave's document the mailer reads.
#[derive(Deserialize)]
struct WaveDoc {
    transfer_date: Date,
}

/// An account of a wave: its export record and how far it got.
#[derive(Debug, Clone)]
pub struct WaveAccount {
    pub wave: WaveId,
    pub account: OldAccount,
    /// `None` once every stage is done.
    pub next_stage: Option<Stage>,
    /// The stages done so far, with their instants (epoch seconds).
    pub stages: HashMap<String, AttributeValue>,
    /// The new shop's account, once moved.
    pub account_id: Option<AccountId>,
    /// Attempts that failed since the last stage done.
    pub failures: u64,
    /// What the move wrote for the welcome email (JSON), once moved.
    pub moved: Option<String>,
}

/// What marking a stage came to.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marked {
    Done,
    /// Another run marked it first (or the rows written by the move exist): nothing changed.
    AlreadyDone,
    /// A write of the transaction other than the mark failed its condition (its index).
    Refused(usize),
}

#[derive(Clone)]
pub struct MigrationStages {
    table: Table,
}

fn wave_key(wave: &WaveId) -> Item {
    key(format!("WAVE#{wave}"), "WAVE")
}

fn account_key(wave: &WaveId, old: &OldAccountId) -> Item {
    key(format!("WAVE#{wave}"), &format!("ACCT#{old}"))
}

/// The sparse index partition of a wave's accounts waiting for `next`.
pub fn due_partition(wave: &WaveId, next: Stage) -> String {
    format!("MIGRATION#{wave}#{}", next.as_str())
}

/// A page of a due query: the old ids, and where the next page starts.
pub struct DuePage {
    pub old_ids: Vec<OldAccountId>,
    pub next: Option<Item>,
}

impl MigrationStages {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            table: Table::new(client, table),
        }
    }

    pub fn table(&self) -> &str {
        &self.table.name
    }

    fn wave_of(item: &Item) -> Result<WaveState, AppError> {
        let id = text(item, "pk")
            .and_then(|pk| pk.strip_prefix("WAVE#"))
            .ok_or_else(|| AppError::fault("wave item without its key"))?;
        let doc: WaveDoc = from_json(item, "wave")?;
        Ok(WaveState {
            id: WaveId::parse(id).context("stored wave id")?,
            transfer_date: doc.transfer_date,
            paused: text(item, "status") == Some("paused"),
        })
    }

    /// Every wave (one query on `gsi1 = WAVES`, all pages).
    pub async fn waves(&self) -> Result<Vec<WaveState>, AppError> {
        let items = query_all(
            &self.table.client,
            &self.table.name,
            GSI1,
            "WAVES".into(),
            false,
        )
        .await?;
        items.iter().map(Self::wave_of).collect()
    }

    pub async fn wave(&self, id: &WaveId) -> Result<Option<WaveState>, AppError> {
        let item = self.table.get(wave_key(id), "get wave").await?;
        item.as_ref().map(Self::wave_of).transpose()
    }

    /// One page of the accounts of `wave` waiting for `next` (keys only are read back).
    pub async fn due_page(
        &self,
        wave: &WaveId,
        next: Stage,
        start: Option<Item>,
    ) -> Result<DuePage, AppError> {
        let (items, after) = index_page(
            &self.table.client,
            &self.table.name,
            GSI2,
            due_partition(wave, next),
            "pk, sk, gsi2pk, gsi2sk",
            start,
            "query due wave accounts",
        )
        .await?;
        let old_ids = items
            .iter()
            .filter_map(|i| text(i, "gsi2sk"))
            .map(|id| OldAccountId::parse(id).context("stored old id"))
            .collect::<Result<_, _>>()?;
        Ok(DuePage {
            old_ids,
            next: after,
        })
    }

    pub async fn account(
        &self,
        wave: &WaveId,
        old: &OldAccountId,
    ) -> Result<Option<WaveAccount>, AppError> {
        let Some(item) = self
            .table
            .get(account_key(wave, old), "get wave account")
            .await?
        else {
            return Ok(None);
        };
        let next_stage = match text(&item, "next_stage") {
            Some(stored) => Stage::parse_next(stored)
                .ok_or_else(|| AppError::fault("stored next stage is no stage"))?,
            None => None,
        };
        let account_id = text(&item, "account_id")
            .map(AccountId::parse)
            .transpose()
            .context("stored account id")?;
        // No failure and no stage yet are normal; one stored in another shape is a fault, not
        // 0 or empty (0 would skip taking the failure back from the wave's count, empty would
        // write the account's stage history away).
        let failures = match item.get("failure") {
            None => 0,
            Some(failure) => failure
                .as_m()
                .ok()
                .and_then(|f| f.get("attempts"))
                .and_then(|a| a.as_n().ok())
                .and_then(|a| a.parse().ok())
                .ok_or_else(|| AppError::fault("stored failure without its attempts"))?,
        };
        let stages = match item.get("stages") {
            None => HashMap::new(),
            Some(stages) => stages
                .as_m()
                .cloned()
                .map_err(|_| AppError::fault("stored stages are no map"))?,
        };
        Ok(Some(WaveAccount {
            wave: wave.clone(),
            account: from_json(&item, "account")?,
            next_stage,
            stages,
            account_id,
            failures,
            moved: text(&item, "moved").map(str::to_owned),
        }))
    }

    /// The writes that mark `done` (and the stages `skipped` on the way) for `acct`: the wave
    /// account moves on to `next` under the condition that it still waits for what was read,
    /// and the wave counts it (`counters` added), sets `started` and takes back a failure.
    pub fn mark(
        &self,
        acct: &WaveAccount,
        done: Stage,
        skipped: &[Stage],
        counters: &[(String, u64)],
        extra: &[(&str, AttributeValue)],
        now: Timestamp,
    ) -> Result<Vec<TransactWriteItem>, AppError> {
        let next = done.after();
        let mut stages = acct.stages.clone();
        for s in skipped {
            stages.insert(s.as_str().into(), string_attr("skipped"));
        }
        stages.insert(done.as_str().into(), number_attr(now.as_second()));
        let mut set = vec!["next_stage = :next", "stages = :stages"];
        let mut remove = vec!["failure", "gsi1pk", "gsi1sk"];
        let mut update = update_at(
            &self.table.name,
            account_key(&acct.wave, &acct.account.old_id),
        )
        .condition_expression("next_stage = :seen")
        .expression_attribute_values(":seen", string_attr(stored_next(acct.next_stage)))
        .expression_attribute_values(":next", string_attr(stored_next(next)))
        .expression_attribute_values(":stages", AttributeValue::M(stages));
        if let Some(next) = next {
            set.push("gsi2pk = :due");
            update = update
                .expression_attribute_values(":due", string_attr(due_partition(&acct.wave, next)));
        } else {
            remove.extend(["gsi2pk", "gsi2sk"]);
        }
        let mut names = Vec::new();
        for (i, (name, value)) in extra.iter().enumerate() {
            names.push(format!("#x{i} = :x{i}"));
            update = update
                .expression_attribute_names(format!("#x{i}"), *name)
                .expression_attribute_values(format!(":x{i}"), value.clone());
        }
        let set: Vec<String> = set.into_iter().map(str::to_owned).chain(names).collect();
        let account = update
            .update_expression(format!(
                "SET {} REMOVE {}",
                set.join(", "),
                remove.join(", ")
            ))
            .build()
            .context("build the stage mark")?;
        let mut counts: Vec<(String, i64)> = vec![(done.counter().to_owned(), 1)];
        counts.extend(
            counters
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(c, n)| (c.clone(), i64::try_from(*n).unwrap_or(i64::MAX))),
        );
        if acct.failures > 0 {
            counts.push(("n_failed".into(), -1));
        }
        let wave = self.count(&acct.wave, &counts, Some(now))?;
        Ok(vec![
            TransactWriteItem::builder().update(account).build(),
            TransactWriteItem::builder().update(wave).build(),
        ])
    }

    /// An update of the wave adding `counts`; with `started`, also sets `started` once.
    pub fn count(
        &self,
        wave: &WaveId,
        counts: &[(String, i64)],
        started: Option<Timestamp>,
    ) -> Result<Update, AppError> {
        let mut update = update_at(&self.table.name, wave_key(wave))
            .condition_expression("attribute_exists(pk)");
        let mut adds = Vec::new();
        for (i, (counter, n)) in counts.iter().enumerate() {
            adds.push(format!("#c{i} :c{i}"));
            update = update
                .expression_attribute_names(format!("#c{i}"), counter)
                .expression_attribute_values(format!(":c{i}"), number_attr(n));
        }
        let mut expression = format!("ADD {}", adds.join(", "));
        if let Some(now) = started {
            expression = format!("SET started = if_not_exists(started, :now) {expression}");
            update = update.expression_attribute_values(":now", number_attr(now.as_second()));
        }
        update
            .update_expression(expression)
            .build()
            .context("build the wave counters")
    }

    /// Runs a stage's transaction; the mark is its first write.
    pub async fn commit(&self, items: Vec<TransactWriteItem>) -> Result<Marked, AppError> {
        Ok(
            match transact_once(&self.table.client, items, "mark a migration stage").await? {
                Tried::Done => Marked::Done,
                Tried::Refused(0) | Tried::Collided => Marked::AlreadyDone,
                Tried::Refused(i) => Marked::Refused(i),
            },
        )
    }

    /// Records a failed attempt on the wave account (reason, instant, attempts; listed under
    /// `WAVE#<id>#FAILED`) and counts the account failed once, until a stage succeeds.
    pub async fn record_failure(
        &self,
        acct: &WaveAccount,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let failure = AttributeValue::M(HashMap::from([
            ("reason".to_owned(), string_attr(reason)),
            ("at".to_owned(), number_attr(now.as_second())),
            ("attempts".to_owned(), number_attr(acct.failures + 1)),
        ]));
        let update = update_at(
            &self.table.name,
            account_key(&acct.wave, &acct.account.old_id),
        )
        .update_expression("SET failure = :failure, gsi1pk = :failed, gsi1sk = :old")
        .condition_expression("next_stage = :seen")
        .expression_attribute_values(":failure", failure)
        .expression_attribute_values(":seen", string_attr(stored_next(acct.next_stage)))
        .expression_attribute_values(":failed", string_attr(format!("WAVE#{}#FAILED", acct.wave)))
        .expression_attribute_values(":old", string_attr(acct.account.old_id.as_str()))
        .build()
        .context("build the failure record")?;
        let mut items = vec![TransactWriteItem::builder().update(update).build()];
        if acct.failures == 0 {
            let counted = self.count(&acct.wave, &[("n_failed".into(), 1)], None)?;
            items.push(TransactWriteItem::builder().update(counted).build());
        }
        match self.commit(items).await? {
            Marked::Done | Marked::AlreadyDone | Marked::Refused(_) => Ok(()),
        }
    }
}
