//! The handler driven by `events/subscriptions.json` against a fresh table on the stand-in: the
//! owner reads a license and turns its renewal off; nobody else sees it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::sync::Arc;

use jiff::{Timestamp, civil::date};
use serde_json::json;
use shop_adapters::store::{accounts::AccountsRepo, subscriptions::SubscriptionsRepo};
use shop_domain::{Clock, account::model::Account, clock::FixedClock, id::SubscriptionId};
use shop_testkit::{Answer, Sample, customer, license};
use subscriptions::Handler;

fn now() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

struct Setup {
    handler: Handler,
    repo: SubscriptionsRepo,
    accounts: AccountsRepo,
    owner: Account,
    id: SubscriptionId,
}

/// The handler, and the sample's license owned by a customer.
async fn setup() -> Setup {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    let accounts = AccountsRepo::new(client.clone(), table.clone());
    let repo = SubscriptionsRepo::new(client.clone(), table);
    let owner = customer::active_account(&accounts, "anna@example.de", now()).await;
    let id = Sample::of("subscriptions").event()["pathParameters"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sub = license::alarm_team(&owner, &id, 5, date(2026, 11, 1));
    license::store(&client, &repo, &sub).await;
    let clock: Arc<dyn Clock> = Arc::new(FixedClock(now()));
    let handler = Handler {
        guard: customer::guard(accounts.clone(), clock.clone()),
        subscriptions: repo.clone(),
        clock,
    };
    Setup {
        handler,
        repo,
        accounts,
        owner,
        id: sub.id,
    }
}

#[tokio::test]
async fn the_sample_shows_the_owner_the_license() {
    let s = setup().await;
    let sample = Sample::of("subscriptions").with_bearer(&customer::token(&s.owner, now()));
    let answer = Answer::of(&s.handler.handle(sample.request()).await);
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
            .with_bearer(&customer::token(&s.owner, now()))
            .with_header("content-type", "application/json")
            .with_body(&body)
    };
    let refused = Answer::of(
        &s.handler
            .handle(put(json!({"enabled": "no"})).request())
            .await,
    );
    refused.problem(400, "invalid_body");
    assert!(s.repo.get(&s.id).await.unwrap().unwrap().auto_renew);
    let off = Answer::of(
        &s.handler
            .handle(put(json!({"enabled": false})).request())
            .await,
    );
    assert_eq!(off.ok(200)["auto_renew"], false);
    assert!(!s.repo.get(&s.id).await.unwrap().unwrap().auto_renew);
}

#[tokio::test]
async fn another_customer_does_not_find_the_license() {
    let s = setup().await;
    let other = customer::active_account(&s.accounts, "ben@example.de", now()).await;
    let sample = Sample::of("subscriptions").with_bearer(&customer::token(&other, now()));
    let answer = Answer::of(&s.handler.handle(sample.request()).await);
    answer.problem(404, "subscription_not_found");
}
