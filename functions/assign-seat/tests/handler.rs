//! The handler driven by `events/assign-seat.json` against a fresh table and queue on the
//! stand-in: the owner gives a colleague a seat, the colleague is invited by email.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use assign_seat::{Handler, Settings};
use serde_json::json;
use shop_domain::seats::Seat;
use shop_testkit::{Sample, bed, customer, license::LicenseCase};

type Setup = LicenseCase<Handler>;

/// The handler (default settings), trusting the test tokens, its mail queue, and the sample's
/// license of five seats owned by a customer.
async fn setup() -> Setup {
    LicenseCase::new("assign-seat", 5, |bed, queue| {
        let vars = bed::protected_mail_vars(queue);
        bed.handler(&vars, Settings::from_vars, Handler::new)
    })
    .await
}

async fn seats(s: &Setup) -> Vec<Seat> {
    let repo = s.bed.boot.subscriptions();
    repo.owned(&s.id, &s.owner.id).await.unwrap().1
}

#[tokio::test]
async fn the_sample_assigns_a_seat_and_invites_the_colleague() {
    let s = setup().await;
    let sample = Sample::of("assign-seat").with_bearer(&customer::token(&s.owner, s.bed.now));
    let colleague = sample.body()["email"].clone();
    let answer = sample.answer(&s.handler).await;
    let seat = answer.ok(201);
    assert_eq!(seat["email"], colleague);
    assert_eq!(seat["starts_on"], "2026-11-22");
    let stored = seats(&s).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(seat["id"], stored[0].id.as_str());
    let mails = s.bed.received(&s.queue).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["to"], colleague);
}

#[tokio::test]
async fn a_malformed_email_is_refused_and_assigns_nothing() {
    let s = setup().await;
    let sample = Sample::of("assign-seat")
        .with_bearer(&customer::token(&s.owner, s.bed.now))
        .with_field("email", json!("not-an-email"));
    sample
        .answer(&s.handler)
        .await
        .problem(422, "invalid_email");
    assert!(seats(&s).await.is_empty());
    assert!(s.bed.received(&s.queue).await.is_empty());
}
