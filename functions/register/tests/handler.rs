//! The handler driven by `events/register.json` against a fresh table and queue on the
//! stand-in: the account is stored waiting for its email to be confirmed, and the link is sent.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use register::{Handler, Settings};
use serde_json::json;
use shop_domain::{Email, account::model::AccountStatus};
use shop_testkit::{Answer, Sample, TestBed, bed};

/// The handler (default settings) and its mail queue.
async fn setup() -> (TestBed, Handler, String) {
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let queue = bed.queue().await;
    let vars = bed::mail_vars(&queue);
    let handler = bed.handler(&vars, Settings::from_vars, Handler::new);
    (bed, handler, queue)
}

fn email() -> Email {
    Email::parse(Sample::of("register").body()["email"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn the_sample_registers_an_account_and_sends_the_validation_link() {
    let (bed, h, queue) = setup().await;
    let answer = Answer::of(&h.handle(Sample::of("register").request()).await);
    let body = answer.ok(201);
    assert_eq!(body["email"], email().as_str());
    assert_eq!(body["status"], "pending_verification");
    let stored = bed
        .boot
        .accounts()
        .find_by_email(&email())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(body["id"], stored.id.as_str());
    assert_eq!(stored.status, AccountStatus::PendingVerification);
    let mails = bed.received(&queue).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(
        (mails[0]["template"].as_str(), mails[0]["language"].as_str()),
        (Some("email_verification"), Some("de"))
    );
    let again = Answer::of(&h.handle(Sample::of("register").request()).await);
    again.problem(409, "email_taken");
}

#[tokio::test]
async fn a_registration_without_accepted_terms_is_refused_and_stores_nothing() {
    let (bed, h, queue) = setup().await;
    let refused = Sample::of("register").with_field("accept_terms", json!(false));
    let answer = refused.answer(&h).await;
    let body = answer.problem(422, "invalid_registration");
    assert_eq!(body["fields"][0]["code"], "terms_not_accepted");
    assert!(
        bed.boot
            .accounts()
            .find_by_email(&email())
            .await
            .unwrap()
            .is_none()
    );
    assert!(bed.received(&queue).await.is_empty());
}
