//! A license: one product held by one email, for a quantity of seats and a period. Paid
//! subscriptions renew every term; fixed-term licenses end. A trial becomes the paid license
//! when its holder buys the product, keeping its id.

use jiff::{Span, civil::Date};
use serde::{Deserialize, Serialize};

use crate::{
    Email, Money, Quantity,
    catalog::{Billing, LocalizedText, Region, Term},
    id::{AccountId, AppId, OrderId, ProductId, SubscriptionId},
    solar::{PlantId, Watts},
    vat::TaxTreatment,
};

pub use crate::payment::StoredPayment;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Trial,
    /// Ordered; waits for the payment to be confirmed.
    PendingPayment,
    Active,
    PastDue,
    Expired,
    Cancelled,
    /// The order that would have started it was never paid.
    Void,
}

/// The days a license runs, both inclusive, as Berlin calendar dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub starts_on: Date,
    pub ends_on: Date,
}

impl Period {
    /// One term from `start`: 12 months end the day before the same date a year later (a term
    /// started on 29 February ends on 27 February, as 29 February + 12 months is 28 February);
    /// day terms count the start day as day 1.
    pub fn starting(start: Date, term: Term) -> Period {
        let span = match term {
            Term::Months(m) => Span::new().months(i64::from(m)),
            Term::Days(d) => Span::new().days(i64::from(d)),
        };
        let end = start
            .checked_add(span)
            .and_then(|d| d.checked_sub(Span::new().days(1)))
            .unwrap_or(Date::MAX);
        Period {
            starts_on: start,
            ends_on: end,
        }
    }

    pub fn contains(&self, day: Date) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }
}

/// What confirming a purchase brings to its license.
#[derive(Debug, Clone)]
pub struct Paid<'a> {
    /// The Berlin date of payment: the first day of the first term.
    pub day: Date,
    pub quantity: Quantity,
    pub unit_net: Money,
    pub invoice: &'a str,
    pub payment: StoredPayment,
    pub tax: TaxTreatment,
    /// Days before a fixed term ends that its owner is reminded.
    pub reminder_days: i64,
}

/// A downgrade waiting for the next renewal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledChange {
    pub quantity: Quantity,
    /// The first day at the new total: the next term's start.
    pub effective_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: SubscriptionId,
    /// Shown to the customer: the order number that started it and the line.
    pub number: String,
    pub account_id: AccountId,
    pub product_id: ProductId,
    pub product_name: LocalizedText,
    pub app: AppId,
    pub billing: Billing,
    pub holder: Email,
    pub status: SubscriptionStatus,
    pub quantity: Quantity,
    pub term: Term,
    pub region: Region,
    /// Net price per license and term at which it renews.
    pub unit_net: Money,
    pub period: Option<Period>,
    pub auto_renew: bool,
    pub orders: Vec<OrderId>,
    pub invoices: Vec<String>,
    /// A seat of it was ever assigned; an activated order can no longer be cancelled.
    pub activated: bool,
    pub payment: Option<StoredPayment>,
    pub version: u64,
    /// A package of the old shop: changes need a support request.
    #[serde(default)]
    pub legacy: bool,
    /// A downgrade waiting for the next renewal.
    #[serde(default)]
    pub scheduled_change: Option<ScheduledChange>,
    /// The first day of the first paid term; every later term starts on its day of month.
    #[serde(default)]
    pub anchor: Option<Date>,
    /// Which term runs (0 = the first paid one).
    #[serde(default)]
    pub term_index: u32,
    /// Failed renewal charges of the current renewal.
    #[serde(default)]
    pub failed_charges: u32,
    /// How its invoices are taxed, from the order that bought it.
    #[serde(default)]
    pub tax: Option<TaxTreatment>,
    /// The day the renewal job looks at it next (renewal, retry, reminder, expiry).
    #[serde(default)]
    pub due_on: Option<Date>,
    /// A fixed term renewed before its end: the paid next term, which follows `period` without
    /// a gap and takes its place once `period` has ended ([`Subscription::as_of`]).
    #[serde(default)]
    pub next_period: Option<Period>,
    /// A monitoring license: the plant it covers and the power it was bought for. Absent on
    /// every other license (and on licenses stored before monitoring was sold).
    #[serde(default)]
    pub plant: Option<MonitoredPlant>,
}

/// The plant a monitoring license covers. Licenses per plant stack instead of being held once
/// per email (docs/payments.md), so such a license has no holder marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoredPlant {
    pub plant: PlantId,
    /// The plant's total nominal power when it was bought; a larger plant ends it.
    pub power: Watts,
    /// Licenses of the plant ended by power whose residual value this one's order credited.
    #[serde(default)]
    pub credits: Vec<SubscriptionId>,
}

impl Subscription {
    /// The paid license a confirmed order starts (or the trial it converts).
    pub fn confirm(&self, paid: Paid<'_>) -> Subscription {
        let Paid {
            day,
            quantity,
            unit_net,
            invoice,
            payment,
            tax,
            reminder_days,
        } = paid;
        let period = Period::starting(day, self.term);
        let due_on = self.next_due(period, day, reminder_days);
        let mut invoices = self.invoices.clone();
        invoices.push(invoice.to_owned());
        Subscription {
            status: SubscriptionStatus::Active,
            quantity,
            unit_net,
            period: Some(period),
            auto_renew: self.billing == Billing::Subscription,
            invoices,
            payment: Some(payment),
            version: self.version + 1,
            anchor: Some(day),
            term_index: 0,
            tax: Some(tax),
            due_on: Some(due_on),
            next_period: None,
            ..self.clone()
        }
    }

    /// A paid monitoring license whose first term starts on `start` rather than on `day`, the
    /// day of payment: bought while its plant had access (trial or a license), it runs on from
    /// the day after that access ends (`MonitoringHistory::license_start`).
    pub fn starting_on(&self, start: Date, day: Date, reminder_days: i64) -> Subscription {
        let period = Period::starting(start, self.term);
        Subscription {
            period: Some(period),
            anchor: Some(start),
            due_on: Some(self.next_due(period, day, reminder_days)),
            ..self.clone()
        }
    }

    /// The license after a paid upgrade from `from` to `to` licenses: at once, for the rest of
    /// the term; it clears a pending downgrade (the owner asked for more, not fewer). The
    /// licenses added are added to what the license has when the payment is confirmed, so two
    /// upgrades paid in either order (SEPA) leave every paid license.
    pub fn upgraded(&self, from: Quantity, to: Quantity) -> Subscription {
        let added = to.get().saturating_sub(from.get());
        let quantity = Quantity::new(self.quantity.get().saturating_add(added)).unwrap_or(to);
        Subscription {
            quantity,
            scheduled_change: None,
            version: self.version + 1,
            ..self.clone()
        }
    }

    /// The license after a paid renewal for `period` (term `term_index`) confirmed on `day`.
    /// Renewed while its term still runs (a fixed term inside its window), the new term waits
    /// in `next_period`, so the paid rest of the running term is kept and access continues
    /// without a gap; renewed after the end (a subscription's renewal day, a retried charge, a
    /// late fixed term) it replaces the ended term.
    pub fn renewed(&self, renewal: Renewal, day: Date, reminder_days: i64) -> Subscription {
        let Renewal {
            quantity,
            period,
            term_index,
        } = renewal;
        let early = self
            .period
            .is_some_and(|p| day <= p.ends_on && period.starts_on > p.ends_on);
        let mut next = Subscription {
            status: SubscriptionStatus::Active,
            quantity,
            scheduled_change: None,
            failed_charges: 0,
            due_on: Some(self.next_due(period, day, reminder_days)),
            version: self.version + 1,
            ..self.clone()
        };
        if early {
            next.next_period = Some(period);
        } else {
            next.period = Some(period);
            next.term_index = term_index;
            next.next_period = None;
        }
        next
    }

    /// The license as it stands on `day`: a renewed next term that has begun is the running
    /// one. Stored licenses are brought up to date lazily (by whoever writes them next), so
    /// every decision reads through this.
    pub fn as_of(&self, day: Date) -> Subscription {
        match (self.period, self.next_period) {
            (Some(current), Some(next)) if current.ends_on < day => Subscription {
                period: Some(next),
                next_period: None,
                term_index: self.term_index + 1,
                ..self.clone()
            },
            _ => self.clone(),
        }
    }

    /// The id of the order for the next term: it names the license, the term and the attempt
    /// (failed charges so far), so a repeated job, a retried worker or a repeated request
    /// reaches the same order and provider key, and a retry after a failure is a new order.
    pub fn renewal_order_id(&self) -> Result<OrderId, crate::DomainError> {
        OrderId::parse(&format!(
            "renew-{}-{}-{}",
            self.id,
            self.term_index + 1,
            self.failed_charges
        ))
    }

    /// The days paid for: the running term, and the renewed next one when there is one.
    pub fn paid_span(&self) -> Option<Period> {
        let period = self.period?;
        Some(Period {
            starts_on: period.starts_on,
            ends_on: self.next_period.map_or(period.ends_on, |n| n.ends_on),
        })
    }
}

/// A paid next term: how many licenses, which days, and which term it is (0 = the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Renewal {
    pub quantity: Quantity,
    pub period: Period,
    pub term_index: u32,
}

/// A license as its owner sees it in the overview.
#[derive(Debug, Serialize)]
pub struct SubscriptionView<'a> {
    pub id: &'a SubscriptionId,
    pub number: &'a str,
    pub product_id: &'a ProductId,
    pub product_name: &'a LocalizedText,
    pub app: &'a AppId,
    pub billing: Billing,
    pub holder: &'a Email,
    pub status: SubscriptionStatus,
    pub quantity: Quantity,
    pub seats_used_today: usize,
    pub term: Term,
    pub period: Option<Period>,
    /// A fixed term renewed before its end: the paid term that follows `period`.
    pub next_period: Option<Period>,
    pub auto_renew: bool,
    pub invoices: &'a [String],
    /// A downgrade waiting for the next renewal.
    pub scheduled_change: Option<&'a ScheduledChange>,
}

impl Subscription {
    /// The overview of a license as it stands today ([`Subscription::as_of`]).
    pub fn view(&self, seats_used_today: usize, today: Date) -> SubscriptionView<'_> {
        let current = self.as_of(today);
        SubscriptionView {
            id: &self.id,
            number: &self.number,
            product_id: &self.product_id,
            product_name: &self.product_name,
            app: &self.app,
            billing: self.billing,
            holder: &self.holder,
            status: self.status,
            quantity: self.quantity,
            seats_used_today,
            term: self.term,
            period: current.period,
            next_period: current.next_period,
            auto_renew: self.auto_renew,
            invoices: &self.invoices,
            scheduled_change: self.scheduled_change.as_ref(),
        }
    }

    /// The day the renewal job looks at a term that began `today`: a subscription the day
    /// after it ends (renewal), a fixed term `reminder_days` before its end (reminder).
    pub fn next_due(&self, period: Period, today: Date, reminder_days: i64) -> Date {
        match self.billing {
            Billing::Subscription => period.ends_on.tomorrow().unwrap_or(period.ends_on),
            Billing::FixedTerm => period
                .ends_on
                .checked_sub(Span::new().days(reminder_days))
                .unwrap_or(period.starts_on)
                .max(today),
        }
    }

    /// Whether the license grants access on `day`: active (or a trial) and inside the days
    /// paid for, decided by the date of the request, never by a batch job having run. A
    /// subscription whose renewal charge failed keeps granting access while the charge is
    /// retried (`past_due`), and a renewing one on its renewal day until the job has run; it
    /// stops when the subscription expires.
    pub fn grants_on(&self, day: Date) -> bool {
        match self.status {
            SubscriptionStatus::Active | SubscriptionStatus::Trial => {
                self.paid_span().is_some_and(|p| p.contains(day)) || self.awaiting_renewal(day)
            }
            SubscriptionStatus::PastDue => true,
            _ => false,
        }
    }

    /// A renewing subscription is not cut off on its renewal day before the daily job has
    /// charged it (the job runs in the early morning), nor while a failed charge is retried.
    pub(crate) fn awaiting_renewal(&self, day: Date) -> bool {
        let renewal_day = self
            .period
            .and_then(|p| p.ends_on.tomorrow().ok())
            .is_some_and(|d| d == day);
        match self.status {
            SubscriptionStatus::PastDue => true,
            SubscriptionStatus::Active => {
                self.billing == Billing::Subscription && self.auto_renew && renewal_day
            }
            _ => false,
        }
    }
}

/// A paid subscription for the domain's tests: `quantity` licenses of `alarm-team` at
/// `unit` net per term, running for `period`, with one invoice.
#[cfg(test)]
pub(crate) fn sample(quantity: u32, unit: &str, period: Period) -> Subscription {
    use crate::id::{AccountId, AppId, ProductId, SubscriptionId};
    let license = NewLicense {
        id: SubscriptionId::parse("s1").unwrap(),
        number: "ORD-2026-000001-1".into(),
        account_id: AccountId::parse("a1").unwrap(),
        holder: Email::parse("owner@example.de").unwrap(),
        region: Region::parse("DE").unwrap(),
        product: Licensed {
            id: ProductId::parse("alarm-team").unwrap(),
            name: crate::testing::name("Alarm"),
            app: AppId::parse("alerting").unwrap(),
            billing: Billing::Subscription,
        },
        quantity: Quantity::new(quantity).unwrap(),
        term: Term::Months(12),
        unit_net: Money::parse(unit).unwrap(),
        status: SubscriptionStatus::Active,
        period: Some(period),
        orders: Vec::new(),
        plant: None,
    };
    // Paid: renewing from its first day, with its first invoice.
    Subscription {
        auto_renew: true,
        invoices: vec!["INV-2026-000001".into()],
        anchor: Some(period.starts_on),
        ..license.start()
    }
}

/// [`sample`] as a fixed-term license: 365 days from `starts_on`, bought by hand.
#[cfg(test)]
pub(crate) fn sample_fixed_year(quantity: u32, unit: &str, starts_on: Date) -> Subscription {
    let days = Term::Days(365);
    Subscription {
        billing: Billing::FixedTerm,
        term: days,
        ..sample(quantity, unit, Period::starting(starts_on, days))
    }
}

/// A card on file (`cus_1`, `pm_1`): what a license keeps to be charged again.
#[cfg(test)]
pub(crate) fn card_on_file() -> StoredPayment {
    StoredPayment {
        method: crate::order::PaymentMethod::Card,
        customer: "cus_1".into(),
        payment_method: "pm_1".into(),
    }
}

#[path = "subscription_steps.rs"]
mod steps;
pub use steps::{Incomplete, TrialGrant};

#[path = "subscription_start.rs"]
mod start;
pub(crate) use start::{Licensed, NewLicense};

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn twelve_months_end_the_day_before_the_anniversary() {
        let p = Period::starting(date(2026, 11, 22), Term::Months(12));
        assert_eq!(p.ends_on, date(2027, 11, 21));
        let leap = Period::starting(date(2028, 2, 29), Term::Months(12));
        assert_eq!(leap.ends_on, date(2029, 2, 27));
        let jan = Period::starting(date(2027, 1, 31), Term::Months(1));
        assert_eq!(jan.ends_on, date(2027, 2, 27));
    }

    #[test]
    fn each_renewal_attempt_is_its_own_order() {
        let mut sub = sample(
            1,
            "10.00",
            Period::starting(date(2026, 1, 1), Term::Months(12)),
        );
        let first = sub.renewal_order_id().unwrap();
        assert_eq!(first.as_str(), "renew-s1-1-0");
        sub.failed_charges = 1;
        assert_ne!(sub.renewal_order_id().unwrap(), first);
    }

    #[test]
    fn a_monitoring_license_bought_ahead_runs_from_its_start_and_is_reminded_before_its_end() {
        let sub = sample_fixed_year(1, "30.00", date(2027, 1, 1));
        // Paid on 1 January during a trial that runs to 9 February.
        let paid = sub.starting_on(date(2027, 2, 10), date(2027, 1, 1), 40);
        let period = paid.period.unwrap();
        assert_eq!(
            (period.starts_on, period.ends_on),
            (date(2027, 2, 10), date(2028, 2, 9))
        );
        assert_eq!(paid.anchor, Some(date(2027, 2, 10)));
        assert_eq!(paid.due_on, Some(date(2027, 12, 31)));
    }

    #[test]
    fn day_terms_count_the_first_day() {
        let p = Period::starting(date(2026, 1, 1), Term::Days(365));
        assert_eq!(p.ends_on, date(2026, 12, 31));
        assert!(p.contains(date(2026, 12, 31)));
        assert!(!p.contains(date(2027, 1, 1)));
        assert!(!p.contains(date(2025, 12, 31)));
        let two = Period::starting(date(2028, 1, 1), Term::Days(730));
        assert_eq!(two.ends_on, date(2029, 12, 30));
    }
}
