//! The alert worker (SQS, one message per plant with alerts on, from `evaluate-alerts`): reads
//! the plant, its alert states and its inverters' latest states and daily aggregates, decides
//! through the domain and queues each alert and all-clear email once
//! (`shop_adapters::flows::plant_alerts`). A message that fails is retried by SQS (only that
//! message) and ends in the dead-letter queue if it keeps failing.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shop_adapters::{
    flows::plant_alerts::PlantAlertsFlow,
    messaging::jobs::{AlertJob, each_job},
};
use shop_domain::Clock;

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub alerts: PlantAlertsFlow,
    pub clock: Arc<dyn Clock>,
}

impl Handler {
    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        each_job(&event, "alert", |job: AlertJob| async move {
            let outcome = self.alerts.check(&job.plant_id, self.clock.now())
                .await
                .inspect_err(|e| tracing::warn!(plant = %job.plant_id, error = %e.report(), "plant alert check failed"))?;
            tracing::info!(plant = %job.plant_id, checked = ?outcome, "plant alerts checked");
            Ok(())
        })
        .await
    }
}
