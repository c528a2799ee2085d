//! A wave as the operator reads it: its summary (lists), and the report with its failed
//! accounts and audit trail, as JSON or as CSV (`Accept: text/csv`).

use lambda_http::{Body, Request, Response, http::StatusCode, http::header};
use serde_json::{Value, json};
use shop_adapters::{
    AppError,
    error::Context,
    store::waves::{FailedAccount, WaveRecord},
    web::http::{self, HttpResponse},
};
use shop_domain::{id::WaveId, migration::audit::AuditEntry};

use crate::Handler;

/// The counters of the report and the row attribute each comes from.
const COUNTERS: [(&str, &str); 7] = [
    ("imported", "n_imported"),
    ("announced", "n_announced"),
    ("reminded", "n_reminded"),
    ("moved", "n_moved"),
    ("welcomed", "n_welcomed"),
    ("failed", "n_failed"),
    ("activated", "n_activated"),
];

/// The wave, its counters and its licenses moved and skipped by reason.
pub fn summary(r: &WaveRecord) -> Value {
    let count = |name: &str| r.counters.get(name).copied().unwrap_or(0);
    let counters: serde_json::Map<String, Value> = COUNTERS
        .iter()
        .map(|(shown, stored)| ((*shown).to_owned(), json!(count(stored))))
        .collect();
    let skipped: serde_json::Map<String, Value> = r
        .counters
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("skipped_")?.to_owned(), json!(v))))
        .collect();
    json!({
        "id": r.wave.id,
        "name": r.wave.name,
        "transfer_date": r.wave.transfer_date,
        "status": r.wave.status,
        "started": r.started.is_some(),
        "created_at": r.created_at,
        "counters": counters,
        "licenses": { "moved": count("licenses_moved"), "skipped": skipped },
    })
}

fn full(r: &WaveRecord, failed: &[FailedAccount], audit: &[AuditEntry]) -> Value {
    let mut report = summary(r);
    report["failures"] = json!(failed);
    report["audit"] = json!(audit);
    report
}

/// The report as CSV rows `section,name,value,at,detail`; a cell a spreadsheet would run as a
/// formula (`=`, `+`, `-`, `@` first) is written with a leading `'`.
fn csv(report: &Value) -> Result<String, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut row = |cells: [&str; 5]| {
        let safe = cells.map(|c| {
            if c.starts_with(['=', '+', '-', '@']) {
                format!("'{c}")
            } else {
                c.to_owned()
            }
        });
        out.write_record(&safe)
    };
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    row(["section", "name", "value", "at", "detail"]).context("write csv")?;
    for key in ["id", "name", "transfer_date", "status", "started"] {
        row(["wave", key, &text(&report[key]), "", ""]).context("write csv")?;
    }
    for (name, value) in report["counters"].as_object().into_iter().flatten() {
        row(["counter", name, &text(value), "", ""]).context("write csv")?;
    }
    row([
        "licenses",
        "moved",
        &text(&report["licenses"]["moved"]),
        "",
        "",
    ])
    .context("write csv")?;
    for (reason, n) in report["licenses"]["skipped"]
        .as_object()
        .into_iter()
        .flatten()
    {
        row(["skipped", reason, &text(n), "", ""]).context("write csv")?;
    }
    for f in report["failures"].as_array().into_iter().flatten() {
        let failure = &f["failure"];
        let at = text(
            failure
                .get("at")
                .or_else(|| failure.get("instant"))
                .unwrap_or(&Value::Null),
        );
        row([
            "failure",
            &text(&f["old_id"]),
            &text(&failure["reason"]),
            &at,
            &text(failure),
        ])
        .context("write csv")?;
    }
    for a in report["audit"].as_array().into_iter().flatten() {
        let who = text(&a["operator"]["email"]);
        let detail = text(&a["details"]);
        row(["audit", &text(&a["action"]), &who, &text(&a["at"]), &detail]).context("write csv")?;
    }
    String::from_utf8(out.into_inner().context("finish csv")?).context("csv is text")
}

fn wants_csv(req: &Request) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("text/csv"))
}

impl Handler {
    pub(crate) async fn report(
        &self,
        req: &Request,
        id: &WaveId,
    ) -> Result<HttpResponse, AppError> {
        let record = self.waves.get(id).await?;
        let failed = self.waves.failed(id).await?;
        let audit = self.waves.audit(id).await?;
        let report = full(&record, &failed, &audit);
        if !wants_csv(req) {
            return http::json(StatusCode::OK, &report);
        }
        Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
            .header(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"wave-{id}.csv\""),
            )
            .header(header::CACHE_CONTROL, "no-store")
            .body(Body::Text(csv(&report)?))
            .context("build the csv answer")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_quoted() {
        let report = json!({
            "id": "w1", "name": "=HYPERLINK(\"x\")", "transfer_date": "2027-03-01",
            "status": "active", "started": false,
            "counters": {"imported": 2}, "licenses": {"moved": 0, "skipped": {"one_time": 1}},
            "failures": [{"old_id": "A-1", "failure": {"reason": "@boom", "at": "t"}}],
            "audit": [],
        });
        let text = csv(&report).unwrap();
        assert!(
            text.contains("wave,name,\"'=HYPERLINK(\"\"x\"\")\""),
            "{text}"
        );
        assert!(text.contains("skipped,one_time,1,,"), "{text}");
        assert!(text.contains("failure,A-1,'@boom,t,"), "{text}");
    }
}
