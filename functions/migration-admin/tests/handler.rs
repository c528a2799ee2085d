//! The handler driven by `events/migration-admin.json` (an import chunk of two accounts, one
//! good, one with bad fields and a card number) against a fresh table on the stand-in: the
//! operator guard, the import and its idempotence, another wave's refusal, pause and resume,
//! the date move before and after the start, the report and its audit trail.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use migration_admin::{Handler, Settings};
use serde_json::{Value, json};
use shop_adapters::{
    AppError,
    store::{dynamo::string_attr, waves::WaveChange},
    web::http::gateway_request,
};
use shop_domain::{
    account::model::{Account, Role, TermsVersion},
    id::WaveId,
    migration::{
        WaveStatus,
        audit::{AuditAction, AuditEntry, Operator},
    },
};
use shop_testkit::{Answer, Sample, TestBed, customer, dynamodb::types::AttributeValue};

struct Setup {
    bed: TestBed,
    handler: Handler,
    operator: Account,
}

async fn setup() -> Setup {
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let mut operator = bed.customer("ops@license-shop.example").await;
    operator.roles.push(Role::Operator);
    let operator = bed.boot.accounts().save(&operator).await.unwrap();
    let handler = bed.handler(&customer::jwt_vars(), Settings::from_vars, Handler::new);
    Setup {
        bed,
        handler,
        operator,
    }
}

impl Setup {
    async fn send(&self, sample: Sample) -> Answer {
        sample.answer(&self.handler).await
    }

    /// `route` (`METHOD /path`) by `who` (no token when `None`), with `body` when given.
    async fn call(&self, who: Option<&Account>, route: &str, body: Option<Value>) -> Answer {
        let (method, path) = route.split_once(' ').unwrap();
        let id = path.split('/').nth(5);
        let template = id.map_or(path.to_owned(), |id| path.replace(id, "{id}"));
        let mut event = Sample::of("migration-admin")
            .with_route(&format!("{method} {template}"), path)
            .event()
            .clone();
        event["pathParameters"] = id.map_or(json!({}), |id| json!({ "id": id }));
        event["body"] = body.unwrap_or(json!({})).to_string().into();
        let headers = event["headers"].as_object_mut().unwrap();
        match who {
            Some(who) => {
                let bearer = format!("Bearer {}", customer::token(who, self.bed.now));
                headers.insert("authorization".into(), bearer.into());
            }
            None => {
                headers.remove("authorization");
            }
        }
        let request = gateway_request(&event).expect("the gateway step reads it");
        Answer::of(&self.handler.handle(request).await)
    }

    async fn wave(&self, name: &str) -> String {
        let body = json!({ "name": name, "transfer_date": "2027-03-01" });
        let created = self
            .call(
                Some(&self.operator),
                "POST /v1/admin/migration/waves",
                Some(body),
            )
            .await;
        created.ok(201)["id"].as_str().unwrap().to_owned()
    }

    async fn import(&self, wave: &str) -> Answer {
        let sample = Sample::of("migration-admin")
            .with_path_param("id", wave)
            .with_bearer(&customer::token(&self.operator, self.bed.now));
        self.send(sample).await
    }

    async fn report(&self, wave: &str) -> Value {
        let route = format!("GET /v1/admin/migration/waves/{wave}");
        self.call(Some(&self.operator), &route, None)
            .await
            .ok(200)
            .clone()
    }
}

#[tokio::test]
async fn the_sample_imports_the_good_account_and_lists_the_bad_one() {
    let s = setup().await;
    let wave = s.wave("March").await;
    let answer = s.import(&wave).await;
    let body = answer.ok(200);
    assert_eq!(
        body["counts"],
        json!({"imported": 1, "unchanged": 0, "refused": 1})
    );
    assert_eq!(
        body["imported"],
        json!([{"index": 0, "old_id": "ACC-1001"}])
    );
    let refused = &body["refused"][0];
    assert_eq!(
        (refused["index"].clone(), refused["old_id"].clone()),
        (json!(1), json!("ACC-1002"))
    );
    let codes = shop_testkit::codes(&refused["reasons"]);
    for code in [
        "invalid_email",
        "unsupported_language",
        "card_number_not_allowed",
    ] {
        assert!(codes.contains(&code), "{code} not in {codes:?}");
    }
    assert!(!body.to_string().contains("4111"), "{body}");

    let row = s
        .bed
        .item(&format!("WAVE#{wave}"), "ACCT#ACC-1001")
        .await
        .unwrap();
    assert_eq!(row["next_stage"], AttributeValue::S("announce".into()));
    assert_eq!(
        row["gsi2pk"],
        AttributeValue::S(format!("MIGRATION#{wave}#announce"))
    );
    let claim = s
        .bed
        .item("OLDACCOUNT#ACC-1001", "OLDACCOUNT")
        .await
        .unwrap();
    assert_eq!(claim["wave"], AttributeValue::S(wave.clone()));
    assert!(
        s.bed
            .item(&format!("WAVE#{wave}"), "ACCT#ACC-1002")
            .await
            .is_none()
    );
    assert_eq!(s.report(&wave).await["counters"]["imported"], 1);
}

#[tokio::test]
async fn a_second_import_changes_nothing_and_another_wave_is_refused() {
    let s = setup().await;
    let wave = s.wave("March").await;
    s.import(&wave).await.ok(200);
    let again = s.import(&wave).await;
    assert_eq!(
        again.ok(200)["unchanged"],
        json!([{"index": 0, "old_id": "ACC-1001"}])
    );
    assert_eq!(s.report(&wave).await["counters"]["imported"], 1);

    let other = s.wave("April").await;
    let refused = s.import(&other).await;
    let first = &refused.ok(200)["refused"][0];
    assert_eq!(first["reasons"][0]["code"], "in_another_wave");
    assert_eq!(s.report(&other).await["counters"]["imported"], 0);
    assert!(
        s.bed
            .item(&format!("WAVE#{other}"), "ACCT#ACC-1001")
            .await
            .is_none()
    );
}

#[tokio::test]
async fn only_operators_pass_the_guard() {
    let s = setup().await;
    let wave = s.wave("March").await;
    let customer = s.bed.customer("anna@example.de").await;
    for route in [
        "GET /v1/admin/migration/waves".to_owned(),
        "POST /v1/admin/migration/waves".to_owned(),
        format!("GET /v1/admin/migration/waves/{wave}"),
        format!("PATCH /v1/admin/migration/waves/{wave}"),
        format!("POST /v1/admin/migration/waves/{wave}/pause"),
        format!("POST /v1/admin/migration/waves/{wave}/resume"),
        format!("POST /v1/admin/migration/waves/{wave}/accounts"),
    ] {
        s.call(Some(&customer), &route, None)
            .await
            .problem(403, "operator_required");
        assert_eq!(s.call(None, &route, None).await.status, 401, "{route}");
    }
    assert_eq!(s.report(&wave).await["audit"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn pause_resume_and_the_date_move_are_audited() {
    let s = setup().await;
    let wave = s.wave("March").await;
    let op = Some(&s.operator);
    let base = format!("POST /v1/admin/migration/waves/{wave}");
    let paused = s.call(op, &format!("{base}/pause"), None).await;
    assert_eq!(paused.ok(200)["status"], "paused");
    // Pausing a paused wave is no change, and no entry.
    s.call(op, &format!("{base}/pause"), None).await.ok(200);
    let resumed = s.call(op, &format!("{base}/resume"), None).await;
    assert_eq!(resumed.ok(200)["status"], "active");

    let patch = format!("PATCH /v1/admin/migration/waves/{wave}");
    let past = json!({ "transfer_date": "2026-11-21" });
    s.call(op, &patch, Some(past))
        .await
        .problem(422, "transfer_date_in_past");
    let later = json!({ "transfer_date": "2027-04-01" });
    let moved = s.call(op, &patch, Some(later.clone())).await;
    assert_eq!(moved.ok(200)["transfer_date"], "2027-04-01");
    let extra = json!({ "transfer_date": "2027-04-02", "name": "x" });
    s.call(op, &patch, Some(extra))
        .await
        .problem(400, "invalid_body");

    // The mailer marks the wave started with its first stage; the date is fixed from then on.
    let started = string_attr("2027-02-15T06:00:00Z");
    s.bed
        .set(&format!("WAVE#{wave}"), "WAVE", "started", started)
        .await;
    let refused = s
        .call(op, &patch, Some(json!({ "transfer_date": "2027-05-01" })))
        .await;
    refused.problem(409, "wave_started");

    let report = s.report(&wave).await;
    assert_eq!(report["transfer_date"], "2027-04-01");
    // The clock stands still here, so entries of one millisecond are in no particular order.
    let mut actions: Vec<&str> = report["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "transfer_date_moved",
            "wave_created",
            "wave_paused",
            "wave_resumed"
        ]
    );
    assert_eq!(
        report["audit"][0]["operator"]["email"],
        "ops@license-shop.example"
    );
}

#[tokio::test]
async fn the_report_reads_as_csv_and_waves_list_newest_first() {
    let s = setup().await;
    let wave = s.wave("March").await;
    s.import(&wave).await.ok(200);
    let sample = Sample::of("migration-admin")
        .with_route(
            "GET /v1/admin/migration/waves/{id}",
            &format!("/v1/admin/migration/waves/{wave}"),
        )
        .with_path_param("id", &wave)
        .with_header("accept", "text/csv")
        .with_bearer(&customer::token(&s.operator, s.bed.now));
    let response = s.handler.handle(sample.request()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let lambda_http::Body::Text(csv) = response.body() else {
        panic!("a text body");
    };
    assert!(csv.starts_with("section,name,value,at,detail\n"), "{csv}");
    assert!(csv.contains("counter,imported,1,,"), "{csv}");
    assert!(
        csv.contains("audit,accounts_imported,ops@license-shop.example"),
        "{csv}"
    );

    let list = s
        .call(Some(&s.operator), "GET /v1/admin/migration/waves", None)
        .await;
    assert_eq!(list.ok(200)["waves"][0]["id"], wave.as_str());
    s.call(
        Some(&s.operator),
        "GET /v1/admin/migration/waves/nope",
        None,
    )
    .await
    .problem(404, "wave_not_found");
}

#[tokio::test]
async fn parallel_imports_of_one_account_store_it_once() {
    let s = setup().await;
    let (a, b) = (s.wave("A").await, s.wave("B").await);
    for _ in 0..3 {
        let (x, y, z) = tokio::join!(s.import(&a), s.import(&b), s.import(&a));
        let answers = [x, y, z];
        let imported: u64 = answers
            .iter()
            .map(|r| r.ok(200)["counts"]["imported"].as_u64().unwrap())
            .sum();
        assert!(imported <= 1, "{answers:?}");
    }
    let count = |r: Value| r["counters"]["imported"].as_u64().unwrap();
    let total = count(s.report(&a).await) + count(s.report(&b).await);
    assert_eq!(total, 1);
    let claim = s
        .bed
        .item("OLDACCOUNT#ACC-1001", "OLDACCOUNT")
        .await
        .unwrap();
    let AttributeValue::S(owner) = &claim["wave"] else {
        panic!("a wave id")
    };
    let rows = [&a, &b].map(|w| format!("WAVE#{w}"));
    for (wave, row) in [&a, &b].iter().zip(rows) {
        let stored = s.bed.item(&row, "ACCT#ACC-1001").await.is_some();
        assert_eq!(stored, owner == *wave, "{wave}");
    }
}

#[tokio::test]
async fn a_revoked_operator_is_refused_and_operators_are_not_asked_for_terms() {
    let s = setup().await;
    let version = TermsVersion::parse("2099-01").unwrap();
    s.bed.boot.accounts().publish_terms(&version).await.unwrap();
    let list = "GET /v1/admin/migration/waves";
    s.call(Some(&s.operator), list, None).await.ok(200);

    // The token still says operator; the account no longer does.
    let mut revoked = s.bed.account(&s.operator.id).await;
    revoked.roles.retain(|r| *r != Role::Operator);
    s.bed.boot.accounts().save(&revoked).await.unwrap();
    s.call(Some(&s.operator), list, None)
        .await
        .problem(403, "operator_required");
}

#[tokio::test]
async fn a_status_change_on_a_stale_read_changes_nothing() {
    let s = setup().await;
    let wave = s.wave("March").await;
    let waves = s.bed.boot.waves();
    let id = WaveId::parse(&wave).unwrap();
    let read = waves.get(&id).await.unwrap();
    let pause = format!("POST /v1/admin/migration/waves/{wave}/pause");
    s.call(Some(&s.operator), &pause, None).await.ok(200);
    let entry = AuditEntry {
        operator: Operator {
            id: s.operator.id.clone(),
            email: s.operator.email.clone(),
        },
        action: AuditAction::WaveResumed,
        details: json!({}),
        at: s.bed.now,
    };
    let next = read.wave.with_status(WaveStatus::Active);
    let err = waves
        .write(WaveChange::Status, &read, &next, &entry)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Domain(e) if e.code() == "concurrent_change"),
        "{err}"
    );
    let report = s.report(&wave).await;
    assert_eq!(report["status"], "paused");
    assert_eq!(report["audit"].as_array().unwrap().len(), 2);
}
