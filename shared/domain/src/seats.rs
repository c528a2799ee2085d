//! Seats of a license: date ranges during which an email may use it. At no day may more seats
//! overlap than the license's quantity, and one email holds at most one seat of a license on
//! any day. Every rule is decided here from the license and its seats alone; the adapter makes
//! the decision stick with the license's version in the same transaction.

use jiff::{Span, Timestamp, civil::Date};
use serde::{Deserialize, Serialize};

use crate::{
    DomainError, Email, Quantity,
    subscription::{Subscription, SubscriptionStatus},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatStatus {
    Active,
    /// Ended early by the owner; its days before the deactivation still count as used.
    Deactivated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seat {
    pub id: String,
    pub email: Email,
    /// Both inclusive, Berlin calendar dates. A seat deactivated before it began has
    /// `ends_on` before `starts_on` and occupies no day.
    pub starts_on: Date,
    pub ends_on: Date,
    pub status: SeatStatus,
    pub assigned_at: Timestamp,
    pub deactivated_at: Option<Timestamp>,
}

impl Seat {
    /// Whether the seat occupies `day`.
    pub fn covers(&self, day: Date) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }

    /// The seat running on to `ends_on` (a renewal carries it into the new term).
    pub fn extended_to(&self, ends_on: Date) -> Seat {
        Seat {
            ends_on,
            ..self.clone()
        }
    }

    fn overlaps(&self, starts_on: Date, ends_on: Date) -> bool {
        self.starts_on <= ends_on && starts_on <= self.ends_on
    }
}

/// What the owner asks for; `starts_on` defaults to today, `ends_on` to the license's end.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeatForm {
    pub email: String,
    #[serde(default, deserialize_with = "crate::wire::optional_date")]
    pub starts_on: Option<Date>,
    #[serde(default, deserialize_with = "crate::wire::optional_date")]
    pub ends_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeatChange {
    #[serde(default, deserialize_with = "crate::wire::optional_date")]
    pub starts_on: Option<Date>,
    #[serde(default, deserialize_with = "crate::wire::optional_date")]
    pub ends_on: Option<Date>,
}

impl Subscription {
    /// Whether `seat` of this license lets its holder in on `day`. A seat that runs to the
    /// term's end rolls over with the subscription: while a failed renewal is retried
    /// (`past_due`) it keeps granting access, and a paid renewal extends it.
    pub fn seat_grants(&self, seat: &Seat, day: Date) -> bool {
        if !self.grants_on(day) || seat.status != SeatStatus::Active {
            return false;
        }
        let rolling = self.awaiting_renewal(day)
            && self
                .period
                .is_some_and(|p| seat.ends_on == p.ends_on && day > p.ends_on);
        seat.covers(day) || rolling
    }
}

/// The most seats that overlap on any single day.
pub fn peak(seats: &[Seat]) -> usize {
    // Sweep: +1 at each start, −1 the day after each end; ends sort before starts on a day.
    let mut events: Vec<(Date, i8)> = Vec::with_capacity(seats.len() * 2);
    for s in seats.iter().filter(|s| s.starts_on <= s.ends_on) {
        events.push((s.starts_on, 1));
        events.push((s.ends_on.tomorrow().unwrap_or(Date::MAX), -1));
    }
    events.sort();
    let (mut now, mut most) = (0i64, 0i64);
    for (_, delta) in events {
        now += i64::from(delta);
        most = most.max(now);
    }
    usize::try_from(most).unwrap_or(0)
}

/// Seats in use on `day`.
pub fn used_on(seats: &[Seat], day: Date) -> usize {
    seats.iter().filter(|s| s.covers(day)).count()
}

fn conflict(code: &'static str, detail: impl std::fmt::Display) -> DomainError {
    DomainError::conflict(code, detail)
}

/// Checks a seat `candidate` (new or changed) against the license and the other seats.
fn admit(
    sub: &Subscription,
    others: &[&Seat],
    candidate: &Seat,
    today: Date,
) -> Result<(), DomainError> {
    sub.require_status(
        &[SubscriptionStatus::Active, SubscriptionStatus::Trial],
        "Seats can only be assigned while the license is active.",
    )?;
    // A fixed term renewed early lends its seats the paid next term too.
    let period = sub
        .paid_span()
        .ok_or_else(|| conflict("subscription_not_active", "The license has not started."))?;
    if candidate.ends_on < candidate.starts_on {
        return Err(DomainError::invalid(
            "invalid_dates",
            "ends_on must not be before starts_on.",
        ));
    }
    if !period.contains(candidate.starts_on) || !period.contains(candidate.ends_on) {
        return Err(DomainError::invalid(
            "dates_outside_period",
            format!(
                "A seat must lie within the license period {} to {}.",
                period.starts_on, period.ends_on
            ),
        ));
    }
    if candidate.ends_on < today {
        return Err(DomainError::invalid(
            "dates_in_the_past",
            "A seat must last until today or later.",
        ));
    }
    if others
        .iter()
        .any(|s| s.email == candidate.email && s.overlaps(candidate.starts_on, candidate.ends_on))
    {
        return Err(conflict(
            "email_holds_seat",
            format!(
                "{} holds a seat of this license during these dates already.",
                candidate.email
            ),
        ));
    }
    let mut all: Vec<Seat> = others
        .iter()
        .filter(|s| s.overlaps(candidate.starts_on, candidate.ends_on))
        .map(|s| (*s).clone())
        .collect();
    all.push(candidate.clone());
    if peak(&all) > sub.quantity.get() as usize {
        return Err(conflict(
            "seat_limit_reached",
            format!(
                "All {} seats are taken on some of these days; deactivate a seat or change its \
                 dates first, or buy more licenses.",
                sub.quantity.get()
            ),
        ));
    }
    Ok(())
}

/// A new seat for `form` on `sub`, or why not.
pub fn assign(
    sub: &Subscription,
    seats: &[Seat],
    form: &SeatForm,
    id: String,
    now: Timestamp,
    today: Date,
) -> Result<Seat, DomainError> {
    let email = Email::parse(&form.email)?;
    let ends = sub.paid_span().map_or(today, |p| p.ends_on);
    let seat = Seat {
        id,
        email,
        starts_on: form.starts_on.unwrap_or(today),
        ends_on: form.ends_on.unwrap_or(ends),
        status: SeatStatus::Active,
        assigned_at: now,
        deactivated_at: None,
    };
    if seat.starts_on < today {
        return Err(DomainError::invalid(
            "dates_in_the_past",
            "A seat cannot start before today.",
        ));
    }
    let others: Vec<&Seat> = seats.iter().collect();
    admit(sub, &others, &seat, today)?;
    Ok(seat)
}

fn find<'a>(seats: &'a [Seat], id: &str) -> Result<&'a Seat, DomainError> {
    seats
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| DomainError::not_found("seat_not_found", "No such seat."))
}

/// The seat `id`, refused with `why` when it is deactivated: a deactivated seat is history.
fn find_active<'a>(seats: &'a [Seat], id: &str, why: &str) -> Result<&'a Seat, DomainError> {
    let seat = find(seats, id)?;
    if seat.status == SeatStatus::Deactivated {
        return Err(conflict("seat_deactivated", why));
    }
    Ok(seat)
}

/// The seat with new dates. A start that has passed cannot move.
pub fn change(
    sub: &Subscription,
    seats: &[Seat],
    id: &str,
    change: &SeatChange,
    today: Date,
) -> Result<Seat, DomainError> {
    let seat = find_active(
        seats,
        id,
        "A deactivated seat cannot change; assign a new one.",
    )?;
    let starts_on = change.starts_on.unwrap_or(seat.starts_on);
    if starts_on != seat.starts_on && (seat.starts_on <= today || starts_on < today) {
        return Err(DomainError::invalid(
            "dates_in_the_past",
            "A seat's start can only move while both the old and the new start are ahead.",
        ));
    }
    let changed = Seat {
        starts_on,
        ends_on: change.ends_on.unwrap_or(seat.ends_on),
        ..seat.clone()
    };
    let others: Vec<&Seat> = seats.iter().filter(|s| s.id != id).collect();
    admit(sub, &others, &changed, today)?;
    Ok(changed)
}

/// The next seat to carry over from a term that ended on `old_end` into the renewed term
/// starting the day after, or `None` once the new term has `quantity` seats on its first day
/// (or none is left). Seats that ran to the term's end carry over in the order they were
/// assigned; those beyond the new quantity (a downgrade) stop at the old term's end, so no
/// renewed term starts over-assigned. Asked again after each carried seat, on fresh seats.
pub fn next_to_carry(seats: &[Seat], old_end: Date, quantity: Quantity) -> Option<&Seat> {
    let first_day = old_end.tomorrow().ok()?;
    let active = || seats.iter().filter(|s| s.status == SeatStatus::Active);
    if active().filter(|s| s.covers(first_day)).count() >= quantity.get() as usize {
        return None;
    }
    active()
        .filter(|s| s.ends_on == old_end)
        .min_by_key(|s| (s.assigned_at, s.id.as_str()))
}

/// Ends a seat now: it grants nothing from today, and its place is free from today.
pub fn deactivate(
    seats: &[Seat],
    id: &str,
    now: Timestamp,
    today: Date,
) -> Result<Seat, DomainError> {
    let seat = find_active(seats, id, "The seat is deactivated already.")?;
    let yesterday = today.checked_sub(Span::new().days(1)).unwrap_or(Date::MIN);
    Ok(Seat {
        ends_on: seat.ends_on.min(yesterday),
        status: SeatStatus::Deactivated,
        deactivated_at: Some(now),
        ..seat.clone()
    })
}

#[cfg(test)]
#[path = "seats_tests.rs"]
mod tests;
