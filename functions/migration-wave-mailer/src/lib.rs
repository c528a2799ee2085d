//! The daily migration mailer (EventBridge schedule): for each wave that is not paused, and
//! each stage the domain says may run today, it pages through the sparse index of the wave's
//! accounts waiting for that stage (`MIGRATION#<wave>#<next stage>`, one Query per page, no
//! scan) and puts one message per account on the migration queue, ten per SQS call. The
//! `migrate-account` worker decides and does the rest; an account whose stage is done has left
//! the partition, so a second run the same day only finds the ones still due.

use std::sync::Arc;

use serde::Serialize;
use shop_adapters::{
    AppError,
    messaging::jobs::{Enqueued, JobQueue, MigrationJob},
    store::migration_stages::MigrationStages,
};
use shop_domain::{
    Clock,
    clock::berlin_date,
    migration::stages::{StageDays, due_partitions},
};

mod settings;

pub use settings::Settings;

/// Messages sent per SQS call.
const BATCH: usize = 10;

pub struct Handler {
    pub stages: MigrationStages,
    pub queue: JobQueue,
    pub clock: Arc<dyn Clock>,
    pub days: StageDays,
}

/// What a run did.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub waves: usize,
    pub paused: usize,
    /// Accounts put on the queue; the queries are the waves, then one per page of due accounts.
    #[serde(flatten)]
    pub enqueued: Enqueued,
}

impl Handler {
    pub async fn handle(&self) -> Result<Summary, AppError> {
        let today = berlin_date(self.clock.now());
        let mut summary = Summary {
            enqueued: Enqueued {
                queries: 1,
                ..Enqueued::default()
            },
            ..Summary::default()
        };
        let mut pending: Vec<MigrationJob> = Vec::new();
        for wave in self.stages.waves().await? {
            summary.waves += 1;
            if wave.paused {
                summary.paused += 1;
                continue;
            }
            for next in due_partitions(today, wave.transfer_date, &self.days) {
                let mut start = None;
                loop {
                    let page = self.stages.due_page(&wave.id, next, start).await?;
                    summary.enqueued.queries += 1;
                    pending.extend(page.old_ids.into_iter().map(|old_id| MigrationJob {
                        wave: wave.id.clone(),
                        old_id,
                    }));
                    // Full batches go out at once; the rest waits for the next page.
                    let full = pending.len() - pending.len() % BATCH;
                    summary.enqueued.send(&self.queue, &pending[..full]).await?;
                    pending.drain(..full);
                    start = page.next;
                    if start.is_none() {
                        break;
                    }
                }
            }
        }
        summary.enqueued.send(&self.queue, &pending).await?;
        Ok(summary)
    }
}
