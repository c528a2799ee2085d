//! The handler driven by `events/schedule-downgrade.json` against a fresh table on the
//! stand-in: the owner schedules fewer licenses for the next term; the current term is kept.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use schedule_downgrade::{Handler, Settings};
use serde_json::json;
use shop_domain::{account::model::Account, id::SubscriptionId};
use shop_testkit::{Sample, TestBed, customer};

/// The handler, trusting the test tokens, the owner and the sample's license of 20 seats.
async fn setup() -> (TestBed, Handler, Account, SubscriptionId) {
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let (owner, sub) = bed.sample_license("schedule-downgrade", 20, |s| s).await;
    let handler = bed.handler(&customer::jwt_vars(), Settings::from_vars, Handler::new);
    (bed, handler, owner, sub.id)
}

#[tokio::test]
async fn the_sample_schedules_the_downgrade_for_the_next_term() {
    let (bed, h, owner, id) = setup().await;
    let sample = bed.sample_by("schedule-downgrade", &owner);
    let to = sample.body()["quantity"].as_u64().unwrap();
    let answer = sample.answer(&h).await;
    let body = answer.ok(200);
    assert_eq!(body["scheduled_change"]["quantity"].as_u64(), Some(to));
    assert_eq!(body["quantity"], 20);
    let sub = bed.license(&id).await;
    assert_eq!(sub.quantity.get(), 20);
    assert_eq!(
        sub.scheduled_change.map(|c| u64::from(c.quantity.get())),
        Some(to)
    );
}

#[tokio::test]
async fn a_fractional_quantity_is_refused_and_nothing_is_scheduled() {
    let (bed, h, owner, id) = setup().await;
    let sample = Sample::of("schedule-downgrade")
        .with_bearer(&bed.token(&owner))
        .with_field("quantity", json!(3.5));
    sample.answer(&h).await.problem(400, "invalid_body");
    assert!(bed.license(&id).await.scheduled_change.is_none());
}
