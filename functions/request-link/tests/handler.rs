//! The handler driven by `events/request-link.json` against a fresh table and queue on the
//! stand-in: a moved account gets a fresh activation link, an unknown address the same answer
//! and no mail, and requests are limited per address and hour.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use request_link::{Handler, Settings};
use serde_json::json;
use shop_adapters::store::accounts::TokenPurpose;
use shop_domain::account::model::AccountStatus;
use shop_testkit::{Sample, TestBed, bed, customer};

/// The handler (default settings: three links an hour), its mail queue, and the sample's
/// address waiting for activation.
async fn setup() -> (TestBed, Handler, String) {
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let queue = bed.queue().await;
    let email = Sample::of("request-link").body()["email"].clone();
    customer::account_with_link(
        &bed.boot.accounts(),
        email.as_str().unwrap(),
        AccountStatus::PendingActivation,
        TokenPurpose::Activate,
        "the-welcome-link",
        bed.now,
    )
    .await;
    let vars = bed::mail_vars(&queue);
    let handler = bed.handler(&vars, Settings::from_vars, Handler::new);
    (bed, handler, queue)
}

#[tokio::test]
async fn the_sample_sends_a_fresh_activation_link_and_unknown_addresses_hear_the_same() {
    let (bed, h, queue) = setup().await;
    let sample = Sample::of("request-link");
    let known = sample.answer(&h).await;
    assert!(
        known.ok(202)["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    let mails = bed.received(&queue).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["template"], "account_activation");
    assert_eq!(mails[0]["to"], sample.body()["email"]);
    let link = mails[0]["data"]["link"].as_str().unwrap();
    assert!(
        link.starts_with("https://app.example/activate?token="),
        "{link}"
    );

    let unknown = sample.with_field("email", json!("nobody@example.fr"));
    assert_eq!(unknown.answer(&h).await, known);
    assert!(bed.received(&queue).await.is_empty());
}

#[tokio::test]
async fn the_fourth_request_in_an_hour_is_refused() {
    let (_bed, h, _) = setup().await;
    let unknown = Sample::of("request-link").with_field("email", json!("nobody@example.fr"));
    for _ in 0..3 {
        assert_eq!(unknown.answer(&h).await.status, 202);
    }
    unknown
        .answer(&h)
        .await
        .problem(429, "too_many_link_requests");
}

#[tokio::test]
async fn a_malformed_address_is_refused_and_sends_nothing() {
    let (bed, h, queue) = setup().await;
    let bad = Sample::of("request-link").with_field("email", json!("not an email"));
    bad.answer(&h).await.problem(422, "invalid_email");
    assert!(bed.received(&queue).await.is_empty());
}
