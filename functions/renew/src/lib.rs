//! The renewal worker (SQS, one message per due license from `renewals-due`): reminds,
//! renews (charging off-session once per license, term and attempt), retries failed charges on
//! the policy's days and lets the license expire after the last one. A message that fails is
//! retried by SQS (only that message) and ends in the dead-letter queue if it keeps failing.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shop_adapters::{
    flows::renewal::RenewalFlow,
    messaging::jobs::{DueJob, each_job},
};
use shop_domain::Clock;

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub renewals: RenewalFlow,
    pub clock: Arc<dyn Clock>,
}

impl Handler {
    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        each_job(&event, "renewal", |job: DueJob| async move {
            let outcome = self
                .renewals
                .process(&job.subscription_id, job.due_on, self.clock.now())
                .await
                .inspect_err(|e| tracing::warn!(subscription = %job.subscription_id, error = %e.report(), "renewal job failed"))?;
            tracing::info!(subscription = %job.subscription_id, ?outcome, "renewal job done");
            Ok(())
        })
        .await
    }
}
