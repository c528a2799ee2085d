//! The mail outbox: use cases put [`MailMessage`]s on the mail queue; `send-mail` sends them.

use aws_sdk_sqs::Client;
use shop_domain::mail::MailMessage;

use super::queue::Queue;
use crate::AppError;

#[derive(Clone)]
pub struct MailOutbox(Queue);

impl MailOutbox {
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self(Queue::new(client, queue_url))
    }

    pub async fn enqueue(&self, message: &MailMessage) -> Result<(), AppError> {
        self.0.send_json(message, "enqueue mail").await?;
        tracing::info!(template = message.template.name(), dedupe_key = %message.dedupe_key, "mail queued");
        Ok(())
    }
}
