//! The handler driven by `events/sign-in.json` against a fresh table on the stand-in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::sync::Arc;

use shop_adapters::web::auth::jwt::Scope;
use shop_domain::account::model::Account;
use shop_testkit::{Answer, Sample, TestBed, customer};
use sign_in::{Handler, Settings};

/// The handler (default password policy), signing with the test key, and the sample's
/// customer, with the sample's password.
async fn setup() -> (TestBed, Handler, Account) {
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let account = bed
        .customer(Sample::of("sign-in").body()["email"].as_str().unwrap())
        .await;
    let handler = bed.handler(&customer::signing_vars(), Settings::from_vars, Handler::new);
    (bed, handler, account)
}

/// The sample with another email and password.
fn attempt(email: &str, password: &str) -> Sample {
    let body = serde_json::json!({"email": email, "password": password});
    Sample::of("sign-in").with_body(&body)
}

async fn call(h: &Handler, sample: Sample) -> Answer {
    sample.answer(h).await
}

#[tokio::test]
async fn the_sample_event_signs_in_with_a_verifiable_token() {
    let (bed, h, account) = setup().await;
    assert_eq!(Sample::of("sign-in").body()["password"], customer::PASSWORD);
    let answer = call(&h, Sample::of("sign-in")).await;
    let body = answer.ok(200);
    assert_eq!(body["expires_in"], 900);
    let token = body["access_token"].as_str().unwrap();
    let claims = customer::verifier().verify(token, bed.now).unwrap();
    assert_eq!(
        (claims.sub.as_str(), claims.scope),
        (account.id.as_str(), Scope::Full)
    );
}

#[tokio::test]
async fn unknown_email_and_wrong_password_answer_identically() {
    let (_bed, h, account) = setup().await;
    let wrong = call(&h, attempt(account.email.as_str(), "Wrong#2026x")).await;
    let unknown = call(&h, attempt("nobody@example.de", customer::PASSWORD)).await;
    let malformed = call(&h, attempt("not an email", customer::PASSWORD)).await;
    wrong.problem(401, "invalid_credentials");
    assert_eq!(wrong, unknown);
    assert_eq!(wrong, malformed);
}

/// Parallel guesses are all counted: however many arrive at once, every one answers 401 and
/// the fifth locks the email, so the right password is refused afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_all_count_and_lock() {
    for parallel in [5, 20] {
        let (_bed, h, account) = setup().await;
        let h = Arc::new(h);
        let email = account.email.as_str().to_owned();
        let mut guesses = tokio::task::JoinSet::new();
        for _ in 0..parallel {
            let (h, email) = (Arc::clone(&h), email.clone());
            guesses.spawn(async move { call(&h, attempt(&email, "Wrong#2026x")).await });
        }
        while let Some(answer) = guesses.join_next().await {
            answer.unwrap().problem(401, "invalid_credentials");
        }
        let right = call(&h, attempt(&email, customer::PASSWORD)).await;
        assert_eq!(right.status, 401, "{parallel} parallel failures must lock");
    }
}
