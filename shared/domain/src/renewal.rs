//! What the daily renewal job decides for a license it found due: remind the owner of a
//! fixed term's end, charge a subscription's next term, or let the license end; and what a
//! failed renewal charge does. The job's worker only reads, writes and charges.

use jiff::civil::Date;

use crate::{
    catalog::Billing,
    changes::{RetryPolicy, nth_term},
    subscription::{Incomplete, Renewal, Subscription, SubscriptionStatus},
};

/// The step a due license takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DueStep {
    /// Not due (handled before, or not yet).
    NotDue,
    /// A fixed term ends on `ends_on`: remind its owner; looked at again the day after.
    Remind { ends_on: Date },
    /// A subscription's term ended: charge the next one.
    Renew(Renewal),
    /// A fixed term ended: it ends unless the owner's renewal order is still being paid
    /// (SEPA), in which case it waits.
    EndUnlessRenewing,
    /// The license ends.
    End,
}

impl Subscription {
    /// What the job does with this license (as of `today`), found due on `due_on`.
    pub fn due_step(&self, due_on: Date, today: Date) -> Result<DueStep, Incomplete> {
        if self.due_on != Some(due_on) || today < due_on {
            return Ok(DueStep::NotDue);
        }
        let period = self.period.ok_or_else(|| self.incomplete("term"))?;
        let running = matches!(
            self.status,
            SubscriptionStatus::Active | SubscriptionStatus::PastDue
        );
        Ok(match self.billing {
            Billing::FixedTerm if running && today <= period.ends_on => DueStep::Remind {
                ends_on: period.ends_on,
            },
            Billing::Subscription if running && self.auto_renew => {
                DueStep::Renew(self.next_renewal()?)
            }
            Billing::FixedTerm => DueStep::EndUnlessRenewing,
            Billing::Subscription => DueStep::End,
        })
    }

    /// The subscription's next term: the term after the running one, counted from the
    /// anchor (the first paid day), at the quantity a scheduled downgrade asks for. A
    /// license without an anchor is [`Incomplete`]: the dates charged are never guessed.
    pub fn next_renewal(&self) -> Result<Renewal, Incomplete> {
        let anchor = self.anchor.ok_or_else(|| self.incomplete("anchor"))?;
        let term_index = self.term_index + 1;
        let quantity = self
            .scheduled_change
            .as_ref()
            .map_or(self.quantity, |c| c.quantity);
        Ok(Renewal {
            quantity,
            period: nth_term(anchor, self.term, term_index),
            term_index,
        })
    }

    /// The owner was reminded of the end on `ends_on`; the job looks again after it.
    pub fn reminded(&self, ends_on: Date) -> Subscription {
        Subscription {
            due_on: ends_on.tomorrow().ok(),
            ..self.next_version()
        }
    }

    /// A payment for it is on its way; the job looks again on `until`.
    pub fn waiting(&self, until: Date) -> Subscription {
        Subscription {
            due_on: Some(until),
            ..self.next_version()
        }
    }

    /// The license ended: a running one expires, and the job no longer looks at it.
    pub fn expired(&self) -> Subscription {
        let mut next = self.next_version();
        if matches!(
            next.status,
            SubscriptionStatus::Active | SubscriptionStatus::PastDue
        ) {
            next.status = SubscriptionStatus::Expired;
        }
        next.due_on = None;
        next
    }

    /// Whether storing this license frees its holder, so the email may buy the product
    /// again: an expired subscription does; an expired fixed term is renewed instead and
    /// keeps it.
    pub fn frees_holder(&self) -> bool {
        self.status == SubscriptionStatus::Expired && self.billing == Billing::Subscription
    }

    /// A renewal charge of this license (as read before the charge) failed on `today`: the
    /// count of failures, and the day of the next try by `retry`, if any is left.
    pub fn failed_renewal(&self, retry: &RetryPolicy, today: Date) -> FailedRenewal {
        let renewal_day = self
            .period
            .and_then(|p| p.ends_on.tomorrow().ok())
            .unwrap_or(today);
        let failures = self.failed_charges + 1;
        FailedRenewal {
            failures,
            retry_on: retry.next_try(renewal_day, failures),
        }
    }
}

/// A failed renewal charge as judged: retried on `retry_on` (past due), or the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailedRenewal {
    pub failures: u32,
    pub retry_on: Option<Date>,
}

impl FailedRenewal {
    /// `fresh` (the license as it is after the charge) with this failure recorded.
    pub fn applied_to(&self, fresh: &Subscription) -> Subscription {
        Subscription {
            failed_charges: self.failures,
            due_on: self.retry_on,
            status: if self.retry_on.is_some() {
                SubscriptionStatus::PastDue
            } else {
                SubscriptionStatus::Expired
            },
            ..fresh.next_version()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Quantity,
        catalog::Term,
        subscription::{Period, ScheduledChange, sample},
    };
    use jiff::civil::date;

    fn due_subscription() -> Subscription {
        let mut sub = sample(
            5,
            "10.00",
            Period::starting(date(2026, 1, 31), Term::Months(1)),
        );
        sub.term = Term::Months(1);
        sub.due_on = Some(date(2026, 2, 28));
        sub
    }

    #[test]
    fn a_due_subscription_renews_from_its_anchor_at_the_scheduled_quantity() {
        let mut sub = due_subscription();
        sub.scheduled_change = Some(ScheduledChange {
            quantity: Quantity::new(2).unwrap(),
            effective_on: date(2026, 2, 28),
        });
        let today = date(2026, 2, 28);
        let DueStep::Renew(renewal) = sub.due_step(today, today).unwrap() else {
            panic!("not renewed");
        };
        assert_eq!(renewal.quantity.get(), 2);
        assert_eq!(renewal.term_index, 1);
        // The anchor's day of month: 31 January, then 28 February to 30 March.
        assert_eq!(renewal.period.starts_on, date(2026, 2, 28));
        assert_eq!(renewal.period.ends_on, date(2026, 3, 30));
        assert_eq!(
            sub.due_step(today, date(2026, 2, 27)).unwrap(),
            DueStep::NotDue
        );
        assert_eq!(
            sub.due_step(date(2026, 3, 1), today).unwrap(),
            DueStep::NotDue
        );
    }

    #[test]
    fn without_an_anchor_a_renewal_is_a_fault_not_a_guess() {
        let mut sub = due_subscription();
        sub.anchor = None;
        let today = date(2026, 2, 28);
        assert_eq!(sub.due_step(today, today).unwrap_err().missing, "anchor");
    }

    #[test]
    fn fixed_terms_are_reminded_then_end_and_subscriptions_without_renewal_end() {
        let mut sub = due_subscription();
        sub.billing = Billing::FixedTerm;
        sub.due_on = Some(date(2026, 2, 20));
        let day = date(2026, 2, 20);
        let step = sub.due_step(day, day).unwrap();
        assert_eq!(
            step,
            DueStep::Remind {
                ends_on: date(2026, 2, 27)
            }
        );
        let reminded = sub.reminded(date(2026, 2, 27));
        assert_eq!(reminded.due_on, Some(date(2026, 2, 28)));
        let after = date(2026, 2, 28);
        assert_eq!(
            reminded.due_step(after, after).unwrap(),
            DueStep::EndUnlessRenewing
        );
        let ended = reminded.expired();
        assert_eq!(
            (ended.status, ended.due_on),
            (SubscriptionStatus::Expired, None)
        );
        assert!(!ended.frees_holder());
        let mut off = due_subscription();
        off.auto_renew = false;
        assert_eq!(off.due_step(after, after).unwrap(), DueStep::End);
        assert!(off.expired().frees_holder());
    }

    #[test]
    fn failed_renewals_are_retried_then_expire() {
        let sub = due_subscription();
        let retry = RetryPolicy { days: vec![3] };
        let today = date(2026, 2, 28);
        let first = sub.failed_renewal(&retry, today);
        assert_eq!(
            first,
            FailedRenewal {
                failures: 1,
                retry_on: Some(date(2026, 3, 3))
            }
        );
        let fresh = sub.next_version();
        let past_due = first.applied_to(&fresh);
        assert_eq!(past_due.status, SubscriptionStatus::PastDue);
        assert_eq!(past_due.version, fresh.version + 1);
        let second = past_due.failed_renewal(&retry, date(2026, 3, 3));
        assert_eq!(second.retry_on, None);
        let expired = second.applied_to(&past_due);
        assert_eq!(
            (expired.status, expired.failed_charges),
            (SubscriptionStatus::Expired, 2)
        );
    }
}
