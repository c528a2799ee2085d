//! The telemetry table (docs/data-model.md, "Telemetry"; docs/telemetry.md): readings written
//! 25 to a `BatchWriteItem`, the latest state and the daily aggregates moved under conditions
//! so that the order in which batches arrive does not matter.

use std::time::Duration;

use aws_sdk_dynamodb::{
    Client,
    operation::update_item::{UpdateItemError, builders::UpdateItemFluentBuilder},
    types::{
        AttributeValue, PutRequest, ReturnValue, ReturnValuesOnConditionCheckFailure, WriteRequest,
    },
};
use jiff::{SignedDuration, civil::Date};
use shop_domain::solar::{
    SerialNumber,
    telemetry::{DayAggregate, Reading},
};

use crate::{
    AppError,
    boot::config::{ConfigError, Vars},
    error::Context,
    sdk::SendBoxed,
    store::dynamo::{Item, SendHeld, condition_failed, key, number, number_attr, update_item_at},
};

/// How the store writes: what a reading's TTL is, and how long it insists on unprocessed
/// items before the message is left to SQS to deliver again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreSettings {
    /// `TELEMETRY_RETENTION_DAYS` (730): a raw reading expires this long after its time.
    pub retention: SignedDuration,
    /// `TELEMETRY_WRITE_ATTEMPTS` (6): BatchWriteItem calls per chunk, the first included.
    pub write_attempts: u32,
    /// `TELEMETRY_BACKOFF_MS` (50): the first pause before unprocessed items are sent again;
    /// it doubles each time, up to two seconds.
    pub backoff: Duration,
}

impl StoreSettings {
    pub const RETENTION_DAYS: i64 = 730;
    pub const WRITE_ATTEMPTS: u32 = 6;
    pub const BACKOFF_MS: u64 = 50;

    /// `TELEMETRY_RETENTION_DAYS`, `TELEMETRY_WRITE_ATTEMPTS`, `TELEMETRY_BACKOFF_MS`, each
    /// defaulting to its constant.
    pub fn from_vars(vars: &Vars) -> Result<Self, ConfigError> {
        Ok(Self {
            retention: vars.days("TELEMETRY_RETENTION_DAYS", Self::RETENTION_DAYS)?,
            write_attempts: vars.or("TELEMETRY_WRITE_ATTEMPTS", Self::WRITE_ATTEMPTS)?,
            backoff: Duration::from_millis(vars.or("TELEMETRY_BACKOFF_MS", Self::BACKOFF_MS)?),
        })
    }
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            retention: SignedDuration::from_hours(24 * Self::RETENTION_DAYS),
            write_attempts: Self::WRITE_ATTEMPTS,
            backoff: Duration::from_millis(Self::BACKOFF_MS),
        }
    }
}

/// BatchWriteItem takes at most this many items per call.
pub const BATCH_WRITE: usize = 25;
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// The AWS calls a store made, for the log and the benchmark.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Calls {
    pub batch_writes: u32,
    pub updates: u32,
}

#[derive(Clone)]
pub struct TelemetryRepo {
    client: Client,
    table: String,
    settings: StoreSettings,
}

pub fn reading_key(serial: &SerialNumber, t: i64) -> Item {
    key(format!("R#{serial}"), &format!("{t:010}"))
}

fn latest_key(serial: &SerialNumber) -> Item {
    key(format!("L#{serial}"), "L")
}

fn day_key(serial: &SerialNumber, day: Date) -> Item {
    key(format!("D#{serial}"), &day.to_string())
}

impl TelemetryRepo {
    pub fn new(client: Client, table: impl Into<String>, settings: StoreSettings) -> Self {
        Self {
            client,
            table: table.into(),
            settings,
        }
    }

    /// A reading as stored: its key, values and expiry.
    pub fn reading_item(&self, serial: &SerialNumber, r: &Reading) -> Item {
        let mut item = reading_key(serial, r.t);
        item.insert("ac_w".into(), number_attr(r.ac_w));
        item.insert("e_day_wh".into(), number_attr(r.e_day_wh));
        item.insert("e_total_wh".into(), number_attr(r.e_total_wh));
        item.insert("status".into(), number_attr(r.status));
        if !r.errors.is_empty() {
            let errors = r.errors.iter().map(number_attr).collect();
            item.insert("errors".into(), AttributeValue::L(errors));
        }
        let expires = r.t.saturating_add(self.settings.retention.as_secs());
        item.insert("expires_at".into(), number_attr(expires));
        item
    }

    /// Writes at most 25 items (no key twice) in one BatchWriteItem, and what DynamoDB leaves
    /// unprocessed again after a pause that doubles, `write_attempts` calls in all; items still
    /// left then are an `Unavailable` error (the caller's messages are delivered again).
    pub async fn write_chunk(&self, items: Vec<Item>, calls: &mut Calls) -> Result<(), AppError> {
        let mut pending: Vec<WriteRequest> = items
            .into_iter()
            .map(|item| {
                PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .map(|put| WriteRequest::builder().put_request(put).build())
                    .context("build a reading put")
            })
            .collect::<Result<_, _>>()?;
        let mut pause = self.settings.backoff;
        for attempt in 1..=self.settings.write_attempts {
            let out = self
                .client
                .batch_write_item()
                .request_items(&self.table, std::mem::take(&mut pending))
                .send_boxed()
                .await
                .map_err(|e| AppError::sdk("write readings", e))?;
            calls.batch_writes += 1;
            pending = out
                .unprocessed_items
                .and_then(|mut u| u.remove(&self.table))
                .unwrap_or_default();
            if pending.is_empty() {
                return Ok(());
            }
            tracing::info!(
                attempt,
                left = pending.len(),
                "unprocessed readings, again after a pause"
            );
            if attempt < self.settings.write_attempts {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_BACKOFF);
            }
        }
        Err(AppError::unavailable(format!(
            "{} readings still unprocessed after {} attempts",
            pending.len(),
            self.settings.write_attempts
        )))
    }

    /// Moves the inverter's latest state to `r` unless it holds a newer (or the same) reading:
    /// a lost condition is an older batch arriving late, not an error. Answers whether it moved.
    pub async fn move_latest(
        &self,
        serial: &SerialNumber,
        r: &Reading,
        calls: &mut Calls,
    ) -> Result<bool, AppError> {
        let errors = if r.errors.is_empty() {
            " REMOVE errors"
        } else {
            ", errors = :errors"
        };
        let mut update = update_item_at(&self.client, &self.table, latest_key(serial))
            .update_expression(format!(
                "SET t = :t, ac_w = :ac, e_day_wh = :day, e_total_wh = :total, #s = :status{errors}"
            ))
            .condition_expression("attribute_not_exists(t) OR t < :t")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":t", number_attr(r.t))
            .expression_attribute_values(":ac", number_attr(r.ac_w))
            .expression_attribute_values(":day", number_attr(r.e_day_wh))
            .expression_attribute_values(":total", number_attr(r.e_total_wh))
            .expression_attribute_values(":status", number_attr(r.status));
        if !r.errors.is_empty() {
            let list = r.errors.iter().map(number_attr).collect();
            update = update.expression_attribute_values(":errors", AttributeValue::L(list));
        }
        calls.updates += 1;
        update.send_held("move the latest state").await
    }

    /// Folds one batch's view of a day into the stored aggregate in one or two calls: first
    /// the energy and last time, only forward (condition `last_t < :t`; a new day's item gets
    /// the batch's peak at once); then, only when the item's peak (as the first call answers
    /// it, moved or not) is below the batch's, the peak, only up (`peak_w < :p`).
    ///
    /// A day that is `rising` in the batch (its newest reading is its peak) most likely moves
    /// both: one call tries that first, under both conditions; when either fails, nothing was
    /// written and the two steps above follow. Same outcome, one call instead of two in the
    /// morning, one more when the guess was wrong.
    pub async fn add_day(
        &self,
        serial: &SerialNumber,
        day: Date,
        agg: DayAggregate,
        rising: bool,
        calls: &mut Calls,
    ) -> Result<(), AppError> {
        if rising && self.move_day_and_peak(serial, day, agg, calls).await? {
            return Ok(());
        }
        let forward = self
            .day_update(serial, day, calls)
            .update_expression(
                "SET energy_wh = :e, last_t = :t, peak_w = if_not_exists(peak_w, :p)",
            )
            .condition_expression("attribute_not_exists(last_t) OR last_t < :t")
            .expression_attribute_values(":e", number_attr(agg.energy_wh))
            .expression_attribute_values(":t", number_attr(agg.last_t))
            .expression_attribute_values(":p", number_attr(agg.peak_w))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send_boxed()
            .await;
        let stored = match forward {
            Ok(out) => out.attributes.unwrap_or_default(),
            Err(e) if condition_failed(&e) => old_item(e),
            Err(e) => return Err(AppError::sdk("move a daily aggregate", e)),
        };
        if number(&stored, "peak_w").is_some_and(|p| p >= agg.peak_w) {
            return Ok(());
        }
        self.day_update(serial, day, calls)
            .update_expression("SET peak_w = :p")
            .condition_expression("attribute_not_exists(peak_w) OR peak_w < :p")
            .expression_attribute_values(":p", number_attr(agg.peak_w))
            .send_held("raise a daily peak")
            .await
            // A higher peak stored meanwhile keeps its place.
            .map(|_| ())
    }

    /// Energy, last time and peak at once, when the batch is both newer and higher than the
    /// stored day (or there is none): whether it held.
    async fn move_day_and_peak(
        &self,
        serial: &SerialNumber,
        day: Date,
        agg: DayAggregate,
        calls: &mut Calls,
    ) -> Result<bool, AppError> {
        self.day_update(serial, day, calls)
            .update_expression("SET energy_wh = :e, last_t = :t, peak_w = :p")
            .condition_expression(
                "(attribute_not_exists(last_t) OR last_t < :t) \
                 AND (attribute_not_exists(peak_w) OR peak_w < :p)",
            )
            .expression_attribute_values(":e", number_attr(agg.energy_wh))
            .expression_attribute_values(":t", number_attr(agg.last_t))
            .expression_attribute_values(":p", number_attr(agg.peak_w))
            .send_held("move a daily aggregate and its peak")
            .await
    }

    /// An update of `serial`'s aggregate of `day`, counted as one call.
    fn day_update(
        &self,
        serial: &SerialNumber,
        day: Date,
        calls: &mut Calls,
    ) -> UpdateItemFluentBuilder {
        calls.updates += 1;
        update_item_at(&self.client, &self.table, day_key(serial, day))
    }
}

/// The item a failed condition answered (`ReturnValuesOnConditionCheckFailure`), or none.
fn old_item<R>(e: aws_sdk_dynamodb::error::SdkError<UpdateItemError, R>) -> Item {
    match e.as_service_error() {
        Some(UpdateItemError::ConditionalCheckFailedException(c)) => {
            c.item.clone().unwrap_or_default()
        }
        _ => Item::new(),
    }
}
