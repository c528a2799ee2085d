//! A plant's monitoring licenses: which days each covers, and how one ends early when the
//! plant outgrows the power it was bought for, with the residual value credited on the next.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Watts;
use crate::{
    DomainError, Money, Quantity,
    changes::{days_inclusive, proration},
    id::SubscriptionId,
    order::invoice::InvoiceLine,
    subscription::Period,
};

/// A paid monitoring license of one plant, as the plant's rules see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlantLicense {
    pub id: SubscriptionId,
    pub period: Period,
    /// The plant's total nominal power it was bought for.
    pub power: Watts,
    /// The net price paid for the whole term: the base of the residual value.
    pub net: Money,
    /// The plant outgrew `power` on this day; the license no longer covers it or any later day.
    #[serde(default)]
    pub ended_on: Option<Date>,
}

impl PlantLicense {
    /// Whether the license lets the plant's data be shown on `day`.
    pub fn covers(&self, day: Date) -> bool {
        self.period.contains(day) && self.ended_on.is_none_or(|end| day < end)
    }

    /// The last day it covers, if it covers any.
    pub fn last_day(&self) -> Option<Date> {
        let last = match self.ended_on {
            Some(end) => end.yesterday().ok()?.min(self.period.ends_on),
            None => self.period.ends_on,
        };
        (last >= self.period.starts_on).then_some(last)
    }

    /// What is left of the license when it ends on `ended_on`: `net × remaining / term days`,
    /// the remaining days counted from `ended_on` to the term's end, both included, exactly as
    /// an upgrade counts them ([`crate::changes::quote_upgrade`]); the day it ends is credited,
    /// since the license no longer covers it. A term not begun yet is credited in full.
    pub fn residual(&self, ended_on: Date) -> Residual {
        let term_days = days_inclusive(self.period.starts_on, self.period.ends_on);
        let remaining_days = days_inclusive(ended_on, self.period.ends_on)
            .min(term_days)
            .max(0);
        Residual {
            remaining_days,
            term_days,
            value: Money::round(proration(1, self.net, remaining_days, term_days)),
        }
    }
}

/// The residual value of an ended license, rounded half away from zero to cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Residual {
    pub remaining_days: i64,
    pub term_days: i64,
    pub value: Money,
}

/// A license that the plant's new power ends, and what it leaves to credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ended {
    pub license: SubscriptionId,
    pub licensed_power: Watts,
    pub ended_on: Date,
    pub residual: Residual,
}

/// The licenses that end because the plant's total nominal power became `total` on `today`:
/// every one not ended yet that covers today or a later day and was bought for less power
/// (a renewal paid ahead for the old power ends too, and is credited in full). The caller
/// stores `ended_on` under the condition that it is not set yet, so each ends (and its owner
/// hears of it) once.
pub fn end_exceeded(licenses: &[PlantLicense], total: Watts, today: Date) -> Vec<Ended> {
    licenses
        .iter()
        .filter(|l| l.ended_on.is_none() && l.period.ends_on >= today && l.power < total)
        .map(|l| Ended {
            license: l.id.clone(),
            licensed_power: l.power,
            ended_on: today,
            residual: l.residual(today),
        })
        .collect()
}

/// The credit line of an ended license on the invoice of the license that replaces it: a
/// negative line of the residual value, taxed like the rest of that invoice.
pub fn residual_credit_line(ended: &Ended, tax_rate: Decimal) -> Result<InvoiceLine, DomainError> {
    let credit = ended.residual.value.negated();
    Ok(InvoiceLine::new(
        format!(
            "Credit: residual value of license {} ({}), {}/{} days from {}",
            ended.license,
            ended.licensed_power,
            ended.residual.remaining_days,
            ended.residual.term_days,
            ended.ended_on
        ),
        Quantity::new(1)?,
        credit,
        credit.amount(),
        tax_rate,
    ))
}

#[cfg(test)]
#[path = "license_tests.rs"]
mod tests;
