//! A plant's data for its owner (SPEC section 6, docs/solar.md "Plant data"):
//! `GET /v1/plants/{id}/data?from=&to=&resolution=` answers the figures of now (current AC
//! power, today's energy and revenue, total energy) and history at `5m`, `hour`, `day` or
//! `month` resolution for the plant and each inverter; as CSV with `Accept: text/csv`.
//!
//! Another account's plant is `404 plant_not_found`, as a missing one; a plant neither in its
//! trial nor licensed today is `402 license_required` with where to buy; bad parameters are
//! `422` with their code. Readings are read by key only (docs/data-model.md, "Telemetry").

use std::sync::Arc;

use lambda_http::http::header;
use rust_decimal::Decimal;
use shop_adapters::store::{plants::PlantsRepo, telemetry_history::TelemetryHistory};
use shop_adapters::web::{paths, prelude::*};
use shop_domain::{
    Clock,
    clock::berlin_date,
    solar::{
        SerialNumber, SolarSettings,
        history::{
            HistoryQuery, HistoryRange, HistorySettings, berlin_midnight, check_data_access,
        },
        series::{Point, bucket_days, bucket_readings, now_figures, plant_points},
    },
};

mod answer;
mod settings;

pub use answer::{InverterData, PlantData};
pub use settings::Settings;

pub struct Handler {
    pub guard: Guard,
    pub plants: PlantsRepo,
    pub telemetry: TelemetryHistory,
    pub clock: Arc<dyn Clock>,
    pub solar: SolarSettings,
    pub history: HistorySettings,
    pub monitoring_product: String,
}

impl Handler {
    async fn route(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.caller(req, Need::Full).await?;
        let id = paths::plant_id(req)?;
        let params = http::query(req, &["from", "to", "resolution"])?;
        let now = self.clock.now();
        let query = HistoryQuery::parse(
            params.get("resolution"),
            params.get("from"),
            params.get("to"),
            now,
            &self.history,
        )?;
        let plant = self.plants.owned(&caller.account.id, &id).await?;
        query.check_points(plant.inverters.len() + 1)?;
        check_data_access(
            &plant.history(),
            berlin_date(now),
            &self.solar,
            &self.monitoring_product,
        )?;
        let data = self.data(&plant, query).await?;
        tracing::info!(plant = %id, resolution = query.resolution.as_str(), "plant data");
        if wants_csv(req) {
            answer::csv(&data)
        } else {
            http::json(lambda_http::http::StatusCode::OK, &data)
        }
    }

    /// The figures of now and the history of the plant and each inverter.
    async fn data(
        &self,
        plant: &shop_adapters::store::plants::PlantRecord,
        query: HistoryQuery,
    ) -> Result<PlantData, AppError> {
        let now = self.clock.now();
        let serials: Vec<_> = plant.inverters.iter().map(|i| i.serial.clone()).collect();
        let latest = self.telemetry.latest(&serials).await?;
        let tariff = Decimal::from(plant.details.feed_in_tariff);
        let freshness = self.history.freshness;
        let histories = self.histories(&serials, query).await?;
        let inverters: Vec<InverterData> = plant
            .inverters
            .iter()
            .zip(&latest)
            .zip(histories)
            .map(|((inverter, latest), history)| InverterData {
                serial: inverter.serial.to_string(),
                label: inverter.label.clone(),
                now: now_figures(std::slice::from_ref(latest), now, freshness, tariff),
                history,
            })
            .collect();
        let series: Vec<Vec<Point>> = inverters.iter().map(|i| i.history.clone()).collect();
        let (from, to) = answer::bounds(query.range);
        Ok(PlantData {
            plant_id: plant.id.to_string(),
            at: now,
            resolution: query.resolution,
            from,
            to,
            feed_in_tariff: tariff,
            currency: "EUR",
            now: now_figures(&latest, now, freshness, tariff),
            history: plant_points(&series),
            inverters,
        })
    }

    /// Each inverter's buckets, in the order of `serials`, up to [`CONCURRENT_READS`] read
    /// at once (a plant may have hundreds of inverters).
    async fn histories(
        &self,
        serials: &[SerialNumber],
        query: HistoryQuery,
    ) -> Result<Vec<Vec<Point>>, AppError> {
        let mut reads = tokio::task::JoinSet::new();
        let mut histories = vec![Vec::new(); serials.len()];
        let mut next = 0;
        loop {
            while reads.len() < CONCURRENT_READS && next < serials.len() {
                let (telemetry, serial, index) =
                    (self.telemetry.clone(), serials[next].clone(), next);
                reads.spawn(async move { (index, history_of(&telemetry, &serial, query).await) });
                next += 1;
            }
            let Some(done) = reads.join_next().await else {
                return Ok(histories);
            };
            let (index, points) = done.map_err(|e| AppError::internal("read a history", e))?;
            histories[index] = points?;
        }
    }
}

/// Telemetry queries of one request in flight at once.
const CONCURRENT_READS: usize = 8;

/// One inverter's buckets: raw readings from the Berlin midnight of `from` (so the first
/// bucket's energy is counted from the reading before it), or its daily aggregates.
async fn history_of(
    telemetry: &TelemetryHistory,
    serial: &SerialNumber,
    query: HistoryQuery,
) -> Result<Vec<Point>, AppError> {
    Ok(match query.range {
        HistoryRange::Instants { from, to } => {
            let start = berlin_midnight(berlin_date(from));
            let readings = telemetry.readings(serial, start, to).await?;
            bucket_readings(&readings, query.resolution, query.range)
        }
        HistoryRange::Days { from, to } => {
            let days = telemetry.days(serial, from, to).await?;
            bucket_days(&days, query.resolution, query.range)
        }
    })
}

/// CSV when the `Accept` header names `text/csv` before any JSON type (or alone); JSON
/// otherwise, also for `*/*` and for no header.
fn wants_csv(req: &Request) -> bool {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    accept
        .split(',')
        .map(|part| part.split(';').next().unwrap_or_default().trim())
        .find(|t| matches!(*t, "text/csv" | "application/json" | "application/*"))
        .is_some_and(|t| t == "text/csv")
}
