//! The worker driven by `events/check-plant-alerts.json` against a fresh shop table, telemetry
//! table and mail queue on the stand-in, the clock moved between runs: each of the three
//! conditions alerts once, a second run the same minute and a run later that day send nothing
//! again, the all-clear comes once, nothing is judged at night, a plant without monitoring is
//! skipped and a deleted plant's alerts are removed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use aws_lambda_events::event::sqs::SqsEvent;
use check_plant_alerts::{Handler, Settings};
use jiff::{Timestamp, civil::date};
use serde_json::Value;
use shop_adapters::{boot::config::Vars, store::alerts::alerts_pk};
use shop_domain::solar::{PlantId, alerts::AlertSettings};
use shop_testkit::{Sample, TestBed, alerts, bed, solar};

struct Setup {
    bed: TestBed,
    telemetry: String,
    mail: String,
    plant: PlantId,
}

const START: &str = "2026-06-21T12:00:00Z";

async fn setup(first_activation: jiff::civil::Date) -> Setup {
    let sample = Sample::of("check-plant-alerts");
    let event: SqsEvent = sample.parse();
    let body: Value = serde_json::from_str(event.records[0].body.as_deref().unwrap()).unwrap();
    let bed = TestBed::at(START).await;
    let owner = bed.customer("anna@example.de").await;
    let id = body["plant_id"].as_str().unwrap();
    let plant = solar::plant(&bed.dynamodb, &bed.table, &owner, id).await;
    solar::first_activation(&bed.dynamodb, &bed.table, &plant, first_activation).await;
    for (serial, power) in [
        ("INV-A", Some(10_000)),
        ("INV-B", Some(10_000)),
        ("INV-C", None),
    ] {
        alerts::inverter(&bed, &plant, serial, power, first_activation).await;
    }
    let on: AlertSettings = serde_json::from_value(serde_json::json!({
        "no_data": {"enabled": true, "window_minutes": 60},
        "underperformance": {"enabled": true, "percent": 20},
        "below_forecast": {"enabled": true},
        "expected_yield_kwh": null
    }))
    .unwrap();
    let repo = bed.boot.alert_settings();
    repo.save(&plant, &owner.id, &on, bed.now).await.unwrap();
    let telemetry = alerts::telemetry_table(&bed).await;
    let mail = bed.queue().await;
    Setup {
        bed,
        telemetry,
        mail,
        plant,
    }
}

impl Setup {
    async fn latest(&self, serial: &str, at: &str) {
        let t: Timestamp = at.parse().unwrap();
        alerts::latest(&self.bed.dynamodb, &self.telemetry, serial, t).await;
    }

    async fn daily(&self, serial: &str, day: jiff::civil::Date, wh: u64) {
        alerts::daily(&self.bed.dynamodb, &self.telemetry, serial, day, wh).await;
    }

    /// The sample message handled with the clock at `at`.
    async fn handle(&self, at: &str) {
        let vars = [
            ("TELEMETRY_TABLE", self.telemetry.as_str()),
            bed::mail_vars(&self.mail)[0],
            bed::mail_vars(&self.mail)[1],
        ];
        let settings = Settings::from_vars(&Vars::given(&vars)).unwrap();
        let handler = Handler::new(&self.bed.boot_at(at), settings).unwrap();
        let response = handler
            .handle(Sample::of("check-plant-alerts").parse())
            .await;
        assert!(response.batch_item_failures.is_empty(), "{at}");
    }

    /// [`Setup::handle`], then the emails it queued, as (template, condition, dedupe key).
    async fn run(&self, at: &str) -> Vec<(String, String, String)> {
        self.handle(at).await;
        self.mails().await
    }

    async fn mails(&self) -> Vec<(String, String, String)> {
        let mut mails = Vec::new();
        loop {
            let batch = self.bed.received(&self.mail).await;
            if batch.is_empty() {
                break;
            }
            for m in batch {
                let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
                mails.push((
                    s(&m["template"]),
                    s(&m["data"]["condition"]),
                    s(&m["dedupe_key"]),
                ));
            }
        }
        mails.sort();
        mails
    }
}

#[tokio::test]
async fn each_condition_alerts_once_and_clears_once() {
    let today = date(2026, 6, 21);
    let s = setup(date(2026, 6, 10)).await;
    let yesterday = date(2026, 6, 20);
    s.latest("INV-A", "2026-06-21T11:55:00Z").await;
    s.latest("INV-B", "2026-06-21T09:00:00Z").await; // silent for three hours of daylight
    s.latest("INV-C", "2026-06-21T11:55:00Z").await;
    s.daily("INV-A", today, 30_000).await; // 3.0 kWh/kW
    s.daily("INV-B", today, 10_000).await; // 1.0 kWh/kW: 67 % below
    s.daily("INV-C", today, 50_000).await; // unknown type: not compared
    // Yesterday 40 kWh; the default forecast of 20 kW in June is 20 × 950 × 13 % / 30 = 82.3.
    s.daily("INV-A", yesterday, 20_000).await;
    s.daily("INV-B", yesterday, 20_000).await;

    let first = s.run(START).await;
    let p = &s.plant;
    let expected = [
        (
            "plant_alert",
            "below_forecast",
            format!("alert:{p}:below_forecast:PLANT:2026-06-20"),
        ),
        (
            "plant_alert",
            "no_data",
            format!("alert:{p}:no_data:INV#INV-B:2026-06-21"),
        ),
        (
            "plant_alert",
            "underperformance",
            format!("alert:{p}:underperformance:INV#INV-B:2026-06-21"),
        ),
    ];
    let expected: Vec<(String, String, String)> = expected
        .into_iter()
        .map(|(a, b, c)| (a.into(), b.into(), c))
        .collect();
    assert_eq!(first, expected);
    // The same run again, and a later run with nothing changed: nothing.
    assert!(s.run(START).await.is_empty());
    assert!(s.run("2026-06-21T12:15:00Z").await.is_empty());

    // INV-B sends again: one all-clear, once.
    s.latest("INV-B", "2026-06-21T12:25:00Z").await;
    let cleared = s.run("2026-06-21T12:30:00Z").await;
    assert_eq!(cleared.len(), 1);
    assert_eq!(cleared[0].0, "plant_alert_cleared");
    assert_eq!(
        cleared[0].2,
        format!("alert-clear:{p}:no_data:INV#INV-B:2026-06-21")
    );
    assert!(s.run("2026-06-21T12:30:00Z").await.is_empty());
    // Silent again the same day (the others are not): no second alert that day.
    s.latest("INV-A", "2026-06-21T13:55:00Z").await;
    s.latest("INV-C", "2026-06-21T13:55:00Z").await;
    let again = s.run("2026-06-21T14:00:00Z").await;
    assert!(again.is_empty(), "{again:?}");

    // Tomorrow the plant reached its forecast (yesterday = the 21st): the all-clear.
    s.daily("INV-A", today, 60_000).await;
    s.daily("INV-B", today, 60_000).await;
    s.latest("INV-B", "2026-06-22T09:55:00Z").await;
    s.latest("INV-A", "2026-06-22T09:55:00Z").await;
    s.latest("INV-C", "2026-06-22T09:55:00Z").await;
    let next_day = s.run("2026-06-22T10:00:00Z").await;
    let templates: Vec<(&str, &str)> = next_day
        .iter()
        .map(|(t, c, _)| (t.as_str(), c.as_str()))
        .collect();
    assert_eq!(templates, [("plant_alert_cleared", "below_forecast")]);
}

#[tokio::test]
async fn parallel_runs_queue_each_email_once() {
    let s = setup(date(2026, 6, 10)).await;
    s.latest("INV-A", "2026-06-21T11:55:00Z").await;
    s.latest("INV-C", "2026-06-21T11:55:00Z").await;
    // INV-B never sent anything: one no-data alert, whichever run decides it.
    for _ in 0..5 {
        tokio::join!(
            s.handle(START),
            s.handle(START),
            s.handle(START),
            s.handle(START)
        );
    }
    let mails = s.mails().await;
    // A run that read the state between another's write and its note may queue the email
    // again, under the same dedupe key: send-mail sends it once.
    let mut keys: Vec<&str> = mails
        .iter()
        .filter(|(_, c, _)| c == "no_data")
        .map(|(_, _, k)| k.as_str())
        .collect();
    keys.dedup();
    assert_eq!(keys.len(), 1, "{mails:?}");
}

#[tokio::test]
async fn nothing_is_judged_at_night() {
    let s = setup(date(2026, 6, 10)).await;
    let no_data = |mails: Vec<(String, String, String)>| -> Vec<String> {
        mails
            .into_iter()
            .filter(|(_, c, _)| c == "no_data")
            .map(|(_, _, k)| k)
            .collect()
    };
    // No inverter has ever sent anything; at 23:30 in Berlin the sun is down.
    assert!(no_data(s.run("2026-06-21T21:30:00Z").await).is_empty());
    // At 04:00 UTC (06:00 Berlin) the sun has been up for about 40 minutes: within the window.
    assert!(no_data(s.run("2026-06-22T04:00:00Z").await).is_empty());
    let morning = no_data(s.run("2026-06-22T05:00:00Z").await);
    assert_eq!(morning.len(), 3, "{morning:?}");
}

#[tokio::test]
async fn plants_without_monitoring_are_skipped_and_deleted_ones_forgotten() {
    // The trial ended long ago and no license was bought.
    let s = setup(date(2025, 1, 10)).await;
    assert!(s.run(START).await.is_empty());

    s.bed
        .dynamodb
        .delete_item()
        .table_name(&s.bed.table)
        .set_key(Some(shop_adapters::store::dynamo::key(
            shop_adapters::store::plants::plant_pk(&s.plant),
            "PLANT",
        )))
        .send()
        .await
        .unwrap();
    assert!(s.run(START).await.is_empty());
    assert_eq!(s.bed.count_under(&alerts_pk(&s.plant)).await, 0);
}
