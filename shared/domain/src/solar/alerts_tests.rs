#![allow(clippy::unwrap_used)] // a failed unwrap in a test is a failed test

use proptest::prelude::*;
use serde_json::json;

use super::*;

fn check(body: Value) -> Result<AlertSettings, DomainError> {
    check_alert_settings(body.as_object().unwrap())
}

fn field_codes(body: Value) -> Vec<(String, &'static str)> {
    match check(body) {
        Err(DomainError::Invalid { code, fields, .. }) => {
            assert_eq!(code, "invalid_alert_settings");
            fields.into_iter().map(|f| (f.field, f.code)).collect()
        }
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn an_empty_body_switches_everything_off_with_the_defaults() {
    let settings = check(json!({})).unwrap();
    assert_eq!(settings, AlertSettings::default());
    assert!(!settings.any_on());
    assert_eq!(settings.no_data.window_minutes.get(), 60);
    assert_eq!(settings.underperformance.percent.get(), 20);
}

#[test]
fn a_full_body_is_read() {
    let months: Vec<Value> = (1..=12).map(|m| json!(m * 100)).collect();
    let settings = check(json!({
        "no_data": {"enabled": true, "window_minutes": 30},
        "underperformance": {"enabled": false, "percent": 15.0},
        "below_forecast": {"enabled": true},
        "expected_yield_kwh": months,
    }))
    .unwrap();
    assert_eq!(settings.no_data.window_minutes.get(), 30);
    assert_eq!(settings.underperformance.percent.get(), 15);
    assert_eq!(
        settings.enabled().collect::<Vec<_>>(),
        [Condition::NoData, Condition::BelowForecast]
    );
    let yields = settings.expected_yield_kwh.as_ref().unwrap();
    assert_eq!(yields.of(3), Decimal::from(300));
    crate::testing::assert_json_round_trip(&settings);
}

#[test]
fn every_wrong_field_is_listed_with_its_code() {
    let got = field_codes(json!({
        "no_data": {"enabled": "yes", "window_minutes": 5},
        "underperformance": {"enabled": true, "percent": 100, "extra": 1},
        "below_forecast": true,
        "expected_yield_kwh": [1, 2, 3],
        "typo": 1,
    }));
    let want = [
        ("typo", "unknown_field"),
        ("no_data.enabled", "invalid_enabled"),
        ("no_data.window_minutes", "invalid_window_minutes"),
        ("underperformance.extra", "unknown_field"),
        ("underperformance.percent", "invalid_percent"),
        ("below_forecast", "invalid_condition"),
        ("expected_yield_kwh", "invalid_expected_yield"),
    ];
    let want: Vec<(String, &str)> = want.iter().map(|(f, c)| (f.to_string(), *c)).collect();
    assert_eq!(got, want);
}

#[test]
fn parameters_have_their_bounds() {
    for (m, ok) in [(14, false), (15, true), (1440, true), (1441, false)] {
        assert_eq!(WindowMinutes::new(m).is_ok(), ok, "{m}");
    }
    for (p, ok) in [(0, false), (1, true), (99, true), (100, false)] {
        assert_eq!(Percent::new(p).is_ok(), ok, "{p}");
    }
    let bad_yield = |v: Value| field_codes(json!({"expected_yield_kwh": v}));
    let mut months: Vec<Value> = vec![json!("1.5"); 12];
    assert!(check(json!({"expected_yield_kwh": months.clone()})).is_ok());
    months[4] = json!(-1);
    assert_eq!(bad_yield(json!(months.clone())).len(), 1);
    months[4] = json!("1.2345");
    assert_eq!(bad_yield(json!(months)).len(), 1);
    assert_eq!(bad_yield(json!("12")).len(), 1);
    assert_eq!(
        field_codes(json!({"no_data": {"window_minutes": 30}}))[0].1,
        "invalid_enabled"
    );
    for bad in [json!(30.5), json!(null), json!("30")] {
        let body = json!({"no_data": {"enabled": true, "window_minutes": bad}});
        assert_eq!(field_codes(body)[0].1, "invalid_window_minutes");
    }
    // Decimal strings as the contract writes them: no spaces.
    let mut spaced: Vec<Value> = vec![json!("1.5"); 12];
    spaced[0] = json!(" 1.5");
    assert_eq!(bad_yield(json!(spaced)).len(), 1);
}

proptest! {
    #[test]
    fn a_window_is_kept_exactly_or_refused(m in 0u64..3000) {
        let body = json!({"no_data": {"enabled": true, "window_minutes": m}});
        match check(body) {
            Ok(s) => {
                prop_assert!((15..=1440).contains(&m));
                prop_assert_eq!(u64::from(s.no_data.window_minutes.get()), m);
            }
            Err(e) => {
                prop_assert!(!(15..=1440).contains(&m));
                prop_assert_eq!(e.code(), "invalid_alert_settings");
            }
        }
    }
}
