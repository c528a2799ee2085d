//! The handler driven by `events/orders.json` against a fresh table on the stand-in: the owner
//! reads one order (here a license's renewal, placed through the order flow); nobody else
//! finds it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use jiff::civil::date;
use orders::{Handler, Settings};
use shop_adapters::clients::payments::StripeClient;
use shop_domain::{account::model::Account, order::Order};
use shop_testkit::{Sample, TestBed, bed, license};

/// The handler, trusting the test tokens, a customer, and the renewal order of their license,
/// placed (numbered, pending payment).
async fn setup() -> (TestBed, Handler<StripeClient>, Account, Order) {
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let queue = bed.queue().await;
    let owner = bed.customer("anna@example.de").await;
    let sub = license::paid_by_card(license::alarm_team(&owner, "lic-1", 5, date(2025, 11, 22)));
    bed.store_license(&sub).await;
    let placed = license::place_renewal(&bed.boot, &sub, &queue).await;
    let vars = bed::charging_vars(&queue);
    let handler = bed.handler(&vars, Settings::from_vars, Handler::new);
    (bed, handler, owner, placed)
}

#[tokio::test]
async fn the_sample_shows_the_owner_the_order() {
    let (bed, h, owner, placed) = setup().await;
    let sample = Sample::of("orders")
        .with_path_param("id", placed.id.as_str())
        .with_bearer(&bed.token(&owner));
    let answer = sample.answer(&h).await;
    let order = answer.ok(200);
    assert_eq!(order["id"], placed.id.as_str());
    assert!(order["number"].as_str().unwrap().starts_with("ORD-2026-"));
    assert_eq!(order["status"], "pending_payment");
    assert_eq!(order["lines"][0]["change"]["kind"], "renewal");
    assert_eq!(order["totals"]["gross"], "285.60");
}

#[tokio::test]
async fn another_customer_and_an_unknown_id_find_nothing() {
    let (bed, h, _, placed) = setup().await;
    let other = bed.customer("ben@example.de").await;
    let token = bed.token(&other);
    let theirs = Sample::of("orders")
        .with_path_param("id", placed.id.as_str())
        .with_bearer(&token);
    theirs.answer(&h).await.problem(404, "order_not_found");
    let unknown = Sample::of("orders").with_bearer(&token);
    unknown.answer(&h).await.problem(404, "order_not_found");
}
