//! The handler driven by `events/change-password.json` against a fresh table on the stand-in:
//! the signed-in customer replaces the password; a wrong current one changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use change_password::{Handler, Settings};
use serde_json::json;
use shop_domain::account::model::Account;
use shop_testkit::{Sample, TestBed, customer};

/// The handler (default password policy), trusting the test tokens, and a customer whose
/// password is old enough to be changed.
async fn setup() -> (TestBed, Handler, Account) {
    let build =
        |bed: &TestBed| bed.handler(&customer::jwt_vars(), Settings::from_vars, Handler::new);
    TestBed::with_customer("2026-11-22T10:00:00Z", "anna@example.de", build).await
}

#[tokio::test]
async fn the_sample_replaces_the_password() {
    let (bed, h, account) = setup().await;
    let sample = bed.sample_by("change-password", &account);
    let answer = sample.answer(&h).await;
    assert_eq!(answer.ok(200)["password_set_at"], "2026-11-22T10:00:00Z");
    let new = sample.body()["password"].as_str().unwrap().to_owned();
    assert!(bed.password_is(&account, &new).await);
    assert!(!bed.password_is(&account, customer::PASSWORD).await);
}

#[tokio::test]
async fn a_wrong_current_password_is_refused_and_changes_nothing() {
    let (bed, h, account) = setup().await;
    let sample = Sample::of("change-password")
        .with_bearer(&bed.token(&account))
        .with_field("current_password", json!("Wrong#2026x"));
    let answer = sample.answer(&h).await;
    let body = answer.problem(422, "invalid_password");
    assert_eq!(body["fields"][0]["code"], "current_password_wrong");
    bed.assert_unchanged(&account).await;
}
