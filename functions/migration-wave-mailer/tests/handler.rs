//! The handler driven by `events/migration-wave-mailer.json` (the daily schedule; the clock
//! stands at the event's time, T-14 of a wave moving on 2026-12-15) against a fresh table and
//! queue on the stand-in: each account waiting for the announcement becomes one message for the
//! worker; a paused wave, an account past the stage and a wave not yet due send nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use migration_wave_mailer::{Handler, Settings};
use serde_json::json;
use shop_testkit::{TestBed, migration};

#[tokio::test]
async fn the_scheduled_run_enqueues_the_accounts_due_in_active_waves() {
    let bed = TestBed::at_time_of("migration-wave-mailer").await;
    let queue = bed.queue().await;
    let (db, table) = (&bed.dynamodb, bed.table.as_str());
    migration::put_wave(db, table, "w-due", "2026-12-15", "active").await;
    migration::put_wave(db, table, "w-paused", "2026-12-15", "paused").await;
    migration::put_wave(db, table, "w-later", "2027-01-15", "active").await;
    for i in 0..12 {
        let old = format!("K-{i}");
        let record = migration::record(&old, &format!("c{i}@example.de"));
        migration::put_wave_account(db, table, "w-due", &record, "announce").await;
    }
    let done = migration::record("K-done", "done@example.de");
    migration::put_wave_account(db, table, "w-due", &done, "remind").await;
    let paused = migration::record("K-p", "p@example.de");
    migration::put_wave_account(db, table, "w-paused", &paused, "announce").await;
    let later = migration::record("K-l", "l@example.de");
    migration::put_wave_account(db, table, "w-later", &later, "announce").await;
    let vars = [("MIGRATION_QUEUE_URL", queue.as_str())];
    let handler = bed.handler(&vars, Settings::from_vars, Handler::new);

    let summary = handler.handle().await.unwrap();
    assert_eq!((summary.waves, summary.paused), (3, 1));
    assert_eq!(
        serde_json::to_string(&summary).unwrap(),
        r#"{"waves":3,"paused":1,"due":12,"queries":2,"sqs_calls":2}"#,
        "the waves, then one page of the due partition; twelve messages in batches of ten"
    );
    let mut got = bed.received(&queue).await;
    got.extend(bed.received(&queue).await);
    assert!(
        got.contains(&json!({"wave": "w-due", "old_id": "K-0"})),
        "{got:?}"
    );
    assert!(
        got.iter()
            .all(|m| m["wave"] == "w-due" && m["old_id"] != "K-done")
    );
}
