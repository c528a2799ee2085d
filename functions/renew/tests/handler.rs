//! The handler driven by `events/renew.json` (one renewal job from the daily schedule) against
//! a fresh table on the stand-in and the local stack's payment sandbox: a license paid by card
//! whose term ended yesterday is charged off-session and runs on for another term.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use aws_lambda_events::event::sqs::SqsEvent;
use jiff::civil::date;
use renew::{Handler, Settings};
use shop_domain::subscription::Subscription;
use shop_testkit::{Sample, TestBed, bed, license};

#[tokio::test]
async fn the_sample_job_renews_the_due_license_once() {
    let sample = Sample::of("renew");
    let job: serde_json::Value =
        serde_json::from_str(sample.event()["Records"][0]["body"].as_str().unwrap()).unwrap();
    let bed = TestBed::at("2026-11-22T02:31:00Z").await;
    let queue = bed.queue().await;
    let owner = bed.customer("anna@example.de").await;
    let repo = bed.boot.subscriptions();
    // A twelve-month term that ended yesterday, due today (the job's day).
    let sub = Subscription {
        due_on: Some(date(2026, 11, 22)),
        ..license::paid_by_card(license::alarm_team(
            &owner,
            job["subscription_id"].as_str().unwrap(),
            5,
            date(2025, 11, 22),
        ))
    };
    assert_eq!(job["due_on"], "2026-11-22");
    license::store(&bed.dynamodb, &repo, &sub).await;
    let flow = bed::mail_vars(&queue);
    let vars = [&bed::sandbox_vars()[..], &flow].concat();
    let handler = bed.handler(&vars, Settings::from_vars, Handler::new);

    let response = handler.handle(sample.parse::<SqsEvent>()).await;
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    let renewed = repo.get(&sub.id).await.unwrap().unwrap();
    assert_eq!(
        renewed.period.map(|p| p.starts_on),
        Some(date(2026, 11, 22)),
        "{renewed:?}"
    );
    assert_eq!(renewed.orders.len(), 1, "one renewal order");

    // The same job again (SQS delivers at least once) finds nothing due.
    let again = handler.handle(sample.parse::<SqsEvent>()).await;
    assert!(again.batch_item_failures.is_empty());
    assert_eq!(repo.get(&sub.id).await.unwrap().unwrap().orders.len(), 1);
}

#[tokio::test]
async fn an_unreadable_job_fails_alone() {
    let bed = TestBed::at("2026-11-22T02:31:00Z").await;
    let queue = bed.queue().await;
    let flow = bed::mail_vars(&queue);
    let vars = [&bed::sandbox_vars()[..], &flow].concat();
    let handler = bed.handler(&vars, Settings::from_vars, Handler::new);
    let mut event = Sample::of("renew").event().clone();
    event["Records"][0]["body"] = "{\"subscription_id\": 7}".into();
    let event: SqsEvent = serde_json::from_value(event).unwrap();
    let response = handler.handle(event).await;
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["1b2c3d4e-0000-4000-8000-000000000001"]);
}
