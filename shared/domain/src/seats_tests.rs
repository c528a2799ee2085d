use jiff::civil::{Date, date};
use proptest::prelude::*;

use super::*;
use crate::{
    catalog::Term,
    subscription::{Period, Subscription, SubscriptionStatus, sample},
};

fn license(quantity: u32, status: SubscriptionStatus) -> Subscription {
    Subscription {
        status,
        ..sample(
            quantity,
            "48.00",
            Period::starting(date(2026, 11, 1), Term::Months(12)),
        )
    }
}

fn now() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

const TODAY: Date = date(2026, 11, 22);

fn form(email: &str, starts_on: Option<Date>, ends_on: Option<Date>) -> SeatForm {
    SeatForm {
        email: email.into(),
        starts_on,
        ends_on,
    }
}

fn code(r: Result<Seat, DomainError>) -> &'static str {
    r.unwrap_err().code()
}

/// Assigns seat `id` on [`TODAY`] at [`now`]: the moment every test here works at.
fn assign_today(
    sub: &Subscription,
    seats: &[Seat],
    form: SeatForm,
    id: &str,
) -> Result<Seat, DomainError> {
    assign(sub, seats, &form, id.into(), now(), TODAY)
}

/// A license of one seat, and seat `id` taken by `a@x.de` from today to 31 December.
fn one_seat_taken(id: &str) -> (Subscription, Seat) {
    let sub = license(1, SubscriptionStatus::Active);
    let until_new_year = form("a@x.de", Some(TODAY), Some(date(2026, 12, 31)));
    let seat = assign_today(&sub, &[], until_new_year, id).unwrap();
    (sub, seat)
}

#[test]
fn fills_up_to_the_quantity_and_frees_on_deactivation() {
    let sub = license(2, SubscriptionStatus::Active);
    let mut seats = Vec::new();
    for (i, email) in ["a@x.de", "b@x.de"].iter().enumerate() {
        seats.push(assign_today(&sub, &seats, form(email, None, None), &i.to_string()).unwrap());
    }
    assert_eq!(seats[0].ends_on, date(2027, 10, 31));
    assert_eq!(used_on(&seats, TODAY), 2);
    assert_eq!(
        code(assign_today(&sub, &seats, form("c@x.de", None, None), "2")),
        "seat_limit_reached"
    );
    let off = deactivate(&seats, "0", now(), TODAY).unwrap();
    assert!(!off.covers(TODAY) && off.status == SeatStatus::Deactivated);
    seats[0] = off;
    assert_eq!(used_on(&seats, TODAY), 1);
    assert!(assign_today(&sub, &seats, form("c@x.de", None, None), "2").is_ok());
    assert_eq!(
        code(deactivate(&seats, "0", now(), TODAY)),
        "seat_deactivated"
    );
    assert_eq!(
        code(deactivate(&seats, "nope", now(), TODAY)),
        "seat_not_found"
    );
}

#[test]
fn disjoint_periods_share_a_seat_and_an_email() {
    let (sub, first) = one_seat_taken("0");
    let seats = vec![first];
    // The same email again, overlapping: refused; disjoint: allowed (and the seat is free then).
    assert_eq!(
        code(assign_today(
            &sub,
            &seats,
            form("A@x.de", Some(date(2026, 12, 31)), None),
            "1"
        )),
        "email_holds_seat"
    );
    assert!(
        assign_today(
            &sub,
            &seats,
            form("a@x.de", Some(date(2027, 1, 1)), None),
            "1"
        )
        .is_ok()
    );
    assert_eq!(
        code(assign_today(
            &sub,
            &seats,
            form("b@x.de", Some(date(2026, 12, 1)), None),
            "1"
        )),
        "seat_limit_reached"
    );
}

#[test]
fn dates_must_fit_the_period_and_the_present() {
    let sub = license(5, SubscriptionStatus::Active);
    for (f, want) in [
        (
            form("a@x.de", Some(date(2026, 12, 5)), Some(date(2026, 12, 1))),
            "invalid_dates",
        ),
        (
            form("a@x.de", None, Some(date(2027, 11, 1))),
            "dates_outside_period",
        ),
        (
            form("a@x.de", Some(date(2026, 11, 21)), None),
            "dates_in_the_past",
        ),
        (form("not an email", None, None), "invalid_email"),
    ] {
        assert_eq!(code(assign_today(&sub, &[], f.clone(), "0")), want, "{f:?}");
    }
    for status in [
        SubscriptionStatus::Expired,
        SubscriptionStatus::PendingPayment,
        SubscriptionStatus::Cancelled,
    ] {
        assert_eq!(
            code(assign_today(
                &license(5, status),
                &[],
                form("a@x.de", None, None),
                "0"
            )),
            "subscription_not_active"
        );
    }
    assert!(
        assign_today(
            &license(5, SubscriptionStatus::Trial),
            &[],
            form("a@x.de", None, None),
            "0"
        )
        .is_ok()
    );
}

#[test]
fn changes_keep_the_rules() {
    let (sub, a) = one_seat_taken("a");
    let b = assign_today(
        &sub,
        std::slice::from_ref(&a),
        form("b@x.de", Some(date(2027, 1, 1)), None),
        "b",
    )
    .unwrap();
    let seats = vec![a, b];
    let later = SeatChange {
        starts_on: None,
        ends_on: Some(date(2027, 1, 5)),
    };
    assert_eq!(
        code(change(&sub, &seats, "a", &later, TODAY)),
        "seat_limit_reached"
    );
    let earlier = SeatChange {
        starts_on: None,
        ends_on: Some(date(2026, 12, 1)),
    };
    assert_eq!(
        change(&sub, &seats, "a", &earlier, TODAY).unwrap().ends_on,
        date(2026, 12, 1)
    );
    // The start of a running seat stays.
    let moved = SeatChange {
        starts_on: Some(date(2026, 12, 1)),
        ends_on: None,
    };
    assert_eq!(
        code(change(&sub, &seats, "a", &moved, TODAY)),
        "dates_in_the_past"
    );
    let future = SeatChange {
        starts_on: Some(date(2027, 2, 1)),
        ends_on: None,
    };
    assert_eq!(
        change(&sub, &seats, "b", &future, TODAY).unwrap().starts_on,
        date(2027, 2, 1)
    );
}

#[test]
fn peak_counts_the_busiest_day() {
    let s = |id: &str, a: Date, b: Date| Seat {
        id: id.into(),
        email: Email::parse(&format!("{id}@x.de")).unwrap(),
        starts_on: a,
        ends_on: b,
        status: SeatStatus::Active,
        assigned_at: now(),
        deactivated_at: None,
    };
    let d = |n: i8| date(2026, 12, n);
    assert_eq!(peak(&[]), 0);
    assert_eq!(peak(&[s("a", d(1), d(10)), s("b", d(11), d(20))]), 1);
    assert_eq!(peak(&[s("a", d(1), d(10)), s("b", d(10), d(20))]), 2);
    assert_eq!(
        peak(&[s("a", d(1), d(10)), s("b", d(5), d(6)), s("c", d(6), d(8))]),
        3
    );
    assert_eq!(peak(&[s("a", d(5), d(4))]), 0);
}

#[derive(Debug, Clone)]
enum Op {
    Assign {
        email: u8,
        start: i8,
        len: i8,
    },
    Change {
        seat: u8,
        start: Option<i8>,
        end: Option<i8>,
    },
    Deactivate {
        seat: u8,
    },
    NextDay,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..6, 0i8..40, 0i8..40).prop_map(|(email, start, len)| Op::Assign { email, start, len }),
        2 => (0u8..10, proptest::option::of(0i8..40), proptest::option::of(0i8..80))
            .prop_map(|(seat, start, end)| Op::Change { seat, start, end }),
        1 => (0u8..10).prop_map(|seat| Op::Deactivate { seat }),
        1 => Just(Op::NextDay),
    ]
}

proptest! {
    /// Whatever the owner does, no day holds more seats than the quantity, no email holds two
    /// seats on one day, and a refused operation leaves the seats as they were.
    #[test]
    fn seat_rules_hold_for_any_sequence(quantity in 1u32..4, ops in proptest::collection::vec(op(), 1..40)) {
        let sub = license(quantity, SubscriptionStatus::Active);
        let mut seats: Vec<Seat> = Vec::new();
        let mut today = TODAY;
        let day = |today: Date, n: i8| today.checked_add(Span::new().days(i64::from(n))).unwrap();
        for (i, op) in ops.into_iter().enumerate() {
            let before = seats.clone();
            let outcome = match op {
                Op::Assign { email, start, len } => {
                    let f = form(&format!("u{email}@x.de"), Some(day(today, start)), Some(day(today, start + len)));
                    assign(&sub, &seats, &f, format!("s{i}"), now(), today).map(|s| seats.push(s))
                }
                Op::Change { seat, start, end } => match seats.get(usize::from(seat)).map(|s| s.id.clone()) {
                    Some(id) => {
                        let c = SeatChange { starts_on: start.map(|n| day(today, n)), ends_on: end.map(|n| day(today, n)) };
                        change(&sub, &seats, &id, &c, today).map(|s| seats[usize::from(seat)] = s)
                    }
                    None => Ok(()),
                },
                Op::Deactivate { seat } => match seats.get(usize::from(seat)).map(|s| s.id.clone()) {
                    Some(id) => deactivate(&seats, &id, now(), today).map(|s| seats[usize::from(seat)] = s),
                    None => Ok(()),
                },
                Op::NextDay => { today = day(today, 1); Ok(()) }
            };
            if outcome.is_err() {
                prop_assert_eq!(&seats, &before);
            }
            prop_assert!(peak(&seats) <= quantity as usize, "peak {} > {}", peak(&seats), quantity);
            for a in &seats {
                for b in &seats {
                    if a.id != b.id && a.email == b.email {
                        prop_assert!(!a.overlaps(b.starts_on, b.ends_on) || a.ends_on < a.starts_on || b.ends_on < b.starts_on);
                    }
                }
            }
        }
    }
}

fn seat_until(id: &str, email: &str, ends_on: Date, assigned_minute: i64) -> Seat {
    Seat {
        id: id.into(),
        email: Email::parse(email).unwrap(),
        starts_on: TODAY,
        ends_on,
        status: SeatStatus::Active,
        assigned_at: now() + Span::new().minutes(assigned_minute),
        deactivated_at: None,
    }
}

/// Carries seats the way the rollover does: one at a time, asking again on the new state.
fn carry_all(seats: &mut [Seat], old_end: Date, new_end: Date, quantity: u32) {
    let q = Quantity::new(quantity).unwrap();
    while let Some(id) = next_to_carry(seats, old_end, q).map(|s| s.id.clone()) {
        let seat = seats.iter_mut().find(|s| s.id == id).unwrap();
        *seat = seat.extended_to(new_end);
    }
}

#[test]
fn a_downgraded_renewal_carries_the_first_assigned_seats_only() {
    let old_end = date(2027, 10, 31);
    let new_end = date(2028, 10, 31);
    let mut seats = vec![
        seat_until("d", "d@x.de", old_end, 4),
        seat_until("a", "a@x.de", old_end, 1),
        seat_until("early", "e@x.de", date(2027, 6, 1), 0),
        seat_until("c", "c@x.de", old_end, 3),
        seat_until("b", "b@x.de", old_end, 2),
    ];
    carry_all(&mut seats, old_end, new_end, 3);
    let carried: Vec<&str> = seats
        .iter()
        .filter(|s| s.ends_on == new_end)
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(carried, ["a", "c", "b"]);
    assert_eq!(
        seats[0].ends_on, old_end,
        "the latest seat stops with the old term"
    );
    // Carrying again finds nothing: the rollover may run twice.
    assert!(next_to_carry(&seats, old_end, Quantity::new(3).unwrap()).is_none());
}

#[test]
fn a_fixed_term_renewed_early_lends_seats_its_next_term() {
    let mut sub = license(1, SubscriptionStatus::Active);
    sub.next_period = Some(Period::starting(date(2027, 11, 1), Term::Months(12)));
    let seat = assign_today(&sub, &[], form("a@x.de", None, None), "s").unwrap();
    assert_eq!(seat.ends_on, date(2028, 10, 31));
    let late = form("b@x.de", Some(date(2028, 1, 1)), Some(date(2028, 10, 31)));
    assert_eq!(
        code(assign_today(&sub, &[seat], late, "t")),
        "seat_limit_reached"
    );
    let beyond = form("b@x.de", Some(date(2028, 1, 1)), Some(date(2028, 11, 1)));
    assert_eq!(
        code(assign_today(&sub, &[], beyond, "t")),
        "dates_outside_period"
    );
}

proptest! {
    /// Whatever seats ran to the end of a term, the renewed term never starts with more seats
    /// than its quantity, and every seat that could carry over did, up to that quantity.
    #[test]
    fn rollover_never_over_assigns(
        ends in proptest::collection::vec((0i64..3, 0i64..50), 0..12),
        carried_before in 0usize..3,
        quantity in 1u32..6,
    ) {
        let old_end = date(2027, 10, 31);
        let new_end = date(2028, 10, 31);
        let mut seats: Vec<Seat> = ends
            .iter()
            .enumerate()
            .map(|(i, (short, minute))| {
                let end = old_end.checked_sub(Span::new().days(*short)).unwrap();
                seat_until(&format!("s{i}"), &format!("u{i}@x.de"), end, *minute)
            })
            .collect();
        // A rollover interrupted earlier may have carried some seats already.
        let before = carried_before.min(quantity as usize);
        for s in seats.iter_mut().filter(|s| s.ends_on == old_end).take(before) {
            s.ends_on = new_end;
        }
        let could = seats.iter().filter(|s| s.ends_on >= old_end).count();
        carry_all(&mut seats, old_end, new_end, quantity);
        let on_first_day = used_on(&seats, old_end.tomorrow().unwrap());
        prop_assert_eq!(on_first_day, could.min(quantity as usize));
    }
}

#[test]
fn access_follows_the_date_with_grace_for_renewals() {
    let mut sub = sample(
        2,
        "10.00",
        Period {
            starts_on: date(2026, 1, 1),
            ends_on: date(2026, 12, 31),
        },
    );
    let seat = Seat {
        id: "x".into(),
        email: Email::parse("c@x.de").unwrap(),
        starts_on: date(2026, 1, 1),
        ends_on: date(2026, 12, 31),
        status: SeatStatus::Active,
        assigned_at: jiff::Timestamp::UNIX_EPOCH,
        deactivated_at: None,
    };
    assert!(sub.seat_grants(&seat, date(2026, 12, 31)));
    // The renewal day, before the job ran: still in.
    assert!(sub.seat_grants(&seat, date(2027, 1, 1)));
    assert!(!sub.seat_grants(&seat, date(2027, 1, 2)));
    sub.auto_renew = false;
    assert!(!sub.seat_grants(&seat, date(2027, 1, 1)));
    sub.status = SubscriptionStatus::PastDue;
    assert!(sub.seat_grants(&seat, date(2027, 1, 5)));
    sub.status = SubscriptionStatus::Expired;
    assert!(!sub.seat_grants(&seat, date(2026, 6, 1)));
}
