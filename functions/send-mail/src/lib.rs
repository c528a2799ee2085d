//! Consumes the mail queue: each message names a template, a language, a recipient, the data
//! and a dedupe key. It renders the template and sends through SES once per dedupe key.
//!
//! A message that cannot be read or rendered is reported as failed on every delivery, so SQS
//! moves it to the dead-letter queue after the queue's `maxReceiveCount`; the rest of its batch
//! is sent normally (partial batch response).

pub mod templates;

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use shop_adapters::{
    AppError,
    messaging::mailer::SesMailer,
    store::idempotency::{Claim, IdempotencyStore, request_hash},
};
use shop_domain::{Clock, mail::MailMessage};
use templates::Templates;

mod settings;

pub use settings::Settings;

const SCOPE: &str = "mail";

pub struct Handler {
    pub templates: Templates,
    pub sent: IdempotencyStore,
    pub mailer: SesMailer,
    pub clock: Arc<dyn Clock>,
}

/// Why one message was not sent this time.
#[derive(Debug, thiserror::Error)]
enum Failure {
    /// Retrying cannot help (bad message); it will end in the dead-letter queue.
    #[error("poison message: {0}")]
    Poison(String),
    /// Worth another delivery.
    #[error("retry later: {0}")]
    Retry(String),
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Failure::Retry(e.report().to_string())
    }
}

impl Handler {
    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        let mut response = SqsBatchResponse::default();
        for record in &event.records {
            let id = record.message_id.as_deref().unwrap_or_default();
            match self.deliver(record).await {
                Ok(()) => {}
                Err(failure) => {
                    match &failure {
                        Failure::Poison(_) => {
                            tracing::error!(message_id = id, error = %failure, "mail refused")
                        }
                        Failure::Retry(_) => {
                            tracing::warn!(message_id = id, error = %failure, "mail deferred")
                        }
                    }
                    response.add_failure(id);
                }
            }
        }
        response
    }

    async fn deliver(&self, record: &SqsMessage) -> Result<(), Failure> {
        let body = record.body.as_deref().unwrap_or_default();
        // Only the kind and place of a parse error are logged: serde's message can quote the
        // input, and a mail's data may hold a token.
        let message: MailMessage = serde_json::from_str(body).map_err(|e| {
            Failure::Poison(format!(
                "unreadable ({:?} error at line {}, column {})",
                e.classify(),
                e.line(),
                e.column()
            ))
        })?;
        let mail = self
            .templates
            .render(&message)
            .map_err(|e| Failure::Poison(format!("cannot render: {e}")))?;
        // Hash the parsed message, not the raw text, so formatting differences do not count.
        let canonical = serde_json::to_vec(&message).map_err(|e| Failure::Poison(e.to_string()))?;
        let key = message.dedupe_key.as_str();
        match self
            .sent
            .claim(SCOPE, key, &request_hash(&canonical), self.clock.now())
            .await?
        {
            Claim::Acquired => {}
            Claim::Completed { .. } => {
                tracing::info!(
                    dedupe_key = key,
                    "mail already sent; duplicate delivery skipped"
                );
                return Ok(());
            }
            Claim::InProgress => {
                return Err(Failure::Retry("another delivery is sending it".into()));
            }
            Claim::Mismatch => {
                return Err(Failure::Poison(
                    "dedupe key reused for a different email".into(),
                ));
            }
        }
        match self.mailer.send(&message.to, &mail).await {
            Ok(ses_id) => {
                self.sent.complete(SCOPE, key, &ses_id).await?;
                tracing::info!(
                    dedupe_key = key,
                    template = message.template.name(),
                    "mail sent"
                );
                Ok(())
            }
            Err(e) => {
                self.sent.release(SCOPE, key).await?;
                Err(e.into())
            }
        }
    }
}
