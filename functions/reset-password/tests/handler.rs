//! The handler driven by `events/reset-password.json` against a fresh table on the stand-in:
//! a new password from the reset link, which works once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use reset_password::{Handler, Settings};
use serde_json::json;
use shop_adapters::{
    boot::config::Vars, store::accounts::TokenPurpose, web::auth::password::PasswordHasherArgon2,
};
use shop_domain::account::model::{Account, AccountStatus};
use shop_testkit::{Answer, Sample, TestBed, customer};

/// The handler (default password policy), and an account whose emailed link is the sample's
/// token.
async fn setup(sample: &Sample) -> (TestBed, Handler, Account) {
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let account = customer::account_with_link(
        &bed.boot.accounts(),
        "claire@example.fr",
        AccountStatus::Active,
        TokenPurpose::ResetPassword,
        sample.body()["token"].as_str().unwrap(),
        bed.now,
    )
    .await;
    let settings = Settings::from_vars(&Vars::given(&[])).unwrap();
    let handler = Handler::new(&bed.boot, settings).unwrap();
    (bed, handler, account)
}

async fn stored(bed: &TestBed, account: &Account) -> Account {
    bed.boot.accounts().get(&account.id).await.unwrap().unwrap()
}

#[tokio::test]
async fn the_sample_sets_the_password_and_the_link_is_used_up() {
    let sample = Sample::of("reset-password");
    let (bed, h, account) = setup(&sample).await;
    let answer = Answer::of(&h.handle(sample.request()).await);
    assert_eq!(answer.ok(200)["password_set_at"], "2026-11-22T10:00:00Z");
    let after = stored(&bed, &account).await;
    assert_eq!(after.status, AccountStatus::Active);
    let typed = sample.body()["password"].as_str().unwrap().to_owned();
    let hash = after.password.unwrap().hash;
    assert!(PasswordHasherArgon2::new().unwrap().verify(&typed, &hash));
    Answer::of(&h.handle(sample.request()).await).problem(409, "link_used");
}

#[tokio::test]
async fn a_confirmation_that_differs_is_refused_and_changes_nothing() {
    let sample = Sample::of("reset-password");
    let (bed, h, account) = setup(&sample).await;
    let typo = sample.with_field("password_confirmation", json!("Mond#2027yz"));
    let answer = Answer::of(&h.handle(typo.request()).await);
    let body = answer.problem(422, "invalid_password");
    assert_eq!(body["fields"][0]["code"], "password_mismatch");
    let after = stored(&bed, &account).await;
    assert_eq!(after.status, account.status);
    assert_eq!(
        after.password.map(|p| p.hash),
        account.password.map(|p| p.hash)
    );
}
