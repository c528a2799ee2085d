//! Catalog repository and mail outbox against the stand-in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use aws_sdk_dynamodb::types::AttributeValue;
use shop_adapters::{
    messaging::outbox::MailOutbox,
    store::{catalog::CatalogRepo, dynamo},
};
use shop_domain::{catalog::Product, mail::MailMessage};

fn product(id: &str, price: &str) -> Product {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "name": {"de": "A", "en": "A", "fr": "A"},
        "app": "alerting",
        "billing": "subscription",
        "unit": "license",
        "min_quantity": 5,
        "prices": {"DE": {"P12M": price}}
    }))
    .unwrap()
}

/// A catalog on a fresh table, with the table's client and name.
async fn fresh_catalog() -> (CatalogRepo, aws_sdk_dynamodb::Client, String) {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    (
        CatalogRepo::new(client.clone(), table.clone()),
        client,
        table,
    )
}

/// Puts the products `p00` to `p29`.
async fn put_thirty(repo: &CatalogRepo) {
    for i in 0..30 {
        repo.put(&product(&format!("p{i:02}"), "1.00"))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn catalog_round_trips_and_put_replaces() {
    let (repo, ..) = fresh_catalog().await;
    assert!(repo.all().await.unwrap().is_empty());
    repo.put(&product("b", "10.00")).await.unwrap();
    repo.put(&product("a", "20.00")).await.unwrap();
    repo.put(&product("b", "12.50")).await.unwrap();
    let all = repo.all().await.unwrap();
    assert_eq!(all, vec![product("a", "20.00"), product("b", "12.50")]);
}

#[tokio::test]
async fn catalog_reads_more_than_one_page() {
    let (repo, ..) = fresh_catalog().await;
    // Each item is ~300 bytes; 1 MB pages are not reached here, so this checks the paginator
    // path returns every item in key order.
    put_thirty(&repo).await;
    let ids: Vec<String> = repo
        .all()
        .await
        .unwrap()
        .iter()
        .map(|p| p.id().to_string())
        .collect();
    assert_eq!(ids.len(), 30);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
}

#[tokio::test]
async fn all_pages_follows_every_page_to_the_end() {
    let (repo, client, table) = fresh_catalog().await;
    put_thirty(&repo).await;
    // Seven items a page: five pages, the last one short.
    let query = client
        .query()
        .table_name(table)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", AttributeValue::S("CATALOG".into()))
        .limit(7);
    let items = dynamo::all_pages(query, "query the catalog").await.unwrap();
    assert_eq!(items.len(), 30);
}

#[tokio::test]
async fn outbox_puts_the_message_on_the_queue_as_json() {
    let sdk = shop_testkit::sdk().await;
    let (sqs, url) = shop_testkit::fresh_queue(&sdk).await;
    let message: MailMessage = serde_json::from_value(serde_json::json!({
        "template": "email_verification", "language": "en", "to": "a@b.de",
        "data": {"name": "A", "link": "https://x", "valid_days": 14}, "dedupe_key": "verify:1"
    }))
    .unwrap();
    MailOutbox::new(sqs.clone(), &url)
        .enqueue(&message)
        .await
        .unwrap();
    let got = sqs.receive_message().queue_url(&url).send().await.unwrap();
    let bodies: Vec<MailMessage> = got
        .messages()
        .iter()
        .map(|m| serde_json::from_str(m.body().unwrap()).unwrap())
        .collect();
    assert_eq!(bodies, vec![message]);
}
