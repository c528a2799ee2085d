#![allow(clippy::unwrap_used)] // a failed unwrap in a test is a failed test

use jiff::civil::date;

use super::*;
use crate::solar::alerts::{BelowForecastRule, NoDataRule, UnderperformanceRule, WindowMinutes};

fn all_on() -> AlertSettings {
    AlertSettings {
        no_data: NoDataRule {
            enabled: true,
            window_minutes: WindowMinutes::DEFAULT,
        },
        underperformance: UnderperformanceRule {
            enabled: true,
            percent: crate::solar::alerts::Percent::DEFAULT,
        },
        below_forecast: BelowForecastRule { enabled: true },
        expected_yield_kwh: None,
    }
}

fn view(serial: &str, nominal: Option<u64>, activated_on: Date) -> InverterView {
    InverterView {
        serial: SerialNumber::parse(serial).unwrap(),
        nominal: nominal.map(Watts),
        activated_on,
    }
}

fn look(
    settings: &AlertSettings,
    inverters: &[InverterView],
    energy: &HashMap<(SerialNumber, Date), u64>,
    now: &str,
) -> Vec<Finding> {
    let now: Timestamp = now.parse().unwrap();
    findings(&AlertInput {
        settings,
        latitude: Decimal::new(485_369, 4),
        longitude: Decimal::new(92_833, 4),
        inverters,
        latest: &HashMap::new(),
        energy,
        now,
        today: crate::clock::berlin_date(now),
        specific_yield: SpecificYield::DEFAULT,
    })
}

#[test]
fn only_the_conditions_switched_on_are_looked_at() {
    let inverters = [view("INV-A", Some(10_000), date(2026, 6, 1))];
    let only_forecast = AlertSettings {
        below_forecast: BelowForecastRule { enabled: true },
        ..AlertSettings::default()
    };
    let found = look(
        &only_forecast,
        &inverters,
        &HashMap::new(),
        "2026-06-21T10:00:00Z",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].condition, found[0].day),
        (Condition::BelowForecast, date(2026, 6, 20))
    );
    assert!(
        look(
            &AlertSettings::default(),
            &inverters,
            &HashMap::new(),
            "2026-06-21T10:00:00Z"
        )
        .is_empty()
    );
}

#[test]
fn yesterday_is_judged_only_when_every_inverter_was_there_all_day() {
    let day = date(2026, 6, 20);
    let energy = HashMap::from([(SerialNumber::parse("INV-A").unwrap(), day)].map(|k| (k, 1_000)));
    let old = [view("INV-A", Some(10_000), date(2026, 6, 1))];
    let forecast = |inverters: &[InverterView]| {
        look(&all_on(), inverters, &energy, "2026-06-21T10:00:00Z")
            .into_iter()
            .find(|f| f.condition == Condition::BelowForecast)
            .unwrap()
    };
    let judged = forecast(&old);
    assert_eq!(judged.verdict, Verdict::Holds);
    assert_eq!(judged.facts["energy_kwh"], "1.0");
    assert_eq!(judged.facts["forecast_kwh"], "41.2"); // 10 kW × 950 × 13 % / 30
    let with_new = [
        old[0].clone(),
        view("INV-B", Some(10_000), date(2026, 6, 21)),
    ];
    assert_eq!(forecast(&with_new).verdict, Verdict::Unknown);
}

#[test]
fn every_finding_carries_its_templates_placeholders() {
    let inverters = [
        view("INV-A", Some(10_000), date(2026, 6, 1)),
        view("INV-B", None, date(2026, 6, 1)),
    ];
    let found = look(
        &all_on(),
        &inverters,
        &HashMap::new(),
        "2026-06-21T10:00:00Z",
    );
    for f in &found {
        let needed: &[&str] = match f.condition {
            Condition::NoData => &["window_minutes", "last_reading"],
            Condition::Underperformance => &["percent", "energy_per_kw", "best_per_kw"],
            Condition::BelowForecast => &["energy_kwh", "forecast_kwh"],
        };
        for key in needed {
            assert!(f.facts.contains_key(*key), "{:?} lacks {key}", f.condition);
        }
    }
    // Never reported, noon in June: no data for both; one known inverter: nothing compared.
    let verdicts: Vec<(Condition, Verdict)> =
        found.iter().map(|f| (f.condition, f.verdict)).collect();
    assert!(verdicts.contains(&(Condition::NoData, Verdict::Holds)));
    assert!(
        verdicts
            .iter()
            .filter(|(c, _)| *c == Condition::Underperformance)
            .all(|(_, v)| *v == Verdict::Unknown)
    );
}
