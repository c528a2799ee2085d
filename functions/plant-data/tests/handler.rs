//! The handler driven by `events/plant-data.json` against a fresh shop table and a fresh
//! telemetry table on the stand-in, the rows written as store-telemetry writes them: history
//! that adds up to the readings at every resolution, the figures of now, CSV, and the
//! refusals (402 outside trial and license, 404 for another owner's plant, 422 per parameter).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use jiff::civil::date;
use lambda_http::Body;
use plant_data::{Handler, Settings};
use serde_json::{Value, json};
use shop_adapters::boot::config::Vars;
use shop_domain::{Money, account::model::Account, solar::series::Reading};
use shop_testkit::{
    Answer, Sample, TestBed, customer, license,
    solar::{first_activation, license_row, plant},
    telemetry_rows::{curve, fresh_telemetry_table, inverter_row, put_readings},
};

struct Setup {
    bed: TestBed,
    handler: Handler,
    owner: Account,
    a: Vec<Reading>,
    b: Vec<Reading>,
    a_yesterday: Vec<Reading>,
    telemetry: String,
}

const NOW: &str = "2026-11-22T11:00:00Z";

async fn setup() -> Setup {
    let bed = TestBed::at(NOW).await;
    let (telemetry, table) = fresh_telemetry_table(bed.boot.sdk()).await;
    let owner = bed.customer("anna@example.de").await;
    let vars = [
        &customer::jwt_vars()[..],
        &[("TELEMETRY_TABLE", table.as_str())],
    ]
    .concat();
    let handler = bed.handler(&vars, Settings::from_vars, Handler::new);
    // A plant in its trial with two inverters; readings 07:00 to 11:55 Berlin time.
    let id = plant(&bed.dynamodb, &bed.table, &owner, "p-trial").await;
    first_activation(&bed.dynamodb, &bed.table, &id, date(2026, 11, 10)).await;
    for serial in ["INV-A", "INV-B"] {
        inverter_row(
            &bed.dynamodb,
            &bed.table,
            &owner,
            &id,
            serial,
            date(2026, 11, 10),
        )
        .await;
    }
    let today = "2026-11-22T06:00:00Z".parse().unwrap();
    let yesterday = "2026-11-21T06:00:00Z".parse().unwrap();
    let a_yesterday = curve(yesterday, 100, 3000, 1_000_000);
    let a = curve(today, 60, 3000, 2_000_000);
    let b = curve(today, 60, 2000, 500_000);
    put_readings(
        &telemetry,
        &table,
        "INV-A",
        &[a_yesterday.clone(), a.clone()].concat(),
    )
    .await;
    put_readings(&telemetry, &table, "INV-B", &b).await;
    Setup {
        bed,
        handler,
        owner,
        a,
        b,
        a_yesterday,
        telemetry: table,
    }
}

impl Setup {
    async fn respond(
        &self,
        who: &Account,
        id: &str,
        query: &[(&str, &str)],
        accept: &str,
    ) -> lambda_http::Response<Body> {
        let sample = Sample::of("plant-data")
            .with_bearer(&customer::token(who, self.bed.now))
            .with_path_param("id", id)
            .with_header("accept", accept)
            .with_query(query);
        self.handler.handle(sample.request()).await
    }

    async fn get(&self, id: &str, query: &[(&str, &str)]) -> Answer {
        Answer::of(
            &self
                .respond(&self.owner, id, query, "application/json")
                .await,
        )
    }
}

fn energy(points: &Value) -> u64 {
    points
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["energy_wh"].as_u64().unwrap())
        .sum()
}

fn last_e_day(readings: &[Reading]) -> u64 {
    readings.last().unwrap().e_day_wh
}

const WHOLE_DAY: [(&str, &str); 2] = [
    ("from", "2026-11-21T23:00:00Z"),
    ("to", "2026-11-22T23:00:00Z"),
];

#[tokio::test]
async fn history_adds_up_to_the_readings_at_every_resolution() {
    let s = setup().await;
    let today = last_e_day(&s.a) + last_e_day(&s.b);
    for resolution in ["5m", "hour"] {
        let query = [("resolution", resolution), WHOLE_DAY[0], WHOLE_DAY[1]];
        let answer = s.get("p-trial", &query).await;
        let body = answer.ok(200);
        assert_eq!(energy(&body["history"]), today, "{resolution}");
        let inverters = body["inverters"].as_array().unwrap();
        assert_eq!(inverters[0]["serial"], "INV-A");
        assert_eq!(energy(&inverters[0]["history"]), last_e_day(&s.a));
        assert_eq!(energy(&inverters[1]["history"]), last_e_day(&s.b));
        let buckets = body["history"].as_array().unwrap().len();
        assert_eq!(
            buckets,
            if resolution == "5m" { 60 } else { 5 },
            "{resolution}"
        );
    }
    let days = s
        .get(
            "p-trial",
            &[
                ("resolution", "day"),
                ("from", "2026-11-21"),
                ("to", "2026-11-22"),
            ],
        )
        .await;
    let days = days.ok(200)["history"].clone();
    assert_eq!(days[0]["start"], "2026-11-21");
    assert_eq!(
        days[0]["energy_wh"].as_u64().unwrap(),
        last_e_day(&s.a_yesterday)
    );
    assert_eq!(days[1]["energy_wh"].as_u64().unwrap(), today);
    assert!(days[1]["avg_power_w"].is_null());
    let month = s
        .get(
            "p-trial",
            &[
                ("resolution", "month"),
                ("from", "2026-11-01"),
                ("to", "2026-11-30"),
            ],
        )
        .await;
    let month = &month.ok(200)["history"];
    assert_eq!(month[0]["start"], "2026-11");
    assert_eq!(
        month[0]["energy_wh"].as_u64().unwrap(),
        today + last_e_day(&s.a_yesterday)
    );
}

#[tokio::test]
async fn a_5m_bucket_has_its_readings_mean_power_and_the_energy_they_added() {
    let s = setup().await;
    let query = [
        ("resolution", "5m"),
        ("from", "2026-11-22T07:00:00Z"),
        ("to", "2026-11-22T07:05:00Z"),
    ];
    let answer = s.get("p-trial", &query).await;
    let body = answer.ok(200);
    let a12 = s.a[12];
    let point = &body["inverters"][0]["history"][0];
    assert_eq!(point["start"], "2026-11-22T07:00:00Z");
    assert_eq!(point["avg_power_w"].as_u64().unwrap(), a12.ac_w);
    assert_eq!(
        point["energy_wh"].as_u64().unwrap(),
        a12.e_day_wh - s.a[11].e_day_wh
    );
    assert_eq!(body["from"], "2026-11-22T07:00:00Z");
    assert_eq!(body["resolution"], "5m");
}

#[tokio::test]
async fn the_figures_of_now_add_the_inverters_latest_readings() {
    let s = setup().await;
    let answer = s.get("p-trial", &[]).await;
    let now = &answer.ok(200)["now"];
    let (a, b) = (s.a.last().unwrap(), s.b.last().unwrap());
    assert_eq!(now["current_power_w"].as_u64().unwrap(), a.ac_w + b.ac_w);
    let today = a.e_day_wh + b.e_day_wh;
    assert_eq!(now["today_energy_wh"].as_u64().unwrap(), today);
    assert_eq!(
        now["total_energy_wh"].as_u64().unwrap(),
        a.e_total_wh + b.e_total_wh
    );
    // The tariff is 0.0823 EUR/kWh: cents = Wh × 823 / 100000, half away from zero.
    let cents = (today * 823 + 50_000) / 100_000;
    let revenue = Money::parse(now["today_revenue"].as_str().unwrap()).unwrap();
    assert_eq!(revenue, Money::from_cents(cents as i64));
    assert_eq!(answer.body["feed_in_tariff"], "0.0823");
}

#[tokio::test]
async fn a_reading_older_than_the_freshness_window_is_no_current_power() {
    let s = setup().await;
    // The newest readings are of 10:55; at 11:16 they are 21 minutes old.
    let later = "2026-11-22T11:16:00Z";
    let vars = [
        &customer::jwt_vars()[..],
        &[("TELEMETRY_TABLE", s.telemetry.as_str())],
    ]
    .concat();
    let settings = Settings::from_vars(&Vars::given(&vars)).unwrap();
    let handler = Handler::new(&s.bed.boot_at(later), settings).unwrap();
    let request = Sample::of("plant-data")
        .with_bearer(&customer::token(&s.owner, later.parse().unwrap()))
        .with_path_param("id", "p-trial")
        .request();
    let answer = Answer::of(&handler.handle(request).await);
    let body = answer.ok(200);
    assert_eq!(body["now"]["current_power_w"], 0);
    let today = last_e_day(&s.a) + last_e_day(&s.b);
    assert_eq!(body["now"]["today_energy_wh"].as_u64().unwrap(), today);
}

#[tokio::test]
async fn csv_holds_the_same_history() {
    let s = setup().await;
    let query = [("resolution", "hour"), WHOLE_DAY[0], WHOLE_DAY[1]];
    let json = s.get("p-trial", &query).await.body;
    let response = s
        .respond(
            &s.owner,
            "p-trial",
            &query,
            "text/csv, application/json;q=0.5",
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let Body::Text(text) = response.body() else {
        panic!("a text body")
    };
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("series,start,energy_wh,avg_power_w"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let plant: Vec<_> = rows.iter().filter(|r| r[0] == "plant").collect();
    assert_eq!(plant.len(), json["history"].as_array().unwrap().len());
    let sum: u64 = plant.iter().map(|r| r[2].parse::<u64>().unwrap()).sum();
    assert_eq!(sum, energy(&json["history"]));
    assert_eq!(plant[0][1], json["history"][0]["start"].as_str().unwrap());
    assert!(rows.iter().any(|r| r[0] == "INV-B"));
}

#[tokio::test]
async fn a_plant_neither_in_trial_nor_licensed_is_402_with_where_to_buy() {
    let s = setup().await;
    let old = plant(&s.bed.dynamodb, &s.bed.table, &s.owner, "p-old").await;
    first_activation(&s.bed.dynamodb, &s.bed.table, &old, date(2026, 1, 1)).await;
    let answer = s.get("p-old", &[]).await;
    let body = answer.problem(402, "license_required");
    assert_eq!(body["link"], "/v1/checkout");
    assert_eq!(body["product_id"], "solar-monitoring");
    // A plant that never had an inverter has no trial either.
    plant(&s.bed.dynamodb, &s.bed.table, &s.owner, "p-new").await;
    s.get("p-new", &[]).await.problem(402, "license_required");
}

#[tokio::test]
async fn a_licensed_plant_shows_its_data() {
    let s = setup().await;
    let old = plant(&s.bed.dynamodb, &s.bed.table, &s.owner, "p-licensed").await;
    first_activation(&s.bed.dynamodb, &s.bed.table, &old, date(2026, 1, 1)).await;
    let sub = license::alarm_team(&s.owner, "lic-1", 1, date(2026, 11, 1));
    license_row(
        &s.bed.dynamodb,
        &s.bed.table,
        &old,
        &sub,
        20_000,
        Money::from_cents(4800),
    )
    .await;
    let answer = s.get("p-licensed", &[]).await;
    let body = answer.ok(200);
    assert_eq!(body["plant_id"], "p-licensed");
    assert_eq!(body["history"], json!([]));
}

#[tokio::test]
async fn another_owners_plant_and_a_missing_one_are_404() {
    let s = setup().await;
    let other = s.bed.customer("ben@example.de").await;
    let answer = Answer::of(&s.respond(&other, "p-trial", &[], "application/json").await);
    answer.problem(404, "plant_not_found");
    s.get("p-missing", &[])
        .await
        .problem(404, "plant_not_found");
}

#[tokio::test]
async fn each_bad_parameter_is_refused_with_its_code() {
    let s = setup().await;
    for (query, status, code) in [
        (vec![("resolution", "week")], 422, "invalid_resolution"),
        (vec![("from", "2026-11-22T00:00:00Z")], 422, "invalid_range"),
        (
            vec![("from", "2026-11-22"), ("to", "2026-11-23")],
            422,
            "invalid_time",
        ),
        (
            vec![("resolution", "day"), ("from", "x"), ("to", "2026-11-23")],
            422,
            "invalid_date",
        ),
        (
            vec![
                ("resolution", "5m"),
                ("from", "2026-11-01T00:00:00Z"),
                ("to", "2026-11-22T00:00:00Z"),
            ],
            422,
            "range_too_large",
        ),
        (vec![("limit", "5")], 400, "unknown_parameter"),
    ] {
        s.get("p-trial", &query).await.problem(status, code);
    }
}
