//! The handler driven by `events/verify-email.json` against a fresh table on the stand-in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::json;
use shop_adapters::store::accounts::{AccountsRepo, TokenPurpose};
use shop_domain::{
    account::model::{Account, AccountStatus},
    clock::FixedClock,
};
use shop_testkit::{Answer, Sample, customer};
use verify_email::Handler;

fn now() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

/// The handler, and a customer waiting for the link the sample event carries.
async fn handler(sample: &Sample) -> (Handler, AccountsRepo, Account) {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    let accounts = AccountsRepo::new(client, table);
    let link = sample.body()["token"].as_str().unwrap().to_owned();
    let account = customer::account_with_link(
        &accounts,
        "anna@example.de",
        AccountStatus::PendingVerification,
        TokenPurpose::VerifyEmail,
        &link,
        now(),
    )
    .await;
    let handler = Handler {
        accounts: accounts.clone(),
        clock: Arc::new(FixedClock(now())),
    };
    (handler, accounts, account)
}

async fn status(accounts: &AccountsRepo, account: &Account) -> AccountStatus {
    accounts.get(&account.id).await.unwrap().unwrap().status
}

#[tokio::test]
async fn the_sample_link_activates_the_account_once() {
    let sample = Sample::of("verify-email");
    let (h, accounts, account) = handler(&sample).await;
    let answer = Answer::of(&h.handle(sample.request()).await);
    let body = answer.ok(200);
    assert_eq!(body["id"], account.id.as_str());
    assert_eq!(body["status"], "active");
    assert_eq!(status(&accounts, &account).await, AccountStatus::Active);
    Answer::of(&h.handle(sample.request()).await).problem(409, "link_used");
}

#[tokio::test]
async fn a_body_without_the_token_is_refused_and_changes_nothing() {
    let sample = Sample::of("verify-email");
    let (h, accounts, account) = handler(&sample).await;
    let wrong = sample.with_body(&json!({"link": "0000"}));
    Answer::of(&h.handle(wrong.request()).await).problem(400, "invalid_body");
    assert_eq!(
        status(&accounts, &account).await,
        AccountStatus::PendingVerification
    );
}
