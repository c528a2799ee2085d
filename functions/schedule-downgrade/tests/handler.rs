//! The handler driven by `events/schedule-downgrade.json` against a fresh table on the
//! stand-in: the owner schedules fewer licenses for the next term; the current term is kept.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::sync::Arc;

use jiff::{Timestamp, civil::date};
use schedule_downgrade::Handler;
use serde_json::json;
use shop_adapters::store::{accounts::AccountsRepo, subscriptions::SubscriptionsRepo};
use shop_domain::{
    Clock, account::model::Account, clock::FixedClock, id::SubscriptionId,
    subscription::Subscription,
};
use shop_testkit::{Answer, Sample, customer, license};

fn now() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

/// The handler, the repository, the owner and the sample's license of 20 seats.
async fn setup() -> (Handler, SubscriptionsRepo, Account, SubscriptionId) {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    let accounts = AccountsRepo::new(client.clone(), table.clone());
    let repo = SubscriptionsRepo::new(client.clone(), table);
    let owner = customer::active_account(&accounts, "anna@example.de", now()).await;
    let id = Sample::of("schedule-downgrade").event()["pathParameters"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sub = license::alarm_team(&owner, &id, 20, date(2026, 11, 1));
    license::store(&client, &repo, &sub).await;
    let clock: Arc<dyn Clock> = Arc::new(FixedClock(now()));
    let handler = Handler {
        guard: customer::guard(accounts, clock.clone()),
        subscriptions: repo.clone(),
        clock,
    };
    (handler, repo, owner, sub.id)
}

async fn stored(repo: &SubscriptionsRepo, id: &SubscriptionId) -> Subscription {
    repo.get(id).await.unwrap().unwrap()
}

#[tokio::test]
async fn the_sample_schedules_the_downgrade_for_the_next_term() {
    let (h, repo, owner, id) = setup().await;
    let sample = Sample::of("schedule-downgrade").with_bearer(&customer::token(&owner, now()));
    let to = sample.body()["quantity"].as_u64().unwrap();
    let answer = Answer::of(&h.handle(sample.request()).await);
    let body = answer.ok(200);
    assert_eq!(body["scheduled_change"]["quantity"].as_u64(), Some(to));
    assert_eq!(body["quantity"], 20);
    let sub = stored(&repo, &id).await;
    assert_eq!(sub.quantity.get(), 20);
    assert_eq!(
        sub.scheduled_change.map(|c| u64::from(c.quantity.get())),
        Some(to)
    );
}

#[tokio::test]
async fn a_fractional_quantity_is_refused_and_nothing_is_scheduled() {
    let (h, repo, owner, id) = setup().await;
    let sample = Sample::of("schedule-downgrade")
        .with_bearer(&customer::token(&owner, now()))
        .with_field("quantity", json!(3.5));
    Answer::of(&h.handle(sample.request()).await).problem(400, "invalid_body");
    assert!(stored(&repo, &id).await.scheduled_change.is_none());
}
