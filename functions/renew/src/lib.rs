//! The renewal worker (SQS, one message per due license from `renewals-due`): reminds,
//! renews (charging off-session once per license, term and attempt), retries failed charges on
//! the policy's days and lets the license expire after the last one. A message that fails is
//! retried by SQS (only that message) and ends in the dead-letter queue if it keeps failing.

use std::sync::Arc;

use shop_adapters::{AppError, flows::renewal::RenewalFlow, messaging::jobs::DueJob};
use shop_domain::Clock;

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub renewals: RenewalFlow,
    pub clock: Arc<dyn Clock>,
}

impl Handler {
    /// One due license, logged; `handle` (from `function!`) runs it for each message.
    async fn work(&self, job: DueJob) -> Result<(), AppError> {
        let outcome = self
            .renewals
            .process(&job.subscription_id, job.due_on, self.clock.now())
            .await
            .inspect_err(|e| tracing::warn!(subscription = %job.subscription_id, error = %e.report(), "renewal job failed"))?;
        tracing::info!(subscription = %job.subscription_id, ?outcome, "renewal job done");
        Ok(())
    }
}
