//! The alert worker (SQS, one message per plant with alerts on, from `evaluate-alerts`): reads
//! the plant, its alert states and its inverters' latest states and daily aggregates, decides
//! through the domain and queues each alert and all-clear email once
//! (`shop_adapters::flows::plant_alerts`). A message that fails is retried by SQS (only that
//! message) and ends in the dead-letter queue if it keeps failing.

use std::sync::Arc;

use shop_adapters::{AppError, flows::plant_alerts::PlantAlertsFlow, messaging::jobs::AlertJob};
use shop_domain::Clock;

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub alerts: PlantAlertsFlow,
    pub clock: Arc<dyn Clock>,
}

impl Handler {
    /// One plant's alerts checked, logged; `handle` (from `function!`) runs it for each message.
    async fn work(&self, job: AlertJob) -> Result<(), AppError> {
        let outcome = self.alerts.check(&job.plant_id, self.clock.now())
            .await
            .inspect_err(|e| tracing::warn!(plant = %job.plant_id, error = %e.report(), "plant alert check failed"))?;
        tracing::info!(plant = %job.plant_id, checked = ?outcome, "plant alerts checked");
        Ok(())
    }
}
