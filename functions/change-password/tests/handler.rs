//! The handler driven by `events/change-password.json` against a fresh table on the stand-in:
//! the signed-in customer replaces the password; a wrong current one changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use change_password::{Handler, Settings};
use serde_json::json;
use shop_adapters::{boot::config::Vars, web::auth::password::PasswordHasherArgon2};
use shop_domain::account::model::Account;
use shop_testkit::{Answer, Sample, TestBed, customer};

/// The handler (default password policy), trusting the test tokens, and a customer whose
/// password is old enough to be changed.
async fn setup() -> (TestBed, Handler, Account) {
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let account = customer::active_account(&bed.boot.accounts(), "anna@example.de", bed.now).await;
    let settings = Settings::from_vars(&Vars::given(&customer::jwt_vars())).unwrap();
    let handler = Handler::new(&bed.boot, settings).unwrap();
    (bed, handler, account)
}

async fn password_is(bed: &TestBed, account: &Account, password: &str) -> bool {
    let stored = bed.boot.accounts().get(&account.id).await.unwrap().unwrap();
    let hash = stored.password.unwrap().hash;
    PasswordHasherArgon2::new().unwrap().verify(password, &hash)
}

#[tokio::test]
async fn the_sample_replaces_the_password() {
    let (bed, h, account) = setup().await;
    let sample = Sample::of("change-password").with_bearer(&customer::token(&account, bed.now));
    let answer = Answer::of(&h.handle(sample.request()).await);
    assert_eq!(answer.ok(200)["password_set_at"], "2026-11-22T10:00:00Z");
    let new = sample.body()["password"].as_str().unwrap().to_owned();
    assert!(password_is(&bed, &account, &new).await);
    assert!(!password_is(&bed, &account, customer::PASSWORD).await);
}

#[tokio::test]
async fn a_wrong_current_password_is_refused_and_changes_nothing() {
    let (bed, h, account) = setup().await;
    let sample = Sample::of("change-password")
        .with_bearer(&customer::token(&account, bed.now))
        .with_field("current_password", json!("Wrong#2026x"));
    let answer = Answer::of(&h.handle(sample.request()).await);
    let body = answer.problem(422, "invalid_password");
    assert_eq!(body["fields"][0]["code"], "current_password_wrong");
    assert!(password_is(&bed, &account, customer::PASSWORD).await);
}
