use jiff::civil::{Date, date};
use rust_decimal::Decimal;

use super::*;
use crate::{catalog::Term, subscription::Period};

fn license(id: &str, start: Date, days: u16, power: u64, net_cents: i64) -> PlantLicense {
    PlantLicense {
        id: SubscriptionId::parse(id).unwrap(),
        period: Period::starting(start, Term::Days(days)),
        power: Watts(power),
        net: Money::from_cents(net_cents),
        ended_on: None,
    }
}

/// Exact cents: net × remaining / term, remaining days from the end day to the term's last
/// day, both counted, rounded half away from zero. Each vector worked out by hand.
#[test]
fn residual_values_to_the_cent() {
    // (start, term days, net, ended on, remaining days, residual)
    let vectors = [
        // First day: all of it is left.
        (date(2027, 3, 1), 365, 3000, date(2027, 3, 1), 365, "30.00"),
        // Last day (2028-02-28, 2027 not a leap year): one day left, 30/365 = 0.0821..
        (date(2027, 3, 1), 365, 3000, date(2028, 2, 28), 1, "0.08"),
        // Second day: 30 × 364/365 = 29.9178..
        (date(2027, 3, 1), 365, 3000, date(2027, 3, 2), 364, "29.92"),
        // Across 29 Feb 2028: 2028-01-01..2028-12-30 (365 days in a leap year); ended
        // 2028-03-01 leaves 305 days: 30 × 305/365 = 25.0684..
        (date(2028, 1, 1), 365, 3000, date(2028, 3, 1), 305, "25.07"),
        // Ended on 29 Feb 2028 itself: 306 days: 30 × 306/365 = 25.1506..
        (date(2028, 1, 1), 365, 3000, date(2028, 2, 29), 306, "25.15"),
        // A half cent rounds up: 73.00 × 1/730 = 0.1 exactly; 0.73 × 365/730 = 0.365 → 0.37.
        (date(2027, 1, 1), 730, 7300, date(2028, 12, 30), 1, "0.10"),
        (date(2027, 1, 1), 730, 73, date(2028, 1, 1), 365, "0.37"),
        // 730 days over the leap day: 2027-06-15..2029-06-13; ended 2028-06-15 leaves 364:
        // 43.00 × 364/730 = 21.4410..
        (
            date(2027, 6, 15),
            730,
            4300,
            date(2028, 6, 15),
            364,
            "21.44",
        ),
        // A term not begun yet is credited in full.
        (date(2027, 3, 1), 365, 3000, date(2027, 2, 1), 365, "30.00"),
        // 12.5 kW × 2.40 = 30.00 for 365 days; ended after 100 days: 30 × 265/365 = 21.7808..
        (date(2027, 3, 1), 365, 3000, date(2027, 6, 9), 265, "21.78"),
        // An odd net: 27.71 × 199/365 = 15.1077..
        (date(2027, 3, 1), 365, 2771, date(2027, 8, 14), 199, "15.11"),
    ];
    for (start, days, net, ended, remaining, want) in vectors {
        let l = license("sub-1", start, days, 10_000, net);
        let r = l.residual(ended);
        assert_eq!(r.term_days, i64::from(days), "{start} {ended}");
        assert_eq!(r.remaining_days, remaining, "{start} {ended}");
        assert_eq!(r.value.to_string(), want, "{start} {ended}");
    }
}

/// The day count is the upgrade's: both share `days_inclusive`, from the day of the change
/// to the term's last day.
#[test]
fn remaining_days_are_counted_like_an_upgrade() {
    let l = license("sub-1", date(2027, 3, 1), 365, 10_000, 3000);
    for ended in [date(2027, 3, 1), date(2027, 9, 30), date(2028, 2, 28)] {
        let upgrade_remaining = crate::changes::days_inclusive(ended, l.period.ends_on);
        assert_eq!(l.residual(ended).remaining_days, upgrade_remaining);
        let prorated = proration(1, l.net, upgrade_remaining, 365);
        assert_eq!(l.residual(ended).value, Money::round(prorated));
    }
    assert_eq!(l.residual(date(2028, 2, 29)).value, Money::ZERO);
}

#[test]
fn an_ended_license_covers_up_to_the_day_before() {
    let mut l = license("sub-1", date(2027, 3, 1), 365, 10_000, 3000);
    assert!(l.covers(date(2027, 3, 1)) && l.covers(date(2028, 2, 28)));
    assert!(!l.covers(date(2027, 2, 28)) && !l.covers(date(2028, 2, 29)));
    assert_eq!(l.last_day(), Some(date(2028, 2, 28)));
    l.ended_on = Some(date(2027, 6, 9));
    assert!(l.covers(date(2027, 6, 8)));
    assert!(!l.covers(date(2027, 6, 9)));
    assert_eq!(l.last_day(), Some(date(2027, 6, 8)));
    l.ended_on = Some(date(2027, 3, 1));
    assert_eq!(l.last_day(), None);
}

#[test]
fn more_power_than_licensed_ends_running_and_prepaid_licenses_that_day() {
    let running = license("run", date(2027, 3, 1), 365, 12_500, 3000);
    let prepaid = license("next", date(2028, 2, 29), 365, 12_500, 3000);
    let bigger = license("big", date(2027, 3, 1), 365, 40_000, 9600);
    let over = license("over", date(2026, 1, 1), 365, 5_000, 1200);
    let mut ended_before = license("gone", date(2027, 3, 1), 365, 10_000, 2400);
    ended_before.ended_on = Some(date(2027, 4, 1));
    let all = [running, prepaid, bigger, over, ended_before];
    let today = date(2027, 6, 9);

    // Equal power is still within the license.
    assert!(end_exceeded(&all[..1], Watts(12_500), today).is_empty());
    let ended = end_exceeded(&all, Watts(12_501), today);
    let ids: Vec<&str> = ended.iter().map(|e| e.license.as_str()).collect();
    assert_eq!(ids, ["run", "next"]);
    assert!(ended.iter().all(|e| e.ended_on == today));
    assert_eq!(ended[0].residual.value.to_string(), "21.78");
    assert_eq!(ended[1].residual.remaining_days, 365);
    assert_eq!(ended[1].residual.value.to_string(), "30.00");
    assert_eq!(ended[0].licensed_power, Watts(12_500));
}

#[test]
fn the_credit_is_a_negative_line_taxed_like_the_invoice() {
    let l = license("run", date(2027, 3, 1), 365, 12_500, 3000);
    let ended = &end_exceeded(&[l], Watts(20_000), date(2027, 6, 9))[0];
    let line = residual_credit_line(ended, Decimal::from(19)).unwrap();
    assert_eq!(line.net.to_string(), "-21.78");
    // 21.78 × 19 % = 4.1382 → 4.14.
    assert_eq!(line.tax.to_string(), "-4.14");
    assert_eq!(line.gross.to_string(), "-25.92");
    assert!(line.description.contains("265/365"), "{}", line.description);
    assert!(line.description.contains("12.5 kW"), "{}", line.description);
}
