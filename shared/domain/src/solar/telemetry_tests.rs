use proptest::prelude::*;
use serde_json::json;

use super::*;

fn now() -> Timestamp {
    "2026-06-21T12:00:00Z".parse().unwrap()
}

fn serial() -> SerialNumber {
    SerialNumber::parse("DEMO-INV-0001").unwrap()
}

fn good(time: &str) -> Value {
    json!({"time": time, "ac_w": 5000, "e_day_wh": 12000, "e_total_wh": 9000000, "status": 0})
}

fn request(body: Value) -> TelemetryRequest {
    serde_json::from_value(body).unwrap()
}

fn problems(body: Value) -> Vec<(String, &'static str)> {
    match request(body).check(&serial(), now(), &TelemetryLimits::default()) {
        Err(DomainError::Invalid { fields, .. }) => {
            fields.into_iter().map(|f| (f.field, f.code)).collect()
        }
        other => panic!("expected problems, got {other:?}"),
    }
}

fn reading(t: i64, ac_w: u64, e_day_wh: u64) -> Reading {
    Reading {
        t,
        ac_w,
        e_day_wh,
        e_total_wh: 1_000_000 + e_day_wh,
        status: 0,
        errors: Vec::new(),
    }
}

#[test]
fn a_good_request_is_checked_whole() {
    let batch = request(json!({
        "readings": [good("2026-06-21T11:55:00Z"), {
            "time": "2026-06-21T14:00:00+02:00", "ac_w": 5100.0, "e_day_wh": 12400,
            "e_total_wh": 9000400, "status": 7, "errors": [301, 4]
        }],
        "config": {"type": "AE 3TL 16", "nominal_power_w": 16000, "firmware": "2.1.0"}
    }))
    .check(&serial(), now(), &TelemetryLimits::default())
    .unwrap();
    assert_eq!(batch.serial, serial());
    assert_eq!(batch.readings.len(), 2);
    assert_eq!(batch.readings[1].t, now().as_second());
    assert_eq!(batch.readings[1].ac_w, 5100);
    assert_eq!(batch.readings[1].errors, [301, 4]);
    let report = batch.report.unwrap();
    assert_eq!(report.config.type_name(), "AE 3TL 16");
    assert_eq!(report.firmware, "2.1.0");
}

#[test]
fn every_bad_field_is_listed_with_its_reading() {
    let found = problems(json!({"readings": [
        good("2026-06-21T11:00:00Z"),
        {"time": "2026-06-21T12:05:01Z", "ac_w": -1, "e_day_wh": 1.5, "e_total_wh": "9", "status": 70000},
        {"time": "yesterday", "ac_w": 10_000_001, "e_day_wh": 240_000_001u64,
         "e_total_wh": 10_000_000_000_001u64, "status": 0, "errors": [-3], "volts": 230},
        7,
        good("2026-05-21T11:59:59Z"),
    ]}));
    let expected = [
        ("readings[1].time", "time_in_future"),
        ("readings[1].ac_w", "invalid_ac_w"),
        ("readings[1].e_day_wh", "invalid_e_day_wh"),
        ("readings[1].e_total_wh", "invalid_e_total_wh"),
        ("readings[1].status", "invalid_status"),
        ("readings[2].volts", "unknown_field"),
        ("readings[2].time", "invalid_time"),
        ("readings[2].ac_w", "invalid_ac_w"),
        ("readings[2].e_day_wh", "invalid_e_day_wh"),
        ("readings[2].e_total_wh", "invalid_e_total_wh"),
        ("readings[2].errors", "invalid_errors"),
        ("readings[3]", "invalid_reading"),
        ("readings[4].time", "time_too_old"),
    ];
    let expected: Vec<_> = expected.iter().map(|(f, c)| (f.to_string(), *c)).collect();
    assert_eq!(found, expected);
}

#[test]
fn missing_fields_are_named() {
    let found = problems(json!({"readings": [{"time": "2026-06-21T11:00:00Z"}]}));
    let codes: Vec<_> = found.iter().map(|(_, c)| *c).collect();
    assert_eq!(
        codes,
        [
            "invalid_ac_w",
            "invalid_e_day_wh",
            "invalid_e_total_wh",
            "invalid_status"
        ]
    );
}

#[test]
fn the_limits_are_at_their_edges() {
    let l = TelemetryLimits::default();
    assert_eq!(l.max_readings, 288);
    assert_eq!(l.max_future, SignedDuration::from_secs(300));
    assert_eq!(l.max_age, SignedDuration::from_hours(30 * 24));
    assert_eq!(l.max_ac_w, 10_000_000);
    assert_eq!(l.max_e_day_wh, 240_000_000);
    // Exactly at each limit is fine.
    let edge = json!({"readings": [{
        "time": "2026-06-21T12:05:00Z", "ac_w": 10_000_000, "e_day_wh": 240_000_000,
        "e_total_wh": 10_000_000_000_000u64, "status": 65535, "errors": vec![0; 32]
    }, good("2026-05-22T12:00:00Z")]});
    assert!(request(edge).check(&serial(), now(), &l).is_ok());
    let errors = problems(json!({"readings": [{
        "time": "2026-06-21T12:00:00Z", "ac_w": 0, "e_day_wh": 0, "e_total_wh": 0,
        "status": 0, "errors": vec![1; 33]
    }]}));
    assert_eq!(
        errors,
        [("readings[0].errors".to_owned(), "invalid_errors")]
    );
}

#[test]
fn too_many_or_no_readings_are_refused_whole() {
    let tight = TelemetryLimits {
        max_readings: 2,
        ..TelemetryLimits::default()
    };
    let three = request(json!({"readings": vec![good("2026-06-21T11:00:00Z"); 3]}));
    let err = three.check(&serial(), now(), &tight).unwrap_err();
    assert_eq!(err.code(), "too_many_readings");
    let none = request(json!({"readings": []}));
    let err = none.check(&serial(), now(), &tight).unwrap_err();
    assert_eq!(err.code(), "no_readings");
    // A configuration alone is a request.
    let config = request(json!({"config": {"type": "unknown"}}));
    assert!(config.check(&serial(), now(), &tight).is_ok());
}

#[test]
fn a_bad_configuration_is_named() {
    let bad = |config: Value| problems(json!({"readings": [], "config": config}));
    assert_eq!(
        bad(json!({"type": "AE 3TL 16"})),
        [("config.nominal_power_w".to_owned(), "invalid_nominal_power")]
    );
    assert_eq!(
        bad(json!({"type": "", "nominal_power_w": 5})),
        [("config.type".to_owned(), "invalid_device_type")]
    );
    assert_eq!(
        bad(json!({"type": "X", "nominal_power_w": 5, "firmware": "a\nb"})),
        [("config.firmware".to_owned(), "invalid_firmware")]
    );
    assert_eq!(
        bad(json!({"type": "X", "nominal_power_w": 5, "colour": 1})),
        [("config".to_owned(), "unknown_field")]
    );
    assert_eq!(bad(json!([1])), [("config".to_owned(), "invalid_config")]);
}

#[test]
fn a_batch_travels_through_json_unchanged() {
    let batch = TelemetryBatch {
        serial: serial(),
        readings: vec![reading(1_782_000_000, 5, 6)],
        report: Some(ConfigReport {
            config: DeviceConfig::parse("AE 3TL 16", Some(16_000)).unwrap(),
            firmware: "1".into(),
        }),
    };
    crate::testing::assert_json_round_trip(&batch);
}

#[test]
fn dedupe_keeps_one_reading_per_time_the_last_sent() {
    let out = dedupe(&[reading(20, 1, 1), reading(10, 2, 2), reading(20, 3, 3)]);
    assert_eq!(out, [reading(10, 2, 2), reading(20, 3, 3)]);
}

#[test]
fn days_are_berlin_days() {
    // 23:30 UTC on 21 June is 01:30 on 22 June in Berlin (summer time).
    let late = "2026-06-21T23:30:00Z"
        .parse::<Timestamp>()
        .unwrap()
        .as_second();
    let early = "2026-06-21T21:30:00Z"
        .parse::<Timestamp>()
        .unwrap()
        .as_second();
    let days = fold_days(&[reading(late, 0, 3), reading(early, 40, 9000)]);
    let keys: Vec<String> = days.keys().map(ToString::to_string).collect();
    assert_eq!(keys, ["2026-06-21", "2026-06-22"]);
    assert_eq!(days.values().next().unwrap().energy_wh, 9000);
}

fn readings() -> impl Strategy<Value = Vec<Reading>> {
    proptest::collection::vec(
        (1_782_000_000i64..1_782_300_000, 0u64..20_000, 0u64..100_000)
            .prop_map(|(t, p, e)| reading(t, p, e)),
        0..60,
    )
}

proptest! {
    #[test]
    fn dedupe_leaves_unique_sorted_times_and_loses_none(rs in readings()) {
        let out = dedupe(&rs);
        prop_assert!(out.windows(2).all(|w| w[0].t < w[1].t));
        let mut times: Vec<i64> = rs.iter().map(|r| r.t).collect();
        times.sort_unstable();
        times.dedup();
        prop_assert_eq!(out.iter().map(|r| r.t).collect::<Vec<_>>(), times);
    }

    #[test]
    fn the_daily_fold_is_the_newest_energy_and_the_largest_power(rs in readings()) {
        let rs = dedupe(&rs);
        for (day, agg) in fold_days(&rs) {
            let of_day: Vec<&Reading> = rs.iter().filter(|r| reading_day(r.t) == day).collect();
            let last = of_day.iter().max_by_key(|r| r.t).unwrap();
            prop_assert_eq!(agg.last_t, last.t);
            prop_assert_eq!(agg.energy_wh, last.e_day_wh);
            prop_assert_eq!(agg.peak_w, of_day.iter().map(|r| r.ac_w).max().unwrap());
        }
    }

    #[test]
    fn batches_fold_the_same_in_any_order(rs in readings(), cut in 0usize..60) {
        // What the store does with two batches, in either order, is the fold of both.
        let rs = dedupe(&rs);
        let (a, b) = rs.split_at(cut.min(rs.len()));
        let join = |x: &[Reading], y: &[Reading]| {
            let mut days = fold_days(x);
            for (day, agg) in fold_days(y) {
                days.entry(day).and_modify(|d| *d = d.merge(agg)).or_insert(agg);
            }
            days
        };
        prop_assert_eq!(join(a, b), fold_days(&rs));
        prop_assert_eq!(join(b, a), fold_days(&rs));
    }

    #[test]
    fn any_power_beyond_the_limit_is_refused_and_any_within_taken(w in 0u64..20_000_000) {
        let body = json!({"readings": [{
            "time": "2026-06-21T11:00:00Z", "ac_w": w, "e_day_wh": 0, "e_total_wh": 0, "status": 0
        }]});
        let ok = request(body).check(&serial(), now(), &TelemetryLimits::default()).is_ok();
        prop_assert_eq!(ok, w <= 10_000_000);
    }
}

#[test]
fn the_device_credential_is_one_header() {
    let c = DeviceCredential::parse(Some("Device demo-inv-0001:s3cr:et")).unwrap();
    assert_eq!(c.serial, serial());
    assert_eq!(c.secret(), "s3cr:et");
    assert_eq!(format!("{c:?}"), "DeviceCredential(DEMO-INV-0001, ..)");
    assert!(DeviceCredential::parse(Some("device DEMO-INV-0001:x")).is_ok());
    let long = format!("Device DEMO-INV-0001:{}", "x".repeat(129));
    for bad in [
        None,
        Some(""),
        Some("Bearer abc"),
        Some("Device DEMO-INV-0001"),
        Some("Device DEMO-INV-0001:"),
        Some("Device DE:secret"),
        Some("Device DEMO-INV-0001:se cret"),
        Some("Devic"),
        Some(long.as_str()),
    ] {
        let err = DeviceCredential::parse(bad).unwrap_err();
        assert_eq!(err.code(), "invalid_device_credential", "{bad:?}");
    }
}
