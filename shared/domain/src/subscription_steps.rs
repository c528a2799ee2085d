//! The steps a stored license takes besides payments: each answers the license as its next
//! stored version, so the adapter writes it under the version it read and a step decided on
//! a license that changed meanwhile fails instead of overwriting.

use jiff::civil::Date;

use super::{Licensed, NewLicense, Period, ScheduledChange, Subscription, SubscriptionStatus};
use crate::{
    DomainError, Email,
    catalog::{Billing, Offer, Region, Term},
    id::{AccountId, SubscriptionId},
    vat::TaxTreatment,
};

/// A stored license lacks a value that a decision about money needs: a fault of the stored
/// data (or a license moved in without it), never filled in by a guess.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("license {id} has no stored {missing}")]
pub struct Incomplete {
    pub id: SubscriptionId,
    pub missing: &'static str,
}

/// A trial an operator grants: `days` from `starts_on` of `offer`, at its smallest quantity.
pub struct TrialGrant<'a> {
    pub id: SubscriptionId,
    pub account_id: AccountId,
    pub holder: Email,
    pub region: Region,
    pub offer: &'a Offer<'a>,
    pub starts_on: Date,
    pub days: u16,
}

impl Subscription {
    /// A trial license: usable at once for its days, never renewed, and numbered
    /// provisionally (buying the product numbers it after the order).
    pub fn trial(grant: TrialGrant<'_>) -> Result<Subscription, DomainError> {
        let TrialGrant {
            id,
            account_id,
            holder,
            region,
            offer,
            starts_on,
            days,
        } = grant;
        let price = offer.prices.first().ok_or_else(|| {
            DomainError::conflict("product_without_price", "The product has no price here.")
        })?;
        Ok(NewLicense {
            id,
            number: format!("TRIAL-{}", starts_on.year()),
            account_id,
            product: Licensed::of(offer),
            holder,
            status: SubscriptionStatus::Trial,
            quantity: offer.min_quantity,
            term: price.term,
            region,
            unit_net: price.net,
            period: Some(Period::starting(starts_on, Term::Days(days))),
            orders: Vec::new(),
            plant: None,
        }
        .start())
    }

    /// Refuses a step that only a license billed as `billing` takes: 409 `code` saying
    /// `detail`.
    pub fn require_billing(
        &self,
        billing: Billing,
        code: &'static str,
        detail: &str,
    ) -> Result<(), DomainError> {
        if self.billing == billing {
            Ok(())
        } else {
            Err(DomainError::conflict(code, detail))
        }
    }

    /// Refuses a step unless the license is in one of `states`: 409 `subscription_not_active`
    /// saying `detail`, the answer every step gives a license that is not running for it.
    pub fn require_status(
        &self,
        states: &[SubscriptionStatus],
        detail: &str,
    ) -> Result<(), DomainError> {
        if states.contains(&self.status) {
            Ok(())
        } else {
            Err(DomainError::conflict("subscription_not_active", detail))
        }
    }

    /// The stored fault of this license missing `what`.
    pub fn incomplete(&self, missing: &'static str) -> Incomplete {
        Incomplete {
            id: self.id.clone(),
            missing,
        }
    }

    /// How its invoices are taxed, as its first order decided; upgrades and renewals are
    /// taxed alike. A license without one is [`Incomplete`]: money is never taxed by a guess.
    pub fn tax_treatment(&self) -> Result<TaxTreatment, Incomplete> {
        self.tax.ok_or_else(|| self.incomplete("tax treatment"))
    }

    /// The same license as its next version: written along with a change elsewhere (an
    /// order for it, a seat), so that change fails when the license changed meanwhile.
    pub fn next_version(&self) -> Subscription {
        Subscription {
            version: self.version + 1,
            ..self.clone()
        }
    }

    /// A license whose starting order was never paid.
    pub fn voided(&self) -> Subscription {
        Subscription {
            status: SubscriptionStatus::Void,
            ..self.next_version()
        }
    }

    /// A license whose order was cancelled and refunded.
    pub fn cancelled(&self) -> Subscription {
        Subscription {
            status: SubscriptionStatus::Cancelled,
            ..self.next_version()
        }
    }

    /// A seat of it was assigned: from now on its order can no longer be cancelled.
    pub fn with_seat_assigned(&self) -> Subscription {
        Subscription {
            activated: true,
            ..self.next_version()
        }
    }

    /// With `change` waiting for the next renewal (`None` withdraws one).
    pub fn with_scheduled_change(&self, change: Option<ScheduledChange>) -> Subscription {
        Subscription {
            scheduled_change: change,
            ..self.next_version()
        }
    }

    /// Automatic renewal turned on or off: only a running subscription renews by itself.
    pub fn with_auto_renew(&self, enabled: bool) -> Result<Subscription, DomainError> {
        self.require_billing(
            Billing::Subscription,
            "not_a_subscription",
            "Fixed-term licenses do not renew automatically.",
        )?;
        self.require_status(
            &[SubscriptionStatus::Active, SubscriptionStatus::PastDue],
            "Only a running subscription can change its renewal.",
        )?;
        Ok(Subscription {
            auto_renew: enabled,
            ..self.next_version()
        })
    }

    /// This license (as read now) once a refused charge for the next term, decided on the
    /// license as `read` before it, is counted, so the next attempt is a new order; `None`
    /// when that charge was counted already.
    pub fn with_refused_charge(&self, read: &Subscription) -> Option<Subscription> {
        (self.failed_charges == read.failed_charges).then(|| Subscription {
            failed_charges: self.failed_charges + 1,
            ..self.next_version()
        })
    }

    /// A monitoring license its plant outgrew (an added or exchanged inverter raised
    /// the plant's power above what it was bought for): it ends, is never renewed or charged
    /// again, and its residual value is credited on the next license of the plant. The day it
    /// ended is the plant's license row's `ended_on`; the license keeps its period as bought.
    pub fn ended_by_power(&self) -> Subscription {
        Subscription {
            status: SubscriptionStatus::Expired,
            auto_renew: false,
            due_on: None,
            scheduled_change: None,
            ..self.next_version()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subscription::sample;
    use jiff::civil::date;

    fn license() -> Subscription {
        sample(
            3,
            "10.00",
            Period::starting(date(2026, 1, 1), Term::Months(12)),
        )
    }

    #[test]
    fn every_step_is_the_next_version() {
        let sub = license();
        let steps = [
            sub.next_version(),
            sub.voided(),
            sub.cancelled(),
            sub.with_seat_assigned(),
            sub.with_scheduled_change(None),
            sub.with_auto_renew(false).unwrap(),
            sub.ended_by_power(),
        ];
        for next in steps {
            assert_eq!(next.version, sub.version + 1);
            assert_eq!((&next.id, next.quantity), (&sub.id, sub.quantity));
        }
        assert_eq!(sub.voided().status, SubscriptionStatus::Void);
        assert_eq!(sub.cancelled().status, SubscriptionStatus::Cancelled);
        assert!(sub.with_seat_assigned().activated);
        assert!(!sub.with_auto_renew(false).unwrap().auto_renew);
    }

    #[test]
    fn a_license_ended_by_power_is_never_renewed_or_looked_at_again() {
        let mut sub = license();
        sub.due_on = Some(date(2027, 1, 1));
        let ended = sub.ended_by_power();
        assert_eq!(ended.status, SubscriptionStatus::Expired);
        assert!(!ended.auto_renew);
        assert_eq!((ended.due_on, ended.period), (None, sub.period));
    }

    #[test]
    fn only_a_running_subscription_changes_its_renewal() {
        let mut sub = license();
        sub.status = SubscriptionStatus::Expired;
        assert_eq!(
            sub.with_auto_renew(true).unwrap_err().code(),
            "subscription_not_active"
        );
        sub.status = SubscriptionStatus::Active;
        sub.billing = Billing::FixedTerm;
        assert_eq!(
            sub.with_auto_renew(true).unwrap_err().code(),
            "not_a_subscription"
        );
    }

    #[test]
    fn a_missing_tax_treatment_is_a_fault_never_reverse_charge() {
        let mut sub = license();
        let err = sub.tax_treatment().unwrap_err();
        assert_eq!(err.missing, "tax treatment");
        assert!(err.to_string().contains(sub.id.as_str()));
        sub.tax = Some(TaxTreatment::ReverseCharge);
        assert_eq!(sub.tax_treatment(), Ok(TaxTreatment::ReverseCharge));
    }

    #[test]
    fn a_refused_charge_counts_once() {
        let read = license();
        let fresh = read.next_version();
        let counted = fresh.with_refused_charge(&read).unwrap();
        assert_eq!(counted.failed_charges, read.failed_charges + 1);
        assert!(counted.with_refused_charge(&read).is_none());
    }
}
