//! Gapless document numbers against the stand-in: concurrent writers each get a different
//! number, every number in the series is used, and a document whose write fails uses none.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use aws_sdk_dynamodb::types::Put;
use shop_adapters::{
    store::dynamo::{key, string_attr},
    store::orders::{NumberedError, OrdersRepo, Write},
};

fn document(repo: &OrdersRepo, pk: String, number: &str) -> Write {
    let mut item = key(pk, "DOC");
    item.insert("number".into(), string_attr(number));
    Write::Put(
        Put::builder()
            .table_name(repo.table())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .unwrap(),
    )
}

/// Orders on a fresh table.
async fn fresh_orders() -> OrdersRepo {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    OrdersRepo::new(client, table)
}

#[tokio::test]
async fn concurrent_documents_get_every_number_once() {
    let repo = fresh_orders().await;
    let tasks: Vec<_> = (0..25)
        .map(|i| {
            let repo = repo.clone();
            tokio::spawn(async move {
                let result = repo
                    .numbered("INV", 2026, |n| {
                        Ok(vec![document(&repo, format!("DOC#{i}"), n)])
                    })
                    .await;
                match result {
                    Ok(n) => n,
                    Err(_) => panic!("document {i} got no number"),
                }
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    numbers.sort();
    let expected: Vec<String> = (1..=25).map(|n| format!("INV-2026-{n:06}")).collect();
    assert_eq!(numbers, expected);
}

/// Numbers the credit note stored under `pk` in the series of `year`.
async fn credit_note(repo: &OrdersRepo, pk: &str, year: i16) -> Result<String, NumberedError> {
    repo.numbered("CN", year, |n| Ok(vec![document(repo, pk.into(), n)]))
        .await
}

#[tokio::test]
async fn a_failed_document_uses_no_number() {
    let repo = fresh_orders().await;
    let first = credit_note(&repo, "DOC#a", 2026).await;
    assert_eq!(first.ok().as_deref(), Some("CN-2026-000001"));
    // The same document again fails its own condition (write 0 of the caller's writes).
    let again = credit_note(&repo, "DOC#a", 2026).await;
    assert!(matches!(again, Err(NumberedError::Condition(0))));
    let next = credit_note(&repo, "DOC#b", 2026).await;
    assert_eq!(next.ok().as_deref(), Some("CN-2026-000002"));
    // Another year starts its own series.
    let other = credit_note(&repo, "DOC#c", 2027).await;
    assert_eq!(other.ok().as_deref(), Some("CN-2027-000001"));
}
