//! The handler driven by `events/me.json` against a fresh table on the stand-in: the profile
//! of the token's account, and the current terms accepted through the same function.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::sync::Arc;

use jiff::Timestamp;
use me::Handler;
use serde_json::json;
use shop_adapters::store::{accounts::AccountsRepo, subscriptions::SubscriptionsRepo};
use shop_domain::{
    Clock,
    account::model::{Account, TermsVersion},
    clock::FixedClock,
};
use shop_testkit::{Answer, Sample, customer};

fn now() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

async fn handler() -> (Handler, AccountsRepo, Account) {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    let accounts = AccountsRepo::new(client.clone(), table.clone());
    let account = customer::active_account(&accounts, "anna@example.de", now()).await;
    let clock: Arc<dyn Clock> = Arc::new(FixedClock(now()));
    let handler = Handler {
        guard: customer::guard(accounts.clone(), clock.clone()),
        accounts: accounts.clone(),
        subscriptions: SubscriptionsRepo::new(client, table),
        clock,
        app_url: "https://app.example".into(),
    };
    (handler, accounts, account)
}

#[tokio::test]
async fn the_sample_answers_the_callers_profile() {
    let (h, _, account) = handler().await;
    let sample = Sample::of("me").with_bearer(&customer::token(&account, now()));
    let answer = Answer::of(&h.handle(sample.request()).await);
    let body = answer.ok(200);
    assert_eq!(body["email"], "anna@example.de");
    assert!(body.get("password").is_none());
}

#[tokio::test]
async fn accepting_the_published_terms_is_stored() {
    let (h, accounts, account) = handler().await;
    let version = TermsVersion::parse("2026-10").unwrap();
    accounts.publish_terms(&version).await.unwrap();
    let accept = Sample::of("me")
        .with_route("POST /v1/me/terms", "/v1/me/terms")
        .with_bearer(&customer::token(&account, now()))
        .with_header("content-type", "application/json")
        .with_body(&json!({"version": "2026-10"}));
    assert_eq!(Answer::of(&h.handle(accept.request()).await).status, 200);
    let stored = accounts.get(&account.id).await.unwrap().unwrap();
    assert_eq!(stored.terms_accepted, Some(version));
}

#[tokio::test]
async fn the_placeholder_token_is_refused() {
    let (h, _, _) = handler().await;
    let answer = Answer::of(&h.handle(Sample::of("me").request()).await);
    answer.problem(401, "unauthenticated");
}
