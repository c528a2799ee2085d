//! Proves the local stand-in applies conditional writes atomically under load (the reason the
//! local stack serialises moto): 50 concurrent transactions against a limit of 5 must land
//! exactly 5, in every one of 20 rounds.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};

const ROUNDS: usize = 20;
const CONTENDERS: usize = 50;
const LIMIT: u32 = 5;

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_claims_against_a_limit_of_five_land_exactly_five() {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    for round in 0..ROUNDS {
        let pool = format!("POOL#{round}");
        client
            .put_item()
            .table_name(&table)
            .item("pk", s(&pool))
            .item("sk", s("COUNTER"))
            .item("used", AttributeValue::N("0".into()))
            .send()
            .await
            .unwrap();
        let attempts = (0..CONTENDERS).map(|i| {
            let (client, table, pool) = (client.clone(), table.clone(), pool.clone());
            tokio::spawn(async move {
                let bump = Update::builder()
                    .table_name(&table)
                    .key("pk", s(&pool))
                    .key("sk", s("COUNTER"))
                    .update_expression("SET used = used + :one")
                    .condition_expression("used < :limit")
                    .expression_attribute_values(":one", AttributeValue::N("1".into()))
                    .expression_attribute_values(":limit", AttributeValue::N(LIMIT.to_string()))
                    .build()
                    .unwrap();
                let claim = Put::builder()
                    .table_name(&table)
                    .item("pk", s(&pool))
                    .item("sk", s(&format!("CLAIM#{i}")))
                    .condition_expression("attribute_not_exists(pk)")
                    .build()
                    .unwrap();
                client
                    .transact_write_items()
                    .transact_items(TransactWriteItem::builder().update(bump).build())
                    .transact_items(TransactWriteItem::builder().put(claim).build())
                    .send()
                    .await
                    .is_ok()
            })
        });
        let tasks: Vec<_> = attempts.collect();
        let mut landed = 0;
        for task in tasks {
            landed += usize::from(task.await.unwrap());
        }
        assert_eq!(
            landed, LIMIT as usize,
            "round {round}: {landed} claims landed"
        );

        let stored = client
            .query()
            .table_name(&table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :claim)")
            .expression_attribute_values(":pk", s(&pool))
            .expression_attribute_values(":claim", s("CLAIM#"))
            .consistent_read(true)
            .send()
            .await
            .unwrap();
        assert_eq!(stored.count(), LIMIT as i32, "round {round}: claim items");
    }
}
