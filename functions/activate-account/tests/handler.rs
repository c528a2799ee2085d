//! The handler driven by `events/activate-account.json` against a fresh table on the stand-in:
//! a moved account sets its first password from the welcome email's link, once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::sync::Arc;

use activate_account::Handler;
use jiff::Timestamp;
use serde_json::json;
use shop_adapters::{
    store::accounts::{AccountsRepo, TokenPurpose},
    web::auth::{password::PasswordHasherArgon2, settings},
};
use shop_domain::{
    account::{
        model::{Account, AccountStatus},
        password::PasswordPolicy,
    },
    clock::FixedClock,
};
use shop_testkit::{Answer, Sample, customer};

fn now() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

/// The handler, and an account whose emailed link is the sample's token.
async fn handler(sample: &Sample) -> (Handler, AccountsRepo, Account) {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    let accounts = AccountsRepo::new(client.clone(), table.clone());
    let account = customer::account_with_link(
        &accounts,
        "claire@example.fr",
        AccountStatus::PendingActivation,
        TokenPurpose::Activate,
        sample.body()["token"].as_str().unwrap(),
        now(),
    )
    .await;
    let policy = PasswordPolicy::vendor();
    let handler = Handler {
        accounts: accounts.clone(),
        failures: settings::sign_in_failures(client, table, &policy),
        hasher: PasswordHasherArgon2::new().unwrap(),
        clock: Arc::new(FixedClock(now())),
        policy,
    };
    (handler, accounts, account)
}

#[tokio::test]
async fn the_sample_sets_the_password_and_the_link_is_used_up() {
    let sample = Sample::of("activate-account");
    let (h, accounts, account) = handler(&sample).await;
    let answer = Answer::of(&h.handle(sample.request()).await);
    let body = answer.ok(200);
    assert_eq!(
        (body["id"].as_str(), body["status"].as_str()),
        (Some(account.id.as_str()), Some("active"))
    );
    let stored = accounts.get(&account.id).await.unwrap().unwrap();
    assert_eq!(stored.status, AccountStatus::Active);
    let hash = &stored.password.as_ref().unwrap().hash;
    let typed = sample.body()["password"].as_str().unwrap().to_owned();
    assert!(PasswordHasherArgon2::new().unwrap().verify(&typed, hash));
    Answer::of(&h.handle(sample.request()).await).problem(409, "link_used");
}

#[tokio::test]
async fn a_confirmation_that_differs_is_refused_and_changes_nothing() {
    let sample = Sample::of("activate-account");
    let (h, accounts, account) = handler(&sample).await;
    let typo = sample.with_field("password_confirmation", json!("Mond#2027yz"));
    let answer = Answer::of(&h.handle(typo.request()).await);
    let body = answer.problem(422, "invalid_password");
    assert_eq!(body["fields"][0]["code"], "password_mismatch");
    let stored = accounts.get(&account.id).await.unwrap().unwrap();
    assert_eq!(stored.status, account.status);
    assert_eq!(
        stored.password.map(|p| p.hash),
        account.password.map(|p| p.hash)
    );
}
