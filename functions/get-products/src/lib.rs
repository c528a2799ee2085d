//! `GET /v1/products?region=DE`: the catalog with net prices for one region.
//!
//! `region` is optional and defaults to the configured region (the seller's country), so a
//! first visit without a country still sees prices; an unknown or malformed region is a 4xx.

use lambda_http::{Request, http::StatusCode};
use serde::Serialize;
use shop_adapters::{
    AppError,
    store::catalog::CatalogRepo,
    web::http::{self, HttpResponse},
};
use shop_domain::{
    DomainError,
    catalog::{Offer, Region, offers_in},
};

mod settings;

pub use settings::Settings;

pub struct Handler {
    pub catalog: CatalogRepo,
    pub default_region: Region,
}

#[derive(Serialize)]
struct Catalog<'a> {
    region: &'a Region,
    currency: &'static str,
    products: Vec<Offer<'a>>,
}

impl Handler {
    async fn list(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let query = http::query(req, &["region"])?;
        let region = match query.get("region") {
            // Exactly two letters, as the contract's pattern says: no spaces around them.
            Some(raw) if raw.len() == 2 && raw.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Region::parse(raw)?
            }
            Some(_) => {
                return Err(DomainError::malformed(
                    "invalid_region",
                    "Region must be a two-letter country code such as DE.",
                )
                .into());
            }
            None => self.default_region.clone(),
        };
        let products = self.catalog.all().await?;
        let catalog = Catalog {
            region: &region,
            currency: "EUR",
            products: offers_in(&products, &region)?,
        };
        http::json(StatusCode::OK, &catalog)
    }
}
