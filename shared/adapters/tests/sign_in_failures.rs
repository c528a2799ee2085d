//! The sign-in failure log against the stand-in: concurrent failures are all recorded, and
//! cutting a long log never drops one of the newest entries.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use shop_adapters::store::sign_in_failures::SignInFailureLog;

async fn log() -> Arc<SignInFailureLog> {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    Arc::new(SignInFailureLog::new(
        client,
        table,
        SignedDuration::from_hours(1),
    ))
}

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(1_795_341_600_000 + ms).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_failures_are_all_recorded_and_the_newest_always_kept() {
    let log = log().await;
    // Case and spaces do not make another log.
    log.record(" Anna@Example.de", at(0)).await.unwrap();
    assert_eq!(log.read("anna@example.de").await.unwrap(), vec![at(0)]);
    for ms in 1..60 {
        log.record("anna@example.de", at(ms)).await.unwrap();
    }
    let mut writers = tokio::task::JoinSet::new();
    for ms in 100..150 {
        let log = Arc::clone(&log);
        writers.spawn(async move { log.record("anna@example.de", at(ms)).await.unwrap() });
    }
    while let Some(done) = writers.join_next().await {
        done.unwrap();
    }
    let kept = log.read("anna@example.de").await.unwrap();
    assert!(kept.len() >= 32 && kept.len() <= 64 + 50, "{}", kept.len());
    // Concurrent appends land in any order; the 32 appended last, all of them concurrent
    // failures, are kept whatever the cuts did.
    let concurrent = kept.iter().filter(|t| **t >= at(100)).count();
    assert!(concurrent >= 32, "{kept:?}");
    log.clear("anna@example.de").await.unwrap();
    assert!(log.read("anna@example.de").await.unwrap().is_empty());
    assert!(log.read("other@example.de").await.unwrap().is_empty());
}
