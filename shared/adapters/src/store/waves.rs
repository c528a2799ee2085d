//! Migration waves (docs/data-model.md "Migration waves"): the wave item `WAVE#<id>`/`WAVE`
//! with its status, version, `started` marker and counters; its audit trail under the same
//! partition (`AUDIT#<epoch ms>#<random>`), each entry written in the transaction of the change
//! it records; and the sparse index of its failed accounts (`gsi1pk = WAVE#<id>#FAILED`).

use std::collections::BTreeMap;

use aws_sdk_dynamodb::{
    Client,
    types::{AttributeValue, TransactWriteItem, Update},
};
use jiff::{Timestamp, civil::Date};
use serde::{Deserialize, Serialize};
use shop_domain::{
    DomainError,
    account::profile::DisplayName,
    id::WaveId,
    migration::{
        Wave, WaveStatus,
        audit::{AuditEntry, Operator},
        wave::wave_started,
    },
};

use super::dynamo::{
    GSI1, Item, Table, all_pages, from_json, key, number, number_attr, put_absent, query_all,
    string_attr, text, to_json, transact, update_at,
};
use crate::{AppError, error::Context, web::auth::secret_token::random_id};

/// The counters a new wave starts with at 0, so the report never guesses one.
pub const COUNTERS: [&str; 8] = [
    "n_imported",
    "n_announced",
    "n_reminded",
    "n_moved",
    "n_welcomed",
    "n_failed",
    "n_activated",
    "licenses_moved",
];

/// The `wave` attribute: what the operator chose.
#[derive(Serialize, Deserialize)]
struct Plan {
    name: DisplayName,
    transfer_date: Date,
}

/// A wave as stored: the domain's wave and the row's bookkeeping.
#[derive(Debug, Clone)]
pub struct WaveRecord {
    pub wave: Wave,
    pub version: u64,
    pub created_at: Timestamp,
    /// When the first stage of the wave was done; the date is fixed from then on.
    pub started: Option<String>,
    /// `n_*`, `licenses_moved` and every `skipped_<reason>`.
    pub counters: BTreeMap<String, u64>,
}

/// One failed account of a wave, from the sparse index.
#[derive(Debug, Clone, Serialize)]
pub struct FailedAccount {
    pub old_id: String,
    pub failure: serde_json::Value,
}

#[derive(Clone)]
pub struct WavesRepo {
    table: Table,
}

pub fn wave_pk(id: &WaveId) -> String {
    format!("WAVE#{id}")
}

fn wave_key(id: &WaveId) -> Item {
    key(wave_pk(id), "WAVE")
}

fn not_found() -> AppError {
    DomainError::not_found("wave_not_found", "There is no such migration wave.").into()
}

/// What a versioned [`WavesRepo::write`] changes of the wave item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaveChange {
    /// Paused or resumed.
    Status,
    /// The transfer date moved, only before the wave started.
    TransferDate,
}

fn stale() -> AppError {
    DomainError::conflict(
        "concurrent_change",
        "The wave changed while this request was handled; read it again and retry.",
    )
    .into()
}

impl WavesRepo {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            table: Table::new(client, table),
        }
    }

    pub fn client(&self) -> &Client {
        &self.table.client
    }

    pub fn table(&self) -> &str {
        &self.table.name
    }

    /// Stores a new wave with every counter at 0, and its first audit entry, in one
    /// transaction.
    pub async fn create(&self, wave: &Wave, entry: &AuditEntry) -> Result<(), AppError> {
        let mut item = wave_key(&wave.id);
        item.insert("wave".into(), to_json(&plan(wave))?);
        item.insert("status".into(), string_attr(wave.status.as_str()));
        item.insert("version".into(), number_attr(1));
        item.insert("created_at".into(), string_attr(entry.at.to_string()));
        item.insert("gsi1pk".into(), string_attr("WAVES"));
        let created = format!("{:013}#{}", entry.at.as_millisecond(), wave.id);
        item.insert("gsi1sk".into(), string_attr(created));
        for c in COUNTERS {
            item.insert(c.into(), number_attr(0));
        }
        let put = put_absent(&self.table.name, item, "build the wave put")?;
        let items = vec![
            TransactWriteItem::builder().put(put).build(),
            self.audit_item(&wave.id, entry)?,
        ];
        match transact(&self.table.client, items, "create a wave").await? {
            None => Ok(()),
            Some(_) => Err(AppError::fault("a fresh wave id was taken")),
        }
    }

    pub async fn get(&self, id: &WaveId) -> Result<WaveRecord, AppError> {
        let item = self.table.get(wave_key(id), "get a wave").await?;
        record(&item.ok_or_else(not_found)?)
    }

    /// Every wave, newest first.
    pub async fn list(&self) -> Result<Vec<WaveRecord>, AppError> {
        query_all(
            &self.table.client,
            &self.table.name,
            GSI1,
            "WAVES".into(),
            true,
        )
        .await?
        .iter()
        .map(record)
        .collect()
    }

    /// Writes `what` of `next` under the version read, with its audit entry. A status change
    /// that lost to another write is `409 concurrent_change`; a date move is refused while the
    /// wave has started too, `409 wave_started` when its first stage was done meanwhile.
    pub async fn write(
        &self,
        what: WaveChange,
        read: &WaveRecord,
        next: &Wave,
        entry: &AuditEntry,
    ) -> Result<(), AppError> {
        let versioned = self.versioned(read);
        let update = match what {
            WaveChange::Status => versioned
                .update_expression("SET #status = :status, version = version + :one")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":status", string_attr(next.status.as_str()))
                .build()
                .context("build the status change")?,
            WaveChange::TransferDate => versioned
                .update_expression("SET wave = :wave, version = version + :one")
                .condition_expression("version = :expected AND attribute_not_exists(started)")
                .expression_attribute_values(":wave", to_json(&plan(next))?)
                .build()
                .context("build the date move")?,
        };
        if self.change(update, &next.id, entry).await? {
            return Ok(());
        }
        match what {
            WaveChange::Status => Err(stale()),
            // Why the conditional write failed decides the answer.
            WaveChange::TransferDate => Err(match self.get(&next.id).await?.started {
                Some(_) => wave_started().into(),
                None => stale(),
            }),
        }
    }

    fn versioned(&self, read: &WaveRecord) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
        update_at(&self.table.name, wave_key(&read.wave.id))
            .condition_expression("version = :expected")
            .expression_attribute_values(":expected", number_attr(read.version))
            .expression_attribute_values(":one", number_attr(1))
    }

    /// One change of the wave item and its audit entry; false when its condition failed.
    async fn change(
        &self,
        update: Update,
        id: &WaveId,
        entry: &AuditEntry,
    ) -> Result<bool, AppError> {
        let items = vec![
            TransactWriteItem::builder().update(update).build(),
            self.audit_item(id, entry)?,
        ];
        Ok(transact(&self.table.client, items, "change a wave")
            .await?
            .is_none())
    }

    /// The audit entry as a transaction item: a fresh key, never overwritten.
    pub fn audit_item(
        &self,
        id: &WaveId,
        entry: &AuditEntry,
    ) -> Result<TransactWriteItem, AppError> {
        let sk = format!("AUDIT#{:013}#{}", entry.at.as_millisecond(), random_id()?);
        let mut item = key(wave_pk(id), &sk);
        item.insert(
            "operator_id".into(),
            string_attr(entry.operator.id.as_str()),
        );
        item.insert(
            "operator_email".into(),
            string_attr(entry.operator.email.as_str()),
        );
        item.insert("action".into(), string_attr(entry.action.as_str()));
        item.insert("details".into(), to_json(&entry.details)?);
        item.insert("at".into(), string_attr(entry.at.to_string()));
        let put = put_absent(&self.table.name, item, "build the audit entry")?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// An audit entry of an action that changed more than one transaction's worth (an
    /// import), written after it.
    pub async fn record(&self, id: &WaveId, entry: &AuditEntry) -> Result<(), AppError> {
        let items = vec![self.audit_item(id, entry)?];
        match transact(&self.table.client, items, "write an audit entry").await? {
            None => Ok(()),
            Some(_) => Err(AppError::fault("a fresh audit key was taken")),
        }
    }

    /// The wave's audit trail, oldest first.
    pub async fn audit(&self, id: &WaveId) -> Result<Vec<AuditEntry>, AppError> {
        let query = self
            .table
            .client
            .query()
            .table_name(&self.table.name)
            .key_condition_expression("pk = :pk AND begins_with(sk, :audit)")
            .expression_attribute_values(":pk", string_attr(wave_pk(id)))
            .expression_attribute_values(":audit", string_attr("AUDIT#"))
            .consistent_read(true);
        all_pages(query, "query the audit trail")
            .await?
            .iter()
            .map(audit_entry)
            .collect()
    }

    /// The wave's accounts whose last attempt failed (the sparse index), by old id.
    pub async fn failed(&self, id: &WaveId) -> Result<Vec<FailedAccount>, AppError> {
        let items = query_all(
            &self.table.client,
            &self.table.name,
            GSI1,
            format!("{}#FAILED", wave_pk(id)),
            false,
        )
        .await?;
        Ok(items
            .iter()
            .map(|i| FailedAccount {
                old_id: text(i, "gsi1sk").unwrap_or_default().to_owned(),
                failure: failure_of(i.get("failure")),
            })
            .collect())
    }
}

fn plan(wave: &Wave) -> Plan {
    Plan {
        name: wave.name.clone(),
        transfer_date: wave.transfer_date,
    }
}

fn record(item: &Item) -> Result<WaveRecord, AppError> {
    let pk = text(item, "pk").ok_or_else(|| AppError::fault("wave without pk"))?;
    let id = WaveId::parse(pk.trim_start_matches("WAVE#")).context("stored wave id")?;
    let plan: Plan = from_json(item, "wave")?;
    let status = match text(item, "status") {
        Some("active") => WaveStatus::Active,
        Some("paused") => WaveStatus::Paused,
        _ => return Err(AppError::fault("wave without a known status")),
    };
    let counters = item
        .keys()
        .filter(|k| k.starts_with("n_") || k.starts_with("skipped_") || *k == "licenses_moved")
        .filter_map(|k| number(item, k).map(|n| (k.clone(), n)))
        .collect();
    Ok(WaveRecord {
        wave: Wave {
            id,
            name: plan.name,
            transfer_date: plan.transfer_date,
            status,
        },
        version: number(item, "version").ok_or_else(|| AppError::fault("wave without version"))?,
        created_at: text(item, "created_at")
            .ok_or_else(|| AppError::fault("wave without created_at"))?
            .parse()
            .context("stored created_at")?,
        started: item.get("started").map(|v| match v {
            AttributeValue::S(s) => s.clone(),
            AttributeValue::N(n) => n.clone(),
            _ => "yes".to_owned(),
        }),
        counters,
    })
}

fn audit_entry(item: &Item) -> Result<AuditEntry, AppError> {
    let field = |name: &str| {
        text(item, name).ok_or_else(|| AppError::fault(format!("audit entry without {name}")))
    };
    Ok(AuditEntry {
        operator: Operator {
            id: field("operator_id")?
                .parse()
                .context("stored operator id")?,
            email: field("operator_email")?
                .parse()
                .context("stored operator email")?,
        },
        action: serde_json::from_value(serde_json::Value::String(field("action")?.to_owned()))
            .context("stored audit action")?,
        details: from_json(item, "details")?,
        at: field("at")?.parse().context("stored audit instant")?,
    })
}

/// The `failure` attribute as JSON, whether the mover wrote it as a map or as JSON text.
fn failure_of(value: Option<&AttributeValue>) -> serde_json::Value {
    match value {
        Some(AttributeValue::S(s)) => {
            serde_json::from_str(s).unwrap_or_else(|_| serde_json::Value::String(s.clone()))
        }
        Some(AttributeValue::M(m)) => m
            .iter()
            .map(|(k, v)| (k.clone(), failure_of(Some(v))))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        Some(AttributeValue::N(n)) => serde_json::from_str(n).unwrap_or(serde_json::Value::Null),
        _ => serde_json::Value::Null,
    }
}
