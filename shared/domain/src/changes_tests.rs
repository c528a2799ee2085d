use jiff::{Timestamp, civil::date};
use proptest::prelude::*;

use super::*;
use crate::{
    Email,
    seats::SeatStatus,
    subscription::{Renewal, sample, sample_fixed_year},
};

fn sub(quantity: u32, unit: &str, period: Period) -> Subscription {
    sample(quantity, unit, period)
}

fn q(n: u32) -> Quantity {
    Quantity::new(n).unwrap()
}

fn year_from(start: Date) -> Period {
    Period::starting(start, Term::Months(12))
}

fn fee(s: &Subscription, to: u32, today: Date) -> String {
    quote_upgrade(s, q(to), today, Decimal::ZERO)
        .unwrap()
        .line
        .net
        .to_string()
}

#[test]
fn proration_vectors_in_exact_cents() {
    let normal = sub(20, "48.00", year_from(date(2026, 11, 22)));
    // 10 added × 48.00 × 184/365 = 241.9726… → 241.97.
    let quote = quote_upgrade(&normal, q(30), date(2027, 5, 22), Decimal::from(19)).unwrap();
    assert_eq!((quote.remaining_days, quote.term_days), (184, 365));
    assert_eq!(quote.line.net.to_string(), "241.97");
    assert_eq!(quote.line.tax.to_string(), "45.97");
    assert_eq!(quote.line.gross.to_string(), "287.94");
    // A leap-year term of 366 days: the first day costs the full price, the last 1/366.
    let leap = sub(20, "48.00", year_from(date(2027, 3, 1)));
    assert_eq!(leap.period.unwrap().ends_on, date(2028, 2, 29));
    assert_eq!(fee(&leap, 30, date(2027, 3, 1)), "480.00");
    assert_eq!(fee(&leap, 30, date(2028, 2, 29)), "1.31");
    // 59.90 a year is no whole number of cents a day: 59.90 × 100/365 = 16.4109… → 16.41.
    let odd = sub(1, "59.90", year_from(date(2026, 11, 22)));
    assert_eq!(fee(&odd, 2, date(2027, 8, 14)), "16.41");
}

#[test]
fn upgrade_guards_have_their_own_codes() {
    let base = sub(20, "48.00", year_from(date(2026, 11, 22)));
    let today = date(2027, 1, 10);
    let code = |s: &Subscription, to: u32| {
        quote_upgrade(s, q(to), today, Decimal::ZERO)
            .unwrap_err()
            .code()
    };
    let mut s = base.clone();
    s.status = SubscriptionStatus::PastDue;
    assert_eq!(code(&s, 30), "subscription_not_active");
    let mut s = base.clone();
    s.invoices.clear();
    assert_eq!(code(&s, 30), "no_paid_order");
    let mut s = base.clone();
    s.legacy = true;
    assert_eq!(code(&s, 30), "legacy_package");
    assert_eq!(code(&base, 20), "quantity_not_higher");
    assert_eq!(code(&base, 10), "quantity_not_higher");
    let mut s = base;
    s.billing = Billing::FixedTerm;
    assert_eq!(code(&s, 30), "not_a_subscription");
}

fn seat(id: &str, starts_on: Date, ends_on: Date) -> Seat {
    Seat {
        id: id.into(),
        email: Email::parse(&format!("{id}@x.de")).unwrap(),
        starts_on,
        ends_on,
        status: SeatStatus::Active,
        assigned_at: Timestamp::UNIX_EPOCH,
        deactivated_at: None,
    }
}

#[test]
fn downgrades_wait_for_the_renewal_and_respect_rolling_seats() {
    let s = sub(5, "48.00", year_from(date(2026, 11, 22)));
    let end = date(2027, 11, 21);
    let seats = [
        seat("a", date(2026, 11, 22), end),
        seat("b", date(2026, 11, 22), end),
        seat("c", date(2026, 11, 22), date(2027, 6, 30)),
    ];
    let change = schedule_downgrade(&s, &seats, q(2)).unwrap();
    assert_eq!(change.effective_on, date(2027, 11, 22));
    let err = schedule_downgrade(&s, &seats, q(1)).unwrap_err();
    assert_eq!(err.code(), "seats_beyond_term");
    assert!(err.to_string().contains("a@x.de") && err.to_string().contains("b@x.de"));
    assert_eq!(
        schedule_downgrade(&s, &seats, q(5)).unwrap_err().code(),
        "quantity_not_lower"
    );
    let mut off = s.clone();
    off.auto_renew = false;
    assert_eq!(
        schedule_downgrade(&off, &seats, q(2)).unwrap_err().code(),
        "no_renewal"
    );
}

#[test]
fn terms_keep_their_anchor_day() {
    let anchor = date(2028, 2, 29);
    let t = |n| nth_term(anchor, Term::Months(12), n);
    assert_eq!(
        t(0),
        Period {
            starts_on: date(2028, 2, 29),
            ends_on: date(2029, 2, 27)
        }
    );
    assert_eq!(
        t(1),
        Period {
            starts_on: date(2029, 2, 28),
            ends_on: date(2030, 2, 27)
        }
    );
    assert_eq!(
        t(4).starts_on,
        date(2032, 2, 29),
        "back to the 29th in a leap year"
    );
    let jan = nth_term(date(2026, 1, 31), Term::Months(12), 1);
    assert_eq!(
        jan,
        Period {
            starts_on: date(2027, 1, 31),
            ends_on: date(2028, 1, 30)
        }
    );
    assert_eq!(
        nth_term(date(2026, 1, 1), Term::Days(365), 1).starts_on,
        date(2027, 1, 1)
    );
}

#[test]
fn retries_follow_the_policy_then_expire() {
    let policy = RetryPolicy {
        days: vec![1, 3, 7],
    };
    let due = date(2027, 11, 22);
    assert_eq!(policy.next_try(due, 1), Some(date(2027, 11, 23)));
    assert_eq!(policy.next_try(due, 2), Some(date(2027, 11, 25)));
    assert_eq!(policy.next_try(due, 3), Some(date(2027, 11, 29)));
    assert_eq!(policy.next_try(due, 4), None);
    assert_eq!(policy.next_try(due, 0), None);
}

#[test]
fn fixed_terms_renew_inside_their_window_without_a_gap() {
    let s = sample_fixed_year(1, "10.00", date(2026, 1, 1));
    let end = date(2026, 12, 31);
    let err = fixed_term_renewal(&s, date(2026, 11, 20), 40).unwrap_err();
    assert_eq!(err.code(), "renewal_not_open");
    assert!(err.to_string().contains("2026-11-21"));
    let early = fixed_term_renewal(&s, date(2026, 11, 21), 40).unwrap();
    assert_eq!(early.starts_on, end.tomorrow().unwrap());
    assert_eq!(early.ends_on, date(2027, 12, 31));
    let late = fixed_term_renewal(&s, date(2027, 1, 15), 40).unwrap();
    assert_eq!(late.starts_on, date(2027, 1, 15));
    let renewing = sub(1, "10.00", year_from(date(2026, 1, 1)));
    assert_eq!(
        fixed_term_renewal(&renewing, date(2026, 12, 1), 40)
            .unwrap_err()
            .code(),
        "not_fixed_term"
    );
}

proptest! {
    #[test]
    fn fee_is_bounded_and_monotone(
        added in 1u32..1000,
        cents in 1i64..1_000_000,
        term_days in 1i64..800,
        a in 0i64..800,
        b in 0i64..800,
    ) {
        let unit = Money::from_cents(cents);
        let full = unit.amount() * Decimal::from(added);
        let (lo, hi) = (a.min(b), a.max(b));
        let f_lo = Money::round(proration(added, unit, lo, term_days));
        let f_hi = Money::round(proration(added, unit, hi, term_days));
        prop_assert!(f_lo.amount() >= Decimal::ZERO);
        prop_assert!(f_hi.amount() <= full);
        prop_assert!(f_lo <= f_hi);
    }
}

fn fixed_year(start: Date) -> Subscription {
    Subscription {
        auto_renew: false,
        ..sample_fixed_year(1, "10.00", start)
    }
}

fn renewal_of(s: &Subscription, today: Date) -> Renewal {
    Renewal {
        quantity: s.quantity,
        period: fixed_term_renewal(s, today, 40).unwrap(),
        term_index: s.term_index + 1,
    }
}

#[test]
fn an_early_fixed_term_renewal_keeps_the_paid_rest_and_queues_the_next_term() {
    let s = fixed_year(date(2026, 6, 1));
    let end = date(2027, 5, 31);
    let day = date(2027, 4, 21); // day −40
    let renewed = s.renewed(renewal_of(&s, day), day, 40);
    assert_eq!(renewed.period, s.period, "the running term stays");
    let next = renewed.next_period.unwrap();
    assert_eq!(
        (next.starts_on, next.ends_on),
        (date(2027, 6, 1), date(2028, 5, 30))
    );
    assert_eq!(renewed.paid_span().unwrap().ends_on, date(2028, 5, 30));
    for d in [day, end, date(2027, 6, 1), date(2028, 5, 30)] {
        assert!(renewed.grants_on(d), "{d}");
    }
    assert!(!renewed.grants_on(date(2028, 5, 31)));
    // The reminder of the next term is due 40 days before it ends.
    assert_eq!(renewed.due_on, Some(date(2028, 4, 20)));
    assert_eq!(
        fixed_term_renewal(&renewed.as_of(day), day, 40)
            .unwrap_err()
            .code(),
        "already_renewed"
    );
    // Once the old term ended, the renewed one runs, and renews in its own window.
    let later = renewed.as_of(date(2027, 6, 1));
    assert_eq!(later.period, Some(next));
    assert_eq!(
        (later.next_period, later.term_index),
        (None, s.term_index + 1)
    );
    assert_eq!(renewed.as_of(end), renewed);
    assert_eq!(
        fixed_term_renewal(&later, date(2027, 6, 1), 40)
            .unwrap_err()
            .code(),
        "renewal_not_open"
    );
}

#[test]
fn a_renewal_after_the_end_replaces_the_ended_term() {
    let s = fixed_year(date(2026, 6, 1));
    let day = date(2027, 6, 10);
    let renewed = s.renewed(renewal_of(&s, day), day, 40);
    assert_eq!(renewed.next_period, None);
    assert_eq!(renewed.period.unwrap().starts_on, day);
    assert_eq!(renewed.term_index, s.term_index + 1);
    assert!(!renewed.grants_on(date(2027, 6, 9)));
}

#[test]
fn an_upgrade_clears_a_pending_downgrade() {
    let mut s = sub(5, "10.00", year_from(date(2026, 1, 1)));
    s.scheduled_change = Some(ScheduledChange {
        quantity: q(3),
        effective_on: date(2027, 1, 1),
    });
    let up = s.upgraded(q(5), q(8));
    assert_eq!(
        (up.quantity, up.scheduled_change, up.version),
        (q(8), None, s.version + 1)
    );
    // Two upgrades placed on 5 and paid in the other order (SEPA): every license paid stays.
    let later_first = s.upgraded(q(5), q(20)).upgraded(q(5), q(10));
    assert_eq!(later_first.quantity, q(25));
}

proptest! {
    /// Renewed on any day of its window, a fixed term grants access on every day from its
    /// start to the end of the renewed term, and on none after.
    #[test]
    fn early_renewal_leaves_no_day_without_access(before_end in 0i64..=40, probe in 0i64..800) {
        let s = fixed_year(date(2026, 6, 1));
        let end = s.period.unwrap().ends_on;
        let day = end.checked_sub(Span::new().days(before_end)).unwrap();
        let renewed = s.renewed(renewal_of(&s, day), day, 40);
        let last = renewed.paid_span().unwrap().ends_on;
        prop_assert_eq!(last, Period::starting(end.tomorrow().unwrap(), Term::Days(365)).ends_on);
        let d = date(2026, 6, 1).checked_add(Span::new().days(probe)).unwrap();
        prop_assert_eq!(renewed.grants_on(d), d <= last);
        prop_assert_eq!(renewed.as_of(d).grants_on(d), d <= last);
    }
}
