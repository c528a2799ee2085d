//! The idempotency helper against the stand-in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use jiff::{SignedDuration, Timestamp};
use shop_adapters::store::idempotency::{Claim, IdempotencyPolicy, IdempotencyStore, request_hash};

const POLICY: IdempotencyPolicy = IdempotencyPolicy {
    lease: SignedDuration::from_secs(60),
    retention: SignedDuration::from_hours(24),
};

/// The store on a fresh table, each call's answer unwrapped (the stand-in always answers), a
/// request named by its body.
struct Keys(IdempotencyStore);

impl Keys {
    async fn fresh() -> Self {
        let sdk = shop_testkit::sdk().await;
        let (client, table) = shop_testkit::fresh_table(&sdk).await;
        Self(IdempotencyStore::new(client, table, POLICY))
    }

    async fn claim(&self, scope: &str, key: &str, body: &[u8], now: Timestamp) -> Claim {
        let hash = request_hash(body);
        self.0.claim(scope, key, &hash, now).await.unwrap()
    }

    async fn complete(&self, scope: &str, key: &str, response: &str) {
        self.0.complete(scope, key, response).await.unwrap();
    }

    async fn release(&self, scope: &str, key: &str) {
        self.0.release(scope, key).await.unwrap();
    }
}

fn start() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

#[tokio::test]
async fn first_claim_acquires_and_completion_is_replayed() {
    let keys = Keys::fresh().await;
    let now = start();
    let order = b"order 1";
    assert_eq!(
        keys.claim("checkout", "k1", order, now).await,
        Claim::Acquired
    );
    assert_eq!(
        keys.claim("checkout", "k1", order, now).await,
        Claim::InProgress
    );
    keys.complete("checkout", "k1", "{\"order\":1}").await;
    let replayed = Claim::Completed {
        response: "{\"order\":1}".into(),
    };
    assert_eq!(keys.claim("checkout", "k1", order, now).await, replayed);
    // Scopes are separate name spaces.
    assert_eq!(
        keys.claim("upgrade", "k1", order, now).await,
        Claim::Acquired
    );
}

#[tokio::test]
async fn another_request_under_the_same_key_is_a_mismatch() {
    let keys = Keys::fresh().await;
    keys.claim("checkout", "k", b"a", start()).await;
    assert_eq!(
        keys.claim("checkout", "k", b"b", start()).await,
        Claim::Mismatch
    );
    keys.complete("checkout", "k", "done").await;
    assert_eq!(
        keys.claim("checkout", "k", b"b", start()).await,
        Claim::Mismatch
    );
}

#[tokio::test]
async fn an_abandoned_claim_can_be_taken_over_after_its_lease_by_the_same_request_only() {
    let keys = Keys::fresh().await;
    keys.claim("mail", "k", b"a", start()).await;
    let later = start() + SignedDuration::from_secs(61);
    assert_eq!(keys.claim("mail", "k", b"b", later).await, Claim::Mismatch);
    assert_eq!(keys.claim("mail", "k", b"a", later).await, Claim::Acquired);
}

#[tokio::test]
async fn a_completed_record_is_not_taken_over_but_expires_after_retention() {
    let keys = Keys::fresh().await;
    keys.claim("mail", "k", b"a", start()).await;
    keys.complete("mail", "k", "sent").await;
    let after_lease = start() + SignedDuration::from_hours(2);
    assert!(matches!(
        keys.claim("mail", "k", b"a", after_lease).await,
        Claim::Completed { .. }
    ));
    let after_retention = start() + SignedDuration::from_hours(25);
    assert_eq!(
        keys.claim("mail", "k", b"a", after_retention).await,
        Claim::Acquired
    );
}

#[tokio::test]
async fn release_frees_the_key_for_an_immediate_retry_but_never_a_completed_one() {
    let keys = Keys::fresh().await;
    let now = start();
    keys.claim("mail", "k", b"a", now).await;
    keys.release("mail", "k").await;
    // Another request may not take a released key over: its work could reach the first's.
    assert_eq!(keys.claim("mail", "k", b"b", now).await, Claim::Mismatch);
    assert_eq!(keys.claim("mail", "k", b"a", now).await, Claim::Acquired);
    keys.complete("mail", "k", "sent").await;
    keys.release("mail", "k").await;
    assert!(matches!(
        keys.claim("mail", "k", b"a", now).await,
        Claim::Completed { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_twenty_concurrent_claims_exactly_one_acquires() {
    let keys = std::sync::Arc::new(Keys::fresh().await);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let keys = keys.clone();
            tokio::spawn(async move { keys.claim("checkout", "race", b"same body", start()).await })
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
