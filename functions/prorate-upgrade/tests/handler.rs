//! The handler driven by `events/prorate-upgrade.json` against a fresh table on the stand-in
//! and the local stack's payment sandbox: the owner upgrades a license paid by card, the
//! prorated fee is charged at once and the license has the new quantity.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use prorate_upgrade::{Handler, Settings};
use serde_json::json;
use shop_adapters::clients::payments::StripeClient;
use shop_testkit::{
    Sample, bed, customer,
    license::{self, LicenseCase},
};

type Setup = LicenseCase<Handler<StripeClient>>;

/// The handler, trusting the test tokens and charging through the sandbox, and the sample's
/// license of 20 seats owned by a customer who pays by card.
async fn setup() -> Setup {
    LicenseCase::adjusted(
        "prorate-upgrade",
        20,
        license::paid_by_card,
        |bed, queue| {
            bed.handler(
                &bed::charging_vars(queue),
                Settings::from_vars,
                Handler::new,
            )
        },
    )
    .await
}

async fn quantity(s: &Setup) -> u32 {
    let sub = s.bed.license(&s.id).await;
    sub.quantity.get()
}

/// The sample's upgrade, priced without charging: 10 more seats for the rest of the term.
#[tokio::test]
async fn the_sample_upgrade_is_quoted_pro_rata() {
    let s = setup().await;
    let path = format!("/v1/subscriptions/{}/upgrade/preview", s.id);
    let sample = Sample::of("prorate-upgrade")
        .with_route("POST /v1/subscriptions/{id}/upgrade/preview", &path)
        .with_bearer(&customer::token(&s.owner, s.bed.now));
    let to = sample.body()["quantity"].as_u64().unwrap();
    let answer = sample.answer(&s.handler).await;
    let quote = answer.ok(200);
    assert_eq!(
        (quote["from"].as_u64(), quote["to"].as_u64()),
        (Some(20), Some(to))
    );
    // 2026-11-22 to 2027-10-31 of the term 2026-11-01 to 2027-10-31.
    assert_eq!(
        (
            quote["remaining_days"].as_u64(),
            quote["term_days"].as_u64()
        ),
        (Some(344), Some(365))
    );
    assert_eq!(quote["fee"]["quantity"].as_u64(), Some(to - 20));
    assert_eq!(quantity(&s).await, 20, "a preview changes nothing");
}

#[tokio::test]
async fn the_sample_upgrade_is_charged_and_applied_once() {
    let s = setup().await;
    let sample = Sample::of("prorate-upgrade").with_bearer(&customer::token(&s.owner, s.bed.now));
    let to = sample.body()["quantity"].as_u64().unwrap();
    let answer = sample.answer(&s.handler).await;
    let order = answer.ok(201);
    assert_eq!(order["status"], "confirmed");
    assert!(
        order["invoice"]["number"]
            .as_str()
            .unwrap()
            .starts_with("INV-")
    );
    assert_eq!(u64::from(quantity(&s).await), to);
    // The same key answers the same order; nothing is charged or applied twice.
    let again = sample.answer(&s.handler).await;
    assert_eq!(again.ok(201)["id"], order["id"]);
    assert_eq!(u64::from(quantity(&s).await), to);
}

#[tokio::test]
async fn a_zero_quantity_is_refused_and_changes_nothing() {
    let s = setup().await;
    let sample = Sample::of("prorate-upgrade")
        .with_bearer(&customer::token(&s.owner, s.bed.now))
        .with_field("quantity", json!(0));
    sample
        .answer(&s.handler)
        .await
        .problem(422, "invalid_quantity");
    assert_eq!(quantity(&s).await, 20);
}
