//! The daily renewal job (EventBridge schedule): finds every license due today, and on the
//! days before in case a run was missed, with one query per day on the `due` index, and puts
//! one message per license on the renewal queue (ten per SQS call). The `renew` worker does
//! the rest; a license processed once is no longer due on that day, so a second run of the job
//! only sends messages the worker skips.

use std::sync::Arc;

use jiff::{Span, civil::Date};
use serde::Serialize;
use shop_adapters::{
    AppError,
    messaging::jobs::{Enqueued, JobQueue},
    store::subscriptions::SubscriptionsRepo,
};
use shop_domain::{Clock, clock::berlin_date};

mod settings;

pub use settings::Settings;
/// The renewal queue's message, shared with the `renew` worker.
pub use shop_adapters::messaging::jobs::DueJob;

pub struct Handler {
    pub subscriptions: SubscriptionsRepo,
    pub queue: JobQueue,
    pub clock: Arc<dyn Clock>,
    /// Earlier days looked at too, so a missed run is caught up.
    pub lookback_days: i64,
}

/// What a run did.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub days: Vec<Date>,
    /// Licenses put on the queue, after one query per day.
    #[serde(flatten)]
    pub enqueued: Enqueued,
}

impl Handler {
    pub async fn handle(&self) -> Result<Summary, AppError> {
        let today = berlin_date(self.clock.now());
        let days: Vec<Date> = (0..=self.lookback_days)
            .rev()
            .filter_map(|back| today.checked_sub(Span::new().days(back)).ok())
            .collect();
        let mut jobs = Vec::new();
        for day in &days {
            for id in self.subscriptions.due_on(*day).await? {
                jobs.push(DueJob {
                    subscription_id: id,
                    due_on: *day,
                });
            }
        }
        let mut enqueued = Enqueued {
            queries: days.len(),
            ..Enqueued::default()
        };
        enqueued.send(&self.queue, &jobs).await?;
        Ok(Summary { days, enqueued })
    }
}
