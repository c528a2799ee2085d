//! The migration worker (SQS, one message per account of a wave from `migration-wave-mailer`):
//! runs the stages due today for the account through the migration flow. A failed stage is
//! recorded on the wave account and tried again on the next run, so the message is done; a
//! message that cannot be read, or whose failure could not even be recorded, fails alone
//! (partial batch response), is retried by SQS and ends in the dead-letter queue.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shop_adapters::{flows::migration::MigrationFlow, messaging::jobs::MigrationJob};
use shop_domain::Clock;

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub flow: MigrationFlow,
    pub clock: Arc<dyn Clock>,
}

impl Handler {
    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        let mut response = SqsBatchResponse::default();
        for record in &event.records {
            let id = record.message_id.as_deref().unwrap_or_default();
            let body = record.body.as_deref().unwrap_or_default();
            let job: MigrationJob = match serde_json::from_str(body) {
                Ok(job) => job,
                Err(e) => {
                    tracing::error!(message_id = id, line = e.line(), "unreadable migration job");
                    response.add_failure(id);
                    continue;
                }
            };
            match self.flow.process(&job, self.clock.now()).await {
                Ok(outcome) => {
                    tracing::info!(wave = %job.wave, old_id = %job.old_id, ?outcome, "migration job done")
                }
                Err(e) => {
                    tracing::warn!(wave = %job.wave, old_id = %job.old_id, error = %e.report(), "migration job failed");
                    response.add_failure(id);
                }
            }
        }
        response
    }
}
