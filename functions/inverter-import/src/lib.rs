//! `GET /v1/plants/{id}/inverters/import-template?format=xlsx|csv` and
//! `POST /v1/plants/{id}/inverters/import`: the plant's owner downloads the import template
//! and uploads it filled in (CSV or `.xlsx`, the content type decides). Every row is checked
//! (`shop_domain::solar::import`); the answer lists the rows added, those already in the plant
//! and every problem with its row, column and code. The file's limits are `shop_sheets`'.
//! The good rows are added as single adds are (`adding.rs`); licenses the plant then outgrows
//! end, as after a single add.

use lambda_http::{Body, Response, http::header};
use serde::Serialize;

use shop_adapters::web::{paths, prelude::*};
use shop_adapters::{error::Context, flows::power_exceeded::Adding};
use shop_domain::{
    DomainError,
    solar::{
        Ended,
        import::{ImportRow, Rejection, check_import},
    },
};
use shop_sheets::{Format, Limits};

mod adding;
mod settings;

pub use settings::Settings;

pub struct Handler {
    pub guard: Guard,
    pub adding: Adding,
    pub limits: Limits,
}

/// A row added to the plant.
#[derive(Debug, Serialize)]
pub struct Added {
    pub row: u32,
    pub serial_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// A good row whose serial number is in the plant already: importing a file again adds
/// nothing twice.
#[derive(Debug, Serialize)]
pub struct Present {
    pub row: u32,
    pub serial_number: String,
}

/// The answer of an import.
#[derive(Debug, Default, Serialize)]
pub struct Imported {
    pub added: Vec<Added>,
    pub already_in_plant: Vec<Present>,
    pub rejected: Vec<Rejection>,
    /// Licenses the plant outgrew today (by this import or earlier today), with their
    /// residual value, credited on the next license.
    pub ended_licenses: Vec<Ended>,
}

impl Handler {
    async fn serve(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.caller(req, Need::Full).await?;
        let id = paths::plant_id(req)?;
        let plant = self.adding.plants.owned(&caller.account.id, &id).await?;
        if req.method() == Method::GET {
            return template(req);
        }
        let format = Format::from_content_type(
            req.headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
        )?;
        let rows = shop_sheets::read(http::raw_body(req, usize::MAX)?, format, &self.limits)?;
        let checked = check_import(&rows)?;
        let mut answer = Imported {
            rejected: checked.rejected,
            ..Imported::default()
        };
        let (present, new): (Vec<ImportRow>, Vec<ImportRow>) = checked
            .good
            .into_iter()
            .partition(|row| plant.inverters.iter().any(|i| i.serial == row.serial));
        answer.already_in_plant = present
            .into_iter()
            .map(|r| Present {
                row: r.row,
                serial_number: r.serial.to_string(),
            })
            .collect();
        self.add_rows(&plant, new, &mut answer).await?;
        answer.rejected.sort_by_key(|r| r.row);
        tracing::info!(
            plant = %plant.id,
            added = answer.added.len(),
            present = answer.already_in_plant.len(),
            rejected = answer.rejected.len(),
            "inverter import"
        );
        http::json(StatusCode::OK, &answer)
    }
}

/// The template in the format asked for (`xlsx` when none is), as a download.
fn template(req: &Request) -> Result<HttpResponse, AppError> {
    let query = http::query(req, &["format"])?;
    let (format, bytes) = match query.get("format").unwrap_or("xlsx") {
        "xlsx" => (
            Format::Xlsx,
            shop_sheets::xlsx_template().context("write the import template")?,
        ),
        "csv" => (Format::Csv, shop_sheets::csv_template()),
        _ => {
            return Err(DomainError::malformed(
                "invalid_format",
                "The template's format is `xlsx` or `csv`.",
            )
            .into());
        }
    };
    let extension = if format == Format::Xlsx {
        "xlsx"
    } else {
        "csv"
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, format.content_type())
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"inverter-import.{extension}\""),
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::Binary(bytes))
        .context("build the template download")
}
