//! Creating, listing, pausing and resuming waves, and moving their transfer date.

use jiff::civil::Date;
use lambda_http::{Request, http::StatusCode, http::header};
use serde::Deserialize;
use serde_json::json;
use shop_adapters::{
    AppError,
    error::Context,
    store::waves::WaveChange,
    web::auth::{guard::Caller, secret_token::random_id},
    web::http::{self, HttpResponse},
};
use shop_domain::{
    account::profile::DisplayName,
    clock::berlin_date,
    id::WaveId,
    migration::{Wave, WaveStatus, audit::AuditAction},
    wire,
};

use crate::{Handler, report};

/// `POST /v1/admin/migration/waves`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewWave {
    name: DisplayName,
    #[serde(deserialize_with = "wire::date")]
    transfer_date: Date,
}

/// `PATCH /v1/admin/migration/waves/{id}`: only the date moves.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DateMove {
    #[serde(deserialize_with = "wire::date")]
    transfer_date: Date,
}

/// A form of the wave routes: a few hundred bytes, whatever the import route may take.
fn form<T: serde::de::DeserializeOwned>(req: &Request) -> Result<T, AppError> {
    Ok(http::parse_json(http::raw_body(
        req,
        http::DEFAULT_BODY_LIMIT,
    )?)?)
}

impl Handler {
    pub(crate) async fn create(
        &self,
        req: &Request,
        caller: &Caller,
    ) -> Result<HttpResponse, AppError> {
        let form: NewWave = form(req)?;
        let today = berlin_date(self.clock.now());
        let id = WaveId::parse(&random_id()?).context("a fresh wave id")?;
        let wave = Wave::planned(id, form.name, form.transfer_date, today)?;
        let details = json!({ "name": wave.name, "transfer_date": wave.transfer_date });
        let entry = self.entry(caller, AuditAction::WaveCreated, details);
        self.waves.create(&wave, &entry).await?;
        tracing::info!(wave = %wave.id, "wave created");
        let record = self.waves.get(&wave.id).await?;
        let mut answer = self.answer(StatusCode::CREATED, &record)?;
        let location = format!("/v1/admin/migration/waves/{}", wave.id);
        answer.headers_mut().insert(
            header::LOCATION,
            location.parse().context("a location header")?,
        );
        Ok(answer)
    }

    pub(crate) async fn list(&self) -> Result<HttpResponse, AppError> {
        let waves: Vec<_> = self
            .waves
            .list()
            .await?
            .iter()
            .map(report::summary)
            .collect();
        http::json(StatusCode::OK, &json!({ "waves": waves }))
    }

    pub(crate) async fn move_date(
        &self,
        req: &Request,
        caller: &Caller,
        id: &WaveId,
    ) -> Result<HttpResponse, AppError> {
        let form: DateMove = form(req)?;
        let read = self.waves.get(id).await?;
        let today = berlin_date(self.clock.now());
        let next = read
            .wave
            .moved_to(form.transfer_date, today, read.started.is_some())?;
        if next.transfer_date != read.wave.transfer_date {
            let details = json!({
                "from": read.wave.transfer_date,
                "to": next.transfer_date,
            });
            let entry = self.entry(caller, AuditAction::TransferDateMoved, details);
            self.waves
                .write(WaveChange::TransferDate, &read, &next, &entry)
                .await?;
            tracing::info!(wave = %id, "transfer date moved");
        }
        self.answer(StatusCode::OK, &self.waves.get(id).await?)
    }

    /// Pauses (`active` false) or resumes the wave; the status it has already is no change
    /// and no audit entry.
    pub(crate) async fn set_status(
        &self,
        caller: &Caller,
        id: &WaveId,
        active: bool,
    ) -> Result<HttpResponse, AppError> {
        let read = self.waves.get(id).await?;
        let (status, action) = if active {
            (WaveStatus::Active, AuditAction::WaveResumed)
        } else {
            (WaveStatus::Paused, AuditAction::WavePaused)
        };
        if read.wave.status != status {
            let next = read.wave.with_status(status);
            let entry = self.entry(caller, action, json!({}));
            self.waves
                .write(WaveChange::Status, &read, &next, &entry)
                .await?;
            tracing::info!(wave = %id, status = status.as_str(), "wave status changed");
        }
        self.answer(StatusCode::OK, &self.waves.get(id).await?)
    }
}
