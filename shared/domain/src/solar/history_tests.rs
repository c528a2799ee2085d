#![allow(clippy::unwrap_used)]

use jiff::{SignedDuration, Timestamp, civil::date};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::history::{HistoryQuery, HistoryRange, HistorySettings, Resolution, berlin_midnight};
use super::series::{
    BucketStart, DailyEnergy, Reading, bucket_days, bucket_readings, now_figures, plant_points,
    revenue,
};
use crate::Money;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The instants from `from` to `to` (both RFC 3339).
fn instants(from: &str, to: &str) -> HistoryRange {
    HistoryRange::Instants {
        from: at(from),
        to: at(to),
    }
}

fn parse(
    res: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<HistoryQuery, &'static str> {
    HistoryQuery::parse(
        res,
        from,
        to,
        at("2026-11-22T10:00:00Z"),
        &HistorySettings::default(),
    )
    .map_err(|e| e.code())
}

#[test]
fn defaults_cover_the_berlin_day_month_and_year() {
    let q = parse(None, None, None).unwrap();
    assert_eq!(q.resolution, Resolution::Hour);
    assert_eq!(
        q.range,
        instants("2026-11-21T23:00:00Z", "2026-11-22T23:00:00Z")
    );
    for (res, from, to) in [
        ("day", date(2026, 11, 1), date(2026, 11, 30)),
        ("month", date(2026, 1, 1), date(2026, 12, 31)),
    ] {
        let q = parse(Some(res), None, None).unwrap();
        assert_eq!(q.range, HistoryRange::Days { from, to }, "{res}");
    }
}

/// The outcome of a query from `from` to `to`, without the parsed query: `Ok` or the
/// refusal's code.
fn outcome(res: &str, from: &str, to: &str) -> Result<(), &'static str> {
    parse(Some(res), Some(from), Some(to)).map(|_| ())
}

#[test]
fn each_bad_parameter_has_its_code() {
    assert_eq!(parse(Some("week"), None, None), Err("invalid_resolution"));
    assert_eq!(
        parse(Some("5m"), Some("2026-11-22T00:00:00Z"), None),
        Err("invalid_range")
    );
    for (res, from, to, code) in [
        ("5m", "yesterday", "2026-11-22T00:00:00Z", "invalid_time"),
        ("day", "2026-11-01T00:00:00Z", "2026-11-02", "invalid_date"),
        ("day", "2026-11-31", "2026-12-02", "invalid_date"),
        (
            "hour",
            "2026-11-22T10:00:00Z",
            "2026-11-22T10:00:00Z",
            "invalid_range",
        ),
        ("day", "2026-11-03", "2026-11-02", "invalid_range"),
    ] {
        assert_eq!(outcome(res, from, to), Err(code), "{res} {from} {to}");
    }
}

#[test]
fn each_resolution_has_its_longest_range() {
    let too_large = Err("range_too_large");
    for (res, from, to, want) in [
        ("5m", "2026-11-20T00:00:00Z", "2026-11-22T00:00:00Z", Ok(())),
        (
            "5m",
            "2026-11-20T00:00:00Z",
            "2026-11-22T00:00:01Z",
            too_large,
        ),
        (
            "hour",
            "2026-10-22T00:00:00Z",
            "2026-11-22T00:00:00Z",
            Ok(()),
        ),
        (
            "hour",
            "2026-10-22T00:00:00Z",
            "2026-11-22T00:00:01Z",
            too_large,
        ),
        ("day", "2025-11-22", "2026-11-22", Ok(())),
        ("day", "2025-11-21", "2026-11-22", too_large),
        ("month", "2024-01-31", "2026-12-01", Ok(())),
        ("month", "2023-12-31", "2026-12-01", too_large),
    ] {
        assert_eq!(outcome(res, from, to), want, "{res} {from} {to}");
    }
}

#[test]
fn an_instant_with_an_offset_is_read_as_that_instant() {
    let q = parse(
        Some("5m"),
        Some("2026-11-22T01:00:00+01:00"),
        Some("2026-11-22T02:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        q.range,
        instants("2026-11-22T00:00:00Z", "2026-11-22T02:00:00Z")
    );
}

fn reading(t: &str, ac_w: u64, e_day_wh: u64) -> Reading {
    Reading {
        at: at(t),
        ac_w,
        e_day_wh,
        e_total_wh: 100_000 + e_day_wh,
    }
}

#[test]
fn a_bucket_has_the_energy_its_readings_added_and_their_mean_power() {
    let readings = [
        reading("2026-11-22T08:00:00Z", 1000, 100),
        reading("2026-11-22T08:02:00Z", 2001, 200),
        reading("2026-11-22T08:05:00Z", 3000, 450),
    ];
    let range = instants("2026-11-22T08:00:00Z", "2026-11-22T09:00:00Z");
    let points = bucket_readings(&readings, Resolution::FiveMinutes, range);
    assert_eq!(points.len(), 2);
    assert_eq!(points[0].start.to_string(), "2026-11-22T08:00:00Z");
    assert_eq!(
        (points[0].energy_wh, points[0].avg_power_w),
        (200, Some(1501))
    );
    assert_eq!(
        (points[1].energy_wh, points[1].avg_power_w),
        (250, Some(3000))
    );
    let hour = bucket_readings(&readings, Resolution::Hour, range);
    assert_eq!((hour[0].energy_wh, hour[0].avg_power_w), (450, Some(2000)));
}

#[test]
fn a_range_starting_mid_day_counts_only_what_was_added_after_the_previous_reading() {
    let readings = [
        reading("2026-11-22T08:00:00Z", 1000, 100),
        reading("2026-11-22T09:00:00Z", 1000, 700),
    ];
    let range = instants("2026-11-22T08:30:00Z", "2026-11-22T10:00:00Z");
    let points = bucket_readings(&readings, Resolution::Hour, range);
    assert_eq!(points.len(), 1);
    assert_eq!(points[0].energy_wh, 600);
}

#[test]
fn a_new_berlin_day_starts_its_counter_again_and_a_falling_counter_adds_nothing() {
    let readings = [
        reading("2026-11-22T22:50:00Z", 0, 5000), // 23:50 Berlin
        reading("2026-11-22T23:05:00Z", 0, 10),   // 00:05 Berlin, the next day
        reading("2026-11-22T23:10:00Z", 0, 5),    // restarted
        reading("2026-11-22T23:15:00Z", 0, 25),
    ];
    let range = instants("2026-11-22T22:00:00Z", "2026-11-23T00:00:00Z");
    let total: u64 = bucket_readings(&readings, Resolution::FiveMinutes, range)
        .iter()
        .map(|p| p.energy_wh)
        .sum();
    assert_eq!(total, 5000 + 10 + 20); // the restart adds nothing
}

#[test]
fn days_and_months_add_the_daily_aggregates_in_range() {
    let days = [
        DailyEnergy {
            day: date(2026, 10, 31),
            energy_wh: 7,
        },
        DailyEnergy {
            day: date(2026, 11, 1),
            energy_wh: 10,
        },
        DailyEnergy {
            day: date(2026, 11, 2),
            energy_wh: 20,
        },
        DailyEnergy {
            day: date(2026, 12, 1),
            energy_wh: 40,
        },
    ];
    let range = HistoryRange::Days {
        from: date(2026, 11, 1),
        to: date(2026, 12, 31),
    };
    let by_day = bucket_days(&days, Resolution::Day, range);
    assert_eq!(by_day.len(), 3);
    assert_eq!(by_day[0].start, BucketStart::Day(date(2026, 11, 1)));
    let by_month = bucket_days(&days, Resolution::Month, range);
    let shown: Vec<(String, u64)> = by_month
        .iter()
        .map(|p| (p.start.to_string(), p.energy_wh))
        .collect();
    assert_eq!(
        shown,
        [("2026-11".to_owned(), 30), ("2026-12".to_owned(), 40)]
    );
    assert!(by_month.iter().all(|p| p.avg_power_w.is_none()));
}

#[test]
fn the_figures_of_now_count_fresh_power_todays_energy_and_every_total() {
    let now = at("2026-11-22T10:00:00Z");
    let latest = [
        Some(Reading {
            at: at("2026-11-22T09:45:00Z"),
            ac_w: 3000,
            e_day_wh: 4000,
            e_total_wh: 1_000_000,
        }),
        // Stale (25 minutes): no current power, but today's energy and the total count.
        Some(Reading {
            at: at("2026-11-22T09:35:00Z"),
            ac_w: 2000,
            e_day_wh: 1500,
            e_total_wh: 500_000,
        }),
        // Yesterday's last reading: only the total.
        Some(Reading {
            at: at("2026-11-21T15:00:00Z"),
            ac_w: 100,
            e_day_wh: 9000,
            e_total_wh: 10,
        }),
        None,
    ];
    let figures = now_figures(
        &latest,
        now,
        SignedDuration::from_mins(20),
        Decimal::new(82, 3),
    );
    assert_eq!(figures.current_power_w, 3000);
    assert_eq!(figures.today_energy_wh, 5500);
    assert_eq!(figures.total_energy_wh, 1_500_010);
    // 5.5 kWh × 0.082 EUR = 0.451 → 0.45
    assert_eq!(figures.today_revenue, Money::parse("0.45").unwrap());
}

#[test]
fn revenue_rounds_half_away_from_zero_to_cents() {
    // 12.5 kWh × 0.0820 EUR = 1.025 EUR → 1.03
    assert_eq!(
        revenue(12_500, Decimal::new(820, 4)),
        Money::parse("1.03").unwrap()
    );
    assert_eq!(revenue(0, Decimal::new(82, 3)), Money::ZERO);
}

/// A day of readings of one inverter: times (seconds after the Berlin midnight) and increments.
fn a_day() -> impl Strategy<Value = Vec<(i64, u64, u64)>> {
    prop::collection::vec((0i64..86_400, 0u64..10_000, 0u64..5_000), 1..80)
}

fn readings_of(day: &[(i64, u64, u64)]) -> Vec<Reading> {
    let midnight = berlin_midnight(date(2026, 6, 15));
    let mut times: Vec<(i64, u64, u64)> = day.to_vec();
    times.sort_by_key(|t| t.0);
    times.dedup_by_key(|t| t.0);
    let mut e_day = 0;
    times
        .iter()
        .map(|(s, ac, add)| {
            e_day += add;
            Reading {
                at: midnight + SignedDuration::from_secs(*s),
                ac_w: *ac,
                e_day_wh: e_day,
                e_total_wh: 1_000 + e_day,
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn the_buckets_of_a_whole_day_add_up_to_its_last_counter(day in a_day()) {
        let readings = readings_of(&day);
        let last = readings.last().map(|r| r.e_day_wh).unwrap_or(0);
        let range = HistoryRange::Instants {
            from: berlin_midnight(date(2026, 6, 15)),
            to: berlin_midnight(date(2026, 6, 16)),
        };
        for resolution in [Resolution::FiveMinutes, Resolution::Hour] {
            let points = bucket_readings(&readings, resolution, range);
            prop_assert_eq!(points.iter().map(|p| p.energy_wh).sum::<u64>(), last);
            let n: u64 = points.len() as u64;
            prop_assert!(n <= readings.len() as u64);
        }
    }

    #[test]
    fn the_plant_adds_its_inverters(a in a_day(), b in a_day()) {
        let range = HistoryRange::Instants {
            from: berlin_midnight(date(2026, 6, 15)),
            to: berlin_midnight(date(2026, 6, 16)),
        };
        let series = [
            bucket_readings(&readings_of(&a), Resolution::FiveMinutes, range),
            bucket_readings(&readings_of(&b), Resolution::FiveMinutes, range),
        ];
        let plant = plant_points(&series);
        let energy = |points: &[super::series::Point]| points.iter().map(|p| p.energy_wh).sum::<u64>();
        prop_assert_eq!(energy(&plant), energy(&series[0]) + energy(&series[1]));
        let power = |points: &[super::series::Point]| points.iter().filter_map(|p| p.avg_power_w).sum::<u64>();
        prop_assert_eq!(power(&plant), power(&series[0]) + power(&series[1]));
        prop_assert!(plant.windows(2).all(|w| w[0].start < w[1].start));
    }

    #[test]
    fn a_month_adds_its_days(energies in prop::collection::vec(0u64..100_000, 1..60)) {
        let start = date(2026, 1, 1);
        let days: Vec<DailyEnergy> = energies
            .iter()
            .enumerate()
            .map(|(i, e)| DailyEnergy { day: start.checked_add(jiff::Span::new().days(i as i64)).unwrap(), energy_wh: *e })
            .collect();
        let range = HistoryRange::Days { from: start, to: date(2026, 12, 31) };
        let months = bucket_days(&days, Resolution::Month, range);
        let by_day = bucket_days(&days, Resolution::Day, range);
        prop_assert_eq!(months.iter().map(|p| p.energy_wh).sum::<u64>(), energies.iter().sum::<u64>());
        prop_assert_eq!(by_day.len(), energies.len());
    }
}

#[test]
fn data_is_refused_with_where_to_buy_outside_trial_and_license() {
    use super::history::check_data_access;
    use super::{MonitoringHistory, SolarSettings};
    let settings = SolarSettings::default();
    let history = MonitoringHistory {
        first_activation: Some(date(2026, 11, 1)),
        licenses: vec![],
    };
    assert!(check_data_access(&history, date(2026, 12, 10), &settings, "solar-monitoring").is_ok());
    let refused = check_data_access(&history, date(2026, 12, 11), &settings, "solar-monitoring");
    match refused {
        Err(crate::DomainError::PaymentRequired {
            code,
            buy: Some(buy),
            ..
        }) => {
            assert_eq!(code, "license_required");
            assert_eq!(
                (buy.link, buy.product_id.as_str()),
                ("/v1/checkout", "solar-monitoring")
            );
        }
        other => panic!("expected license_required, got {other:?}"),
    }
    let never = MonitoringHistory {
        first_activation: None,
        licenses: vec![],
    };
    assert!(check_data_access(&never, date(2026, 12, 10), &settings, "solar-monitoring").is_err());
}

#[test]
fn the_answer_is_bounded_by_its_points() {
    for (res, from, to, buckets) in [
        ("5m", "2026-11-22T00:00:00Z", "2026-11-23T00:00:00Z", 288),
        ("hour", "2026-11-22T00:30:00Z", "2026-11-22T02:00:01Z", 3),
        ("month", "2026-01-31", "2026-03-01", 3),
        ("day", "2026-01-31", "2026-03-01", 30),
    ] {
        let query = parse(Some(res), Some(from), Some(to)).unwrap();
        assert_eq!(query.max_buckets(), buckets, "{res} {from} {to}");
    }
    // 576 five-minute buckets of 48 hours: 86 series fit, 87 do not.
    let two_days = parse(
        Some("5m"),
        Some("2026-11-20T00:00:00Z"),
        Some("2026-11-22T00:00:00Z"),
    )
    .unwrap();
    assert!(two_days.check_points(86).is_ok());
    assert_eq!(
        two_days.check_points(87).unwrap_err().code(),
        "too_many_points"
    );
}
