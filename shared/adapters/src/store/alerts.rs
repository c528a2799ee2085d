//! A plant's alerts in the shop table, in a partition of their own (`ALERTS#<plant id>`), so
//! the plant's partition, read by every plant route, does not grow with them:
//! `SETTINGS` (the owner's settings; while any condition is on, the sparse index keys
//! `gsi1pk = ALERTING#<shard>`, `gsi1sk = <plant id>` the job queries) and one
//! `STATE#<condition>#<subject>` per alert (status, day, which email was queued), each
//! changed under a condition so every step is decided once. docs/data-model.md, "Alerts".

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::Client;
use jiff::{Timestamp, civil::Date};
use shop_domain::{
    id::AccountId,
    solar::{
        PlantId,
        alert_rules::{AlertState, Status, Subject},
        alerts::{AlertSettings, Condition},
    },
};

use crate::{
    AppError,
    error::Context,
    sdk::SendBoxed,
    store::dynamo::{
        GSI1, Item, Partition, SendHeld, Table, from_json, index_page, key, query_all, string_attr,
        text, to_json,
    },
};

/// Shards of the index of plants with alerts on: each query of the job reads one, so no
/// single index partition takes every plant's key (10,000 plants: about 625 keys a shard).
pub const SHARDS: u32 = 16;

pub fn alerts_pk(plant: &PlantId) -> String {
    format!("ALERTS#{plant}")
}

pub const SETTINGS_SK: &str = "SETTINGS";

/// The index partition of a plant's settings: FNV-1a of its id, so the shard never changes.
pub fn shard_of(plant: &PlantId) -> u32 {
    let hash = plant.as_str().bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash % SHARDS
}

pub fn shard_pk(shard: u32) -> String {
    format!("ALERTING#{shard}")
}

fn state_sk(condition: Condition, subject: &Subject) -> String {
    format!("STATE#{}#{}", condition.name(), subject.key())
}

/// One alert's state row: the plant's alert of `condition` about `subject`.
#[derive(Debug, Clone, Copy)]
pub struct AlertRow<'a> {
    pub plant: &'a PlantId,
    pub condition: Condition,
    pub subject: &'a Subject,
}

impl AlertRow<'_> {
    fn key(&self) -> Item {
        key(
            alerts_pk(self.plant),
            &state_sk(self.condition, self.subject),
        )
    }
}

/// A plant's alert partition as read: its settings (if any) and the state of each alert.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlantAlerts {
    pub settings: Option<AlertSettings>,
    pub states: BTreeMap<(Condition, Subject), AlertState>,
}

#[derive(Clone)]
pub struct AlertsRepo {
    table: Table,
}

impl AlertsRepo {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            table: Table::new(client, table),
        }
    }

    /// The plant's settings, `None` while its owner has set none.
    pub async fn settings(&self, plant: &PlantId) -> Result<Option<AlertSettings>, AppError> {
        self.table
            .get_json(
                key(alerts_pk(plant), SETTINGS_SK),
                "settings",
                "read alert settings",
            )
            .await
    }

    /// Replaces the settings (the last `PUT` wins: it is the whole of them); the plant is in
    /// the job's index exactly while a condition is on.
    pub async fn save(
        &self,
        plant: &PlantId,
        owner: &AccountId,
        settings: &AlertSettings,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let mut item = key(alerts_pk(plant), SETTINGS_SK);
        item.insert("settings".into(), to_json(settings)?);
        item.insert("account_id".into(), string_attr(owner.as_str()));
        item.insert("updated_at".into(), string_attr(now.to_string()));
        if settings.any_on() {
            item.insert("gsi1pk".into(), string_attr(shard_pk(shard_of(plant))));
            item.insert("gsi1sk".into(), string_attr(plant.as_str()));
        }
        self.table.put_item(item, "save alert settings").await
    }

    /// Settings and states, in one consistent query.
    pub async fn read(&self, plant: &PlantId) -> Result<PlantAlerts, AppError> {
        let items = self.partition(plant).await?;
        let mut alerts = PlantAlerts::default();
        for item in &items {
            match text(item, "sk") {
                Some(SETTINGS_SK) => alerts.settings = Some(from_json(item, "settings")?),
                Some(sk) if sk.starts_with("STATE#") => {
                    let (condition, subject) = state_key(sk)?;
                    alerts.states.insert((condition, subject), state_row(item)?);
                }
                _ => {}
            }
        }
        Ok(alerts)
    }

    /// Every item of the plant's alert partition, read consistently.
    async fn partition(&self, plant: &PlantId) -> Result<Vec<Item>, AppError> {
        query_all(
            &self.table.client,
            &self.table.name,
            Partition::Table,
            alerts_pk(plant),
            false,
        )
        .await
    }

    /// Opens an alert on `day`, unless one is open or one was raised on that day (whoever
    /// wrote first decided it): true when this call opened it.
    pub async fn open(&self, row: AlertRow<'_>, day: Date) -> Result<bool, AppError> {
        let mut item = row.key();
        item.insert("status".into(), string_attr(status_name(Status::Alerting)));
        item.insert("day".into(), string_attr(day.to_string()));
        let (names, values) = state_terms(day, &[(":cleared", Status::Cleared)]);
        self.table
            .put_of(item)
            .condition_expression(
                "attribute_not_exists(pk) OR (#status = :cleared AND #day < :day)",
            )
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .send_held("open an alert")
            .await
    }

    /// Ends the alert opened on `day`: true when this call ended it.
    pub async fn clear(&self, row: AlertRow<'_>, day: Date) -> Result<bool, AppError> {
        let terms = state_terms(
            day,
            &[
                (":cleared", Status::Cleared),
                (":alerting", Status::Alerting),
            ],
        );
        self.change_state(row, terms, &CLEAR).await
    }

    /// Notes that the email of `status` (of the alert of `day`) is queued.
    pub async fn mailed(&self, row: AlertRow<'_>, state: &AlertState) -> Result<(), AppError> {
        let terms = state_terms(state.day, &[(":status", state.status)]);
        // A state moved on meanwhile has its own email to queue; this one is queued already.
        self.change_state(row, terms, &MAILED).await.map(|_| ())
    }

    /// Applies `change` to one alert's state row: false when its condition did not hold.
    async fn change_state(
        &self,
        row: AlertRow<'_>,
        (names, values): (HashMap<String, String>, Item),
        change: &StateChange,
    ) -> Result<bool, AppError> {
        self.table
            .update(row.key())
            .update_expression(change.set)
            .condition_expression(change.when)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .send_held(change.what)
            .await
    }

    /// Removes the plant's alert partition (its plant was deleted): the settings, and so its
    /// key in the job's index, and every state.
    pub async fn forget(&self, plant: &PlantId) -> Result<usize, AppError> {
        let items = self.partition(plant).await?;
        for item in &items {
            let sk = text(item, "sk").unwrap_or_default();
            self.table
                .client
                .delete_item()
                .table_name(&self.table.name)
                .set_key(Some(key(alerts_pk(plant), sk)))
                .send_boxed()
                .await
                .map_err(|e| AppError::sdk("forget a deleted plant's alerts", e))?;
        }
        Ok(items.len())
    }

    /// One page of the plants with alerts on in `shard` (their ids only), and where the next
    /// page starts.
    pub async fn alerting_page(
        &self,
        shard: u32,
        start: Option<Item>,
    ) -> Result<(Vec<PlantId>, Option<Item>), AppError> {
        let (items, next) = index_page(
            &self.table.client,
            &self.table.name,
            GSI1,
            shard_pk(shard),
            "gsi1sk",
            start,
            "query plants with alerts on",
        )
        .await?;
        let plants = items
            .iter()
            .map(|item| {
                PlantId::parse(text(item, "gsi1sk").unwrap_or_default())
                    .context("a plant id in the alert index")
            })
            .collect::<Result<_, _>>()?;
        Ok((plants, next))
    }
}

/// A conditional change of an alert's state row: what it sets, when, and its name in the log.
struct StateChange {
    set: &'static str,
    when: &'static str,
    what: &'static str,
}

const CLEAR: StateChange = StateChange {
    set: "SET #status = :cleared",
    when: "#status = :alerting AND #day = :day",
    what: "clear an alert",
};

const MAILED: StateChange = StateChange {
    set: "SET mailed = :status",
    when: "#status = :status AND #day = :day",
    what: "note a queued alert email",
};

/// The names and values a condition on an alert's state row uses: `#status`, `#day`, `:day`
/// (the alert's day) and each status it names (`(":cleared", Status::Cleared)`).
fn state_terms(day: Date, statuses: &[(&str, Status)]) -> (HashMap<String, String>, Item) {
    let names = HashMap::from([
        ("#status".to_owned(), "status".to_owned()),
        ("#day".to_owned(), "day".to_owned()),
    ]);
    let mut values = Item::from([(":day".to_owned(), string_attr(day.to_string()))]);
    for (name, status) in statuses {
        values.insert((*name).to_owned(), string_attr(status_name(*status)));
    }
    (names, values)
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Alerting => "alerting",
        Status::Cleared => "cleared",
    }
}

fn status_of(item: &Item, name: &str) -> Result<Option<Status>, AppError> {
    match text(item, name) {
        None => Ok(None),
        Some("alerting") => Ok(Some(Status::Alerting)),
        Some("cleared") => Ok(Some(Status::Cleared)),
        Some(other) => Err(AppError::fault(format!("an alert state {name} {other:?}"))),
    }
}

fn state_key(sk: &str) -> Result<(Condition, Subject), AppError> {
    let mut parts = sk.splitn(3, '#').skip(1);
    let condition = parts
        .next()
        .and_then(|c| Condition::ALL.into_iter().find(|known| known.name() == c));
    let subject = parts.next().and_then(Subject::parse);
    condition
        .zip(subject)
        .ok_or_else(|| AppError::fault(format!("an alert state key {sk:?}")))
}

fn state_row(item: &Item) -> Result<AlertState, AppError> {
    let day = text(item, "day")
        .and_then(|d| d.parse::<Date>().ok())
        .ok_or_else(|| AppError::fault("an alert state without its day"))?;
    Ok(AlertState {
        status: status_of(item, "status")?
            .ok_or_else(|| AppError::fault("an alert state without its status"))?,
        day,
        mailed: status_of(item, "mailed")?,
    })
}
