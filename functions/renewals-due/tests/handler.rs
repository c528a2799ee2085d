//! The handler driven by `events/renewals-due.json` (the daily schedule; the clock stands at
//! the event's time) against a fresh table and queue on the stand-in: each license due today
//! becomes one message for the renewal worker, and licenses due later do not.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use jiff::civil::date;
use renewals_due::{Handler, Settings};
use shop_domain::subscription::Subscription;
use shop_testkit::{TestBed, license};

#[tokio::test]
async fn the_scheduled_run_enqueues_the_licenses_due_today() {
    let bed = TestBed::at_time_of("renewals-due").await;
    let queue = bed.queue().await;
    let owner = bed.customer("anna@example.de").await;
    let repo = bed.boot.subscriptions();
    for (id, due) in [
        ("due-today", date(2026, 11, 22)),
        ("due-later", date(2026, 11, 30)),
    ] {
        let sub = Subscription {
            due_on: Some(due),
            ..license::alarm_team(&owner, id, 5, date(2025, 11, 22))
        };
        license::store(&bed.dynamodb, &repo, &sub).await;
    }
    let vars = [("RENEWAL_QUEUE_URL", queue.as_str())];
    let handler = bed.handler(&vars, Settings::from_vars, Handler::new);

    let summary = handler.handle().await.unwrap();
    assert_eq!(summary.days.last(), Some(&date(2026, 11, 22)));
    let report = serde_json::to_string(&summary).unwrap();
    let queries = summary.days.len();
    assert!(
        report.starts_with(r#"{"days":["#)
            && report.ends_with(&format!(r#"],"due":1,"queries":{queries},"sqs_calls":1}}"#)),
        "{report}"
    );
    let jobs = bed.received(&queue).await;
    assert_eq!(
        jobs,
        [serde_json::json!({"subscription_id": "due-today", "due_on": "2026-11-22"})]
    );
}
