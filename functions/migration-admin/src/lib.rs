//! Migration waves for operators (SPEC section 7, docs/migration.md), every route behind the
//! operator guard (401 without a valid token, `403 operator_required` for a customer):
//! - `POST /v1/admin/migration/waves`: a wave (name, transfer date not in the past);
//! - `GET /v1/admin/migration/waves`: every wave, newest first;
//! - `GET /v1/admin/migration/waves/{id}`: the report (JSON, or CSV with `Accept: text/csv`);
//! - `PATCH /v1/admin/migration/waves/{id}`: another transfer date, while the wave has not
//!   started;
//! - `POST /v1/admin/migration/waves/{id}/pause` and `/resume`;
//! - `POST /v1/admin/migration/waves/{id}/accounts`: an import chunk of the old shop's export.
//!
//! Every change writes its audit entry (who, what, when) in the transaction of the change; an
//! import, which spans transactions, writes one entry with its counts after them.

use std::sync::Arc;

use serde_json::Value;
use shop_adapters::store::waves::{WaveRecord, WavesRepo};
use shop_adapters::web::prelude::*;
use shop_domain::{
    Clock, DomainError,
    id::WaveId,
    migration::audit::{AuditAction, AuditEntry, Operator},
};

mod import;
mod report;
mod settings;
mod waves;

pub use settings::{ImportLimits, Settings};

pub struct Handler {
    pub guard: Guard,
    pub waves: WavesRepo,
    pub clock: Arc<dyn Clock>,
    pub import: ImportLimits,
}

/// What a path below `/waves/{id}` asks for.
enum Action {
    Wave,
    Pause,
    Resume,
    Accounts,
}

impl Handler {
    async fn route(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.operator(req).await?;
        let id = req.path_parameters().first("id").map(wave_id);
        let action = action(req.raw_http_path());
        match (req.method().clone(), id, action) {
            (Method::POST, None, Some(Action::Wave)) => self.create(req, &caller).await,
            (Method::GET, None, Some(Action::Wave)) => self.list().await,
            (Method::GET, Some(id), Some(Action::Wave)) => self.report(req, &id?).await,
            (Method::PATCH, Some(id), Some(Action::Wave)) => {
                self.move_date(req, &caller, &id?).await
            }
            (Method::POST, Some(id), Some(Action::Pause)) => {
                self.set_status(&caller, &id?, false).await
            }
            (Method::POST, Some(id), Some(Action::Resume)) => {
                self.set_status(&caller, &id?, true).await
            }
            (Method::POST, Some(id), Some(Action::Accounts)) => {
                self.import(req, &caller, &id?).await
            }
            (method, _, _) => Err(DomainError::not_found(
                "route_not_found",
                format!("No route for {method} {}.", req.raw_http_path()),
            )
            .into()),
        }
    }

    /// An audit entry by the caller, now.
    fn entry(&self, caller: &Caller, action: AuditAction, details: Value) -> AuditEntry {
        AuditEntry {
            operator: Operator {
                id: caller.account.id.clone(),
                email: caller.account.email.clone(),
            },
            action,
            details,
            at: self.clock.now(),
        }
    }

    fn answer(&self, status: StatusCode, record: &WaveRecord) -> Result<HttpResponse, AppError> {
        http::json(status, &report::summary(record))
    }
}

/// The route's `{id}`; a malformed one is as unknown as a missing wave.
fn wave_id(raw: &str) -> Result<WaveId, AppError> {
    WaveId::parse(raw).map_err(|_| {
        DomainError::not_found("wave_not_found", "There is no such migration wave.").into()
    })
}

fn action(path: &str) -> Option<Action> {
    let rest = path.split_once("/waves")?.1.trim_end_matches('/');
    let last = rest.rsplit('/').next().unwrap_or_default();
    let depth = rest.split('/').filter(|s| !s.is_empty()).count();
    match (depth, last) {
        (0 | 1, _) => Some(Action::Wave),
        (2, "pause") => Some(Action::Pause),
        (2, "resume") => Some(Action::Resume),
        (2, "accounts") => Some(Action::Accounts),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_action() {
        let of = |p: &str| action(p).map(|a| a as u8);
        assert_eq!(of("/v1/admin/migration/waves"), Some(Action::Wave as u8));
        assert_eq!(of("/v1/admin/migration/waves/w1"), Some(Action::Wave as u8));
        assert_eq!(
            of("/v1/admin/migration/waves/w1/pause"),
            Some(Action::Pause as u8)
        );
        assert_eq!(
            of("/v1/admin/migration/waves/w1/accounts"),
            Some(Action::Accounts as u8)
        );
        assert_eq!(of("/v1/admin/migration/waves/w1/other"), None);
        assert_eq!(of("/v1/admin/migration/waves/w1/pause/x"), None);
    }
}
