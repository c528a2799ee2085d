//! The handler driven by `events/inverters.json` against a fresh table and queue on the
//! stand-in: the owner adds a registered inverter to their plant with its activation code.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use inverters::{Handler, Settings};
use jiff::civil::date;
use serde_json::json;
use shop_adapters::{boot::Boot, boot::config::Vars, store::plants::PlantRecord};
use shop_domain::{Money, account::model::Account, solar::PlantId};
use shop_testkit::{Answer, Sample, TestBed, customer, license, solar};

const CODE: &str = "SUN-2026-0001";
const NOW: &str = "2026-11-22T10:00:00Z";

struct Setup {
    bed: TestBed,
    handler: Handler,
    queue: String,
    owner: Account,
    plant: PlantId,
}

fn handler(boot: &Boot, queue: &str, extra: &[(&str, &str)]) -> Handler {
    let vars = [&shop_testkit::bed::protected_mail_vars(queue)[..], extra].concat();
    Handler::new(boot, Settings::from_vars(&Vars::given(&vars)).unwrap()).expect("builds")
}

/// The handler (default settings), its mail queue, the sample's plant of a customer and the
/// sample's device (10 kW) in the registry.
async fn setup() -> Setup {
    let bed = TestBed::at(NOW).await;
    let queue = bed.queue().await;
    let owner = customer::active_account(&bed.boot.accounts(), "anna@example.de", bed.now).await;
    let id = Sample::of("inverters").event()["pathParameters"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let plant = solar::plant(&bed.dynamodb, &bed.table, &owner, &id).await;
    solar::device(&bed.boot.devices(), "DEMO-INV-0001", CODE, Some(10_000)).await;
    let handler = handler(&bed.boot, &queue, &[]);
    Setup {
        bed,
        handler,
        queue,
        owner,
        plant,
    }
}

/// As [`setup`], with the sample's inverter added to the plant.
async fn with_the_sample_added() -> Setup {
    let s = setup().await;
    s.answer(&s.sample()).await.ok(201);
    s
}

impl Setup {
    /// The handler's answer to `sample`, as the runtime would deliver it.
    async fn answer(&self, sample: &Sample) -> Answer {
        sample.answer(&self.handler).await
    }

    fn sample(&self) -> Sample {
        self.sample_at(self.bed.now)
    }

    /// The sample with a token issued at `now`.
    fn sample_at(&self, now: jiff::Timestamp) -> Sample {
        Sample::of("inverters").with_bearer(&customer::token(&self.owner, now))
    }

    async fn stored(&self) -> PlantRecord {
        self.bed
            .boot
            .plants()
            .read(&self.plant)
            .await
            .unwrap()
            .unwrap()
    }

    /// The sample's route on another path of the plant.
    /// The sample on the route of the inverter `serial` (`action`: `""` or `"/exchange"`).
    fn on(&self, method: &str, serial: &str, action: &str) -> Sample {
        let path = format!("/v1/plants/{}/inverters/{serial}{action}", self.plant);
        let route = format!("{method} /v1/plants/{{id}}/inverters/{{serial}}{action}");
        let sample = self.sample().with_route(&route, &path);
        sample.with_path_param("serial", serial)
    }
}

#[tokio::test]
async fn the_sample_adds_the_inverter_and_starts_the_trial() {
    let s = setup().await;
    let answer = s.answer(&s.sample()).await;
    let body = answer.ok(201);
    assert_eq!(body["inverter"]["serial"], "DEMO-INV-0001");
    assert_eq!(body["inverter"]["label"], "Roof east");
    assert_eq!(body["total_power_w"], 10_000);
    assert_eq!(body["first_activation"], "2026-11-22");
    assert_eq!(body["ended_licenses"], json!([]));
    let plant = s.stored().await;
    assert_eq!(plant.inverters.len(), 1);
    assert_eq!(plant.first_activation, Some(date(2026, 11, 22)));
    assert_eq!(plant.version, 2);
    let device = s
        .bed
        .boot
        .devices()
        .get(&plant.inverters[0].serial)
        .await
        .unwrap();
    assert_eq!(device.unwrap().plant_id, Some(s.plant.clone()));
}

#[tokio::test]
async fn a_wrong_code_and_an_unknown_serial_answer_alike_and_change_nothing() {
    let s = setup().await;
    let wrong = s
        .sample()
        .with_field("activation_code", json!("SUN-2026-9999"));
    let unknown = s.sample().with_field("serial", json!("NO-SUCH-0001"));
    for sample in [wrong, unknown] {
        let answer = s.answer(&sample).await;
        answer.problem(422, "invalid_activation");
    }
    let plant = s.stored().await;
    assert!(plant.inverters.is_empty());
    assert_eq!((plant.first_activation, plant.version), (None, 1));
}

#[tokio::test]
async fn past_the_limit_of_wrong_codes_even_the_right_one_is_not_compared() {
    let s = setup().await;
    let handler = handler(&s.bed.boot, &s.queue, &[("ACTIVATION_ATTEMPTS", "3")]);
    let wrong = s
        .sample()
        .with_field("activation_code", json!("WRONG-CODE"));
    for _ in 0..3 {
        wrong
            .answer(&handler)
            .await
            .problem(422, "invalid_activation");
    }
    wrong
        .answer(&handler)
        .await
        .problem(429, "too_many_activation_attempts");
    Answer::of(&handler.handle(s.sample().request()).await)
        .problem(429, "too_many_activation_attempts");
    assert!(s.stored().await.inverters.is_empty());
    // The next window starts afresh; right codes never used up a slot.
    let at = "2026-11-22T11:00:00Z";
    let handler = handler_at(&s.bed.boot_at(at), &s.queue);
    let sample = s.sample_at(at.parse().unwrap());
    sample.answer(&handler).await.ok(201);
}

fn handler_at(boot: &Boot, queue: &str) -> Handler {
    handler(boot, queue, &[("ACTIVATION_ATTEMPTS", "3")])
}

#[tokio::test]
async fn an_inverter_in_another_plant_is_in_use_without_saying_whose() {
    let s = setup().await;
    let other = customer::active_account(&s.bed.boot.accounts(), "ben@example.de", s.bed.now).await;
    let theirs = solar::plant(&s.bed.dynamodb, &s.bed.table, &other, "p-ben").await;
    let path = format!("/v1/plants/{theirs}/inverters");
    let sample = Sample::of("inverters")
        .with_bearer(&customer::token(&other, s.bed.now))
        .with_route("POST /v1/plants/{id}/inverters", &path)
        .with_path_param("id", theirs.as_str());
    s.answer(&sample).await.ok(201);
    let answer = s.answer(&s.sample()).await;
    let problem = answer.problem(409, "inverter_in_use");
    assert!(!problem.to_string().contains("p-ben"));
    assert!(s.stored().await.inverters.is_empty());
}

#[tokio::test]
async fn a_retried_add_changes_nothing() {
    let s = with_the_sample_added().await;
    let again = s.answer(&s.sample()).await;
    assert_eq!(again.ok(200)["inverter"]["serial"], "DEMO-INV-0001");
    let plant = s.stored().await;
    assert_eq!((plant.inverters.len(), plant.version), (1, 2));
}

#[tokio::test]
async fn another_accounts_plant_is_not_found() {
    let s = setup().await;
    let other = customer::active_account(&s.bed.boot.accounts(), "ben@example.de", s.bed.now).await;
    let sample = s.sample().with_bearer(&customer::token(&other, s.bed.now));
    s.answer(&sample).await.problem(404, "plant_not_found");
}

#[tokio::test]
async fn a_malformed_plant_id_answers_like_the_other_plant_routes() {
    let s = setup().await;
    let sample = s.sample().with_path_param("id", "not a plant id");
    let answer = s.answer(&sample).await;
    let problem = answer.problem(404, "plant_not_found");
    assert_eq!(problem["detail"], "There is no such plant of yours.");
}

#[tokio::test]
async fn label_remove_and_add_again_keep_the_first_trial() {
    let s = with_the_sample_added().await;
    let rename = s
        .on("PATCH", "demo-inv-0001", "")
        .with_body(&json!({"label": "Barn"}));
    let renamed = s.answer(&rename).await;
    assert_eq!(renamed.ok(200)["label"], "Barn");
    let bad = rename.with_body(&json!({"label": "a\u{202E}b"}));
    s.answer(&bad).await.problem(422, "invalid_label");
    let remove = s.on("DELETE", "DEMO-INV-0001", "");
    let left = s.answer(&remove).await;
    assert_eq!(left.ok(200)["inverters"], json!([]));
    s.answer(&remove).await.problem(404, "inverter_not_found");
    // Twenty days later the same device comes back: the trial still counts from day one.
    let at = "2026-12-12T10:00:00Z";
    let later = handler(&s.bed.boot_at(at), &s.queue, &[]);
    let again = Answer::of(
        &later
            .handle(s.sample_at(at.parse().unwrap()).request())
            .await,
    );
    assert_eq!(again.ok(201)["first_activation"], "2026-11-22");
    assert_eq!(again.ok(201)["inverter"]["activated_on"], "2026-12-12");
}

#[tokio::test]
async fn an_exchange_keeps_the_place_and_the_label() {
    let s = with_the_sample_added().await;
    solar::device(
        &s.bed.boot.devices(),
        "DEMO-INV-0002",
        "SUN-2026-0002",
        None,
    )
    .await;
    let exchange = s
        .on("POST", "DEMO-INV-0001", "/exchange")
        .with_body(&json!({"serial": "demo-inv-0002", "activation_code": "SUN-2026-0002"}));
    let answer = s.answer(&exchange).await;
    let body = answer.ok(201);
    assert_eq!(body["inverter"]["label"], "Roof east");
    assert_eq!(body["inverter"]["type"], "unknown");
    assert_eq!(body["total_power_w"], 20_000);
    let plant = s.stored().await;
    let serials: Vec<&str> = plant.inverters.iter().map(|i| i.serial.as_str()).collect();
    assert_eq!(serials, ["DEMO-INV-0002"]);
    let old = s
        .bed
        .boot
        .devices()
        .get(&"DEMO-INV-0001".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(old.unwrap().plant_id, None);
    // Retried: already done, nothing changes.
    let again = s.answer(&exchange).await;
    assert_eq!(again.ok(200)["inverter"]["serial"], "DEMO-INV-0002");
    assert_eq!(s.stored().await.version, plant.version);
}

#[tokio::test]
async fn power_above_a_license_ends_it_that_day_and_tells_the_owner_once() {
    let s = setup().await;
    // Its trial is long over: the plant had an inverter in the summer.
    solar::first_activation(&s.bed.dynamodb, &s.bed.table, &s.plant, date(2026, 7, 1)).await;
    let sub = license::alarm_team(&s.owner, "mon-1", 1, date(2026, 8, 14));
    s.bed.store_license(&sub).await;
    solar::license_row(
        &s.bed.dynamodb,
        &s.bed.table,
        &s.plant,
        &sub,
        5_000,
        Money::from_cents(3000),
    )
    .await;
    let answer = s.answer(&s.sample()).await;
    let ended = &answer.ok(201)["ended_licenses"];
    // 30.00 for 365 days (2026-08-14 to 2027-08-13), ended on day 101: 30 × 265/365.
    assert_eq!(
        ended,
        &json!([{"license": "mon-1", "licensed_power": 5000, "ended_on": "2026-11-22",
                  "residual": {"remaining_days": 265, "term_days": 365, "value": "21.78"}}])
    );
    let plant = s.stored().await;
    assert_eq!(plant.licenses[0].ended_on, Some(date(2026, 11, 22)));
    let stored = s.bed.license(&sub.id).await;
    assert_eq!(stored.version, sub.version + 1);
    assert!(!stored.auto_renew);
    let state = serde_json::to_value(plant.state(date(2026, 11, 22), &Default::default()));
    assert_eq!(state.unwrap()["state"], "license_ended_power_exceeded");
    // The add retried: nothing ends twice, the one email keeps its dedupe key.
    let again = s.answer(&s.sample()).await;
    assert_eq!(&again.ok(200)["ended_licenses"], ended);
    let stored_again = s.bed.license(&sub.id).await;
    assert_eq!(stored_again.version, stored.version);
    let mails = s.bed.received(&s.queue).await;
    assert!(!mails.is_empty());
    for mail in &mails {
        assert_eq!(mail["template"], "monitoring_license_ended");
        assert_eq!(mail["dedupe_key"], "license-ended:mon-1");
        assert_eq!(mail["to"], "anna@example.de");
        assert_eq!(mail["data"]["residual"], "21.78");
    }
}

#[tokio::test]
async fn odd_paths_and_bodies_are_refused_with_their_codes() {
    let s = with_the_sample_added().await;
    let itself = s
        .on("POST", "DEMO-INV-0001", "/exchange")
        .with_body(&json!({"serial": "demo-inv-0001", "activation_code": CODE}));
    s.answer(&itself).await.problem(422, "same_inverter");
    let no_serial = s.on("DELETE", "not a serial", "");
    s.answer(&no_serial)
        .await
        .problem(404, "inverter_not_found");
    let emptied = s
        .on("PATCH", "DEMO-INV-0001", "")
        .with_body(&json!({"label": ""}));
    assert_eq!(s.answer(&emptied).await.ok(200)["label"], "");
    let unknown_field = s.sample().with_field("colour", json!("red"));
    s.answer(&unknown_field).await.problem(400, "invalid_body");
    assert_eq!(s.stored().await.inverters.len(), 1);
}
