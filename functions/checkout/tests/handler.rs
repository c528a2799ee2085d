//! The handler driven by `events/checkout.json` against a fresh table on the stand-in and the
//! local stack's payment sandbox: a German customer buys five "alarm-team" licenses by card;
//! the order is placed with German VAT and its charge started.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use checkout::{Handler, Settings};
use serde_json::json;
use shop_adapters::{
    boot::config::Vars,
    clients::{payments::StripeClient, vies::ViesClient},
    store::orders::OrdersRepo,
};
use shop_domain::{account::model::Account, catalog::Product};
use shop_testkit::{Sample, TestBed, bed, customer};

/// The handler, trusting the test tokens and charging through the sandbox, the catalog's
/// "alarm-team" (48.00 net in DE, at least five), and a signed-up German customer.
async fn setup() -> (TestBed, Handler<StripeClient, ViesClient>, Account) {
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let queue = bed.queue().await;
    let product: Product = serde_json::from_value(json!({
        "id": "alarm-team",
        "name": {"de": "Alarmierung Team", "en": "Alerting Team", "fr": "Alertes équipe"},
        "app": "alerting",
        "billing": "subscription",
        "unit": "license",
        "min_quantity": 5,
        "prices": {"DE": {"P12M": "48.00"}}
    }))
    .unwrap();
    bed.boot.catalog().put(&product).await.unwrap();
    let owner = customer::active_account(&bed.boot.accounts(), "anna@example.de", bed.now).await;
    let own = [
        ("MAIL_QUEUE_URL", queue.as_str()),
        ("APP_URL", "https://app.example"),
        // Not asked: a German consumer has no VAT ID to check.
        ("VIES_URL", "http://127.0.0.1:9/vies"),
    ];
    let vars = [&customer::jwt_vars()[..], &bed::sandbox_vars(), &own].concat();
    let handler = Handler::new(&bed.boot, Settings::from_vars(&Vars::given(&vars)).unwrap());
    (bed, handler.unwrap(), owner)
}

fn orders(bed: &TestBed) -> OrdersRepo {
    OrdersRepo::new(bed.dynamodb.clone(), bed.table.clone())
}

#[tokio::test]
async fn the_sample_places_a_numbered_order_with_german_vat() {
    let (bed, h, owner) = setup().await;
    let sample = Sample::of("checkout").with_bearer(&customer::token(&owner, bed.now));
    let answer = sample.answer(&h).await;
    let placed = answer.ok(201);
    assert_eq!(
        placed["totals"],
        json!({"net": "240.00", "tax": "45.60", "gross": "285.60"})
    );
    assert!(placed["number"].as_str().unwrap().starts_with("ORD-2026-"));
    let stored = orders(&bed).list(&owner.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(placed["id"], stored[0].id.as_str());
    // The sample's key answers the same order again.
    let again = sample.answer(&h).await;
    assert_eq!(again.ok(201)["id"], placed["id"]);
    assert_eq!(orders(&bed).list(&owner.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn fewer_than_the_minimum_are_refused_and_nothing_is_ordered() {
    let (bed, h, owner) = setup().await;
    let sample = Sample::of("checkout")
        .with_bearer(&customer::token(&owner, bed.now))
        .with_field(
            "lines",
            json!([{"product_id": "alarm-team", "quantity": 4}]),
        );
    let answer = sample.answer(&h).await;
    answer.problem(422, "below_minimum_quantity");
    assert!(orders(&bed).list(&owner.id).await.unwrap().is_empty());
}
