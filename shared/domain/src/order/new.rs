//! How orders come to be: a purchase at checkout, and a change of an existing license (an
//! upgrade, a renewal) charged to its stored payment method. Every order starts pending
//! payment with its totals summed from its lines, and without a number: the number is taken
//! in the transaction that places it. What an order that will not be paid answers lives here
//! too, so every route that charges says it alike.

use jiff::Timestamp;

use crate::{
    DomainError,
    id::{AccountId, OrderId},
    order::{
        Billing, LineChange, Order, OrderLine, OrderPayment, OrderStatus,
        invoice::{InvoiceLine, Totals},
    },
    subscription::{Renewal, Subscription},
    vat::TaxTreatment,
};

/// What a checkout buys, before it is an order.
pub struct Purchase {
    pub id: OrderId,
    pub account_id: AccountId,
    pub region: crate::catalog::Region,
    pub tax: TaxTreatment,
    pub billing: Option<Billing>,
    pub lines: Vec<OrderLine>,
    pub payment: OrderPayment,
}

impl Order {
    /// A new order for `purchase`, pending payment.
    pub fn pending(purchase: Purchase, now: Timestamp) -> Order {
        let Purchase {
            id,
            account_id,
            region,
            tax,
            billing,
            lines,
            payment,
        } = purchase;
        Order {
            id,
            number: String::new(),
            account_id,
            status: OrderStatus::PendingPayment,
            region,
            tax,
            billing,
            totals: Totals::of(lines.iter().map(|l| &l.invoice)),
            lines,
            payment,
            created_at: now,
            confirmed_at: None,
            invoice: None,
            cancelled_at: None,
            credit_note: None,
        }
    }

    /// An order that makes `change` to `sub`, invoiced as `invoice` and taxed as the license's
    /// first order was (`tax`), charged to the license's stored payment method.
    pub fn change_of(
        sub: &Subscription,
        id: OrderId,
        change: LineChange,
        invoice: InvoiceLine,
        tax: TaxTreatment,
        now: Timestamp,
    ) -> Result<Order, DomainError> {
        let stored = sub.payment.clone().ok_or_else(|| {
            DomainError::conflict(
                "no_payment_method",
                "No payment method is stored for this license.",
            )
        })?;
        let line = OrderLine {
            subscription_id: sub.id.clone(),
            product_id: sub.product_id.clone(),
            product_name: sub.product_name.clone(),
            holder: sub.holder.clone(),
            term: sub.term,
            converts_trial: false,
            change,
            invoice,
        };
        Ok(Order::pending(
            Purchase {
                id,
                account_id: sub.account_id.clone(),
                region: sub.region.clone(),
                tax,
                billing: None,
                lines: vec![line],
                payment: OrderPayment::stored(stored),
            },
            now,
        ))
    }

    /// The order for one more term of `sub` at its renewal price.
    pub fn renewal(
        sub: &Subscription,
        id: OrderId,
        renewal: Renewal,
        tax: TaxTreatment,
        now: Timestamp,
    ) -> Result<Order, DomainError> {
        let Renewal {
            quantity,
            period,
            term_index,
        } = renewal;
        let invoice = InvoiceLine::new(
            format!(
                "{} ({}), {} to {}",
                sub.product_name.en, sub.term, period.starts_on, period.ends_on
            ),
            quantity,
            sub.unit_net,
            sub.unit_net.times(quantity).amount(),
            tax.rate(),
        );
        let change = LineChange::Renewal {
            quantity,
            period,
            term_index,
        };
        Order::change_of(sub, id, change, invoice, tax, now)
    }

    /// Why an order that was charged will not be paid, as the buyer hears it; `None` while it
    /// may still be (or was) paid.
    pub fn refusal(&self) -> Option<DomainError> {
        match self.status {
            OrderStatus::PaymentFailed => Some(DomainError::PaymentRequired {
                code: "payment_declined",
                detail: format!(
                    "The payment for order {} was declined ({}); nothing was charged or \
                     changed. Try another payment method.",
                    self.number,
                    self.payment.failure.as_deref().unwrap_or("no reason given")
                ),
            }),
            OrderStatus::Expired => Some(DomainError::conflict(
                "order_expired",
                format!(
                    "Order {} was not paid in time and has expired; nothing was charged. \
                     Place a new order with a new Idempotency-Key.",
                    self.number
                ),
            )),
            _ => None,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use crate::{
        Quantity,
        catalog::Term,
        subscription::{Period, sample},
    };
    use jiff::civil::date;

    /// The line of a renewal order of the sample license.
    pub(crate) fn renewal_line() -> OrderLine {
        let mut sub = sample(
            5,
            "48.00",
            Period::starting(date(2026, 1, 1), Term::Months(12)),
        );
        sub.payment = Some(crate::subscription::StoredPayment {
            method: crate::order::PaymentMethod::Card,
            customer: "cus_1".into(),
            payment_method: "pm_1".into(),
        });
        let renewal = Renewal {
            quantity: Quantity::new(5).unwrap(),
            period: Period::starting(date(2027, 1, 1), Term::Months(12)),
            term_index: 1,
        };
        let at = "2027-01-01T03:00:00Z".parse().unwrap();
        let order = Order::renewal(
            &sub,
            OrderId::parse("r1").unwrap(),
            renewal,
            TaxTreatment::ReverseCharge,
            at,
        );
        order.unwrap().lines.remove(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Quantity,
        catalog::Term,
        subscription::{Period, StoredPayment, sample},
    };
    use jiff::civil::date;

    fn paid_license() -> Subscription {
        let mut sub = sample(
            5,
            "48.00",
            Period::starting(date(2026, 1, 1), Term::Months(12)),
        );
        sub.payment = Some(StoredPayment {
            method: crate::order::PaymentMethod::Card,
            customer: "cus_1".into(),
            payment_method: "pm_1".into(),
        });
        sub
    }

    fn now() -> Timestamp {
        "2027-01-01T03:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_renewal_is_priced_at_the_renewal_quantity_and_taxed_as_stored() {
        let sub = paid_license();
        let renewal = Renewal {
            quantity: Quantity::new(3).unwrap(),
            period: Period::starting(date(2027, 1, 1), Term::Months(12)),
            term_index: 1,
        };
        let tax = TaxTreatment::Domestic {
            rate: rust_decimal::Decimal::from(19),
        };
        let order =
            Order::renewal(&sub, OrderId::parse("r1").unwrap(), renewal, tax, now()).unwrap();
        assert_eq!(order.status, OrderStatus::PendingPayment);
        assert_eq!(order.totals.net.to_string(), "144.00");
        assert_eq!(order.totals.gross.to_string(), "171.36");
        assert_eq!(order.payment.payment_method, "pm_1");
        assert!(order.number.is_empty() && order.invoice.is_none());
        let mut unpaid = sub.clone();
        unpaid.payment = None;
        let err = Order::renewal(&unpaid, OrderId::parse("r2").unwrap(), renewal, tax, now());
        assert_eq!(err.unwrap_err().code(), "no_payment_method");
    }

    #[test]
    fn only_orders_that_will_not_be_paid_refuse() {
        let mut order = crate::order::model::sample(OrderStatus::PaymentFailed, now());
        order.payment.failure = Some("card_declined".into());
        let refused = order.refusal().unwrap();
        assert_eq!(refused.code(), "payment_declined");
        assert!(refused.to_string().contains("card_declined"));
        order.status = OrderStatus::Expired;
        assert_eq!(order.refusal().unwrap().code(), "order_expired");
        for status in [
            OrderStatus::PendingPayment,
            OrderStatus::RequiresAction,
            OrderStatus::Processing,
            OrderStatus::Confirmed,
        ] {
            order.status = status;
            assert!(order.refusal().is_none());
        }
    }
}
