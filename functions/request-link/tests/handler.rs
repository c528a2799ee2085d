//! The handler driven by `events/request-link.json` against a fresh table and queue on the
//! stand-in: a moved account gets a fresh activation link, an unknown address the same answer
//! and no mail, and requests are limited per address and hour.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use request_link::Handler;
use serde_json::json;
use shop_adapters::{
    flows::links::LinkMailer,
    messaging::outbox::MailOutbox,
    store::accounts::{AccountsRepo, TokenPurpose},
};
use shop_domain::{account::model::AccountStatus, clock::FixedClock};
use shop_testkit::{Answer, Sample, customer};

fn now() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

struct Setup {
    handler: Handler,
    sqs: shop_testkit::sqs::Client,
    queue: String,
}

/// The handler, with the sample's address waiting for activation.
async fn setup() -> Setup {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    let (sqs, queue) = shop_testkit::fresh_queue(&sdk).await;
    let accounts = AccountsRepo::new(client, table);
    let email = Sample::of("request-link").body()["email"].clone();
    customer::account_with_link(
        &accounts,
        email.as_str().unwrap(),
        AccountStatus::PendingActivation,
        TokenPurpose::Activate,
        "the-welcome-link",
        now(),
    )
    .await;
    let handler = Handler {
        links: LinkMailer {
            accounts: accounts.clone(),
            outbox: MailOutbox::new(sqs.clone(), queue.clone()),
            app_url: "https://app.example".into(),
        },
        accounts,
        clock: Arc::new(FixedClock(now())),
        per_hour: 3,
        activation_valid: SignedDuration::from_hours(24 * 14),
        verification_valid: SignedDuration::from_hours(24 * 7),
        reset_valid: SignedDuration::from_hours(2),
    };
    Setup {
        handler,
        sqs,
        queue,
    }
}

#[tokio::test]
async fn the_sample_sends_a_fresh_activation_link_and_unknown_addresses_hear_the_same() {
    let s = setup().await;
    let sample = Sample::of("request-link");
    let known = Answer::of(&s.handler.handle(sample.request()).await);
    assert_eq!(
        known.ok(202)["message"].as_str().map(str::is_empty),
        Some(false)
    );
    let mails = shop_testkit::received(&s.sqs, &s.queue).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["template"], "account_activation");
    assert_eq!(mails[0]["to"], sample.body()["email"]);
    assert!(
        mails[0]["data"]["link"]
            .as_str()
            .unwrap()
            .contains("/activate?token=")
    );

    let unknown = sample.with_field("email", json!("nobody@example.fr"));
    assert_eq!(
        Answer::of(&s.handler.handle(unknown.request()).await),
        known
    );
    assert!(shop_testkit::received(&s.sqs, &s.queue).await.is_empty());
}

#[tokio::test]
async fn the_fourth_request_in_an_hour_is_refused() {
    let s = setup().await;
    let unknown = Sample::of("request-link").with_field("email", json!("nobody@example.fr"));
    for _ in 0..3 {
        assert_eq!(
            Answer::of(&s.handler.handle(unknown.request()).await).status,
            202
        );
    }
    Answer::of(&s.handler.handle(unknown.request()).await).problem(429, "too_many_link_requests");
}

#[tokio::test]
async fn a_malformed_address_is_refused_and_sends_nothing() {
    let s = setup().await;
    let bad = Sample::of("request-link").with_field("email", json!("not an email"));
    Answer::of(&s.handler.handle(bad.request()).await).problem(422, "invalid_email");
    assert!(shop_testkit::received(&s.sqs, &s.queue).await.is_empty());
}
