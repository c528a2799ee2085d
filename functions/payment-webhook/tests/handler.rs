//! The handler driven by `events/payment-webhook.json` against the stand-in: the signature is
//! checked against the raw body at the clock's time, and each event id is processed once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use lambda_http::{Body, Request};
use payment_webhook::Handler;
use shop_adapters::{
    clients::payments::webhook::WebhookVerifier,
    flows::order_flow::OrderFlow,
    messaging::outbox::MailOutbox,
    store::accounts::AccountsRepo,
    store::idempotency::{IdempotencyPolicy, IdempotencyStore},
    store::orders::OrdersRepo,
    store::subscriptions::SubscriptionsRepo,
};
use shop_domain::clock::FixedClock;

const EVENT: &str = include_str!("../../../events/payment-webhook.json");
const SECRET: &str = "whsec_handler_test";

fn now() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

async fn handler() -> Handler {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    let (sqs, queue) = shop_testkit::fresh_queue(&sdk).await;
    Handler {
        verifier: WebhookVerifier::new(SECRET, SignedDuration::from_mins(5)),
        flow: OrderFlow {
            orders: OrdersRepo::new(client.clone(), table.clone()),
            subscriptions: SubscriptionsRepo::new(client.clone(), table.clone()),
            accounts: AccountsRepo::new(client.clone(), table.clone()),
            outbox: MailOutbox::new(sqs, queue),
            app_url: "https://app.example".into(),
            reminder_days: 40,
            solar: shop_domain::solar::SolarSettings::default(),
        },
        idempotency: IdempotencyStore::new(
            client,
            table,
            IdempotencyPolicy {
                lease: SignedDuration::from_secs(60),
                retention: SignedDuration::from_hours(24),
            },
        ),
        clock: Arc::new(FixedClock(now())),
    }
}

/// The sample event with its body (optionally replaced) signed at `at`.
fn request(body: Option<&str>, at: Timestamp) -> Request {
    let mut event: serde_json::Value = serde_json::from_str(EVENT).unwrap();
    if let Some(b) = body {
        event["body"] = b.into();
    }
    let raw = event["body"].as_str().unwrap().to_owned();
    let signature = WebhookVerifier::new(SECRET, SignedDuration::from_mins(5))
        .sign(raw.as_bytes(), at)
        .unwrap();
    event["headers"]["stripe-signature"] = signature.into();
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

async fn answer(h: &Handler, req: Request) -> (u16, serde_json::Value) {
    let r = h.handle(req).await;
    let body = match r.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap(),
        other => panic!("unexpected body {other:?}"),
    };
    (r.status().as_u16(), body)
}

/// Asserts that the webhook refuses `req` with `status` and the problem `code`.
async fn refused(h: &Handler, req: Request, status: u16, code: &str) {
    let (got, body) = answer(h, req).await;
    assert_eq!((got, body["code"].as_str()), (status, Some(code)), "{body}");
}

/// Asserts that the webhook acknowledges `req` (200) with `outcome`.
async fn acknowledged(h: &Handler, req: Request, outcome: &str) {
    let (got, body) = answer(h, req).await;
    assert_eq!(
        (got, body["outcome"].as_str()),
        (200, Some(outcome)),
        "{body}"
    );
}

#[tokio::test]
async fn refuses_unsigned_changed_and_stale_events() {
    let h = handler().await;
    let mut unsigned: serde_json::Value = serde_json::from_str(EVENT).unwrap();
    unsigned["headers"]["stripe-signature"] = "t=1795341600,v1=00".into();
    let unsigned = lambda_http::request::from_str(&unsigned.to_string()).unwrap();
    refused(&h, unsigned, 401, "invalid_signature").await;
    let stale = now() - SignedDuration::from_secs(301);
    refused(&h, request(None, stale), 401, "stale_signature").await;
}

#[tokio::test]
async fn processes_an_event_once_and_acknowledges_others() {
    let h = handler().await;
    acknowledged(&h, request(None, now()), "unknown_order").await;
    acknowledged(&h, request(None, now()), "duplicate").await;
    let other = r#"{"id":"evt_2","type":"customer.created","data":{"object":{}}}"#;
    acknowledged(&h, request(Some(other), now()), "ignored").await;
    refused(&h, request(Some("not json"), now()), 400, "invalid_event").await;
}

/// A delivery that died after claiming its event (a crash, a 503 from the gateway) leaves the
/// claim behind: a redelivery within the lease is told to come back, one after it takes over.
#[tokio::test]
async fn a_redelivery_takes_over_an_event_whose_holder_died() {
    let h = handler().await;
    let event: serde_json::Value = serde_json::from_str(EVENT).unwrap();
    let raw = event["body"].as_str().unwrap().to_owned();
    let id = serde_json::from_str::<serde_json::Value>(&raw).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hash = shop_adapters::store::idempotency::request_hash(raw.as_bytes());
    let died_at = now() - SignedDuration::from_secs(30);
    let claimed = h.idempotency.claim("webhook", &id, &hash, died_at).await;
    assert_eq!(
        claimed.unwrap(),
        shop_adapters::store::idempotency::Claim::Acquired
    );
    refused(&h, request(None, now()), 409, "event_in_progress").await;
    let later = Handler {
        clock: Arc::new(FixedClock(now() + SignedDuration::from_secs(31))),
        ..h
    };
    acknowledged(&later, request(None, now()), "unknown_order").await;
}
