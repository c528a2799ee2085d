//! The handler driven by `events/send-mail.json` (a good message, its duplicate, and a poison
//! message in one batch) against a fresh table and the stand-in's SES.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::{collections::HashMap, sync::Arc};

use aws_lambda_events::event::sqs::SqsEvent;
use aws_sdk_dynamodb::types::AttributeValue;
use jiff::SignedDuration;
use send_mail::{Handler, templates::Templates};
use shop_adapters::{
    boot::aws,
    messaging::mailer::SesMailer,
    store::idempotency::{IdempotencyPolicy, IdempotencyStore},
};
use shop_domain::clock::FixedClock;

const EVENT: &str = include_str!("../../../events/send-mail.json");
/// Verified by the local stack from template.yaml's SenderEmail default.
const SENDER: &str = "no-reply@license-shop.example";
const POISON: &str = "0a1b2c3d-0000-4000-8000-000000000003";

async fn handler(sender: &str) -> (Handler, aws_sdk_dynamodb::Client, String) {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    let policy = IdempotencyPolicy {
        lease: SignedDuration::from_secs(60),
        retention: SignedDuration::from_hours(24 * 14),
    };
    let handler = Handler {
        templates: Templates::load(),
        sent: IdempotencyStore::new(client.clone(), &table, policy),
        mailer: SesMailer::new(aws::sesv2(&sdk), sender),
        clock: Arc::new(FixedClock("2026-11-22T10:00:00Z".parse().unwrap())),
    };
    (handler, client, table)
}

async fn record(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    key: &str,
) -> Option<HashMap<String, AttributeValue>> {
    client
        .get_item()
        .table_name(table)
        .key("pk", AttributeValue::S(format!("IDEM#mail#{key}")))
        .key("sk", AttributeValue::S("IDEM".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
}

fn failures(r: &aws_lambda_events::event::sqs::SqsBatchResponse) -> Vec<&str> {
    r.batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect()
}

#[tokio::test]
async fn sends_once_per_dedupe_key_and_fails_only_the_poison_message() {
    let (handler, client, table) = handler(SENDER).await;
    let event: SqsEvent = serde_json::from_str(EVENT).unwrap();

    let first = handler.handle(event.clone()).await;
    assert_eq!(failures(&first), vec![POISON]);
    let sent = record(&client, &table, "verify:acc-1:1")
        .await
        .expect("dedupe record");
    assert_eq!(sent["status"].as_s().unwrap(), "completed");
    let ses_id = sent["response"].as_s().unwrap().clone();
    assert!(!ses_id.is_empty());

    // Redelivery of the whole batch: nothing is sent again (the SES id would change).
    let again = handler.handle(event).await;
    assert_eq!(failures(&again), vec![POISON]);
    let still = record(&client, &table, "verify:acc-1:1").await.unwrap();
    assert_eq!(still["response"].as_s().unwrap(), &ses_id);
    assert!(
        record(&client, &table, "poison:1").await.is_none(),
        "poison claims nothing"
    );
}

#[tokio::test]
async fn a_failed_send_releases_its_claim_for_the_retry() {
    let (handler, client, table) = handler("unverified@nowhere.example").await;
    let event: SqsEvent = serde_json::from_str(EVENT).unwrap();
    let out = handler.handle(event).await;
    assert_eq!(
        out.batch_item_failures.len(),
        3,
        "SES refused the unverified sender"
    );
    let released = record(&client, &table, "verify:acc-1:1").await.unwrap();
    assert_eq!(
        released["status"].as_s().unwrap(),
        "released",
        "claim released for the same message's retry"
    );
}

#[tokio::test]
async fn the_same_dedupe_key_with_other_content_is_refused() {
    let (handler, _, _) = handler(SENDER).await;
    let mut event: SqsEvent = serde_json::from_str(EVENT).unwrap();
    event.records.truncate(2);
    let body = event.records[1]
        .body
        .take()
        .unwrap()
        .replace("Claire", "Mallory");
    event.records[1].body = Some(body);
    let out = handler.handle(event).await;
    assert_eq!(failures(&out), vec!["0a1b2c3d-0000-4000-8000-000000000002"]);
}
