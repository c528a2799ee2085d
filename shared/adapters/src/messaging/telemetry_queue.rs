//! The telemetry queue: one checked request of one device is one message, sent in one call
//! (the ingest path's only AWS write). `store-telemetry` takes them.

use aws_sdk_sqs::Client;
use shop_domain::solar::telemetry::TelemetryBatch;

use super::queue::Queue;
use crate::AppError;

#[derive(Clone)]
pub struct TelemetryQueue(Queue);

impl TelemetryQueue {
    pub fn new(client: Client, url: impl Into<String>) -> Self {
        Self(Queue::new(client, url))
    }

    pub async fn send(&self, batch: &TelemetryBatch) -> Result<(), AppError> {
        self.0.send_json(batch, "queue telemetry").await
    }
}
