//! The handler driven by `events/evaluate-alerts.json` (the 15-minute schedule) against a fresh
//! table and queue on the stand-in: every plant with a condition on becomes one message for
//! the worker, across all shards of the index; plants with every condition off do not.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use std::collections::BTreeSet;

use evaluate_alerts::{Handler, Settings};
use shop_adapters::store::alerts::SHARDS;
use shop_domain::solar::{
    PlantId,
    alerts::{AlertSettings, BelowForecastRule},
};
use shop_testkit::TestBed;

#[tokio::test]
async fn every_plant_with_alerts_on_is_enqueued_once() {
    let bed = TestBed::at_time_of("evaluate-alerts").await;
    let owner = bed.customer("anna@example.de").await;
    let repo = bed.boot.alert_settings();
    let on = AlertSettings {
        below_forecast: BelowForecastRule { enabled: true },
        ..AlertSettings::default()
    };
    let mut expected = BTreeSet::new();
    for n in 0..23 {
        let plant = PlantId::parse(&format!("plant-{n:02}")).unwrap();
        repo.save(&plant, &owner.id, &on, bed.now).await.unwrap();
        expected.insert(plant.to_string());
    }
    for n in 0..2 {
        let off = PlantId::parse(&format!("quiet-{n}")).unwrap();
        repo.save(&off, &owner.id, &AlertSettings::default(), bed.now)
            .await
            .unwrap();
    }
    let queue = bed.queue().await;
    let vars = [("ALERT_QUEUE_URL", queue.as_str())];
    let handler = bed.handler(&vars, Settings::from_vars, Handler::new);

    let summary = handler.handle().await.unwrap();
    assert_eq!(summary.plants, 23);
    assert_eq!(summary.queries, SHARDS as usize);
    // One call per shard's page at most, each with up to ten messages.
    assert!(
        summary.sqs_calls >= 3 && summary.sqs_calls <= SHARDS as usize,
        "{summary:?}"
    );
    let mut got = BTreeSet::new();
    loop {
        let batch = bed.received(&queue).await;
        if batch.is_empty() {
            break;
        }
        for job in batch {
            assert!(
                got.insert(job["plant_id"].as_str().unwrap().to_owned()),
                "{job}"
            );
        }
    }
    assert_eq!(got, expected);
}
