//! `TelemetryRepo::write_chunk` against the stand-in answering with unprocessed items: a small
//! pass-through proxy in front of moto writes only the first half of the first
//! `BatchWriteItem` it sees and answers the other half as `UnprocessedItems`, as DynamoDB does
//! when a partition is throttled. The SDK and the repository are the real ones.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;
use shop_adapters::store::{
    dynamo::Item,
    telemetry::{Calls, StoreSettings, TelemetryRepo},
};
use shop_domain::solar::{SerialNumber, telemetry::Reading};
use shop_testkit::{TELEMETRY_TABLE, fresh_table_like};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
};

/// How many `BatchWriteItem` calls the proxy answers with unprocessed items (from the first).
struct Proxy {
    url: String,
    batch_writes: Arc<AtomicUsize>,
}

async fn proxy(upstream: String, unprocessed_answers: usize) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let batch_writes = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&batch_writes);
    tokio::spawn(async move {
        let http = shop_adapters::boot::https_client().unwrap();
        while let Ok((socket, _)) = listener.accept().await {
            let (http, upstream, seen) = (http.clone(), upstream.clone(), Arc::clone(&seen));
            tokio::spawn(async move {
                serve(socket, &http, &upstream, &seen, unprocessed_answers).await;
            });
        }
    });
    Proxy { url, batch_writes }
}

/// One connection: requests in, each forwarded; keeps the connection open as the SDK expects.
async fn serve(
    socket: TcpStream,
    http: &reqwest::Client,
    upstream: &str,
    seen: &AtomicUsize,
    unprocessed_answers: usize,
) {
    let mut reader = BufReader::new(socket);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let mut headers = Vec::new();
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h).await.unwrap();
            let h = h.trim_end().to_owned();
            if h.is_empty() {
                break;
            }
            let (name, value) = h.split_once(':').unwrap();
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_owned());
            if name == "content-length" {
                length = value.parse().unwrap();
            }
            headers.push((name, value));
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await.unwrap();
        let target = headers
            .iter()
            .find(|(n, _)| n == "x-amz-target")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let mut held = None;
        if target.ends_with(".BatchWriteItem") {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            if n < unprocessed_answers {
                let (kept, rest) = split_requests(&body);
                body = kept;
                held = Some(rest);
            }
        }
        let mut forward = http.post(format!("{upstream}{path}")).body(body);
        for (name, value) in &headers {
            if !["host", "content-length"].contains(&name.as_str()) {
                forward = forward.header(name, value);
            }
        }
        let answer = forward.send().await.unwrap();
        let status = answer.status().as_u16();
        let mut out: Value = answer.json().await.unwrap_or(Value::Null);
        if let Some(rest) = held {
            out["UnprocessedItems"] = rest;
        }
        let text = out.to_string();
        let response = format!(
            "HTTP/1.1 {status} OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\n\r\n{text}",
            text.len()
        );
        reader
            .get_mut()
            .write_all(response.as_bytes())
            .await
            .unwrap();
    }
}

/// The request with the first half of each table's items; the other half as `UnprocessedItems`.
fn split_requests(body: &[u8]) -> (Vec<u8>, Value) {
    let mut request: Value = serde_json::from_slice(body).unwrap();
    let mut rest = serde_json::Map::new();
    for (table, items) in request["RequestItems"].as_object_mut().unwrap() {
        let all = items.as_array_mut().unwrap();
        let tail = all.split_off(all.len() / 2);
        rest.insert(table.clone(), Value::Array(tail));
    }
    (serde_json::to_vec(&request).unwrap(), Value::Object(rest))
}

fn reading(t: i64) -> Reading {
    Reading {
        t,
        ac_w: 100,
        e_day_wh: 10,
        e_total_wh: 1000,
        status: 0,
        errors: Vec::new(),
    }
}

/// `n` readings of the inverter the tests count in, five minutes apart, as stored items.
fn readings(repo: &TelemetryRepo, n: i64) -> Vec<Item> {
    let serial = SerialNumber::parse("DEMO-INV-0001").unwrap();
    (0..n)
        .map(|i| repo.reading_item(&serial, &reading(1_782_000_000 + i * 300)))
        .collect()
}

async fn setup(
    unprocessed_answers: usize,
    attempts: u32,
) -> (TelemetryRepo, Proxy, aws_sdk_dynamodb::Client, String) {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = fresh_table_like(&sdk, TELEMETRY_TABLE).await;
    let upstream = std::env::var("AWS_ENDPOINT_URL").unwrap();
    let proxy = proxy(upstream, unprocessed_answers).await;
    // Set on the client: the SDK prefers `AWS_ENDPOINT_URL` to a shared configuration's.
    let through = aws_sdk_dynamodb::config::Builder::from(&sdk)
        .endpoint_url(&proxy.url)
        .build();
    let settings = StoreSettings {
        write_attempts: attempts,
        backoff: std::time::Duration::from_millis(1),
        ..StoreSettings::default()
    };
    let repo = TelemetryRepo::new(
        aws_sdk_dynamodb::Client::from_conf(through),
        &table,
        settings,
    );
    (repo, proxy, client, table)
}

async fn stored(client: &aws_sdk_dynamodb::Client, table: &str) -> usize {
    let out = client
        .query()
        .table_name(table)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", AttributeValue::S("R#DEMO-INV-0001".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    out.items().len()
}

#[tokio::test]
async fn unprocessed_items_are_sent_again_until_written() {
    let (repo, proxy, client, table) = setup(2, 6).await;
    let items = readings(&repo, 25);
    let mut calls = Calls::default();
    repo.write_chunk(items, &mut calls).await.unwrap();
    // 25 → 12 written, 13 back; 13 → 6 written, 7 back; 7 written.
    assert_eq!(proxy.batch_writes.load(Ordering::SeqCst), 3);
    assert_eq!(calls.batch_writes, 3);
    assert_eq!(stored(&client, &table).await, 25);
}

#[tokio::test]
async fn items_left_after_the_last_attempt_are_an_error_to_retry() {
    let (repo, _proxy, client, table) = setup(10, 3).await;
    let items = readings(&repo, 8);
    let mut calls = Calls::default();
    let err = repo.write_chunk(items, &mut calls).await.unwrap_err();
    assert!(
        matches!(err, shop_adapters::AppError::Unavailable { .. }),
        "{err:?}"
    );
    assert_eq!(calls.batch_writes, 3);
    // 8 → 4 written; 4 → 2; 2 → 1: one is left for the message's next delivery.
    assert_eq!(stored(&client, &table).await, 7);
}
