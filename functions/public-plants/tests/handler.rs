//! The handler driven by `events/public-plants.json` against a fresh shop table and telemetry
//! table on the stand-in: only public plants whose monitoring is allowed today are listed, with
//! exactly the public keys, page by page through the cursor; bad cursors and limits are 422.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::collections::BTreeSet;

use jiff::civil::date;
use public_plants::{Handler, Settings};
use serde_json::Value;
use shop_domain::Money;
use shop_testkit::{
    Answer, Sample, TestBed, license,
    solar::{first_activation, license_row, plant},
    telemetry_rows::{curve, fresh_telemetry_table, inverter_row, make_public, put_readings},
};

struct Setup {
    handler: Handler,
    latest_a: shop_domain::solar::series::Reading,
}

async fn setup() -> Setup {
    let bed = TestBed::at("2026-11-22T11:00:00Z").await;
    let (telemetry, table) = fresh_telemetry_table(bed.boot.sdk()).await;
    let owner = bed.customer("anna@example.de").await;
    let handler = bed.handler(
        &[("TELEMETRY_TABLE", table.as_str())],
        Settings::from_vars,
        Handler::new,
    );
    let (db, t) = (&bed.dynamodb, bed.table.as_str());
    let day = date(2026, 11, 10);
    // In its trial, public, one inverter with readings.
    let trial = plant(db, t, &owner, "p-trial").await;
    first_activation(db, t, &trial, day).await;
    inverter_row(db, t, &owner, &trial, "INV-A", day).await;
    make_public(db, t, &trial, "Trialtown").await;
    let readings = curve("2026-11-22T06:00:00Z".parse().unwrap(), 60, 3000, 2_000_000);
    put_readings(&telemetry, &table, "INV-A", &readings).await;
    // Licensed, public, no readings yet.
    let licensed = plant(db, t, &owner, "p-licensed").await;
    first_activation(db, t, &licensed, date(2026, 1, 1)).await;
    inverter_row(db, t, &owner, &licensed, "INV-B", date(2026, 1, 1)).await;
    let sub = license::alarm_team(&owner, "lic-1", 1, date(2026, 11, 1));
    license_row(db, t, &licensed, &sub, 20_000, Money::from_cents(4800)).await;
    make_public(db, t, &licensed, "Licenseville").await;
    // Public, but its trial is over and it has no license.
    let lapsed = plant(db, t, &owner, "p-lapsed").await;
    first_activation(db, t, &lapsed, date(2026, 1, 1)).await;
    inverter_row(db, t, &owner, &lapsed, "INV-C", date(2026, 1, 1)).await;
    make_public(db, t, &lapsed, "Lapsedburg").await;
    // In its trial, but private.
    let private = plant(db, t, &owner, "p-private").await;
    first_activation(db, t, &private, day).await;
    inverter_row(db, t, &owner, &private, "INV-D", day).await;
    for more in ["p-more-1", "p-more-2", "p-more-3"] {
        let id = plant(db, t, &owner, more).await;
        first_activation(db, t, &id, day).await;
        make_public(db, t, &id, &format!("Town {more}")).await;
    }
    Setup {
        handler,
        latest_a: *readings.last().unwrap(),
    }
}

impl Setup {
    async fn respond(&self, query: &[(&str, &str)]) -> lambda_http::Response<lambda_http::Body> {
        let sample = Sample::of("public-plants").with_query(query);
        self.handler.handle(sample.request()).await
    }

    async fn get(&self, query: &[(&str, &str)]) -> Answer {
        Answer::of(&self.respond(query).await)
    }
}

fn cities(plants: &Value) -> Vec<String> {
    plants
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["city"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn only_public_allowed_plants_are_listed_with_only_public_keys() {
    let s = setup().await;
    let answer = s.get(&[("limit", "50")]).await;
    let body = answer.ok(200);
    let listed: BTreeSet<String> = cities(&body["plants"]).into_iter().collect();
    let expected: BTreeSet<String> = [
        "Trialtown",
        "Licenseville",
        "Town p-more-1",
        "Town p-more-2",
        "Town p-more-3",
    ]
    .map(String::from)
    .into();
    assert_eq!(listed, expected);
    assert!(body["next_cursor"].is_null());
    for plant in body["plants"].as_array().unwrap() {
        let keys: BTreeSet<&str> = plant
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from([
                "country",
                "postal_code",
                "city",
                "generator_power_kwp",
                "current_power_w",
                "today_energy_wh",
                "total_energy_wh"
            ])
        );
    }
    let trial = body["plants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["city"] == "Trialtown")
        .unwrap();
    assert_eq!(trial["country"], "DE");
    assert_eq!(trial["generator_power_kwp"], "10");
    assert_eq!(trial["current_power_w"], s.latest_a.ac_w);
    assert_eq!(trial["today_energy_wh"], s.latest_a.e_day_wh);
    assert_eq!(trial["total_energy_wh"], s.latest_a.e_total_wh);
    let text = body.to_string();
    for private in ["anna", "p-trial", "INV-A", "Roof east", "account"] {
        assert!(!text.contains(private), "{private} in {text}");
    }
}

#[tokio::test]
async fn pages_follow_the_cursor_to_the_end_once_each() {
    let s = setup().await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let mut query = vec![("limit", "2")];
        if let Some(c) = &cursor {
            query.push(("cursor", c.as_str()));
        }
        let response = s.respond(&query).await;
        assert_eq!(response.headers()["cache-control"], "public, max-age=60");
        let answer = Answer::of(&response);
        let body = answer.ok(200);
        assert!(body["plants"].as_array().unwrap().len() <= 2);
        seen.extend(cities(&body["plants"]));
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let unique: BTreeSet<_> = seen.iter().cloned().collect();
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert_eq!(unique.len(), 5, "{seen:?}");
}

#[tokio::test]
async fn bad_cursors_and_limits_are_refused() {
    let s = setup().await;
    for (query, status, code) in [
        (vec![("cursor", "v1.zz")], 422, "invalid_cursor"),
        (vec![("cursor", "PLANT#p-trial")], 422, "invalid_cursor"),
        (vec![("limit", "0")], 422, "invalid_limit"),
        (vec![("limit", "51")], 422, "invalid_limit"),
        (vec![("owner", "anna")], 400, "unknown_parameter"),
    ] {
        s.get(&query).await.problem(status, code);
    }
}
