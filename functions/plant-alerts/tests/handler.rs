//! The handler driven by `events/plant-alerts.json` against a fresh table on the stand-in: the
//! owner switches alerts on and reads them back, the plant enters the job's sharded index and
//! leaves it when all are off; bad fields and another owner change nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use plant_alerts::{Handler, Settings};
use serde_json::{Value, json};
use shop_adapters::store::{
    alerts::{SETTINGS_SK, alerts_pk, shard_of, shard_pk},
    dynamo::{get_item, key, text},
};
use shop_domain::{account::model::Account, solar::PlantId};
use shop_testkit::{Answer, Sample, TestBed, customer, solar};

struct Setup {
    bed: TestBed,
    handler: Handler,
    owner: Account,
    plant: PlantId,
}

async fn setup() -> Setup {
    let sample = Sample::of("plant-alerts");
    let bed = TestBed::at("2026-06-21T10:00:00Z").await;
    let owner = bed.customer("anna@example.de").await;
    let plant = solar::plant(&bed.dynamodb, &bed.table, &owner, &sample.path_param("id")).await;
    let handler = bed.handler(&customer::jwt_vars(), Settings::from_vars, Handler::new);
    Setup {
        bed,
        handler,
        owner,
        plant,
    }
}

impl Setup {
    async fn call(&self, who: &Account, method: &str, body: Option<Value>) -> Answer {
        let path = format!("/v1/plants/{}/alerts", self.plant);
        let mut sample = Sample::of("plant-alerts")
            .with_bearer(&self.bed.token(who))
            .with_route(&format!("{method} /v1/plants/{{id}}/alerts"), &path);
        if let Some(body) = body {
            sample = sample.with_body(&body);
        }
        sample.answer(&self.handler).await
    }

    /// The stored settings item, if any.
    async fn stored(&self) -> Option<shop_adapters::store::dynamo::Item> {
        let k = key(alerts_pk(&self.plant), SETTINGS_SK);
        get_item(&self.bed.dynamodb, &self.bed.table, k, "test")
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn the_owner_switches_alerts_on_and_reads_them_back() {
    let s = setup().await;
    let before = s.call(&s.owner, "GET", None).await;
    let off = before.ok(200);
    assert_eq!(
        off["no_data"],
        json!({"enabled": false, "window_minutes": 60})
    );
    assert_eq!(off["expected_yield_kwh"], Value::Null);

    let body = Sample::of("plant-alerts").body();
    let put = s.call(&s.owner, "PUT", Some(body)).await;
    assert_eq!(
        put.ok(200)["underperformance"],
        json!({"enabled": true, "percent": 20})
    );
    let read = s.call(&s.owner, "GET", None).await;
    assert_eq!(read.ok(200), put.ok(200));
    let item = s.stored().await.unwrap();
    let shard = shard_pk(shard_of(&s.plant));
    assert_eq!(text(&item, "gsi1pk"), Some(shard.as_str()));
    assert_eq!(text(&item, "gsi1sk"), Some(s.plant.as_str()));

    // Every condition off: out of the job's index, the parameters kept.
    let months: Vec<Value> = (1..=12).map(|m| json!(format!("{m}0.5"))).collect();
    let all_off =
        json!({"no_data": {"enabled": false, "window_minutes": 30}, "expected_yield_kwh": months});
    let put = s.call(&s.owner, "PUT", Some(all_off)).await;
    assert_eq!(put.ok(200)["no_data"]["window_minutes"], 30);
    assert_eq!(put.ok(200)["expected_yield_kwh"][0], "10.5");
    let item = s.stored().await.unwrap();
    assert_eq!(text(&item, "gsi1pk"), None);
}

#[tokio::test]
async fn bad_settings_and_strangers_change_nothing() {
    let s = setup().await;
    let bad = json!({"no_data": {"enabled": true, "window_minutes": 5}, "underperformance": {"enabled": 1}});
    let answer = s.call(&s.owner, "PUT", Some(bad)).await;
    let problem = answer.problem(422, "invalid_alert_settings");
    let fields = ["invalid_window_minutes", "invalid_enabled"];
    assert_eq!(shop_testkit::codes(&problem["fields"]), fields);
    assert!(s.stored().await.is_none());

    let stranger = s.bed.customer("bert@example.de").await;
    let body = Sample::of("plant-alerts").body();
    s.call(&stranger, "PUT", Some(body))
        .await
        .problem(404, "plant_not_found");
    s.call(&stranger, "GET", None)
        .await
        .problem(404, "plant_not_found");
    assert!(s.stored().await.is_none());
}
