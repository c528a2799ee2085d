//! The handler driven by `events/reset-password.json` against a fresh table on the stand-in:
//! a new password from the reset link, which works once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use reset_password::Handler;
use serde_json::json;
use shop_adapters::{store::accounts::TokenPurpose, web::auth::settings::PolicySettings};
use shop_domain::account::model::{Account, AccountStatus};
use shop_testkit::{Sample, TestBed, customer};

/// When the sample link is used.
const NOW: &str = "2026-11-22T10:00:00Z";

/// The handler (default password policy), and an active account (password
/// [`customer::PASSWORD`]) whose reset link is the sample's token.
async fn setup() -> (TestBed, Handler, Account, Sample) {
    let link = (
        "claire@example.fr",
        AccountStatus::Active,
        TokenPurpose::ResetPassword,
    );
    let build = |bed: &TestBed| bed.handler(&[], PolicySettings::from_vars, Handler::new);
    TestBed::with_sample_link(NOW, "reset-password", link, build).await
}

#[tokio::test]
async fn the_sample_sets_the_password_and_the_link_is_used_up() {
    let (bed, h, account, sample) = setup().await;
    assert_eq!(sample.answer(&h).await.ok(200)["password_set_at"], NOW);
    let typed = sample.body()["password"].as_str().unwrap().to_owned();
    assert!(bed.password_is(&account, &typed).await);
    assert!(!bed.password_is(&account, customer::PASSWORD).await);
    sample.answer(&h).await.problem(409, "link_used");
}

/// The history applies to a reset too: the current password cannot come back through it.
#[tokio::test]
async fn the_current_password_is_refused_and_the_link_still_works() {
    let (bed, h, account, sample) = setup().await;
    let same = sample
        .clone()
        .with_field("password", json!(customer::PASSWORD))
        .with_field("password_confirmation", json!(customer::PASSWORD));
    let answer = same.answer(&h).await;
    let body = answer.problem(422, "invalid_password");
    assert_eq!(body["fields"][0]["code"], "password_reused");
    bed.assert_unchanged(&account).await;
    sample.answer(&h).await.ok(200);
}
