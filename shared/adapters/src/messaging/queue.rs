//! One SQS queue by its URL, which every sender here writes to: the mail outbox, the job
//! queues and the telemetry queue.

use aws_sdk_sqs::Client;
use serde::Serialize;

use crate::{AppError, error::Context, sdk::SendBoxed};

#[derive(Clone)]
pub struct Queue {
    pub(super) client: Client,
    pub(super) url: String,
}

impl Queue {
    pub fn new(client: Client, url: impl Into<String>) -> Self {
        Self {
            client,
            url: url.into(),
        }
    }

    /// Sends `message` as one JSON message; `what` names the send in an error.
    pub async fn send_json<T: Serialize>(
        &self,
        message: &T,
        what: &'static str,
    ) -> Result<(), AppError> {
        let body = serde_json::to_string(message).context(what)?;
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .send_boxed()
            .await
            .map_err(|e| AppError::sdk(what, e))?;
        Ok(())
    }
}
