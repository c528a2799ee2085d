//! The alert job (EventBridge, every 15 minutes): reads the plants with alerts on from the
//! sparse, sharded index (`gsi1pk = ALERTING#<shard>`, page by page, keys only) and puts one
//! message per plant on the alert queue, ten per SQS call, as each page arrives. The
//! `check-plant-alerts` worker decides the rest; every decision it takes is a conditional
//! write, so a second run of the job, or a message delivered twice, sends no email twice.

use serde::Serialize;
use shop_adapters::{
    AppError,
    messaging::jobs::{AlertJob, JobQueue},
    store::alerts::{AlertsRepo, SHARDS},
};

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub alerts: AlertsRepo,
    pub queue: JobQueue,
}

/// What a run did.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub plants: usize,
    pub queries: usize,
    pub sqs_calls: usize,
}

impl Handler {
    pub async fn handle(&self) -> Result<Summary, AppError> {
        let mut summary = Summary::default();
        for shard in 0..SHARDS {
            let mut start = None;
            loop {
                let (plants, next) = self.alerts.alerting_page(shard, start).await?;
                summary.queries += 1;
                summary.plants += plants.len();
                let jobs: Vec<AlertJob> = plants
                    .into_iter()
                    .map(|plant_id| AlertJob { plant_id })
                    .collect();
                summary.sqs_calls += self.queue.send_all(&jobs).await?.calls;
                match next {
                    Some(key) => start = Some(key),
                    None => break,
                }
            }
        }
        Ok(summary)
    }
}
