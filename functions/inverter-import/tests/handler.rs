//! The handler driven by `events/inverter-import.json` against a fresh table on the stand-in:
//! the owner's plant (stored as the plants store reads it, one inverter in it) gets a CSV with
//! good and bad rows and the answer lists every row; the template downloads and reads back;
//! the limits and a wrong content type are refused with their codes. Good rows new to the plant
//! are added when the registry knows their serial and code; an unknown one is
//! `invalid_activation`, one in another plant `inverter_in_use`, and a second import adds
//! nothing twice.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use inverter_import::{Handler, Settings};
use lambda_http::Body;
use serde_json::{Value, json};
use shop_adapters::{boot::config::Vars, web::http::gateway_request};
use shop_domain::{account::model::Account, solar::check_plant};
use shop_testkit::{Answer, Sample, TestBed, customer};

const NOW: &str = "2026-11-22T10:00:00Z";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn plant_id() -> String {
    Sample::of("inverter-import").event()["pathParameters"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The sample's plant, owned by `owner`, with inverter AE-3TL-0042 in it.
async fn store_plant(bed: &TestBed, owner: &Account) {
    let details = check_plant(
        json!({"name": "Barn", "country": "DE", "postal_code": "72555", "city": "Metzingen",
            "latitude": 48.5, "longitude": 9.2, "temperature_coefficient": -0.4, "azimuth": 180,
            "tilt": 30, "module_area": 50, "feed_in_tariff": "0.08", "type": "pv"})
        .as_object()
        .unwrap(),
    )
    .unwrap();
    let s = |v: &str| AttributeValue::S(v.to_owned());
    let pk = format!("PLANT#{}", plant_id());
    let items = [
        vec![
            ("sk", s("PLANT")),
            ("plant", s(&serde_json::to_string(&details).unwrap())),
            ("account_id", s(owner.id.as_str())),
            ("version", AttributeValue::N("1".into())),
            ("first_activation", s("2026-11-01")),
        ],
        vec![
            ("sk", s("INV#AE-3TL-0042")),
            ("serial", s("AE-3TL-0042")),
            ("label", s("Roof east")),
            ("config", s(r#"{"type":"unknown"}"#)),
            ("activated_on", s("2026-11-01")),
            ("account_id", s(owner.id.as_str())),
        ],
    ];
    for item in items {
        let mut put = bed
            .dynamodb
            .put_item()
            .table_name(&bed.table)
            .item("pk", s(&pk));
        for (name, value) in item {
            put = put.item(name, value);
        }
        put.send().await.unwrap();
    }
}

async fn setup(vars: &[(&str, &str)]) -> (TestBed, Handler, String) {
    let bed = TestBed::at(NOW).await;
    let owner = customer::active_account(&bed.boot.accounts(), "anna@example.de", bed.now).await;
    store_plant(&bed, &owner).await;
    let base = shop_testkit::bed::protected_mail_vars("http://127.0.0.1:9/no-mail-is-sent-here");
    let all = [&base[..], vars].concat();
    let handler = Handler::new(&bed.boot, Settings::from_vars(&Vars::given(&all)).unwrap());
    let token = customer::token(&owner, bed.now);
    (bed, handler.unwrap(), token)
}

/// The sample with `bytes` as its body, base64-encoded as API Gateway sends a binary body.
fn upload(token: &str, content_type: &str, bytes: &[u8]) -> lambda_http::Request {
    let mut event = Sample::of("inverter-import")
        .with_bearer(token)
        .with_header("content-type", content_type)
        .event()
        .clone();
    event["body"] = base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .into();
    event["isBase64Encoded"] = true.into();
    gateway_request(&event).unwrap()
}

fn rejected(answer: &Value) -> Vec<(u64, Value, String)> {
    answer["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let code = r["code"].as_str().unwrap().to_owned();
            (r["row"].as_u64().unwrap(), r["column"].clone(), code)
        })
        .collect()
}

#[tokio::test]
async fn the_sample_lists_every_row() {
    let (_bed, h, token) = setup(&[]).await;
    let sample = Sample::of("inverter-import").with_bearer(&token);
    let answer = sample.answer(&h).await;
    let body = answer.ok(200);
    assert_eq!(body["added"], json!([]));
    assert_eq!(
        body["already_in_plant"],
        json!([{"row": 2, "serial_number": "AE-3TL-0042"}])
    );
    assert_eq!(
        rejected(body),
        vec![
            (
                3,
                json!("serial_number"),
                "invalid_serial_number".to_owned()
            ),
            (4, json!("serial_number"), "duplicate_row".to_owned()),
            (5, json!("activation_code"), "required".to_owned()),
        ]
    );
}

#[tokio::test]
async fn an_xlsx_upload_with_a_formula_and_a_new_row() {
    let (_bed, h, token) = setup(&[]).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, name) in ["Serial Number", "Activation Code"].iter().enumerate() {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    sheet.write_string(1, 0, "SN-0001").unwrap();
    sheet.write_string(1, 1, "code-1").unwrap();
    sheet.write_formula(2, 0, "=\"SN-\"&\"0002\"").unwrap();
    sheet.write_string(2, 1, "code-2").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let answer = Answer::of(&h.handle(upload(&token, XLSX, &bytes)).await);
    assert_eq!(
        rejected(answer.ok(200)),
        vec![
            (2, json!("activation_code"), "invalid_activation".to_owned()),
            (3, json!("serial_number"), "formula_not_allowed".to_owned()),
        ]
    );
}

#[tokio::test]
async fn the_template_downloads_in_both_formats_and_reads_back() {
    let (_bed, h, token) = setup(&[]).await;
    let path = format!("/v1/plants/{}/inverters/import-template", plant_id());
    for (format, content_type) in [("xlsx", XLSX), ("csv", "text/csv")] {
        let mut event = Sample::of("inverter-import")
            .with_bearer(&token)
            .with_route("GET /v1/plants/{id}/inverters/import-template", &path)
            .event()
            .clone();
        event["rawQueryString"] = format!("format={format}").into();
        event["queryStringParameters"] = json!({ "format": format });
        event.as_object_mut().unwrap().remove("body");
        let response = h.handle(gateway_request(&event).unwrap()).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], content_type);
        let disposition = response.headers()["content-disposition"].to_str().unwrap();
        assert!(
            disposition.ends_with(&format!(".{format}\"")),
            "{disposition}"
        );
        let Body::Binary(bytes) = response.body() else {
            panic!("a binary body")
        };
        let answer = Answer::of(&h.handle(upload(&token, content_type, bytes)).await);
        assert_eq!(
            rejected(answer.ok(200)),
            vec![(2, json!("activation_code"), "invalid_activation".to_owned())],
            "{format}"
        );
    }
}

#[tokio::test]
async fn limits_and_content_types_are_refused_with_their_codes() {
    let (_bed, h, token) =
        setup(&[("IMPORT_MAX_FILE_BYTES", "100"), ("IMPORT_MAX_ROWS", "2")]).await;
    let big = format!("serial_number,activation_code\n{}", "x".repeat(100));
    Answer::of(&h.handle(upload(&token, "text/csv", big.as_bytes())).await)
        .problem(413, "file_too_large");
    let rows = "serial_number,activation_code\nSN-1,a\nSN-2,b\nSN-3,c\n";
    Answer::of(&h.handle(upload(&token, "text/csv", rows.as_bytes())).await)
        .problem(422, "too_many_rows");
    Answer::of(&h.handle(upload(&token, "application/json", b"{}")).await)
        .problem(415, "unsupported_media_type");
    let header = Answer::of(&h.handle(upload(&token, "text/csv", b"serial,code\n")).await);
    assert_eq!(
        header.problem(422, "invalid_header")["fields"][0]["code"],
        "unknown_column"
    );
}

#[tokio::test]
async fn another_owners_plant_is_not_found() {
    let (bed, h, _) = setup(&[]).await;
    let other = customer::active_account(&bed.boot.accounts(), "ben@example.de", bed.now).await;
    let sample = Sample::of("inverter-import").with_bearer(&customer::token(&other, bed.now));
    sample.answer(&h).await.problem(404, "plant_not_found");
}

#[tokio::test]
async fn registered_rows_are_added_once_and_a_device_elsewhere_is_named() {
    let (bed, h, token) = setup(&[]).await;
    let devices = bed.boot.devices();
    shop_testkit::solar::device(&devices, "SN-NEW-0001", "code-1", Some(5000)).await;
    shop_testkit::solar::device(&devices, "SN-NEW-0002", "code-2", None).await;
    shop_testkit::solar::device(&devices, "SN-ELSE-0003", "code-3", Some(5000)).await;
    let other = customer::active_account(&bed.boot.accounts(), "bert@example.de", bed.now).await;
    let elsewhere = shop_testkit::solar::plant(&bed.dynamodb, &bed.table, &other, "p-else").await;
    let else_serial = shop_domain::solar::SerialNumber::parse("SN-ELSE-0003").unwrap();
    let else_device = devices.get(&else_serial).await.unwrap().unwrap();
    bed.boot
        .inverters()
        .add(
            &elsewhere,
            &other.id,
            &else_device,
            &shop_domain::solar::InverterLabel::parse("").unwrap(),
            shop_domain::clock::berlin_date(bed.now),
        )
        .await
        .unwrap();
    let csv = "serial_number,activation_code,label\nSN-NEW-0001,code-1,Roof\n\
               sn-new-0002,code-2,\nSN-ELSE-0003,code-3,\nSN-NEW-0009,code-9,\n";
    let first = Answer::of(&h.handle(upload(&token, "text/csv", csv.as_bytes())).await);
    let body = first.ok(200);
    assert_eq!(
        body["added"],
        json!([{"row": 2, "serial_number": "SN-NEW-0001", "label": "Roof"},
               {"row": 3, "serial_number": "SN-NEW-0002"}])
    );
    assert_eq!(
        rejected(body),
        vec![
            (4, json!("serial_number"), "inverter_in_use".to_owned()),
            (5, json!("activation_code"), "invalid_activation".to_owned()),
        ]
    );
    let plant = shop_domain::solar::PlantId::parse(&plant_id()).unwrap();
    let stored = bed.boot.plants().read(&plant).await.unwrap().unwrap();
    assert_eq!(
        stored.inverters.len(),
        3,
        "the one it had and the two added"
    );
    let again = Answer::of(&h.handle(upload(&token, "text/csv", csv.as_bytes())).await);
    let body = again.ok(200);
    assert_eq!(body["added"], json!([]));
    assert_eq!(
        body["already_in_plant"],
        json!([{"row": 2, "serial_number": "SN-NEW-0001"},
               {"row": 3, "serial_number": "SN-NEW-0002"}])
    );
    let stored = bed.boot.plants().read(&plant).await.unwrap().unwrap();
    assert_eq!(stored.inverters.len(), 3, "a second import adds nothing");
}
