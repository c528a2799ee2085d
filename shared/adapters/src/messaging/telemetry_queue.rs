//! The telemetry queue: one checked request of one device is one message, sent in one call
//! (the ingest path's only AWS write). `store-telemetry` takes them.

use aws_sdk_sqs::Client;
use shop_domain::solar::telemetry::TelemetryBatch;

use crate::{AppError, error::Context};

#[derive(Clone)]
pub struct TelemetryQueue {
    client: Client,
    url: String,
}

impl TelemetryQueue {
    pub fn new(client: Client, url: impl Into<String>) -> Self {
        Self {
            client,
            url: url.into(),
        }
    }

    pub async fn send(&self, batch: &TelemetryBatch) -> Result<(), AppError> {
        let body = serde_json::to_string(batch).context("encode a telemetry batch")?;
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| AppError::sdk("queue telemetry", e))?;
        Ok(())
    }
}
