//! The migration worker (SQS, one message per account of a wave from `migration-wave-mailer`):
//! runs the stages due today for the account through the migration flow. A failed stage is
//! recorded on the wave account and tried again on the next run, so the message is done; a
//! message that cannot be read, or whose failure could not even be recorded, fails alone
//! (partial batch response), is retried by SQS and ends in the dead-letter queue.

use std::sync::Arc;

use shop_adapters::{AppError, flows::migration::MigrationFlow, messaging::jobs::MigrationJob};
use shop_domain::Clock;

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub flow: MigrationFlow,
    pub clock: Arc<dyn Clock>,
}

impl Handler {
    /// One account's due stages, logged; `handle` (from `function!`) runs it for each message.
    async fn work(&self, job: MigrationJob) -> Result<(), AppError> {
        let outcome = self.flow.process(&job, self.clock.now())
            .await
            .inspect_err(|e| tracing::warn!(wave = %job.wave, old_id = %job.old_id, error = %e.report(), "migration job failed"))?;
        tracing::info!(wave = %job.wave, old_id = %job.old_id, ?outcome, "migration job done");
        Ok(())
    }
}
