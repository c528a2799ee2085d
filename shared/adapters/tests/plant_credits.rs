//! A residual credit against the stand-in: of many orders claiming one ended license's credit
//! at once, exactly one gets it; the one that claimed it (only) gives it back; and two payments
//! deciding a plant's license start on the same rows cannot both be written.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use aws_sdk_dynamodb::{Client, types::AttributeValue};
use shop_adapters::store::{
    orders::Write,
    plant_licenses::PlantLicenseRows,
    plants::{license_sk, plant_pk},
};
use shop_domain::{id::SubscriptionId, solar::PlantId};

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// A plant at version 1 with one license ended by power, as the rows are stored.
async fn ended_license(client: &Client, table: &str, plant: &PlantId, ended: &SubscriptionId) {
    let row = [
        ("pk", s(&plant_pk(plant))),
        ("sk", s(&license_sk(ended))),
        ("subscription_id", s(ended.as_str())),
        ("starts_on", s("2027-01-01")),
        ("ends_on", s("2027-12-31")),
        ("power_w", AttributeValue::N("10000".into())),
        ("net", s("24.00")),
        ("ended_on", s("2027-04-11")),
    ];
    let plant_item = [
        ("pk", s(&plant_pk(plant))),
        ("sk", s("PLANT")),
        ("version", AttributeValue::N("1".into())),
    ];
    for item in [&row[..], &plant_item[..]] {
        client
            .put_item()
            .table_name(table)
            .set_item(Some(
                item.iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            ))
            .send()
            .await
            .unwrap();
    }
}

async fn send(client: &Client, write: Write) -> bool {
    client
        .transact_write_items()
        .transact_items(write.item())
        .send()
        .await
        .is_ok()
}

async fn credited_by(
    client: &Client,
    table: &str,
    plant: &PlantId,
    ended: &SubscriptionId,
) -> Option<String> {
    let item = client
        .get_item()
        .table_name(table)
        .key("pk", s(&plant_pk(plant)))
        .key("sk", s(&license_sk(ended)))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    item.get("credited_by").and_then(|v| v.as_s().ok()).cloned()
}

/// A plant's license rows on a fresh table, with the table's client and name.
async fn fresh_rows() -> (PlantLicenseRows, Client, String) {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    (
        PlantLicenseRows::new(client.clone(), table.clone()),
        client,
        table,
    )
}

#[tokio::test]
async fn one_of_many_racing_orders_claims_a_credit_and_only_it_gives_it_back() {
    let (rows, client, table) = fresh_rows().await;
    for round in 0..20 {
        let plant = PlantId::parse(&format!("plant-{round}")).unwrap();
        let ended = SubscriptionId::parse(&format!("old-{round}")).unwrap();
        ended_license(&client, &table, &plant, &ended).await;
        let tasks: Vec<_> = (0..10)
            .map(|i| {
                let (rows, client) = (rows.clone(), client.clone());
                let (plant, ended) = (plant.clone(), ended.clone());
                tokio::spawn(async move {
                    let by = SubscriptionId::parse(&format!("new-{i}")).unwrap();
                    let claim = rows.claim_credit(&plant, &ended, &by).unwrap();
                    send(&client, Write::Update(claim)).await.then_some(by)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for t in tasks {
            winners.extend(t.await.unwrap());
        }
        assert_eq!(winners.len(), 1, "round {round}");
        let winner = &winners[0];
        assert_eq!(
            credited_by(&client, &table, &plant, &ended)
                .await
                .as_deref(),
            Some(winner.as_str())
        );
        let loser = SubscriptionId::parse("someone-else").unwrap();
        let release =
            |by: &SubscriptionId| Write::Update(rows.release_credit(&plant, &ended, by).unwrap());
        assert!(!send(&client, release(&loser)).await, "round {round}");
        assert!(send(&client, release(winner)).await, "round {round}");
        assert_eq!(credited_by(&client, &table, &plant, &ended).await, None);
        let again = rows.claim_credit(&plant, &ended, &loser).unwrap();
        assert!(send(&client, Write::Update(again)).await, "round {round}");
    }
}

#[tokio::test]
async fn a_credit_is_claimed_only_from_an_ended_license_and_a_start_only_on_the_rows_read() {
    let (rows, client, table) = fresh_rows().await;
    let plant = PlantId::parse("p").unwrap();
    let running = SubscriptionId::parse("running").unwrap();
    let by = SubscriptionId::parse("new").unwrap();
    // No row (and so no `ended_on`): nothing to claim.
    assert!(
        !send(
            &client,
            Write::Update(rows.claim_credit(&plant, &running, &by).unwrap())
        )
        .await
    );
    ended_license(
        &client,
        &table,
        &plant,
        &SubscriptionId::parse("old").unwrap(),
    )
    .await;
    // Two payments decided on version 1: one moves it, the other must read again.
    let touch = || Write::Update(rows.touch_plant(&plant, 1).unwrap());
    let (a, b) = tokio::join!(send(&client, touch()), send(&client, touch()));
    assert!(a ^ b);
    assert!(send(&client, Write::Update(rows.touch_plant(&plant, 2).unwrap())).await);
}
