//! The idempotency helper against the stand-in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use jiff::{SignedDuration, Timestamp};
use shop_adapters::store::idempotency::{Claim, IdempotencyPolicy, IdempotencyStore, request_hash};

const POLICY: IdempotencyPolicy = IdempotencyPolicy {
    lease: SignedDuration::from_secs(60),
    retention: SignedDuration::from_hours(24),
};

async fn store() -> IdempotencyStore {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    IdempotencyStore::new(client, table, POLICY)
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[tokio::test]
async fn first_claim_acquires_and_completion_is_replayed() {
    let store = store().await;
    let now = at("2026-11-22T10:00:00Z");
    let hash = request_hash(b"order 1");
    assert_eq!(
        store.claim("checkout", "k1", &hash, now).await.unwrap(),
        Claim::Acquired
    );
    assert_eq!(
        store.claim("checkout", "k1", &hash, now).await.unwrap(),
        Claim::InProgress
    );
    store
        .complete("checkout", "k1", "{\"order\":1}")
        .await
        .unwrap();
    assert_eq!(
        store.claim("checkout", "k1", &hash, now).await.unwrap(),
        Claim::Completed {
            response: "{\"order\":1}".into()
        }
    );
    // Scopes are separate name spaces.
    assert_eq!(
        store.claim("upgrade", "k1", &hash, now).await.unwrap(),
        Claim::Acquired
    );
}

#[tokio::test]
async fn another_request_under_the_same_key_is_a_mismatch() {
    let store = store().await;
    let now = at("2026-11-22T10:00:00Z");
    store
        .claim("checkout", "k", &request_hash(b"a"), now)
        .await
        .unwrap();
    assert_eq!(
        store
            .claim("checkout", "k", &request_hash(b"b"), now)
            .await
            .unwrap(),
        Claim::Mismatch
    );
    store.complete("checkout", "k", "done").await.unwrap();
    assert_eq!(
        store
            .claim("checkout", "k", &request_hash(b"b"), now)
            .await
            .unwrap(),
        Claim::Mismatch
    );
}

#[tokio::test]
async fn an_abandoned_claim_can_be_taken_over_after_its_lease_by_the_same_request_only() {
    let store = store().await;
    let start = at("2026-11-22T10:00:00Z");
    let hash = request_hash(b"a");
    store.claim("mail", "k", &hash, start).await.unwrap();
    let later = start + SignedDuration::from_secs(61);
    assert_eq!(
        store
            .claim("mail", "k", &request_hash(b"b"), later)
            .await
            .unwrap(),
        Claim::Mismatch
    );
    assert_eq!(
        store.claim("mail", "k", &hash, later).await.unwrap(),
        Claim::Acquired
    );
}

#[tokio::test]
async fn a_completed_record_is_not_taken_over_but_expires_after_retention() {
    let store = store().await;
    let start = at("2026-11-22T10:00:00Z");
    let hash = request_hash(b"a");
    store.claim("mail", "k", &hash, start).await.unwrap();
    store.complete("mail", "k", "sent").await.unwrap();
    let after_lease = start + SignedDuration::from_hours(2);
    assert!(matches!(
        store.claim("mail", "k", &hash, after_lease).await.unwrap(),
        Claim::Completed { .. }
    ));
    let after_retention = start + SignedDuration::from_hours(25);
    assert_eq!(
        store
            .claim("mail", "k", &hash, after_retention)
            .await
            .unwrap(),
        Claim::Acquired
    );
}

#[tokio::test]
async fn release_frees_the_key_for_an_immediate_retry_but_never_a_completed_one() {
    let store = store().await;
    let now = at("2026-11-22T10:00:00Z");
    let hash = request_hash(b"a");
    store.claim("mail", "k", &hash, now).await.unwrap();
    store.release("mail", "k").await.unwrap();
    // Another request may not take a released key over: its work could reach the first's.
    assert_eq!(
        store
            .claim("mail", "k", &request_hash(b"b"), now)
            .await
            .unwrap(),
        Claim::Mismatch
    );
    assert_eq!(
        store.claim("mail", "k", &hash, now).await.unwrap(),
        Claim::Acquired
    );
    store.complete("mail", "k", "sent").await.unwrap();
    store.release("mail", "k").await.unwrap();
    assert!(matches!(
        store.claim("mail", "k", &hash, now).await.unwrap(),
        Claim::Completed { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_twenty_concurrent_claims_exactly_one_acquires() {
    let store = std::sync::Arc::new(store().await);
    let now = at("2026-11-22T10:00:00Z");
    let hash = request_hash(b"same body");
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (store, hash) = (store.clone(), hash.clone());
            tokio::spawn(async move { store.claim("checkout", "race", &hash, now).await.unwrap() })
        })
        .collect();
    let mut acquired = 0;
    for t in tasks {
        match t.await.unwrap() {
            Claim::Acquired => acquired += 1,
            Claim::InProgress => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(acquired, 1);
}
