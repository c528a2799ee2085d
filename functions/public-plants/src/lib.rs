//! The public plant list (SPEC section 6, docs/solar.md "Public plant list"):
//! `GET /v1/public/plants?cursor=&limit=` for anyone. Each plant its owner made public and
//! whose monitoring is allowed today (trial or license) shows where it is, its power and its
//! figures of now; nothing about the owner and no plant id. Cursor pagination over the sparse
//! index; answers may be cached for a short time (`Cache-Control: public`).

use std::sync::Arc;

use jiff::SignedDuration;
use lambda_http::{
    Request,
    http::{HeaderValue, StatusCode, header},
};
use rust_decimal::Decimal;
use serde_json::json;
use shop_adapters::{
    AppError,
    error::Context,
    store::{public_plants::PublicPlants, telemetry_history::TelemetryHistory},
    web::http::{self, HttpResponse},
};
use shop_domain::{
    Clock,
    clock::berlin_date,
    solar::{
        SolarSettings, may_show_data,
        public::{PublicCursor, PublicPlant, page_limit},
        series::now_figures,
    },
};

mod settings;

pub use settings::Settings;

/// The largest page a caller may ask for.
pub const MAX_PAGE_SIZE: u32 = 50;

pub struct Handler {
    pub public: PublicPlants,
    pub telemetry: TelemetryHistory,
    pub clock: Arc<dyn Clock>,
    pub solar: SolarSettings,
    pub freshness: SignedDuration,
    pub page_size: u32,
    pub cache_control: String,
}

impl Handler {
    async fn route(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let params = http::query(req, &["cursor", "limit"])?;
        let cursor = params.get("cursor").map(PublicCursor::parse).transpose()?;
        let limit = page_limit(params.get("limit"), self.page_size, MAX_PAGE_SIZE)?;
        let page = self.public.page(cursor.as_ref(), limit).await?;
        let now = self.clock.now();
        let today = berlin_date(now);
        let shown: Vec<_> = page
            .plants
            .iter()
            .filter(|p| may_show_data(&p.history(), today, &self.solar))
            .collect();
        let serials: Vec<_> = shown
            .iter()
            .flat_map(|p| p.inverters.iter().map(|i| i.serial.clone()))
            .collect();
        let mut latest = self.telemetry.latest(&serials).await?.into_iter();
        let plants: Vec<PublicPlant> = shown
            .iter()
            .map(|p| {
                let own: Vec<_> = latest.by_ref().take(p.inverters.len()).collect();
                let figures = now_figures(&own, now, self.freshness, Decimal::ZERO);
                PublicPlant::of(&p.details, p.total_power(&self.solar), &figures)
            })
            .collect();
        tracing::info!(
            shown = plants.len(),
            read = page.plants.len(),
            "public plants"
        );
        let body = json!({
            "plants": plants,
            "next_cursor": page.next.map(|c| c.encode()),
        });
        let mut response = http::json(StatusCode::OK, &body)?;
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_str(&self.cache_control).context("the cache header")?,
        );
        Ok(response)
    }
}
