//! What a paid order does to the licenses of its lines: a purchase starts its license (or
//! converts the trial), an upgrade raises it, a renewal starts its next term. Every license
//! keeps the order and, for a change, the invoice that paid it.

use jiff::civil::Date;

use crate::{
    order::{LineChange, Order, OrderPayment, new::license_number},
    payment::StoredPayment,
    subscription::{Paid, Renewal, Subscription},
};

/// The confirmation of an order: the Berlin day of payment and the invoice number taken;
/// `reminder_days` before a fixed term ends its owner is reminded.
#[derive(Debug, Clone, Copy)]
pub struct Confirmation<'a> {
    pub day: Date,
    pub invoice: &'a str,
    pub reminder_days: i64,
}

impl OrderPayment {
    /// The payment method as a license keeps it for its renewals and upgrades.
    pub fn to_stored(&self) -> StoredPayment {
        StoredPayment {
            method: self.method,
            customer: self.customer.clone(),
            payment_method: self.payment_method.clone(),
        }
    }
}

impl Order {
    /// The licenses of the order's lines (`subs`, in line order, as read) once it is paid.
    pub fn paid_licenses(&self, subs: &[Subscription], c: Confirmation<'_>) -> Vec<Subscription> {
        self.lines
            .iter()
            .zip(subs)
            .enumerate()
            .map(|(i, (line, sub))| {
                let mut paid = match &line.change {
                    LineChange::Purchase => sub.confirm(Paid {
                        day: c.day,
                        quantity: line.invoice.quantity,
                        unit_net: line.invoice.unit_net,
                        invoice: c.invoice,
                        payment: self.payment.to_stored(),
                        tax: self.tax,
                        reminder_days: c.reminder_days,
                    }),
                    // An upgrade clears a pending downgrade: the owner asked for more.
                    LineChange::Upgrade { from, to } => sub.upgraded(*from, *to),
                    LineChange::Renewal {
                        quantity,
                        period,
                        term_index,
                    } => sub.renewed(
                        Renewal {
                            quantity: *quantity,
                            period: *period,
                            term_index: *term_index,
                        },
                        c.day,
                        c.reminder_days,
                    ),
                };
                if line.change != LineChange::Purchase {
                    paid.invoices.push(c.invoice.to_owned());
                }
                if let (Some(plant), LineChange::Renewal { .. }) = (&line.plant, &line.change) {
                    // Renewed at the plant's power on the renewal day, at that term's price.
                    paid.plant = Some(plant.clone());
                    paid.unit_net = line.invoice.unit_net;
                }
                paid.orders.push(self.id.clone());
                paid.orders.dedup();
                if line.converts_trial {
                    // The trial's own number was provisional; the paid license is numbered
                    // after the order that bought it, like every other line.
                    paid.number = license_number(&self.number, i);
                }
                paid
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Quantity,
        catalog::Term,
        id::OrderId,
        order::{OrderStatus, model::sample as order_sample, new::tests_support::renewal_line},
        subscription::{Period, ScheduledChange, SubscriptionStatus, sample},
        vat::TaxTreatment,
    };
    use jiff::civil::date;

    fn confirmation() -> Confirmation<'static> {
        Confirmation {
            day: date(2027, 1, 1),
            invoice: "INV-2027-000001",
            reminder_days: 40,
        }
    }

    fn order_of(line: crate::order::OrderLine) -> Order {
        let mut order = order_sample(
            OrderStatus::Confirmed,
            "2027-01-01T03:00:00Z".parse().unwrap(),
        );
        order.id = OrderId::parse("o2").unwrap();
        order.lines = vec![line];
        order
    }

    #[test]
    fn an_upgrade_adds_its_licenses_clears_a_downgrade_and_keeps_the_invoice() {
        let mut sub = sample(
            5,
            "48.00",
            Period::starting(date(2026, 6, 1), Term::Months(12)),
        );
        sub.scheduled_change = Some(ScheduledChange {
            quantity: Quantity::new(3).unwrap(),
            effective_on: date(2027, 6, 1),
        });
        let mut line = renewal_line();
        line.change = LineChange::Upgrade {
            from: Quantity::new(5).unwrap(),
            to: Quantity::new(8).unwrap(),
        };
        let order = order_of(line);
        let paid = order.paid_licenses(std::slice::from_ref(&sub), confirmation());
        let paid = &paid[0];
        assert_eq!(paid.quantity.get(), 8);
        assert!(paid.scheduled_change.is_none());
        assert_eq!(
            paid.invoices.last().map(String::as_str),
            Some("INV-2027-000001")
        );
        assert_eq!(paid.orders, vec![order.id.clone()]);
        assert_eq!(paid.version, sub.version + 1);
        assert_eq!(paid.period, sub.period);
    }

    #[test]
    fn a_purchase_starts_the_license_and_renumbers_a_converted_trial() {
        let mut trial = sample(
            1,
            "48.00",
            Period::starting(date(2026, 12, 1), Term::Days(30)),
        );
        trial.status = SubscriptionStatus::Trial;
        trial.number = "TRIAL-2026".into();
        trial.invoices.clear();
        let mut line = renewal_line();
        line.change = LineChange::Purchase;
        line.converts_trial = true;
        let mut order = order_of(line);
        order.tax = TaxTreatment::ReverseCharge;
        let paid = &order.paid_licenses(std::slice::from_ref(&trial), confirmation())[0];
        assert_eq!(paid.status, SubscriptionStatus::Active);
        assert_eq!(paid.number, format!("{}-1", order.number));
        assert_eq!(paid.invoices, vec!["INV-2027-000001".to_owned()]);
        assert_eq!(paid.tax, Some(TaxTreatment::ReverseCharge));
        assert_eq!(paid.payment, Some(order.payment.to_stored()));
        assert_eq!(paid.period.map(|p| p.starts_on), Some(date(2027, 1, 1)));
    }

    #[test]
    fn a_renewal_starts_the_next_term() {
        let sub = sample(
            5,
            "48.00",
            Period::starting(date(2026, 1, 1), Term::Months(12)),
        );
        let order = order_of(renewal_line());
        let paid = &order.paid_licenses(std::slice::from_ref(&sub), confirmation())[0];
        assert_eq!(paid.term_index, 1);
        assert_eq!(paid.period.map(|p| p.starts_on), Some(date(2027, 1, 1)));
        assert_eq!(paid.invoices.len(), sub.invoices.len() + 1);
    }
}
