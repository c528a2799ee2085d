//! The handler driven by `events/subscriptions.json` against a fresh table on the stand-in: the
//! owner reads a license and turns its renewal off; nobody else sees it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use serde_json::json;
use shop_testkit::{Answer, Sample, customer, license::LicenseCase};
use subscriptions::{Handler, Settings};

type Setup = LicenseCase<Handler>;

/// The handler, trusting the test tokens, and the sample's license owned by a customer.
async fn setup() -> Setup {
    LicenseCase::new("subscriptions", 5, |bed, _| {
        bed.handler(&customer::jwt_vars(), Settings::from_vars, Handler::new)
    })
    .await
}

#[tokio::test]
async fn the_sample_shows_the_owner_the_license() {
    let s = setup().await;
    let sample = Sample::of("subscriptions").with_bearer(&customer::token(&s.owner, s.bed.now));
    let answer = sample.answer(&s.handler).await;
    let body = answer.ok(200);
    assert_eq!(body["id"], s.id.as_str());
    assert_eq!(
        (body["quantity"].as_u64(), body["status"].as_str()),
        (Some(5), Some("active"))
    );
    assert_eq!(body["period"]["starts_on"], "2026-11-01");
}

#[tokio::test]
async fn auto_renew_is_turned_off_and_a_bad_value_changes_nothing() {
    let s = setup().await;
    let path = format!("/v1/subscriptions/{}/auto-renew", s.id);
    let put = |body: serde_json::Value| {
        Sample::of("subscriptions")
            .with_route("PUT /v1/subscriptions/{id}/auto-renew", &path)
            .with_bearer(&customer::token(&s.owner, s.bed.now))
            .with_header("content-type", "application/json")
            .with_body(&body)
    };
    let refused = Answer::of(
        &s.handler
            .handle(put(json!({"enabled": "no"})).request())
            .await,
    );
    refused.problem(400, "invalid_body");
    assert!(s.bed.license(&s.id).await.auto_renew);
    let off = Answer::of(
        &s.handler
            .handle(put(json!({"enabled": false})).request())
            .await,
    );
    assert_eq!(off.ok(200)["auto_renew"], false);
    assert!(!s.bed.license(&s.id).await.auto_renew);
}

#[tokio::test]
async fn another_customer_does_not_find_the_license() {
    let s = setup().await;
    let other = s.bed.customer("ben@example.de").await;
    let sample = s.bed.sample_by("subscriptions", &other);
    let answer = sample.answer(&s.handler).await;
    answer.problem(404, "subscription_not_found");
}
