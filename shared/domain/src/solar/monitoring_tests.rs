use std::collections::BTreeSet;

use jiff::{Span, civil::date};
use proptest::prelude::*;

use super::*;
use crate::{Money, id::SubscriptionId, solar::Watts};

fn settings() -> SolarSettings {
    SolarSettings::default()
}

fn license(start: Date, days: u16, ended_on: Option<Date>) -> PlantLicense {
    PlantLicense {
        id: SubscriptionId::parse("sub").unwrap(),
        period: Period::starting(start, Term::Days(days)),
        power: Watts(10_000),
        net: Money::from_cents(2400),
        ended_on,
    }
}

fn licensed(until: Date) -> MonitoringState {
    MonitoringState::Licensed { until }
}

/// With no license, trial or ended license on `day`, the state says whether the plant has
/// inverters: `Unlicensed` with them, `NoInverters` without.
fn assert_unlicensed(h: &MonitoringHistory, day: Date, s: &SolarSettings) {
    assert_eq!(h.state(day, true, s), MonitoringState::Unlicensed, "{day}");
    assert_eq!(
        h.state(day, false, s),
        MonitoringState::NoInverters,
        "{day}"
    );
}

fn plus(d: Date, days: i64) -> Date {
    d.checked_add(Span::new().days(days)).unwrap()
}

#[test]
fn the_trial_is_day_1_to_day_40_in_berlin_days() {
    // Activated at 23:30 UTC on 28 Feb 2027: already 1 March in Berlin, day 1.
    let activated = crate::clock::berlin_date("2027-02-28T23:30:00Z".parse().unwrap());
    assert_eq!(activated, date(2027, 3, 1));
    let history = MonitoringHistory {
        first_activation: Some(activated),
        licenses: vec![],
    };
    let day_40 = date(2027, 4, 9);
    let day_41 = date(2027, 4, 10);
    assert_eq!(trial_period(activated, 40).ends_on, day_40);
    assert!(may_show_data(&history, activated, &settings()));
    assert!(may_show_data(&history, day_40, &settings()));
    assert!(!may_show_data(&history, day_41, &settings()));
    assert!(!may_show_data(&history, date(2027, 2, 28), &settings()));
    assert_eq!(
        history.state(day_40, true, &settings()),
        MonitoringState::Trial { until: day_40 }
    );
    assert_eq!(
        history.state(day_41, true, &settings()),
        MonitoringState::Unlicensed
    );
    // The trial length is a setting.
    let short = SolarSettings {
        trial_days: 1,
        ..settings()
    };
    assert!(may_show_data(&history, activated, &short));
    assert!(!may_show_data(&history, date(2027, 3, 2), &short));
}

#[test]
fn re_adding_inverters_never_starts_a_second_trial() {
    let first = date(2027, 3, 1);
    let kept = first_activation(None, first);
    assert_eq!(kept, first);
    // All inverters removed, one added again 100 days later: the first day stays.
    let again = first_activation(Some(kept), plus(first, 100));
    assert_eq!(again, first);
    let history = MonitoringHistory {
        first_activation: Some(again),
        licenses: vec![],
    };
    assert!(!may_show_data(&history, plus(first, 100), &settings()));
}

#[test]
fn states_in_their_order() {
    let s = settings();
    assert_unlicensed(&MonitoringHistory::default(), date(2027, 3, 1), &s);

    // Bought on day 10 of the trial: licensed wins, until the chain of terms ends.
    let first = date(2027, 3, 1);
    let mut h = MonitoringHistory {
        first_activation: Some(first),
        licenses: vec![license(date(2027, 3, 10), 365, None)],
    };
    assert_eq!(
        h.state(date(2027, 3, 10), true, &s),
        licensed(date(2028, 3, 8))
    );
    // A renewal paid ahead without a gap extends "until".
    h.licenses.push(license(date(2028, 3, 9), 730, None));
    assert_eq!(
        h.state(date(2027, 3, 10), true, &s),
        licensed(date(2030, 3, 8))
    );

    // Power exceeded on 9 June: both end; the state says so, and keeps saying so.
    for l in &mut h.licenses {
        l.ended_on = Some(date(2027, 6, 9));
    }
    assert_eq!(
        h.state(date(2027, 6, 8), true, &s),
        licensed(date(2027, 6, 8))
    );
    for day in [date(2027, 6, 9), date(2029, 1, 1)] {
        assert_eq!(
            h.state(day, true, &s),
            MonitoringState::LicenseEndedPowerExceeded {
                on: date(2027, 6, 9)
            }
        );
        assert!(!may_show_data(&h, day, &s));
    }
    // The new license for the new power follows it, starting that day.
    h.licenses.push(license(date(2027, 6, 9), 365, None));
    assert_eq!(
        h.state(date(2027, 6, 9), true, &s),
        licensed(date(2028, 6, 7))
    );
    assert_unlicensed(&h, date(2028, 6, 8), &s);
}

#[test]
fn a_licensed_plant_is_not_deleted_before_its_last_day() {
    let mut h = MonitoringHistory {
        first_activation: Some(date(2027, 3, 1)),
        licenses: vec![license(date(2027, 3, 10), 365, None)],
    };
    assert!(h.check_deletable(date(2027, 3, 1)).is_err());
    let refused = h.check_deletable(date(2028, 3, 8)).unwrap_err();
    assert_eq!(refused.code(), "plant_licensed");
    assert!(refused.to_string().contains("2028-03-08"), "{refused}");
    assert!(h.check_deletable(date(2028, 3, 9)).is_ok());
    // A license ended by power holds nothing back.
    h.licenses[0].ended_on = Some(date(2027, 6, 9));
    assert!(h.check_deletable(date(2027, 6, 9)).is_ok());
    assert!(h.check_deletable(date(2027, 6, 8)).is_err());
}

#[test]
fn states_serialise_with_their_date() {
    use serde_json::json;
    for (state, want) in [
        (
            MonitoringState::Trial {
                until: date(2027, 4, 9),
            },
            json!({"state": "trial", "until": "2027-04-09"}),
        ),
        (
            MonitoringState::LicenseEndedPowerExceeded {
                on: date(2027, 6, 9),
            },
            json!({"state": "license_ended_power_exceeded", "on": "2027-06-09"}),
        ),
        (
            MonitoringState::NoInverters,
            json!({"state": "no_inverters"}),
        ),
    ] {
        assert_eq!(serde_json::to_value(state).unwrap(), want);
    }
}

#[test]
fn a_license_starts_after_the_access_it_is_bought_in() {
    let s = settings();
    let first = date(2027, 3, 1);
    let mut h = MonitoringHistory {
        first_activation: Some(first),
        licenses: vec![],
    };
    // Bought on day 10 of the trial: from day 41, nothing of the trial lost.
    assert_eq!(h.license_start(date(2027, 3, 10), &s), date(2027, 4, 10));
    // Bought after the trial: from the day of payment.
    assert_eq!(h.license_start(date(2027, 5, 1), &s), date(2027, 5, 1));
    // Bought after a license ended by power: from the day of payment.
    let mut ended = license(date(2027, 4, 10), 365, None);
    ended.ended_on = Some(date(2027, 6, 9));
    h.licenses.push(ended);
    assert_eq!(h.license_start(date(2027, 6, 9), &s), date(2027, 6, 9));
    assert_eq!(h.license_start(date(2027, 6, 1), &s), date(2027, 6, 9));
}

/// A random history: an optional first activation and up to five licenses, each maybe ended.
fn history() -> impl Strategy<Value = MonitoringHistory> {
    let one = (
        0i64..1500,
        prop_oneof![Just(365u16), Just(730u16)],
        proptest::option::of(0i64..800),
    )
        .prop_map(|(start, days, ended)| {
            let starts = plus(date(2027, 1, 1), start);
            let ended_on = ended.map(|e| plus(starts, e - 30));
            license(starts, days, ended_on)
        });
    (
        proptest::option::of(0i64..1500),
        proptest::collection::vec(one, 0..5),
    )
        .prop_map(|(first, licenses)| MonitoringHistory {
            first_activation: first.map(|f| plus(date(2027, 1, 1), f)),
            licenses,
        })
}

/// Every day a license covers, counted one by one: the reference for the rules.
fn licensed_days(h: &MonitoringHistory) -> BTreeSet<Date> {
    let mut days = BTreeSet::new();
    for l in &h.licenses {
        let mut d = l.period.starts_on;
        while d <= l.period.ends_on && l.ended_on.is_none_or(|end| d < end) {
            days.insert(d);
            d = plus(d, 1);
        }
    }
    days
}

/// Every day the history allows: the licensed days and the trial's.
fn allowed_days(h: &MonitoringHistory, trial_days: u16) -> BTreeSet<Date> {
    let mut days = licensed_days(h);
    if let Some(first) = h.first_activation {
        for i in 0..i64::from(trial_days) {
            days.insert(plus(first, i));
        }
    }
    days
}

/// The days where a rule could be off by one: every first, last and ending day, and the
/// days either side.
fn edges(h: &MonitoringHistory, s: &SolarSettings) -> Vec<Date> {
    let mut days: Vec<Date> = h
        .licenses
        .iter()
        .flat_map(|l| [Some(l.period.starts_on), Some(l.period.ends_on), l.ended_on])
        .chain(
            h.trial(s)
                .into_iter()
                .flat_map(|t| [Some(t.starts_on), Some(t.ends_on)]),
        )
        .flatten()
        .collect();
    let around: Vec<Date> = days
        .iter()
        .flat_map(|&d| [plus(d, -1), plus(d, 1)])
        .collect();
    days.extend(around);
    days
}

proptest! {
    #[test]
    fn data_is_shown_exactly_on_trial_or_licensed_days(
        h in history(),
        trial_days in 0u16..60,
        probes in proptest::collection::vec(-100i64..4000, 1..40),
    ) {
        let s = SolarSettings { trial_days, ..settings() };
        let allowed = allowed_days(&h, trial_days);
        let licensed = licensed_days(&h);
        for day in probes.iter().map(|&p| plus(date(2027, 1, 1), p)).chain(edges(&h, &s)) {
            let shown = may_show_data(&h, day, &s);
            prop_assert_eq!(shown, allowed.contains(&day), "{}", day);
            // The state agrees with the rule, and its dates are right.
            match h.state(day, true, &s) {
                MonitoringState::Licensed { until } => {
                    prop_assert!(shown);
                    prop_assert!(until >= day);
                    prop_assert!(
                        licensed.contains(&day)
                            && licensed.contains(&until)
                            && !licensed.contains(&plus(until, 1))
                    );
                    prop_assert!(licensed.range(day..=until).count() == usize::try_from(day.until((jiff::Unit::Day, until)).unwrap().get_days()).unwrap() + 1);
                }
                MonitoringState::Trial { until } => {
                    prop_assert!(shown);
                    prop_assert!(until >= day);
                    prop_assert!(h.licenses.iter().all(|l| !l.covers(day)));
                }
                MonitoringState::LicenseEndedPowerExceeded { on } => {
                    prop_assert!(!shown);
                    prop_assert!(on <= day);
                    prop_assert!(h.licenses.iter().any(|l| l.ended_on == Some(on)));
                }
                MonitoringState::Unlicensed => prop_assert!(!shown),
                MonitoringState::NoInverters => prop_assert!(false, "it has inverters"),
            }
            // Deleting waits for the last licensed day.
            let deletable = h.check_deletable(day);
            prop_assert_eq!(deletable.is_err(), licensed.range(day..).next().is_some());
            // A license bought that day starts on the first day without access.
            let start = h.license_start(day, &s);
            prop_assert!(start >= day && !allowed.contains(&start));
            let mut d = day;
            while d < start {
                prop_assert!(allowed.contains(&d));
                d = plus(d, 1);
            }
        }
    }
}
