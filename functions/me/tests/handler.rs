//! The handler driven by `events/me.json` against a fresh table on the stand-in: the profile
//! of the token's account, and the current terms accepted through the same function.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use me::{Handler, Settings};
use serde_json::json;
use shop_domain::account::model::{Account, TermsVersion};
use shop_testkit::{Answer, Sample, TestBed, customer};

/// The handler, trusting the test tokens, and a signed-up customer.
async fn setup() -> (TestBed, Handler, Account) {
    let vars = [
        &customer::jwt_vars()[..],
        &[("APP_URL", "https://app.example")],
    ]
    .concat();
    let build = |bed: &TestBed| bed.handler(&vars, Settings::from_vars, Handler::new);
    TestBed::with_customer("2026-11-22T10:00:00Z", "anna@example.de", build).await
}

#[tokio::test]
async fn the_sample_answers_the_callers_profile() {
    let (bed, h, account) = setup().await;
    let answer = bed.sample_by("me", &account).answer(&h).await;
    let body = answer.ok(200);
    assert_eq!(body["email"], "anna@example.de");
    assert!(body.get("password").is_none());
}

#[tokio::test]
async fn accepting_the_published_terms_is_stored() {
    let (bed, h, account) = setup().await;
    let accounts = bed.boot.accounts();
    let version = TermsVersion::parse("2026-10").unwrap();
    accounts.publish_terms(&version).await.unwrap();
    let accept = Sample::of("me")
        .with_route("POST /v1/me/terms", "/v1/me/terms")
        .with_bearer(&bed.token(&account))
        .with_header("content-type", "application/json")
        .with_body(&json!({"version": "2026-10"}));
    assert_eq!(accept.answer(&h).await.status, 200);
    let stored = accounts.get(&account.id).await.unwrap().unwrap();
    assert_eq!(stored.terms_accepted, Some(version));
}

#[tokio::test]
async fn the_placeholder_token_is_refused() {
    let (_bed, h, _) = setup().await;
    let answer = Answer::of(&h.handle(Sample::of("me").request()).await);
    answer.problem(401, "unauthenticated");
}

#[tokio::test]
async fn monitoring_shows_data_while_a_plant_may_show_it() {
    use shop_testkit::solar::first_activation;
    let (bed, h, account) = setup().await;
    let apps = || async {
        let sample = Sample::of("me")
            .with_route("GET /v1/me/apps", "/v1/me/apps")
            .with_bearer(&customer::token(&account, bed.now));
        let answer = sample.answer(&h).await;
        let apps = answer.ok(200)["apps"].as_array().unwrap().clone();
        let ids: Vec<&str> = apps.iter().map(|a| a["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["shop", "license-management", "monitoring"]);
        apps[2]["data"].as_bool().unwrap()
    };
    assert!(!apps().await, "no plant");
    let details =
        shop_domain::solar::check_plant(Sample::of("plants").body().as_object().unwrap()).unwrap();
    let id = shop_domain::solar::PlantId::parse("p1").unwrap();
    let plants = bed.boot.plants();
    plants
        .create(id.clone(), &account.id, details, bed.now)
        .await
        .unwrap();
    assert!(!apps().await, "no inverter, no trial");
    let activated = |day| first_activation(&bed.dynamodb, &bed.table, &id, day);
    // Day 40 of the trial is today (2026-11-22); the day after it, nothing is shown.
    activated(jiff::civil::date(2026, 10, 14)).await;
    assert!(apps().await, "day 40 of the trial");
    activated(jiff::civil::date(2026, 10, 13)).await;
    assert!(!apps().await, "day 41");
}
