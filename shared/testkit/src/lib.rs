//! Test support for adapter and handler tests: SDK clients pointed at the local stand-in
//! (moto, started by `infra/test.sh`) and a fresh table or queue per test, cloned from the
//! resources the local stack created from template.yaml, so tests never drift from the template.

#![allow(clippy::expect_used)] // a test fixture that cannot be built is a failed test

use aws_sdk_dynamodb::types::{GlobalSecondaryIndex, Projection, ProvisionedThroughput};
use shop_adapters::boot::aws::SdkConfig;

pub mod alerts;
pub mod bed;
pub mod customer;
pub mod license;
pub mod migration;
pub mod sample;
pub mod settings;
pub mod solar;
pub mod telemetry_rows;

pub use bed::TestBed;
pub use sample::{Answer, Sample, codes};
/// The SDKs of the fresh tables and queues, for tests that read what a handler stored.
pub use {aws_sdk_dynamodb as dynamodb, aws_sdk_sqs as sqs};

/// The template's shop table, as the local stack names it (by logical id).
pub const SHOP_TABLE: &str = "ShopTable";

/// SDK configuration for the stand-in. Refuses anything but a loopback endpoint, so a test
/// run can never touch a real AWS account.
pub async fn sdk() -> SdkConfig {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:") || endpoint.starts_with("http://localhost:"),
        "AWS_ENDPOINT_URL must point at the local stand-in (got `{endpoint}`); run infra/test.sh"
    );
    shop_adapters::boot::aws::load().expect("the SDK client for the stand-in")
}

/// A unique name for a test resource.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// The template's telemetry table, as the local stack names it.
pub const TELEMETRY_TABLE: &str = "TelemetryTable";

/// A new, empty table with the shop table's keys and indexes.
pub async fn fresh_table(sdk: &SdkConfig) -> (aws_sdk_dynamodb::Client, String) {
    fresh_table_like(sdk, SHOP_TABLE).await
}

/// A new, empty table with the keys and indexes of the template's table `logical_id`.
pub async fn fresh_table_like(
    sdk: &SdkConfig,
    logical_id: &str,
) -> (aws_sdk_dynamodb::Client, String) {
    let client = aws_sdk_dynamodb::Client::new(sdk);
    let template = client
        .describe_table()
        .table_name(logical_id)
        .send()
        .await
        .expect("the local stack created the table from template.yaml")
        .table
        .expect("DescribeTable returns the table");
    let name = unique("test");
    let indexes: Vec<GlobalSecondaryIndex> = template
        .global_secondary_indexes()
        .iter()
        .map(|gsi| {
            GlobalSecondaryIndex::builder()
                .index_name(gsi.index_name().unwrap_or_default())
                .set_key_schema(Some(gsi.key_schema().to_vec()))
                .projection(
                    gsi.projection()
                        .cloned()
                        .unwrap_or(Projection::builder().build()),
                )
                .set_provisioned_throughput(None::<ProvisionedThroughput>)
                .build()
                .expect("index from the template")
        })
        .collect();
    client
        .create_table()
        .table_name(&name)
        .set_attribute_definitions(Some(template.attribute_definitions().to_vec()))
        .set_key_schema(Some(template.key_schema().to_vec()))
        .set_global_secondary_indexes((!indexes.is_empty()).then_some(indexes))
        .billing_mode(aws_sdk_dynamodb::types::BillingMode::PayPerRequest)
        .send()
        .await
        .expect("create a fresh table");
    (client, name)
}

/// A new, empty queue; returns its URL.
pub async fn fresh_queue(sdk: &SdkConfig) -> (aws_sdk_sqs::Client, String) {
    let client = aws_sdk_sqs::Client::new(sdk);
    let url = client
        .create_queue()
        .queue_name(unique("test"))
        .send()
        .await
        .expect("create a fresh queue")
        .queue_url
        .expect("CreateQueue returns the URL");
    (client, url)
}

/// The JSON bodies of the messages waiting on the queue at `url` (up to ten), taken off it.
pub async fn received(client: &aws_sdk_sqs::Client, url: &str) -> Vec<serde_json::Value> {
    let out = client
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("receive from the test queue");
    out.messages()
        .iter()
        .map(|m| serde_json::from_str(m.body().unwrap_or_default()).expect("a JSON message"))
        .collect()
}
