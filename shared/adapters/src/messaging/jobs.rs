//! A work queue for fanned-out jobs (renewals, plant alerts, migration waves): messages go out in batches of ten, the most one
//! SQS call takes; entries SQS refuses are sent again, so none is lost quietly.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use aws_sdk_sqs::{Client, types::SendMessageBatchRequestEntry};
use jiff::civil::Date;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use shop_domain::{
    id::{OldAccountId, SubscriptionId, WaveId},
    solar::PlantId,
};

use super::queue::Queue;
use crate::{AppError, error::Context, sdk::SendBoxed};

/// The renewal queue's message: one license due on a day, put by `renewals-due` and taken
/// by `renew`. The contract between the two, so neither depends on the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueJob {
    pub subscription_id: SubscriptionId,
    pub due_on: Date,
}

/// The migration queue's message: one account of a wave with a stage due, put by
/// `migration-wave-mailer` and taken by `migrate-account`, which decides what is due itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigrationJob {
    pub wave: WaveId,
    pub old_id: OldAccountId,
}

/// The alert queue's message: one plant with alerts on, put by `evaluate-alerts` and taken by
/// `check-plant-alerts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertJob {
    pub plant_id: PlantId,
}

/// A queue's message as its worker takes it; `KIND` names it in the log when one cannot be read.
pub trait Job: DeserializeOwned {
    const KIND: &'static str;
}

impl Job for DueJob {
    const KIND: &'static str = "renewal";
}

impl Job for MigrationJob {
    const KIND: &'static str = "migration";
}

impl Job for AlertJob {
    const KIND: &'static str = "alert";
}

/// Runs `work` on the job of each record of a delivery, in turn. A record that is not a `T`, or
/// whose work fails, is reported failed alone (partial batch response): SQS delivers only it
/// again, and in the end moves it to the dead-letter queue. `work` logs what it did.
pub async fn each_job<T, F, Fut>(event: &SqsEvent, mut work: F) -> SqsBatchResponse
where
    T: Job,
    F: FnMut(T) -> Fut,
    Fut: Future<Output = Result<(), AppError>>,
{
    let mut response = SqsBatchResponse::default();
    for record in &event.records {
        let id = record.message_id.as_deref().unwrap_or_default();
        let done = match serde_json::from_str::<T>(record.body.as_deref().unwrap_or_default()) {
            Ok(job) => work(job).await.is_ok(),
            Err(e) => {
                tracing::error!(
                    message_id = id,
                    line = e.line(),
                    kind = T::KIND,
                    "unreadable job"
                );
                false
            }
        };
        if !done {
            response.add_failure(id);
        }
    }
    response
}

#[derive(Clone)]
pub struct JobQueue(Queue);

/// How many SQS calls a fan-out took, for the log and the benchmark.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sent {
    pub calls: usize,
}

/// What a scheduled job that puts due work on a queue reports, the last fields of its summary:
/// the jobs sent (`due`), the DynamoDB queries that found them and the SQS calls that sent them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Enqueued {
    pub due: usize,
    pub queries: usize,
    pub sqs_calls: usize,
}

impl Enqueued {
    /// Sends `jobs` as [`JobQueue::send_all`] does and counts them and the calls it took.
    pub async fn send<T: Serialize>(
        &mut self,
        queue: &JobQueue,
        jobs: &[T],
    ) -> Result<(), AppError> {
        self.sqs_calls += queue.send_all(jobs).await?.calls;
        self.due += jobs.len();
        Ok(())
    }
}

const BATCH: usize = 10;
const ATTEMPTS: usize = 5;

impl JobQueue {
    pub fn new(client: Client, url: impl Into<String>) -> Self {
        Self(Queue::new(client, url))
    }

    pub async fn send_all<T: Serialize>(&self, jobs: &[T]) -> Result<Sent, AppError> {
        let mut sent = Sent::default();
        for chunk in jobs.chunks(BATCH) {
            let mut pending: Vec<(String, String)> = chunk
                .iter()
                .enumerate()
                .map(|(i, job)| {
                    serde_json::to_string(job)
                        .map(|body| (i.to_string(), body))
                        .context("encode a job")
                })
                .collect::<Result<_, _>>()?;
            for _ in 0..ATTEMPTS {
                if pending.is_empty() {
                    break;
                }
                let entries = pending
                    .iter()
                    .map(|(id, body)| {
                        SendMessageBatchRequestEntry::builder()
                            .id(id)
                            .message_body(body)
                            .build()
                            .context("build a job entry")
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let out = self
                    .0
                    .client
                    .send_message_batch()
                    .queue_url(&self.0.url)
                    .set_entries(Some(entries))
                    .send_boxed()
                    .await
                    .map_err(|e| AppError::sdk("send job batch", e))?;
                sent.calls += 1;
                let failed: Vec<&str> = out.failed().iter().map(|f| f.id()).collect();
                pending.retain(|(id, _)| failed.contains(&id.as_str()));
            }
            if !pending.is_empty() {
                return Err(AppError::unavailable(format!(
                    "{} jobs refused by the queue",
                    pending.len()
                )));
            }
        }
        Ok(sent)
    }
}
