//! `POST /v1/admin/migration/waves/{id}/accounts`: one chunk of the old shop's export. Every
//! account is validated on its own; the answer lists the imported, the unchanged (already in
//! this wave) and the refused ones with their reasons, by index and old id. A refusal never
//! repeats a card number or IBAN it found.

use std::collections::HashSet;

use lambda_http::{Request, http::StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use shop_adapters::{
    AppError,
    store::wave_import::Imported,
    web::auth::guard::Caller,
    web::http::{self, HttpResponse},
};
use shop_domain::{
    DomainError,
    error::FieldError,
    id::WaveId,
    migration::{OldAccount, audit::AuditAction},
};

use crate::Handler;

/// Most reasons listed per refused account, so no answer grows with its input.
const MAX_REASONS: usize = 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Chunk {
    accounts: Vec<Value>,
}

/// One refused account of the answer.
struct Refused {
    index: usize,
    old_id: Option<String>,
    reasons: Vec<FieldError>,
}

impl Handler {
    pub(crate) async fn import(
        &self,
        req: &Request,
        caller: &Caller,
        id: &WaveId,
    ) -> Result<HttpResponse, AppError> {
        let chunk: Chunk = http::parse_json(http::raw_body(req, self.import.max_body_bytes)?)?;
        self.check_size(&chunk)?;
        // 404 before any work; the import's own condition holds it atomically.
        self.waves.get(id).await?;
        let (valid, mut refused) = validate(&chunk.accounts);
        let accounts: Vec<OldAccount> = valid.iter().map(|(_, a)| a.clone()).collect();
        let outcomes = self.waves.import(id, &accounts, self.clock.now()).await?;
        let (mut imported, mut unchanged) = (Vec::new(), Vec::new());
        for ((index, account), outcome) in valid.iter().zip(outcomes) {
            let named = json!({ "index": index, "old_id": account.old_id });
            match outcome {
                Imported::New => imported.push(named),
                Imported::Unchanged => unchanged.push(named),
                Imported::InOtherWave => refused.push(Refused {
                    index: *index,
                    old_id: Some(account.old_id.to_string()),
                    reasons: vec![FieldError {
                        field: "old_id".into(),
                        code: "in_another_wave",
                        detail: "The account was imported into another wave.".into(),
                    }],
                }),
            }
        }
        refused.sort_by_key(|r| r.index);
        let counts = json!({
            "imported": imported.len(),
            "unchanged": unchanged.len(),
            "refused": refused.len(),
        });
        let entry = self.entry(caller, AuditAction::AccountsImported, counts.clone());
        self.waves.record(id, &entry).await?;
        tracing::info!(wave = %id, %counts, "accounts imported");
        let refused: Vec<Value> = refused.iter().map(view).collect();
        http::json(
            StatusCode::OK,
            &json!({
                "counts": counts,
                "imported": imported,
                "unchanged": unchanged,
                "refused": refused,
            }),
        )
    }

    fn check_size(&self, chunk: &Chunk) -> Result<(), DomainError> {
        let max = self.import.max_accounts;
        if chunk.accounts.len() > max {
            return Err(DomainError::TooLarge {
                code: "too_many_accounts",
                detail: format!("At most {max} accounts per request; send the rest in another."),
            });
        }
        if chunk.accounts.is_empty() {
            return Err(DomainError::invalid(
                "no_accounts",
                "The request carries no account.",
            ));
        }
        Ok(())
    }
}

/// Each record parsed on its own; an old id given twice in the request is refused the second
/// time (which record would count is not for the server to guess).
fn validate(records: &[Value]) -> (Vec<(usize, OldAccount)>, Vec<Refused>) {
    let mut valid = Vec::new();
    let mut refused = Vec::new();
    let mut seen = HashSet::new();
    for (index, record) in records.iter().enumerate() {
        match OldAccount::parse(record) {
            Ok(account) if seen.insert(account.old_id.clone()) => valid.push((index, account)),
            Ok(account) => refused.push(Refused {
                index,
                old_id: Some(account.old_id.to_string()),
                reasons: vec![FieldError {
                    field: "old_id".into(),
                    code: "duplicate_old_id",
                    detail: "An earlier account of this request has the same old id.".into(),
                }],
            }),
            Err(reasons) => refused.push(Refused {
                index,
                old_id: OldAccount::old_id_of(record),
                reasons,
            }),
        }
    }
    (valid, refused)
}

fn view(r: &Refused) -> Value {
    let reasons: Vec<Value> = r
        .reasons
        .iter()
        .take(MAX_REASONS)
        .map(|e| json!({ "field": http::excerpt(&e.field, 100), "code": e.code, "detail": e.detail }))
        .collect();
    json!({ "index": r.index, "old_id": r.old_id, "reasons": reasons })
}
