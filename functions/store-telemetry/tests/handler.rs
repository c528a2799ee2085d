//! The handler driven by `events/store-telemetry.json` (two messages: three readings of one
//! inverter, one reading and a configuration report of another) against fresh tables on the
//! stand-in: readings stored once however often they come, the latest state and the daily
//! aggregate only forward, a reported configuration in the registry, an unreadable message
//! failing alone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use aws_lambda_events::event::sqs::SqsEvent;
use serde_json::{Value, json};
use shop_adapters::store::dynamo::{Item, number};
use shop_domain::solar::SerialNumber;
use shop_testkit::{
    Sample, TELEMETRY_TABLE, TestBed, bed, dynamodb::types::AttributeValue, fresh_table_like, solar,
};
use store_telemetry::{Handler, Settings};

const NOW: &str = "2026-06-21T12:00:10Z";

struct Setup {
    bed: TestBed,
    handler: Handler,
    telemetry: String,
}

async fn setup() -> Setup {
    let bed = TestBed::at(NOW).await;
    let (_, telemetry) = fresh_table_like(bed.boot.sdk(), TELEMETRY_TABLE).await;
    let queue = bed.queue().await;
    let devices = bed.boot.devices();
    solar::device(&devices, "DEMO-INV-0001", "SUN-2026-0001", Some(10_000)).await;
    solar::device(&devices, "DEMO-INV-0002", "SUN-2026-0002", Some(10_000)).await;
    let vars = [
        &[("TELEMETRY_TABLE", telemetry.as_str())][..],
        &bed::mail_vars(&queue),
    ]
    .concat();
    let handler = bed.handler(&vars, Settings::from_vars, Handler::new);
    Setup {
        bed,
        handler,
        telemetry,
    }
}

impl Setup {
    /// The telemetry table's items under `pk`, read consistently.
    async fn partition(&self, pk: &str) -> Vec<Item> {
        self.bed
            .dynamodb
            .query()
            .table_name(&self.telemetry)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(pk.into()))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .items
            .unwrap_or_default()
    }
}

fn event(bodies: &[Value]) -> SqsEvent {
    let mut event = Sample::of("store-telemetry").event().clone();
    let template = event["Records"][0].clone();
    event["Records"] = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let mut r = template.clone();
            r["messageId"] = json!(format!("m-{i}"));
            r["body"] = json!(body.to_string());
            r
        })
        .collect();
    serde_json::from_value(event).unwrap()
}

fn readings(serial: &str, from: i64, count: i64, ac_w: u64) -> Value {
    let list: Vec<Value> = (0..count)
        .map(|i| {
            json!({"t": from + 300 * i, "ac_w": ac_w, "e_day_wh": 1000 + i, "e_total_wh": 5000 + i, "status": 0})
        })
        .collect();
    json!({"serial": serial, "readings": list})
}

fn failures(response: &aws_lambda_events::event::sqs::SqsBatchResponse) -> Vec<&str> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect()
}

#[tokio::test]
async fn the_sample_is_stored_once_however_often_it_comes() {
    let s = setup().await;
    for _ in 0..3 {
        let response = s
            .handler
            .handle(Sample::of("store-telemetry").parse())
            .await;
        assert!(failures(&response).is_empty(), "{response:?}");
    }
    let one = s.partition("R#DEMO-INV-0001").await;
    assert_eq!(one.len(), 3);
    let last = one
        .iter()
        .find(|i| i["sk"].as_s().unwrap() == "1782043200")
        .unwrap();
    assert_eq!(number(last, "ac_w"), Some(7390));
    assert_eq!(
        number(last, "expires_at"),
        Some(1_782_043_200 + 730 * 86_400)
    );
    assert_eq!(
        last["errors"],
        AttributeValue::L(vec![AttributeValue::N("301".into())])
    );
    let latest = &s.partition("L#DEMO-INV-0001").await[0];
    assert_eq!(number(latest, "t"), Some(1_782_043_200));
    let day = &s.partition("D#DEMO-INV-0001").await[0];
    assert_eq!(day["sk"].as_s().unwrap(), "2026-06-21");
    assert_eq!(
        (
            number(day, "energy_wh"),
            number(day, "last_t"),
            number(day, "peak_w")
        ),
        (Some(32_490), Some(1_782_043_200), Some(7480))
    );
    assert!(day.get("expires_at").is_none(), "daily aggregates are kept");
    // The report of the second inverter is in the registry.
    let device = s
        .bed
        .boot
        .devices()
        .get(&SerialNumber::parse("DEMO-INV-0002").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(device.config.type_name(), "SMA Sunny Tripower 12.0");
}

#[tokio::test]
async fn an_older_batch_never_moves_the_state_back() {
    let s = setup().await;
    let newer = readings("DEMO-INV-0001", 1_782_040_000, 3, 900);
    let older = readings("DEMO-INV-0001", 1_782_030_000, 3, 5000);
    assert!(failures(&s.handler.handle(event(&[newer])).await).is_empty());
    assert!(failures(&s.handler.handle(event(&[older])).await).is_empty());
    let latest = &s.partition("L#DEMO-INV-0001").await[0];
    assert_eq!(number(latest, "t"), Some(1_782_040_600));
    assert_eq!(number(latest, "ac_w"), Some(900));
    let day = &s.partition("D#DEMO-INV-0001").await[0];
    // Energy and time from the newest reading; the peak from the older batch, only up.
    assert_eq!(
        (
            number(day, "energy_wh"),
            number(day, "last_t"),
            number(day, "peak_w")
        ),
        (Some(1002), Some(1_782_040_600), Some(5000))
    );
    assert_eq!(s.partition("R#DEMO-INV-0001").await.len(), 6);
}

#[tokio::test]
async fn a_delivery_is_split_into_writes_of_25_and_duplicates_are_written_once() {
    let s = setup().await;
    // 3 messages, 20 readings each, the second repeating 10 of the first's: 50 readings.
    let a = readings("DEMO-INV-0001", 1_782_000_000, 20, 1);
    let b = readings("DEMO-INV-0001", 1_782_003_000, 20, 2);
    let c = readings("DEMO-INV-0002", 1_782_000_000, 20, 3);
    let response = s.handler.handle(event(&[a, b, c])).await;
    assert!(failures(&response).is_empty());
    assert_eq!(s.partition("R#DEMO-INV-0001").await.len(), 30);
    assert_eq!(s.partition("R#DEMO-INV-0002").await.len(), 20);
}

#[tokio::test]
async fn an_unreadable_message_fails_alone() {
    let s = setup().await;
    let good = readings("DEMO-INV-0001", 1_782_000_000, 2, 1);
    let poison = json!({"serial": "DEMO-INV-0001", "readings": "none"});
    let response = s.handler.handle(event(&[good, poison])).await;
    assert_eq!(failures(&response), ["m-1"]);
    let stored = s.partition("R#DEMO-INV-0001").await;
    assert_eq!(stored.len(), 2);
}

/// `count` readings 5 minutes apart from `from`, the power rising from `start_w` by `step_w`.
fn ramp(from: i64, count: i64, start_w: u64, step_w: u64) -> Value {
    let list: Vec<Value> = (0..count)
        .map(|i| {
            let w = start_w + step_w * i as u64;
            json!({"t": from + 300 * i, "ac_w": w, "e_day_wh": from + i, "e_total_wh": 9000 + i, "status": 0})
        })
        .collect();
    json!({"serial": "DEMO-INV-0001", "readings": list})
}

#[tokio::test]
async fn a_rising_day_comes_out_as_a_falling_one_whichever_step_holds() {
    // A rising batch is first tried as one update of energy, time and peak; every case where
    // that guess is wrong must end as the two-step way would.
    let s = setup().await;
    let steps = [
        // new day, rising: all three from the batch
        (
            ramp(1_782_035_000, 3, 1000, 1000),
            (1_782_035_002, 1_782_035_600, 3000),
        ),
        // newer, rising, but below the stored peak: energy and time move, the peak stays
        (
            ramp(1_782_040_000, 3, 500, 500),
            (1_782_040_002, 1_782_040_600, 3000),
        ),
        // older, rising above the stored peak: only the peak moves
        (
            ramp(1_782_030_000, 3, 100, 2950),
            (1_782_040_002, 1_782_040_600, 6000),
        ),
        // newer and higher: all three
        (
            ramp(1_782_045_000, 2, 6000, 1000),
            (1_782_045_001, 1_782_045_300, 7000),
        ),
    ];
    for (batch, want) in steps {
        assert!(failures(&s.handler.handle(event(&[batch])).await).is_empty());
        let day = &s.partition("D#DEMO-INV-0001").await[0];
        let got = (
            number(day, "energy_wh"),
            number(day, "last_t"),
            number(day, "peak_w"),
        );
        assert_eq!(got, (Some(want.0), Some(want.1), Some(want.2)));
    }
    let latest = &s.partition("L#DEMO-INV-0001").await[0];
    assert_eq!(number(latest, "t"), Some(1_782_045_300));
}
