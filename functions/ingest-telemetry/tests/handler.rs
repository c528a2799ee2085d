//! The handler driven by `events/ingest-telemetry.json` against a fresh table and queue on the
//! stand-in: a registered inverter posts three readings with its credential; they go on the
//! queue as one message. Every refused request leaves the queue empty and writes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use ingest_telemetry::{Handler, Settings};
use serde_json::json;
use shop_testkit::{Answer, Sample, TestBed, dynamodb::types::AttributeValue, solar};

const NOW: &str = "2026-06-21T12:00:05Z";

async fn setup() -> (TestBed, Handler, String) {
    let bed = TestBed::at(NOW).await;
    let queue = bed.queue().await;
    let devices = bed.boot.devices();
    solar::device(&devices, "DEMO-INV-0001", "SUN-2026-0001", Some(10_000)).await;
    solar::device(&devices, "DEMO-INV-0002", "SUN-2026-0002", Some(10_000)).await;
    let vars = [("TELEMETRY_QUEUE_URL", queue.as_str())];
    let handler = bed.handler(&vars, Settings::from_vars, Handler::new);
    (bed, handler, queue)
}

#[tokio::test]
async fn the_sample_is_queued_as_one_message() {
    let (bed, handler, queue) = setup().await;
    let answer = Answer::of(
        &handler
            .handle(Sample::of("ingest-telemetry").request())
            .await,
    );
    assert_eq!(answer.ok(202), &json!({"accepted": 3, "config": false}));
    let messages = bed.received(&queue).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["serial"], "DEMO-INV-0001");
    assert_eq!(messages[0]["readings"][2]["t"], 1_782_043_200);
    assert_eq!(messages[0]["readings"][2]["errors"], json!([301]));
}

#[tokio::test]
async fn every_bad_credential_is_one_401_and_nothing_is_queued() {
    let (bed, handler, queue) = setup().await;
    for header in [
        "Device DEMO-INV-0001:wrong-secret",
        "Device DEMO-INV-0009:secret-DEMO-INV-0009",
        "Device DEMO-INV-0001:secret-DEMO-INV-0002",
        "Bearer secret-DEMO-INV-0001",
        "Device DEMO-INV-0001",
    ] {
        let req = Sample::of("ingest-telemetry").with_header("authorization", header);
        let answer = Answer::of(&handler.handle(req.request()).await);
        answer.problem(401, "invalid_device_credential");
    }
    let empty = Sample::of("ingest-telemetry").with_header("authorization", "");
    Answer::of(&handler.handle(empty.request()).await).problem(401, "invalid_device_credential");
    assert!(bed.received(&queue).await.is_empty());
}

#[tokio::test]
async fn bad_readings_are_listed_by_index_and_nothing_is_queued() {
    let (bed, handler, queue) = setup().await;
    let mut body = Sample::of("ingest-telemetry").body();
    body["readings"][1]["ac_w"] = json!(-5);
    body["readings"][2]["time"] = json!("2026-06-21T12:10:00Z");
    let req = Sample::of("ingest-telemetry").with_body(&body);
    let answer = Answer::of(&handler.handle(req.request()).await);
    let problem = answer.problem(422, "invalid_readings");
    let fields: Vec<(&str, &str)> = problem["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("readings[1].ac_w", "invalid_ac_w"),
            ("readings[2].time", "time_in_future")
        ]
    );
    // Unreadable JSON is a 400, and an unknown top-level field too.
    let raw = Sample::of("ingest-telemetry").with_raw_body("{\"readings\": [");
    Answer::of(&handler.handle(raw.request()).await).problem(400, "invalid_body");
    let extra = Sample::of("ingest-telemetry").with_body(&json!({"readings": [], "x": 1}));
    Answer::of(&handler.handle(extra.request()).await).problem(400, "invalid_body");
    assert!(bed.received(&queue).await.is_empty());
}

#[tokio::test]
async fn a_device_is_read_once_per_cache_time_and_every_time_without_cache() {
    let (bed, cached, queue) = setup().await;
    let vars = [
        ("TELEMETRY_QUEUE_URL", queue.as_str()),
        ("DEVICE_CACHE_SECONDS", "0"),
    ];
    let uncached = bed.handler(&vars, Settings::from_vars, Handler::new);
    let sample = || Sample::of("ingest-telemetry").request();
    assert_eq!(Answer::of(&cached.handle(sample()).await).status, 202);
    assert_eq!(Answer::of(&uncached.handle(sample()).await).status, 202);
    // The registry forgets the device: the caching instance trusts what it read for its
    // minute; the other reads again and refuses.
    bed.dynamodb
        .delete_item()
        .table_name(&bed.table)
        .key("pk", AttributeValue::S("DEVICE#DEMO-INV-0001".into()))
        .key("sk", AttributeValue::S("DEVICE".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(Answer::of(&cached.handle(sample()).await).status, 202);
    Answer::of(&uncached.handle(sample()).await).problem(401, "invalid_device_credential");
    assert_eq!(bed.received(&queue).await.len(), 3);
}
