//! Small helpers every DynamoDB repository of the shop table uses.

use std::collections::HashMap;

use aws_sdk_dynamodb::{
    Client,
    error::{ProvideErrorMetadata, SdkError},
    operation::{
        put_item::builders::PutItemFluentBuilder, query::builders::QueryFluentBuilder,
        transact_write_items::TransactWriteItemsError,
        update_item::builders::UpdateItemFluentBuilder,
    },
    types::{
        AttributeValue, CancellationReason, Delete, KeysAndAttributes, Put, TransactWriteItem,
        Update,
        builders::{DeleteBuilder, PutBuilder, UpdateBuilder},
    },
};
use serde::{Serialize, de::DeserializeOwned};

use crate::{AppError, error::Context, sdk::SendBoxed};

pub type Item = HashMap<String, AttributeValue>;

/// The `Update` of the item under `key` in `table` that a conditional write or a
/// transaction item is built on.
pub fn update_at(table: &str, key: Item) -> UpdateBuilder {
    Update::builder().table_name(table).set_key(Some(key))
}

/// The `Delete` of the item under `key` in `table`, as [`update_at`].
pub fn delete_at(table: &str, key: Item) -> DeleteBuilder {
    Delete::builder().table_name(table).set_key(Some(key))
}

/// The `UpdateItem` call of the item under `key` in `table`, as [`update_at`] for a write
/// sent alone.
pub fn update_item_at(client: &Client, table: &str, key: Item) -> UpdateItemFluentBuilder {
    client.update_item().table_name(table).set_key(Some(key))
}

/// The `PutItem` call that writes `item` into `table`; the caller adds its condition.
pub fn put_item_of(client: &Client, table: &str, item: Item) -> PutItemFluentBuilder {
    client.put_item().table_name(table).set_item(Some(item))
}

/// A string attribute value (`S`) to store.
pub fn string_attr(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// A number attribute value (`N`) to store.
pub fn number_attr(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        ("pk".to_owned(), string_attr(pk)),
        ("sk".to_owned(), string_attr(sk)),
    ])
}

/// A repository's place in DynamoDB: the client and the table it reads and writes, kept
/// together so a read of one item names only its key.
#[derive(Clone)]
pub struct Table {
    pub client: Client,
    pub name: String,
}

impl Table {
    pub fn new(client: Client, name: impl Into<String>) -> Self {
        Self {
            client,
            name: name.into(),
        }
    }

    /// The `UpdateItem` call of the item under `key`, as [`update_item_at`].
    pub fn update(&self, key: Item) -> UpdateItemFluentBuilder {
        update_item_at(&self.client, &self.name, key)
    }

    /// The `PutItem` call that writes `item`, as [`put_item_of`].
    pub fn put_of(&self, item: Item) -> PutItemFluentBuilder {
        put_item_of(&self.client, &self.name, item)
    }

    /// The `Put` of `item` that a conditional write or a transaction item is built on, as
    /// [`update_at`] for updates.
    pub fn put_row(&self, item: Item) -> PutBuilder {
        Put::builder().table_name(&self.name).set_item(Some(item))
    }

    /// Writes `item` whatever is stored under its key, as [`put_item`].
    pub async fn put_item(&self, item: Item, what: &str) -> Result<(), AppError> {
        put_item(&self.client, &self.name, item, what).await
    }

    /// Writes `item` only if nothing is stored under its key, as [`put_new`].
    pub async fn put_new(&self, item: Item, what: &str) -> Result<bool, AppError> {
        put_new(&self.client, &self.name, item, what).await
    }

    /// The item under `key`, read as [`get_item`] reads.
    pub async fn get(&self, key: Item, what: &str) -> Result<Option<Item>, AppError> {
        get_item(&self.client, &self.name, key, what).await
    }

    /// The document in attribute `attr` of the item under `key`, as [`get_json`] reads it.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        key: Item,
        attr: &str,
        what: &str,
    ) -> Result<Option<T>, AppError> {
        get_json(&self.client, &self.name, key, attr, what).await
    }
}

/// One item by its key, read consistently (every reader here decides on what it reads).
pub async fn get_item(
    client: &Client,
    table: &str,
    key: Item,
    what: &str,
) -> Result<Option<Item>, AppError> {
    let out = client
        .get_item()
        .table_name(table)
        .set_key(Some(key))
        .consistent_read(true)
        .send_boxed()
        .await
        .map_err(|e| AppError::sdk(what, e))?;
    Ok(out.item)
}

/// The document kept as JSON in attribute `attr` of the item under `key`, read as
/// [`get_item`] reads; `None` when there is no item.
pub async fn get_json<T: DeserializeOwned>(
    client: &Client,
    table: &str,
    key: Item,
    attr: &str,
    what: &str,
) -> Result<Option<T>, AppError> {
    get_item(client, table, key, what)
        .await?
        .map(|item| from_json(&item, attr))
        .transpose()
}

/// Writes `item` whatever is stored under its key (settings, tokens, cached answers: records
/// no invariant guards); `what` names the call for the log.
pub async fn put_item(
    client: &Client,
    table: &str,
    item: Item,
    what: &str,
) -> Result<(), AppError> {
    put_item_of(client, table, item)
        .send_boxed()
        .await
        .map_err(|e| AppError::sdk(what, e))?;
    Ok(())
}

/// Puts an item that must not exist yet; false (nothing written) when one with its key does.
pub async fn put_new(
    client: &Client,
    table: &str,
    item: Item,
    what: &str,
) -> Result<bool, AppError> {
    put_item_of(client, table, item)
        .condition_expression("attribute_not_exists(pk)")
        .send_held(what)
        .await
}

/// A conditional write's outcome: false when its condition did not hold (nothing written).
pub fn held<T, E, R>(result: Result<T, SdkError<E, R>>, what: &str) -> Result<bool, AppError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if condition_failed(&e) => Ok(false),
        Err(e) => Err(AppError::sdk(what, e)),
    }
}

/// A conditional write sent: whether its condition held ([`held`]), so a caller that only
/// needs that ends its builder with `.send_held(what).await`.
pub trait SendHeld {
    fn send_held(self, what: &str) -> impl Future<Output = Result<bool, AppError>> + Send;
}

impl<B, E, R> SendHeld for B
where
    B: SendBoxed<Error = SdkError<E, R>> + Send,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    async fn send_held(self, what: &str) -> Result<bool, AppError> {
        held(self.send_boxed().await, what)
    }
}

/// Sends a `Put` built for a transaction as one conditional `PutItem` (the same item, condition,
/// names and values): false when its condition did not hold.
pub async fn put_once(client: &Client, put: Put, what: &str) -> Result<bool, AppError> {
    client
        .put_item()
        .table_name(put.table_name)
        .set_item(Some(put.item))
        .set_condition_expression(put.condition_expression)
        .set_expression_attribute_names(put.expression_attribute_names)
        .set_expression_attribute_values(put.expression_attribute_values)
        .send_held(what)
        .await
}

/// A transaction's put of an item that must not exist yet.
pub fn put_absent(table: &str, item: Item, what: &'static str) -> Result<Put, AppError> {
    Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk)")
        .build()
        .context(what)
}

/// A string attribute, if present.
pub fn text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

/// A number attribute as `u64`, if present and one; what its absence means is the caller's
/// to say (never a silent 0).
pub fn number(item: &Item, name: &str) -> Option<u64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
}

/// A document kept as JSON in one attribute.
pub fn to_json<T: Serialize>(value: &T) -> Result<AttributeValue, AppError> {
    Ok(string_attr(
        serde_json::to_string(value).context("encode a document")?,
    ))
}

pub fn from_json<T: DeserializeOwned>(item: &Item, attr: &str) -> Result<T, AppError> {
    let json = text(item, attr).ok_or_else(|| AppError::fault(format!("item without {attr}")))?;
    serde_json::from_str(json).with_context(|| format!("stored {attr} is invalid"))
}

/// Whether a single-item write failed its condition (the state it was decided on changed).
pub fn condition_failed<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool {
    e.as_service_error()
        .and_then(ProvideErrorMetadata::code)
        .is_some_and(|c| c == "ConditionalCheckFailedException")
}

/// Which item of a cancelled transaction failed its condition, if one did.
pub fn first_condition_failed<R>(e: &SdkError<TransactWriteItemsError, R>) -> Option<usize> {
    let TransactWriteItemsError::TransactionCanceledException(c) = e.as_service_error()? else {
        return None;
    };
    c.cancellation_reasons()
        .iter()
        .position(|r| r.code() == Some("ConditionalCheckFailed"))
}

/// A transaction that collided with another one on the same items (DynamoDB's
/// `TransactionConflict`): worth trying again at once.
pub fn is_conflict<R>(e: &SdkError<TransactWriteItemsError, R>) -> bool {
    match e.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(c)) => c
            .cancellation_reasons()
            .iter()
            .any(|r| r.code() == Some("TransactionConflict")),
        Some(TransactWriteItemsError::TransactionInProgressException(_)) => true,
        _ => false,
    }
}

/// How a transaction tried once ended, for callers to whom a collision is an answer (someone
/// else changed the items first), not a reason to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tried {
    Done,
    /// The item at this index failed its condition.
    Refused(usize),
    /// Another transaction on the same items came first.
    Collided,
}

/// Runs a transaction once; see [`Tried`].
pub async fn transact_once(
    client: &Client,
    items: Vec<TransactWriteItem>,
    what: &str,
) -> Result<Tried, AppError> {
    let result = client
        .transact_write_items()
        .set_transact_items(Some(items))
        .send_boxed()
        .await;
    match result {
        Ok(_) => Ok(Tried::Done),
        Err(e) => match first_condition_failed(&e) {
            Some(i) => Ok(Tried::Refused(i)),
            None if is_conflict(&e) => Ok(Tried::Collided),
            None => Err(AppError::sdk(what, e)),
        },
    }
}

/// How often a transaction that collided with another is tried before `Unavailable`.
const CONFLICT_ATTEMPTS: u32 = 5;

/// Runs a transaction, again when it collided with another; the index of the item whose
/// condition failed, if one did.
pub async fn transact(
    client: &Client,
    items: Vec<TransactWriteItem>,
    what: &str,
) -> Result<Option<usize>, AppError> {
    Ok(transact_reasons(client, items, what)
        .await?
        .and_then(|reasons| {
            reasons
                .iter()
                .position(|r| r.code() == Some("ConditionalCheckFailed"))
        }))
}

/// [`transact`], answering every item's cancellation reason when a condition failed (with
/// the item as it was, for items that ask `ReturnValuesOnConditionCheckFailure = ALL_OLD`).
pub async fn transact_reasons(
    client: &Client,
    items: Vec<TransactWriteItem>,
    what: &str,
) -> Result<Option<Vec<CancellationReason>>, AppError> {
    for attempt in 1..=CONFLICT_ATTEMPTS {
        let result = client
            .transact_write_items()
            .set_transact_items(Some(items.clone()))
            .send_boxed()
            .await;
        let e = match result {
            Ok(_) => return Ok(None),
            Err(e) => e,
        };
        if first_condition_failed(&e).is_some()
            && let Some(TransactWriteItemsError::TransactionCanceledException(c)) =
                e.as_service_error()
        {
            return Ok(Some(c.cancellation_reasons().to_vec()));
        }
        if !is_conflict(&e) || attempt == CONFLICT_ATTEMPTS {
            return Err(AppError::sdk(what, e));
        }
        tokio::time::sleep(std::time::Duration::from_millis(10 * u64::from(attempt))).await;
    }
    Err(AppError::unavailable(format!("{what}: too many conflicts")))
}

/// Where a query looks: the table's partition key `pk`, or an index's partition key.
#[derive(Debug, Clone, Copy)]
pub enum Partition<'a> {
    Table,
    Index { name: &'a str, key: &'a str },
}

/// The index every account's listings use (`gsi1pk = ACCOUNT#<id>#<kind>`).
pub const GSI1: Partition<'static> = Partition::Index {
    name: "gsi1",
    key: "gsi1pk",
};

/// The second general index (`gsi2pk`/`gsi2sk`): sparse, for what jobs and listings find.
pub const GSI2: Partition<'static> = Partition::Index {
    name: "gsi2",
    key: "gsi2pk",
};

/// A query of one partition (`value`), for the caller to finish (order, limit, start, pages).
/// Table queries read consistently (indexes cannot).
pub fn partition_query(
    client: &Client,
    table: &str,
    partition: Partition<'_>,
    value: String,
) -> QueryFluentBuilder {
    let query = client
        .query()
        .table_name(table)
        .expression_attribute_values(":pk", string_attr(value));
    match partition {
        Partition::Table => query
            .key_condition_expression("pk = :pk")
            .consistent_read(true),
        Partition::Index { name, key } => query
            .index_name(name)
            .key_condition_expression(format!("{key} = :pk")),
    }
}

/// Every item of one partition, all pages; newest-first when `backwards`.
pub async fn query_all(
    client: &Client,
    table: &str,
    partition: Partition<'_>,
    value: String,
    backwards: bool,
) -> Result<Vec<Item>, AppError> {
    let query = partition_query(client, table, partition, value).scan_index_forward(!backwards);
    all_pages(query, "query").await
}

/// Every item a query finds, all pages: one call per page, each from where the last ended.
pub async fn all_pages(query: QueryFluentBuilder, what: &str) -> Result<Vec<Item>, AppError> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page = query
            .clone()
            .set_exclusive_start_key(start)
            .send_boxed()
            .await
            .map_err(|e| AppError::sdk(what, e))?;
        items.extend(page.items.unwrap_or_default());
        match page.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return Ok(items),
        }
    }
}

/// The documents kept as JSON in attribute `attr` of every item of one partition (see
/// [`query_all`]).
pub async fn query_json<T: DeserializeOwned>(
    client: &Client,
    table: &str,
    partition: Partition<'_>,
    value: String,
    backwards: bool,
    attr: &str,
) -> Result<Vec<T>, AppError> {
    query_all(client, table, partition, value, backwards)
        .await?
        .iter()
        .map(|item| from_json(item, attr))
        .collect()
}

/// One page of an index's partition `value` (only the attributes of `projection`) from
/// `start`, and where the next page starts: for jobs that work a page at a time.
pub async fn index_page(
    client: &Client,
    table: &str,
    index: Partition<'_>,
    value: String,
    projection: &str,
    start: Option<Item>,
    what: &str,
) -> Result<(Vec<Item>, Option<Item>), AppError> {
    if let Partition::Table = index {
        return Err(AppError::fault(format!(
            "{what}: a page of the table, not an index"
        )));
    }
    let out = partition_query(client, table, index, value)
        .projection_expression(projection)
        .set_exclusive_start_key(start)
        .send_boxed()
        .await
        .map_err(|e| AppError::sdk(what, e))?;
    Ok((out.items.unwrap_or_default(), out.last_evaluated_key))
}

/// Most keys one BatchGetItem call may name.
pub const BATCH_GET: usize = 100;

/// How often keys DynamoDB left unprocessed are asked again (after 25, 50, 100, ... ms)
/// before the read answers `Unavailable`.
const BATCH_GET_ATTEMPTS: u32 = 8;

/// The items of `keys` (each named once), 100 a call, read consistently when `consistent`;
/// keys left unprocessed (throttling) are asked again with backoff. Missing items are absent.
pub async fn batch_get(
    client: &Client,
    table: &str,
    keys: Vec<Item>,
    consistent: bool,
    what: &str,
) -> Result<Vec<Item>, AppError> {
    let mut found = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(BATCH_GET) {
        let mut keys = chunk.to_vec();
        let mut attempt = 0;
        while !keys.is_empty() {
            if attempt > 0 {
                if attempt >= BATCH_GET_ATTEMPTS {
                    return Err(AppError::unavailable(format!(
                        "{what}: keys still unprocessed after {attempt} attempts"
                    )));
                }
                let pause = 25u64 << (attempt - 1);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            attempt += 1;
            let wanted = KeysAndAttributes::builder()
                .set_keys(Some(std::mem::take(&mut keys)))
                .consistent_read(consistent)
                .build()
                .with_context(|| format!("build the batch read: {what}"))?;
            let out = client
                .batch_get_item()
                .request_items(table, wanted)
                .send_boxed()
                .await
                .map_err(|e| AppError::sdk(what, e))?;
            if let Some(items) = out.responses().and_then(|r| r.get(table)) {
                found.extend(items.iter().cloned());
            }
            keys = out
                .unprocessed_keys()
                .and_then(|u| u.get(table))
                .map(|k| k.keys().to_vec())
                .unwrap_or_default();
        }
    }
    Ok(found)
}
