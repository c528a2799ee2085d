//! The handler driven by `events/verify-email.json` against a fresh table on the stand-in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use serde_json::json;
use shop_adapters::store::accounts::TokenPurpose;
use shop_domain::account::model::{Account, AccountStatus};
use shop_testkit::{Sample, TestBed};
use verify_email::Handler;

/// When the sample link is used.
const NOW: &str = "2026-11-22T10:00:00Z";

/// The handler, and a customer waiting for the link the sample event carries.
async fn setup() -> (TestBed, Handler, Account, Sample) {
    let waiting = AccountStatus::PendingVerification;
    let link = ("anna@example.de", waiting, TokenPurpose::VerifyEmail);
    let build = |bed: &TestBed| Handler::new(&bed.boot).expect("the handler builds");
    TestBed::with_sample_link(NOW, "verify-email", link, build).await
}

#[tokio::test]
async fn the_sample_link_activates_the_account_once() {
    let (bed, h, account, sample) = setup().await;
    bed.assert_link_activates_once(&h, &sample, &account).await;
}

#[tokio::test]
async fn a_body_without_the_token_is_refused_and_changes_nothing() {
    let (bed, h, account, sample) = setup().await;
    let wrong = sample.with_body(&json!({"link": "0000"}));
    wrong.answer(&h).await.problem(400, "invalid_body");
    bed.assert_unchanged(&account).await;
}
