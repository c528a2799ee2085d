//! The renewal worker (SQS, one message per due license from `renewals-due`): reminds,
//! renews (charging off-session once per license, term and attempt), retries failed charges on
//! the policy's days and lets the license expire after the last one. A message that fails is
//! retried by SQS (only that message) and ends in the dead-letter queue if it keeps failing.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shop_adapters::{flows::renewal::RenewalFlow, messaging::jobs::DueJob};
use shop_domain::{Clock, ports::PaymentProvider};

mod settings;

pub use settings::Settings;

pub struct Handler<P> {
    pub renewals: RenewalFlow<P>,
    pub clock: Arc<dyn Clock>,
}

impl<P: PaymentProvider> Handler<P> {
    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        let mut response = SqsBatchResponse::default();
        for record in &event.records {
            let id = record.message_id.as_deref().unwrap_or_default();
            let job: DueJob = match serde_json::from_str(record.body.as_deref().unwrap_or_default())
            {
                Ok(job) => job,
                Err(e) => {
                    tracing::error!(message_id = id, line = e.line(), "unreadable renewal job");
                    response.add_failure(id);
                    continue;
                }
            };
            match self
                .renewals
                .process(&job.subscription_id, job.due_on, self.clock.now())
                .await
            {
                Ok(outcome) => {
                    tracing::info!(subscription = %job.subscription_id, ?outcome, "renewal job done")
                }
                Err(e) => {
                    tracing::warn!(subscription = %job.subscription_id, error = %e.report(), "renewal job failed");
                    response.add_failure(id);
                }
            }
        }
        response
    }
}
