//! The answer: JSON (the figures of now, history of the plant and each inverter) or CSV (the
//! history rows, the plant's first, then each inverter's).

use jiff::Timestamp;
use lambda_http::{
    Body, Response,
    http::{StatusCode, header},
};
use rust_decimal::Decimal;
use serde::Serialize;
use shop_adapters::{AppError, error::Context, web::http::HttpResponse};
use shop_domain::solar::{
    history::{HistoryRange, Resolution},
    series::{BucketStart, Now, Point},
};

#[derive(Debug, Serialize)]
pub struct PlantData {
    pub plant_id: String,
    /// When the figures of now were taken.
    pub at: Timestamp,
    pub resolution: Resolution,
    pub from: String,
    pub to: String,
    /// EUR per kWh, what today's revenue is computed with.
    pub feed_in_tariff: Decimal,
    pub currency: &'static str,
    pub now: Now,
    pub history: Vec<Point>,
    pub inverters: Vec<InverterData>,
}

#[derive(Debug, Serialize)]
pub struct InverterData {
    pub serial: String,
    pub label: String,
    pub now: Now,
    pub history: Vec<Point>,
}

/// The range as the wire shows it: instants in UTC (`to` excluded), or Berlin dates (both
/// included).
pub fn bounds(range: HistoryRange) -> (String, String) {
    match range {
        HistoryRange::Instants { from, to } => (
            BucketStart::Instant(from).to_string(),
            BucketStart::Instant(to).to_string(),
        ),
        HistoryRange::Days { from, to } => (from.to_string(), to.to_string()),
    }
}

/// The history as CSV: `series,start,energy_wh,avg_power_w`, `series` being `plant` or an
/// inverter's serial; `avg_power_w` empty at day and month resolution.
pub fn csv(data: &PlantData) -> Result<HttpResponse, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["series", "start", "energy_wh", "avg_power_w"])
        .context("write the CSV header")?;
    let series = std::iter::once(("plant", &data.history)).chain(
        data.inverters
            .iter()
            .map(|i| (i.serial.as_str(), &i.history)),
    );
    for (name, points) in series {
        for p in points {
            let power = p.avg_power_w.map(|w| w.to_string()).unwrap_or_default();
            out.write_record([name, &p.start.to_string(), &p.energy_wh.to_string(), &power])
                .context("write a CSV row")?;
        }
    }
    let bytes = out.into_inner().context("finish the CSV")?;
    let text = String::from_utf8(bytes).context("the CSV is UTF-8")?;
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"plant-data-{}.csv\"",
                data.resolution.as_str()
            ),
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::Text(text))
        .context("build the CSV answer")
}
