//! The handler driven by `events/plants.json` against a fresh table on the stand-in: a plant
//! created, read, changed and deleted by its owner; bad fields, a consumer abroad and another
//! account change nothing; a license keeps the plant; stale versions are refused.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use plants::{Handler, Settings};
use serde_json::{Value, json};
use shop_adapters::{
    boot::config::Vars,
    store::dynamo::{number_attr, string_attr},
    web::http::gateway_request,
};
use shop_domain::{
    account::{
        model::Account,
        profile::{Country, DisplayName},
    },
    solar::PlantId,
};
use shop_testkit::{Answer, Sample, TestBed, customer, dynamodb::types::AttributeValue};

struct Setup {
    bed: TestBed,
    handler: Handler,
    owner: Account,
}

async fn setup() -> Setup {
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let owner = customer::active_account(&bed.boot.accounts(), "anna@example.de", bed.now).await;
    let settings = Settings::from_vars(&Vars::given(&customer::jwt_vars())).unwrap();
    let handler = Handler::new(&bed.boot, settings).expect("the handler builds");
    Setup {
        bed,
        handler,
        owner,
    }
}

impl Setup {
    /// `method` on `/v1/plants[/{id}]` by `who`, with `body` when given.
    async fn call(
        &self,
        who: &Account,
        method: &str,
        id: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut event = Sample::of("plants")
            .with_bearer(&customer::token(who, self.bed.now))
            .event()
            .clone();
        let (route, path) = match id {
            Some(id) => (
                format!("{method} /v1/plants/{{id}}"),
                format!("/v1/plants/{id}"),
            ),
            None => (format!("{method} /v1/plants"), "/v1/plants".to_owned()),
        };
        event["routeKey"] = route.clone().into();
        event["requestContext"]["routeKey"] = route.into();
        event["requestContext"]["http"]["method"] = method.into();
        event["requestContext"]["http"]["path"] = path.clone().into();
        event["rawPath"] = path.into();
        if let Some(id) = id {
            event["pathParameters"] = json!({ "id": id });
        }
        match body {
            Some(body) => event["body"] = body.to_string().into(),
            None => {
                event.as_object_mut().unwrap().remove("body");
            }
        }
        let request = gateway_request(&event).expect("the gateway step reads it");
        Answer::of(&self.handler.handle(request).await)
    }

    async fn create(&self) -> String {
        let body = Sample::of("plants").body();
        let created = self.call(&self.owner, "POST", None, Some(body)).await;
        created.ok(201)["id"].as_str().unwrap().to_owned()
    }

    async fn listed(&self) -> Vec<Value> {
        let list = self.call(&self.owner, "GET", None, None).await;
        list.ok(200)["plants"].as_array().unwrap().clone()
    }

    async fn put_row(&self, item: &[(&str, &str)]) {
        let mut put = self.bed.dynamodb.put_item().table_name(&self.bed.table);
        for (name, value) in item {
            put = put.item(*name, AttributeValue::S((*value).to_owned()));
        }
        put.send().await.unwrap();
    }
}

#[tokio::test]
async fn the_sample_creates_a_plant_the_owner_reads_and_lists() {
    let s = setup().await;
    let sample = Sample::of("plants").with_bearer(&customer::token(&s.owner, s.bed.now));
    let answer = sample.answer(&s.handler).await;
    let body = answer.ok(201).clone();
    assert_eq!(body["latitude"], "47.999");
    assert_eq!(body["postal_code"], "79098");
    assert_eq!(body["total_nominal_power_w"], 0);
    assert_eq!(body["monitoring"], json!({"state": "no_inverters"}));
    assert_eq!(
        (body["inverters"].clone(), body["licenses"].clone()),
        (json!([]), json!([]))
    );
    let id = body["id"].as_str().unwrap();
    let read = s.call(&s.owner, "GET", Some(id), None).await;
    assert_eq!(read.ok(200), &body);
    assert_eq!(s.listed().await, vec![body.clone()]);
    let stored = s.bed.item(&format!("PLANT#{id}"), "PLANT").await.unwrap();
    assert!(
        !stored.contains_key("gsi2pk"),
        "private unless said otherwise"
    );
}

#[tokio::test]
async fn every_bad_field_is_listed_and_nothing_is_written() {
    let s = setup().await;
    let body = Sample::of("plants")
        .body()
        .as_object()
        .cloned()
        .map(|mut b| {
            b.insert("latitude".into(), json!(91));
            b.insert("tilt".into(), json!("-1"));
            b.insert("colour".into(), json!("red"));
            Value::Object(b)
        })
        .unwrap();
    let refused = s.call(&s.owner, "POST", None, Some(body)).await;
    let problem = refused.problem(422, "invalid_plant");
    let fields = ["unknown_field", "invalid_latitude", "invalid_tilt"];
    assert_eq!(shop_testkit::codes(&problem["fields"]), fields);
    let array = s.call(&s.owner, "POST", None, Some(json!([1, 2]))).await;
    array.problem(400, "invalid_body");
    assert!(s.listed().await.is_empty());
}

#[tokio::test]
async fn a_consumer_outside_germany_is_refused_a_business_is_not() {
    let s = setup().await;
    let accounts = s.bed.boot.accounts();
    let abroad = Account {
        country: Country::parse("AT").unwrap(),
        ..s.owner.clone()
    };
    let abroad = accounts.save(&abroad).await.unwrap();
    let body = Some(Sample::of("plants").body());
    let refused = s.call(&abroad, "POST", None, body.clone()).await;
    refused.problem(403, "monitoring_consumers_germany_only");
    assert!(s.listed().await.is_empty());
    let business = Account {
        company: Some(DisplayName::parse("Hof Berger GmbH").unwrap()),
        ..abroad
    };
    let business = accounts.save(&business).await.unwrap();
    s.call(&business, "POST", None, body).await.ok(201);
}

#[tokio::test]
async fn a_patch_is_checked_whole_and_the_public_flag_sets_the_index() {
    let s = setup().await;
    let id = s.create().await;
    let to_austria = s
        .call(&s.owner, "PATCH", Some(&id), Some(json!({"country": "AT"})))
        .await;
    let problem = to_austria.problem(422, "invalid_plant");
    assert_eq!(problem["fields"][0]["code"], "invalid_postal_code");
    let public = s
        .call(
            &s.owner,
            "PATCH",
            Some(&id),
            Some(json!({"public": true, "description": null})),
        )
        .await;
    let body = public.ok(200);
    assert_eq!(
        (body["public"].clone(), body["description"].clone()),
        (json!(true), json!(""))
    );
    let stored = s.bed.item(&format!("PLANT#{id}"), "PLANT").await.unwrap();
    assert_eq!(stored["gsi2pk"].as_s().unwrap(), "PUBLIC_PLANTS");
    assert_eq!(stored["gsi2sk"].as_s().unwrap(), &id);
    assert_eq!(stored["version"].as_n().unwrap(), "2");
    s.call(&s.owner, "PATCH", Some(&id), Some(json!({"public": false})))
        .await
        .ok(200);
    let stored = s.bed.item(&format!("PLANT#{id}"), "PLANT").await.unwrap();
    assert!(!stored.contains_key("gsi2pk") && !stored.contains_key("gsi2sk"));
}

#[tokio::test]
async fn another_account_finds_no_plant_and_changes_nothing() {
    let s = setup().await;
    let id = s.create().await;
    let other = customer::active_account(&s.bed.boot.accounts(), "ben@example.de", s.bed.now).await;
    for (method, body) in [
        ("GET", None),
        ("PATCH", Some(json!({"name": "Mine"}))),
        ("DELETE", None),
    ] {
        s.call(&other, method, Some(&id), body)
            .await
            .problem(404, "plant_not_found");
    }
    s.call(&other, "GET", Some("no such id!"), None)
        .await
        .problem(404, "plant_not_found");
    let read = s.call(&s.owner, "GET", Some(&id), None).await;
    assert_eq!(read.ok(200)["name"], "Scheune Süd");
}

#[tokio::test]
async fn a_running_license_keeps_the_plant_and_deletion_frees_its_devices() {
    let s = setup().await;
    let id = s.create().await;
    let pk = format!("PLANT#{id}");
    s.put_row(&[
        ("pk", &pk),
        ("sk", "INV#AE-0001"),
        ("serial", "AE-0001"),
        ("label", "Dach"),
        ("config", r#"{"type":"unknown"}"#),
        ("activated_on", "2026-11-01"),
        ("account_id", s.owner.id.as_str()),
    ])
    .await;
    s.put_row(&[
        ("pk", "DEVICE#AE-0001"),
        ("sk", "DEVICE"),
        ("serial", "AE-0001"),
        ("plant_id", &id),
        ("account_id", s.owner.id.as_str()),
        ("code_hash", "x"),
    ])
    .await;
    s.put_row(&[
        ("pk", &pk),
        ("sk", "LICENSE#lic1"),
        ("subscription_id", "lic1"),
        ("starts_on", "2026-11-01"),
        ("ends_on", "2027-10-31"),
        ("net", "96.00"),
    ])
    .await;
    let license = "LICENSE#lic1";
    s.bed.set(&pk, license, "power_w", number_attr(20000)).await;
    let shown = s.call(&s.owner, "GET", Some(&id), None).await;
    let body = shown.ok(200);
    assert_eq!(
        body["monitoring"],
        json!({"state": "licensed", "until": "2027-10-31"})
    );
    assert_eq!(body["total_nominal_power_w"], 20000);
    assert_eq!(body["inverters"][0]["counted_power_w"], 20000);
    let refused = s.call(&s.owner, "DELETE", Some(&id), None).await;
    assert!(
        refused.problem(409, "plant_licensed")["detail"]
            .as_str()
            .unwrap()
            .contains("2027-10-31")
    );
    // The license ended by power yesterday: nothing runs any more.
    s.bed
        .set(&pk, license, "ended_on", string_attr("2026-11-21"))
        .await;
    let deleted = s.call(&s.owner, "DELETE", Some(&id), None).await;
    assert_eq!(deleted.status, 204);
    for sk in ["PLANT", "INV#AE-0001", "LICENSE#lic1"] {
        assert!(s.bed.item(&pk, sk).await.is_none(), "{sk} is gone");
    }
    let device = s.bed.item("DEVICE#AE-0001", "DEVICE").await.unwrap();
    assert!(!device.contains_key("plant_id") && !device.contains_key("account_id"));
    assert_eq!(device["code_hash"].as_s().unwrap(), "x");
    s.call(&s.owner, "GET", Some(&id), None)
        .await
        .problem(404, "plant_not_found");
}

#[tokio::test]
async fn writes_on_a_stale_version_are_refused() {
    let s = setup().await;
    let id = PlantId::parse(&s.create().await).unwrap();
    let repo = s.bed.boot.plants();
    let read = repo.owned(&s.owner.id, &id).await.unwrap();
    let patch = json!({"name": "Neu"});
    let next = read.with_details(read.details.patched(patch.as_object().unwrap()).unwrap());
    repo.save_details(&next, read.version).await.unwrap();
    let err = repo.save_details(&next, read.version).await.unwrap_err();
    assert!(format!("{err:?}").contains("concurrent_change"), "{err:?}");
    let err = repo.delete(&read).await.unwrap_err();
    assert!(format!("{err:?}").contains("concurrent_change"), "{err:?}");
    assert_eq!(
        repo.owned(&s.owner.id, &id)
            .await
            .unwrap()
            .details
            .name
            .as_str(),
        "Neu"
    );
}

#[tokio::test]
async fn a_plant_with_more_inverters_than_a_transaction_holds_is_deleted_in_steps() {
    let s = setup().await;
    let id = s.create().await;
    let pk = format!("PLANT#{id}");
    for n in 0..60 {
        let serial = format!("AE-{n:04}");
        let sk = format!("INV#{serial}");
        let device = format!("DEVICE#{serial}");
        s.put_row(&[
            ("pk", &pk),
            ("sk", &sk),
            ("serial", &serial),
            ("label", ""),
            ("config", r#"{"type":"SMA-10","nominal_power_w":10000}"#),
            ("activated_on", "2026-11-01"),
        ])
        .await;
        s.put_row(&[
            ("pk", &device),
            ("sk", "DEVICE"),
            ("serial", &serial),
            ("plant_id", &id),
            ("account_id", s.owner.id.as_str()),
        ])
        .await;
    }
    let shown = s.call(&s.owner, "GET", Some(&id), None).await;
    assert_eq!(shown.ok(200)["total_nominal_power_w"], 600_000);
    assert_eq!(
        s.call(&s.owner, "DELETE", Some(&id), None).await.status,
        204
    );
    assert_eq!(s.bed.count_under(&pk).await, 0);
    for n in [0, 47, 48, 59] {
        let device = s
            .bed
            .item(&format!("DEVICE#AE-{n:04}"), "DEVICE")
            .await
            .unwrap();
        assert!(!device.contains_key("plant_id"), "device {n} is free");
    }
}
