//! The handler driven by `events/change-password.json` against a fresh table on the stand-in:
//! the signed-in customer replaces the password; a wrong current one changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::sync::Arc;

use change_password::Handler;
use jiff::Timestamp;
use serde_json::json;
use shop_adapters::{
    store::accounts::AccountsRepo,
    web::auth::{password::PasswordHasherArgon2, settings},
};
use shop_domain::{
    Clock, account::model::Account, account::password::PasswordPolicy, clock::FixedClock,
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
    let policy = PasswordPolicy::vendor();
    let handler = Handler {
        guard: customer::guard(accounts.clone(), clock.clone()),
        accounts: accounts.clone(),
        failures: settings::sign_in_failures(client, table, &policy),
        hasher: PasswordHasherArgon2::new().unwrap(),
        clock,
        policy,
    };
    (handler, accounts, account)
}

async fn password_is(accounts: &AccountsRepo, account: &Account, password: &str) -> bool {
    let stored = accounts.get(&account.id).await.unwrap().unwrap();
    let hash = stored.password.unwrap().hash;
    PasswordHasherArgon2::new().unwrap().verify(password, &hash)
}

#[tokio::test]
async fn the_sample_replaces_the_password() {
    let (h, accounts, account) = handler().await;
    let sample = Sample::of("change-password").with_bearer(&customer::token(&account, now()));
    let answer = Answer::of(&h.handle(sample.request()).await);
    assert_eq!(answer.ok(200)["password_set_at"], "2026-11-22T10:00:00Z");
    let new = sample.body()["password"].as_str().unwrap().to_owned();
    assert!(password_is(&accounts, &account, &new).await);
    assert!(!password_is(&accounts, &account, customer::PASSWORD).await);
}

#[tokio::test]
async fn a_wrong_current_password_is_refused_and_changes_nothing() {
    let (h, accounts, account) = handler().await;
    let sample = Sample::of("change-password")
        .with_bearer(&customer::token(&account, now()))
        .with_field("current_password", json!("Wrong#2026x"));
    let answer = Answer::of(&h.handle(sample.request()).await);
    let body = answer.problem(422, "invalid_password");
    assert_eq!(body["fields"][0]["code"], "current_password_wrong");
    assert!(password_is(&accounts, &account, customer::PASSWORD).await);
}
