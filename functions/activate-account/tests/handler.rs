//! The handler driven by `events/activate-account.json` against a fresh table on the stand-in:
//! a moved account sets its first password from the welcome email's link, once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use activate_account::{Handler, Settings};
use serde_json::json;
use shop_adapters::store::accounts::TokenPurpose;
use shop_domain::account::model::{Account, AccountStatus};
use shop_testkit::{Answer, Sample, TestBed};

/// The handler (default password policy), and a moved account whose welcome link is the
/// sample's token.
async fn setup(sample: &Sample) -> (TestBed, Handler, Account) {
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let token = sample.body()["token"].as_str().unwrap().to_owned();
    let pending = AccountStatus::PendingActivation;
    let account = bed
        .account_with_link("claire@example.fr", pending, TokenPurpose::Activate, &token)
        .await;
    let handler = bed.handler(&[], Settings::from_vars, Handler::new);
    (bed, handler, account)
}

#[tokio::test]
async fn the_sample_sets_the_password_and_the_link_is_used_up() {
    let sample = Sample::of("activate-account");
    let (bed, h, account) = setup(&sample).await;
    let answer = Answer::of(&h.handle(sample.request()).await);
    let body = answer.ok(200);
    assert_eq!(body["id"], account.id.as_str());
    assert_eq!(body["status"], "active");
    assert_eq!(bed.account(&account.id).await.status, AccountStatus::Active);
    let typed = sample.body()["password"].as_str().unwrap().to_owned();
    assert!(bed.password_is(&account, &typed).await);
    Answer::of(&h.handle(sample.request()).await).problem(409, "link_used");
}

#[tokio::test]
async fn a_confirmation_that_differs_is_refused_and_changes_nothing() {
    let sample = Sample::of("activate-account");
    let (bed, h, account) = setup(&sample).await;
    let typo = sample.with_field("password_confirmation", json!("Mond#2027yz"));
    let answer = Answer::of(&h.handle(typo.request()).await);
    let body = answer.problem(422, "invalid_password");
    assert_eq!(body["fields"][0]["code"], "password_mismatch");
    bed.assert_unchanged(&account).await;
}
