//! The telemetry store (SQS, one message per accepted request from `ingest-telemetry`): the
//! readings of all messages of a delivery together, 25 to a `BatchWriteItem` with no key
//! twice; then per inverter the latest state and the daily aggregates, once per delivery, not
//! per reading; then reported configurations, each followed by the power rule of the plant
//! that holds the device. A message whose part failed is reported alone and delivered again
//! (everything here may be repeated: same keys, same values, conditions that only move
//! forward); an unreadable one fails on every delivery and ends in the dead-letter queue.

use std::{collections::BTreeSet, sync::Arc};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shop_adapters::{
    flows::power_exceeded::PowerExceeded,
    store::{devices::DevicesRepo, inverters::InvertersRepo, telemetry::TelemetryRepo},
};
use shop_domain::{Clock, solar::telemetry::TelemetryBatch};

mod settings;
mod storing;

pub use settings::Settings;

pub struct Handler {
    pub telemetry: TelemetryRepo,
    pub devices: DevicesRepo,
    pub inverters: InvertersRepo,
    pub power: PowerExceeded,
    pub clock: Arc<dyn Clock>,
}

/// The messages of one delivery, by their place in it; those that failed so far.
pub(crate) struct Delivery {
    pub batches: Vec<(usize, TelemetryBatch)>,
    pub failed: BTreeSet<usize>,
}

impl Handler {
    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        let mut delivery = Delivery {
            batches: Vec::with_capacity(event.records.len()),
            failed: BTreeSet::new(),
        };
        for (i, record) in event.records.iter().enumerate() {
            match serde_json::from_str(record.body.as_deref().unwrap_or_default()) {
                Ok(batch) => delivery.batches.push((i, batch)),
                Err(e) => {
                    let id = record.message_id.as_deref().unwrap_or_default();
                    tracing::error!(
                        message_id = id,
                        line = e.line(),
                        "unreadable telemetry message"
                    );
                    delivery.failed.insert(i);
                }
            }
        }
        let calls = self.store(&mut delivery).await;
        let readings: usize = delivery.batches.iter().map(|(_, b)| b.readings.len()).sum();
        tracing::info!(
            messages = event.records.len(),
            failed = delivery.failed.len(),
            readings,
            batch_writes = calls.batch_writes,
            updates = calls.updates,
            "telemetry stored"
        );
        let mut response = SqsBatchResponse::default();
        for i in &delivery.failed {
            let id = event.records[*i].message_id.as_deref().unwrap_or_default();
            response.add_failure(id);
        }
        response
    }
}
