//! `POST /v1/telemetry`: an inverter posts a batch of readings (and now and then its
//! configuration) with its own credential. The whole request is checked
//! (`shop_domain::solar::telemetry`); a good one goes on the telemetry queue in one SQS call
//! and is answered `202`. Nothing is written to DynamoDB here: `store-telemetry` stores it.

use std::sync::Arc;

use lambda_http::{
    Request,
    http::{StatusCode, header},
};
use serde::Serialize;

use shop_adapters::{
    AppError,
    messaging::telemetry_queue::TelemetryQueue,
    web::{
        auth::device::DeviceAuth,
        http::{self, HttpResponse},
    },
};
use shop_domain::{
    Clock,
    solar::telemetry::{DeviceCredential, TelemetryLimits, TelemetryRequest},
};

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub auth: DeviceAuth,
    pub queue: TelemetryQueue,
    pub clock: Arc<dyn Clock>,
    pub limits: TelemetryLimits,
}

/// The answer to an accepted request: how many readings were queued.
#[derive(Debug, Serialize)]
pub struct Accepted {
    pub accepted: usize,
    pub config: bool,
}

impl Handler {
    async fn serve(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let credential = DeviceCredential::parse(header)?;
        self.auth.verify(&credential).await?;
        let body: TelemetryRequest = http::json_body(req)?;
        let batch = body.check(&credential.serial, self.clock.now(), &self.limits)?;
        self.queue.send(&batch).await?;
        tracing::info!(serial = %batch.serial, readings = batch.readings.len(), "telemetry queued");
        http::json(
            StatusCode::ACCEPTED,
            &Accepted {
                accepted: batch.readings.len(),
                config: batch.report.is_some(),
            },
        )
    }
}
