//! Changing a paid subscription: the prorated upgrade, the downgrade scheduled for the next
//! renewal, and the renewal itself (with its retries), and renewing a fixed-term license inside
//! its window. All pure: the callers bring the license, its seats and the day.

use jiff::{Span, civil::Date};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    DomainError, Money, Quantity,
    catalog::{Billing, Term},
    order::invoice::InvoiceLine,
    seats::Seat,
    subscription::{Period, Subscription, SubscriptionStatus},
};

pub use crate::subscription::ScheduledChange;

/// The fee for `added` licenses over the rest of a term, exact (the invoice line rounds it):
/// `added × unit price × remaining days / days in the term`.
pub fn proration(added: u32, unit: Money, remaining_days: i64, term_days: i64) -> Decimal {
    if term_days <= 0 || remaining_days <= 0 || added == 0 {
        return Decimal::ZERO;
    }
    let remaining = remaining_days.min(term_days);
    unit.amount() * Decimal::from(added) * Decimal::from(remaining) / Decimal::from(term_days)
}

/// Days from `from` to `to`, both counted.
pub fn days_inclusive(from: Date, to: Date) -> i64 {
    from.until((jiff::Unit::Day, to))
        .map_or(0, |span| i64::from(span.get_days()) + 1)
}

/// The body of the upgrade, its preview and the scheduled change: the new TOTAL of licenses.
/// A whole number in JSON Schema's sense (`30` or `30.0`); out of range is `invalid_quantity`
/// (422), from [`NewTotal::quantity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTotal {
    #[serde(deserialize_with = "crate::wire::whole_number")]
    pub quantity: i64,
}

impl NewTotal {
    pub fn quantity(self) -> Result<Quantity, DomainError> {
        Quantity::new(u32::try_from(self.quantity).unwrap_or(0))
    }
}

/// What an upgrade costs and changes; the preview shows exactly this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpgradeQuote {
    pub from: Quantity,
    pub to: Quantity,
    pub remaining_days: i64,
    pub term_days: i64,
    pub period: Period,
    pub line: InvoiceLine,
}

/// Checks the guards (each with its own code) and prices an upgrade to the new total `to`
/// on `today`, the remaining days counted from today to the term end, both included.
pub fn quote_upgrade(
    sub: &Subscription,
    to: Quantity,
    today: Date,
    tax_rate: Decimal,
) -> Result<UpgradeQuote, DomainError> {
    let period = check_upgrade(sub, to, today)?;
    let term_days = days_inclusive(period.starts_on, period.ends_on);
    let remaining_days = days_inclusive(today, period.ends_on);
    let added = to.get() - sub.quantity.get();
    let exact = proration(added, sub.unit_net, remaining_days, term_days);
    let line = InvoiceLine::new(
        format!(
            "{}: {} → {} licenses, {remaining_days}/{term_days} days until {}",
            sub.product_name.en,
            sub.quantity.get(),
            to.get(),
            period.ends_on
        ),
        Quantity::new(added)?,
        sub.unit_net,
        exact,
        tax_rate,
    );
    Ok(UpgradeQuote {
        from: sub.quantity,
        to,
        remaining_days,
        term_days,
        period,
        line,
    })
}

/// Whether `sub` may be upgraded to `to` on `today` (each refusal with its own code); answers
/// the running term. Checked before anything about the price is looked up.
pub fn check_upgrade(sub: &Subscription, to: Quantity, today: Date) -> Result<Period, DomainError> {
    if sub.legacy {
        return Err(DomainError::conflict(
            "legacy_package",
            "This is a legacy package; changing it needs a support request. Please contact support.",
        ));
    }
    sub.require_status(
        &[SubscriptionStatus::Active],
        "Only an active subscription can be upgraded.",
    )?;
    if sub.invoices.is_empty() {
        return Err(DomainError::conflict(
            "no_paid_order",
            "An upgrade needs an earlier paid order of this subscription.",
        ));
    }
    sub.require_billing(
        Billing::Subscription,
        "not_a_subscription",
        "Fixed-term licenses are renewed, not upgraded.",
    )?;
    if to <= sub.quantity {
        return Err(DomainError::invalid(
            "quantity_not_higher",
            format!(
                "The new total must exceed today's {}; to lower it at the next renewal use \
                 PUT /v1/subscriptions/{}/scheduled-change.",
                sub.quantity.get(),
                sub.id
            ),
        ));
    }
    sub.period.filter(|p| p.contains(today)).ok_or_else(|| {
        DomainError::conflict(
            "subscription_not_active",
            "The subscription's term is not running.",
        )
    })
}

/// Schedules a lower total for the next renewal. Refused when more seats run into the next
/// term (they cover the term's last day and roll over at renewal) than the new total.
pub fn schedule_downgrade(
    sub: &Subscription,
    seats: &[Seat],
    to: Quantity,
) -> Result<ScheduledChange, DomainError> {
    if sub.billing != Billing::Subscription || !sub.auto_renew {
        return Err(DomainError::conflict(
            "no_renewal",
            "Only a subscription that renews can be downgraded at its renewal.",
        ));
    }
    sub.require_status(
        &[SubscriptionStatus::Active, SubscriptionStatus::PastDue],
        "Only an active subscription can be downgraded.",
    )?;
    if to >= sub.quantity {
        return Err(DomainError::invalid(
            "quantity_not_lower",
            format!(
                "A downgrade lowers today's {}; to raise it use POST /v1/subscriptions/{}/upgrade.",
                sub.quantity.get(),
                sub.id
            ),
        ));
    }
    let period = sub
        .period
        .ok_or_else(|| DomainError::conflict("subscription_not_active", "No running term."))?;
    let rolling: Vec<&Seat> = seats.iter().filter(|s| s.covers(period.ends_on)).collect();
    if rolling.len() > to.get() as usize {
        let listed: Vec<String> = rolling
            .iter()
            .map(|s| format!("{} ({})", s.email, s.id))
            .collect();
        return Err(DomainError::conflict(
            "seats_beyond_term",
            format!(
                "{} seats run into the next term; release {} of them first: {}.",
                rolling.len(),
                rolling.len() - to.get() as usize,
                listed.join(", ")
            ),
        ));
    }
    Ok(ScheduledChange {
        quantity: to,
        effective_on: period.ends_on.tomorrow().unwrap_or(period.ends_on),
    })
}

/// The `n`-th term (0 = the first) of a subscription started on `anchor`: every term starts on
/// the anchor's day of month (29 February falls back to 28 February in other years, and comes
/// back in leap years), and ends the day before the next one starts.
pub fn nth_term(anchor: Date, term: Term, n: u32) -> Period {
    let start_of = |k: i64| match term {
        Term::Months(m) => anchor.checked_add(Span::new().months(i64::from(m) * k)),
        Term::Days(d) => anchor.checked_add(Span::new().days(i64::from(d) * k)),
    };
    let k = i64::from(n);
    let starts_on = start_of(k).unwrap_or(Date::MAX);
    let ends_on = start_of(k + 1)
        .and_then(|d| d.yesterday())
        .unwrap_or(Date::MAX);
    Period { starts_on, ends_on }
}

/// When a failed renewal charge is tried again: days after the renewal date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    pub days: Vec<i64>,
}

impl RetryPolicy {
    /// The next try after `failures` failed ones for a renewal due on `due`; `None`: expire.
    pub fn next_try(&self, due: Date, failures: u32) -> Option<Date> {
        let offset = *self.days.get(failures.checked_sub(1)? as usize)?;
        due.checked_add(Span::new().days(offset)).ok()
    }
}

/// When a fixed-term license may be renewed, and from which day the new term runs: from the
/// day after the end when renewed in time (no gap), from `today` when renewed after the end.
/// `sub` is the license [`Subscription::as_of`] today; one renewed already waits for its next
/// term to begin.
pub fn fixed_term_renewal(
    sub: &Subscription,
    today: Date,
    window_days: i64,
) -> Result<Period, DomainError> {
    sub.require_billing(
        Billing::FixedTerm,
        "not_fixed_term",
        "Subscriptions renew by themselves; only fixed-term licenses are renewed by hand.",
    )?;
    sub.require_status(
        &[SubscriptionStatus::Active, SubscriptionStatus::Expired],
        "This license cannot be renewed.",
    )?;
    if let Some(next) = sub.next_period {
        return Err(DomainError::conflict(
            "already_renewed",
            format!(
                "The next term ({} to {}) is paid already; it can be renewed from {} days \
                 before it ends.",
                next.starts_on, next.ends_on, window_days
            ),
        ));
    }
    let period = sub
        .period
        .ok_or_else(|| DomainError::conflict("subscription_not_active", "No term to renew."))?;
    let opens = period
        .ends_on
        .checked_sub(Span::new().days(window_days))
        .unwrap_or(period.ends_on);
    if today < opens {
        return Err(DomainError::conflict(
            "renewal_not_open",
            format!("Renewal opens on {opens}, {window_days} days before the license ends."),
        ));
    }
    let start = if today <= period.ends_on {
        period.ends_on.tomorrow().unwrap_or(period.ends_on)
    } else {
        today
    };
    Ok(Period::starting(start, sub.term))
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
