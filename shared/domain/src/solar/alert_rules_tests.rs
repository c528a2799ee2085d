#![allow(clippy::unwrap_used)] // a failed unwrap in a test is a failed test

use jiff::civil::date;
use proptest::prelude::*;

use super::*;
use crate::solar::forecast::{GERMANY_PROFILE, MonthlyYield, SpecificYield, daily_forecast_wh};

fn at(raw: &str) -> Timestamp {
    raw.parse().unwrap()
}

/// Metzingen (the test plant's place).
fn metzingen(day: Date) -> Daylight {
    Daylight::at(Decimal::new(485_369, 4), Decimal::new(92_833, 4), day)
}

/// An alert's stored state: `status` since `day`, the email of `mailed` queued.
fn alert(status: Status, day: Date, mailed: Option<Status>) -> AlertState {
    AlertState {
        status,
        day,
        mailed,
    }
}

fn window(m: u64) -> WindowMinutes {
    WindowMinutes::new(m).unwrap()
}

#[test]
fn no_data_is_not_judged_at_night() {
    let midsummer = metzingen(date(2026, 6, 21));
    // 02:00 UTC is 04:00 in Berlin, before the sunrise (about 05:20 local).
    for night in [
        "2026-06-21T02:00:00Z",
        "2026-06-21T20:30:00Z",
        "2026-06-21T23:59:00Z",
    ] {
        assert_eq!(
            no_data(window(15), &midsummer, None, at(night)),
            Verdict::Unknown,
            "{night}"
        );
    }
    let winter = metzingen(date(2026, 12, 21));
    assert_eq!(
        no_data(window(15), &winter, None, at("2026-12-21T06:30:00Z")),
        Verdict::Unknown
    );
}

#[test]
fn no_data_counts_only_daylight_minutes() {
    let day = metzingen(date(2026, 12, 21));
    let yesterday_evening = Some(at("2026-12-20T15:00:00Z"));
    // Sunrise is about 07:15 UTC; at 07:45 only half an hour of daylight has passed.
    assert_eq!(
        no_data(
            window(60),
            &day,
            yesterday_evening,
            at("2026-12-21T07:45:00Z")
        ),
        Verdict::Fine
    );
    assert_eq!(
        no_data(
            window(60),
            &day,
            yesterday_evening,
            at("2026-12-21T09:00:00Z")
        ),
        Verdict::Holds
    );
    let fresh = Some(at("2026-12-21T11:50:00Z"));
    assert_eq!(
        no_data(window(15), &day, fresh, at("2026-12-21T12:00:00Z")),
        Verdict::Fine
    );
    let stale = Some(at("2026-12-21T11:40:00Z"));
    assert_eq!(
        no_data(window(15), &day, stale, at("2026-12-21T12:00:00Z")),
        Verdict::Holds
    );
}

#[test]
fn no_sunrise_no_judgement() {
    // Polar night in Tromsø in December: the sun does not rise, nothing is judged.
    let polar = Daylight::at(
        Decimal::new(696, 1),
        Decimal::new(189, 1),
        date(2026, 12, 21),
    );
    assert_eq!(polar.risen_at(at("2026-12-21T11:00:00Z")), None);
}

fn inverter(serial: &str, nominal: Option<u64>, energy_wh: u64) -> Production {
    Production {
        serial: SerialNumber::parse(serial).unwrap(),
        nominal: nominal.map(Watts),
        energy_wh,
    }
}

#[test]
fn underperformance_compares_energy_per_kw_with_the_best() {
    let p = Percent::new(20).unwrap();
    let verdicts = underperformance(
        p,
        &[
            inverter("INV-A", Some(10_000), 30_000), // 3000 Wh/kW, the best
            inverter("INV-B", Some(5_000), 12_000),  // 2400 Wh/kW: exactly 20 % below
            inverter("INV-C", Some(5_000), 12_100),  // 2420: less than 20 % below
            inverter("INV-D", None, 0),              // unknown type: not compared
        ],
    );
    let got: Vec<Verdict> = verdicts.into_iter().map(|(_, v)| v).collect();
    assert_eq!(
        got,
        [
            Verdict::Fine,
            Verdict::Holds,
            Verdict::Fine,
            Verdict::Unknown
        ]
    );
}

#[test]
fn underperformance_needs_two_known_inverters_and_some_daylight() {
    let p = Percent::new(20).unwrap();
    let one_known = underperformance(
        p,
        &[
            inverter("INV-A", Some(10_000), 30_000),
            inverter("INV-D", None, 0),
        ],
    );
    assert!(one_known.iter().all(|(_, v)| *v == Verdict::Unknown));
    // At dawn the best has made 50 Wh/kW: too early to compare.
    let dawn = underperformance(
        p,
        &[
            inverter("INV-A", Some(10_000), 500),
            inverter("INV-B", Some(10_000), 0),
        ],
    );
    assert!(dawn.iter().all(|(_, v)| *v == Verdict::Unknown));
}

#[test]
fn the_default_forecast_spreads_the_specific_yield_by_the_profile() {
    assert_eq!(
        GERMANY_PROFILE.iter().map(|p| u32::from(*p)).sum::<u32>(),
        1000
    );
    let default_10_kw = |day| daily_forecast_wh(day, None, Watts(10_000), SpecificYield::DEFAULT);
    // 10 kW × 950 kWh/kWp × 13 % in June = 1235 kWh over 30 days.
    let june = default_10_kw(date(2026, 6, 10));
    assert_eq!(june.round_dp(2), Decimal::new(4_116_667, 2));
    // December: 3 % over 31 days.
    let dec = default_10_kw(date(2026, 12, 1));
    assert_eq!(dec.round_dp(2), Decimal::new(919_355, 2));
}

#[test]
fn the_owners_expected_yield_wins() {
    let mut months = vec![Decimal::ZERO; 12];
    months[1] = Decimal::from(280); // February 2026: 28 days
    let owner = MonthlyYield::new(months).unwrap();
    let feb = daily_forecast_wh(
        date(2026, 2, 3),
        Some(&owner),
        Watts(10_000),
        SpecificYield::DEFAULT,
    );
    assert_eq!(feb, Decimal::from(10_000));
    assert_eq!(below_forecast(9_999, feb), Verdict::Holds);
    assert_eq!(below_forecast(10_000, feb), Verdict::Fine);
}

#[test]
fn an_alert_opens_once_and_clears_once() {
    let day = date(2026, 6, 21);
    assert_eq!(step(None, Verdict::Holds, day), Step::Open);
    assert_eq!(step(None, Verdict::Fine, day), Step::Nothing);
    assert_eq!(step(None, Verdict::Unknown, day), Step::Nothing);
    let open = alert(Status::Alerting, day, Some(Status::Alerting));
    assert_eq!(step(Some(&open), Verdict::Holds, day), Step::Nothing);
    assert_eq!(step(Some(&open), Verdict::Unknown, day), Step::Nothing);
    assert_eq!(step(Some(&open), Verdict::Fine, day), Step::Clear);
    let cleared = alert(Status::Cleared, day, Some(Status::Cleared));
    assert_eq!(step(Some(&cleared), Verdict::Fine, day), Step::Nothing);
    // Not again the same day, but on a later one.
    assert_eq!(step(Some(&cleared), Verdict::Holds, day), Step::Nothing);
    assert_eq!(
        step(Some(&cleared), Verdict::Holds, date(2026, 6, 22)),
        Step::Open
    );
}

#[test]
fn an_email_not_queued_yet_is_queued_again() {
    let day = date(2026, 6, 21);
    let unsent = alert(Status::Alerting, day, None);
    // The alert's email goes out before its all-clear can.
    for v in [Verdict::Holds, Verdict::Fine, Verdict::Unknown] {
        assert_eq!(step(Some(&unsent), v, day), Step::Remail);
    }
    let clear_unsent = alert(Status::Cleared, day, Some(Status::Alerting));
    assert_eq!(step(Some(&clear_unsent), Verdict::Fine, day), Step::Remail);
}

/// Plays the steps against a state as the adapter writes it; answers the emails sent (kind, day).
fn play(runs: &[(u8, Verdict)]) -> Vec<(Status, Date)> {
    let mut state: Option<AlertState> = None;
    let mut mails = Vec::new();
    for (d, verdict) in runs {
        let day = date(2026, 6, 1)
            .checked_add(jiff::Span::new().days(i64::from(*d)))
            .unwrap();
        match step(state.as_ref(), *verdict, day) {
            Step::Open => {
                state = Some(alert(Status::Alerting, day, Some(Status::Alerting)));
                mails.push((Status::Alerting, day));
            }
            Step::Clear => {
                let s = state.as_mut().unwrap();
                s.status = Status::Cleared;
                s.mailed = Some(Status::Cleared);
                mails.push((Status::Cleared, s.day));
            }
            Step::Remail | Step::Nothing => {}
        }
    }
    mails
}

fn verdict() -> impl Strategy<Value = Verdict> {
    prop_oneof![
        Just(Verdict::Holds),
        Just(Verdict::Fine),
        Just(Verdict::Unknown)
    ]
}

proptest! {
    #[test]
    fn at_most_one_alert_per_day_and_each_all_clear_follows_its_alert(
        runs in proptest::collection::vec((0u8..5, verdict()), 0..60)
            .prop_map(|mut r| { r.sort_by_key(|(d, _)| *d); r })
    ) {
        let mails = play(&runs);
        let alerts: Vec<Date> = mails.iter().filter(|(s, _)| *s == Status::Alerting).map(|(_, d)| *d).collect();
        let mut unique = alerts.clone();
        unique.dedup();
        prop_assert_eq!(&unique, &alerts, "two alerts on one day");
        // Alerts and all-clears alternate, starting with an alert, each all-clear naming its alert's day.
        for (i, (status, day)) in mails.iter().enumerate() {
            let expected = if i % 2 == 0 { Status::Alerting } else { Status::Cleared };
            prop_assert_eq!(*status, expected);
            if *status == Status::Cleared {
                prop_assert_eq!(mails[i - 1].1, *day);
            }
        }
        // Running the same verdict twice in a row changes nothing the second time.
        let doubled: Vec<(u8, Verdict)> = runs.iter().flat_map(|r| [*r, *r]).collect();
        prop_assert_eq!(play(&doubled), mails);
    }
}
