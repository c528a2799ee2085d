//! The mail outbox: use cases put [`MailMessage`]s on the mail queue; `send-mail` sends them.

use aws_sdk_sqs::Client;
use shop_domain::mail::MailMessage;

use crate::{AppError, error::Context};

#[derive(Clone)]
pub struct MailOutbox {
    client: Client,
    queue_url: String,
}

impl MailOutbox {
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }

    pub async fn enqueue(&self, message: &MailMessage) -> Result<(), AppError> {
        let body = serde_json::to_string(message).context("encode a mail message")?;
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| AppError::sdk("enqueue mail", e))?;
        tracing::info!(template = message.template.name(), dedupe_key = %message.dedupe_key, "mail queued");
        Ok(())
    }
}
