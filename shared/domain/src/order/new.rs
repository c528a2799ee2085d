//! How orders come to be: a purchase at checkout, and a change of an existing license (an
//! upgrade, a renewal) charged to its stored payment method. Every order starts pending
//! payment with its totals summed from its lines, as a [`NewOrder`]: it has no number until
//! the transaction that places it takes one, so an unnumbered order cannot be stored or
//! shown. What an order that will not be paid answers lives here too, so every route that
//! charges says it alike.

use jiff::Timestamp;

use crate::{
    DomainError, Email,
    catalog::Region,
    id::{AccountId, OrderId, ProductId, SubscriptionId},
    order::{
        Billing, LineChange, Order, OrderLine, OrderPayment, OrderStatus, PaymentMethod,
        checkout::PlannedLine,
        invoice::{InvoiceLine, Totals},
        monitoring::PlantCredit,
    },
    subscription::{
        Licensed, MonitoredPlant, NewLicense, Renewal, Subscription, SubscriptionStatus,
    },
    vat::TaxTreatment,
};

/// What a checkout buys, before it is an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purchase {
    pub id: OrderId,
    pub account_id: AccountId,
    pub region: Region,
    pub tax: TaxTreatment,
    pub billing: Option<Billing>,
    pub lines: Vec<OrderLine>,
    pub payment: OrderPayment,
}

/// An order pending payment that has no number yet: [`NewOrder::numbered`] makes it the
/// order, in the transaction that takes the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    purchase: Purchase,
    credits: Vec<PlantCredit>,
    totals: Totals,
    created_at: Timestamp,
}

impl NewOrder {
    pub fn id(&self) -> &OrderId {
        &self.purchase.id
    }

    pub fn account_id(&self) -> &AccountId {
        &self.purchase.account_id
    }

    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    pub fn lines(&self) -> &[OrderLine] {
        &self.purchase.lines
    }

    pub fn payment(&self) -> &OrderPayment {
        &self.purchase.payment
    }

    /// The order with its (one) line licensing `plant` at the power it is priced at.
    pub(crate) fn with_line_plant(mut self, plant: MonitoredPlant) -> NewOrder {
        for line in &mut self.purchase.lines {
            line.plant = Some(plant.clone());
        }
        self
    }

    pub fn credits(&self) -> &[PlantCredit] {
        &self.credits
    }

    /// The order with residual values of ended plant licenses credited; totals include them.
    pub fn with_credits(self, credits: Vec<PlantCredit>) -> NewOrder {
        let totals = Totals::of(
            self.purchase
                .lines
                .iter()
                .map(|l| &l.invoice)
                .chain(credits.iter().map(|c| &c.invoice)),
        );
        NewOrder {
            credits,
            totals,
            ..self
        }
    }

    /// The order placed as `number`, pending payment.
    pub fn numbered(&self, number: &str) -> Order {
        let p = self.purchase.clone();
        Order {
            id: p.id,
            number: number.to_owned(),
            account_id: p.account_id,
            status: OrderStatus::PendingPayment,
            region: p.region,
            tax: p.tax,
            billing: p.billing,
            lines: p.lines,
            totals: self.totals,
            payment: p.payment,
            created_at: self.created_at,
            confirmed_at: None,
            invoice: None,
            cancelled_at: None,
            credit_note: None,
            credits: self.credits.clone(),
            imported: false,
        }
    }
}

impl OrderPayment {
    /// The payment a buyer chose at checkout: `token` is the provider's for the card or SEPA
    /// mandate, `customer` the provider's customer of the account; nothing charged yet.
    pub fn at_checkout(method: PaymentMethod, customer: String, token: String) -> Self {
        Self {
            method,
            customer,
            payment_method: token,
            payment_id: None,
            redirect_url: None,
            failure: None,
            refund_id: None,
        }
    }
}

/// The number of the license an order's line `index` (from 0) starts: the order's number
/// and the line, from 1.
pub fn license_number(order_number: &str, index: usize) -> String {
    format!("{order_number}-{}", index + 1)
}

/// A license a checkout line starts, waiting for its order to be placed (which numbers it)
/// and paid (which gives it its period).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLicense {
    id: SubscriptionId,
    index: usize,
    account_id: AccountId,
    line: PlannedLine,
    region: Region,
    order: OrderId,
}

impl PendingLicense {
    /// The license of line `index` (from 0) of order `order`, named after both.
    pub fn new(
        order: &OrderId,
        index: usize,
        account_id: AccountId,
        line: &PlannedLine,
        region: Region,
    ) -> Result<PendingLicense, DomainError> {
        Ok(PendingLicense {
            id: SubscriptionId::parse(&license_number(order.as_str(), index))?,
            index,
            account_id,
            line: line.clone(),
            region,
            order: order.clone(),
        })
    }

    /// The license as stored with its order, numbered after it (`order_number`).
    pub fn numbered(&self, order_number: &str) -> Subscription {
        let line = &self.line;
        NewLicense {
            id: self.id.clone(),
            number: license_number(order_number, self.index),
            account_id: self.account_id.clone(),
            product: Licensed {
                id: line.product_id.clone(),
                name: line.product_name.clone(),
                app: line.app.clone(),
                billing: line.billing,
            },
            holder: line.holder.clone(),
            status: SubscriptionStatus::PendingPayment,
            quantity: line.invoice.quantity,
            term: line.term,
            region: self.region.clone(),
            unit_net: line.invoice.unit_net,
            period: None,
            orders: vec![self.order.clone()],
            plant: line.plant.clone(),
        }
        .start()
    }
}

/// What one checkout line starts: the holder's trial of the product, which the paid license
/// replaces under the same id, or a new license.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineLicense {
    Trial(Subscription),
    New(PendingLicense),
}

impl LineLicense {
    /// Whether the license claims its holder's marker (one license per email and product):
    /// every license but a plant's, since the licenses of a plant stack and an owner has many
    /// plants (docs/payments.md).
    pub fn held_once(&self) -> bool {
        match self {
            LineLicense::Trial(_) => true,
            LineLicense::New(p) => p.line.plant.is_none(),
        }
    }

    pub fn id(&self) -> &SubscriptionId {
        match self {
            LineLicense::Trial(t) => &t.id,
            LineLicense::New(p) => &p.id,
        }
    }

    pub fn holder(&self) -> &Email {
        match self {
            LineLicense::Trial(t) => &t.holder,
            LineLicense::New(p) => &p.line.holder,
        }
    }

    pub fn product_id(&self) -> &ProductId {
        match self {
            LineLicense::Trial(t) => &t.product_id,
            LineLicense::New(p) => &p.line.product_id,
        }
    }
}

impl OrderLine {
    /// The order line that buys `planned` for `license`.
    pub fn purchase(planned: &PlannedLine, license: &LineLicense) -> OrderLine {
        OrderLine {
            subscription_id: license.id().clone(),
            product_id: planned.product_id.clone(),
            product_name: planned.product_name.clone(),
            holder: planned.holder.clone(),
            term: planned.term,
            converts_trial: matches!(license, LineLicense::Trial(_)),
            change: LineChange::Purchase,
            invoice: planned.invoice.clone(),
            plant: planned.plant.clone(),
        }
    }
}

impl Order {
    /// A new order for `purchase`, pending payment.
    pub fn pending(purchase: Purchase, now: Timestamp) -> NewOrder {
        NewOrder {
            totals: Totals::of(purchase.lines.iter().map(|l| &l.invoice)),
            credits: Vec::new(),
            purchase,
            created_at: now,
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
    ) -> Result<NewOrder, DomainError> {
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
            plant: sub.plant.clone(),
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
    ) -> Result<NewOrder, DomainError> {
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
                buy: None,
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

    /// The order a buyer is answered with once charged, or why it will not be paid.
    pub fn accepted(self) -> Result<Order, DomainError> {
        match self.refusal() {
            Some(refused) => Err(refused),
            None => Ok(self),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;
    use crate::{
        Quantity,
        catalog::Term,
        subscription::{Period, card_on_file, sample},
    };
    use jiff::civil::date;

    /// The sample license (5 at 48.00 from 1 January 2026) with a card on file.
    pub(crate) fn paid_license() -> Subscription {
        Subscription {
            payment: Some(card_on_file()),
            ..sample(
                5,
                "48.00",
                Period::starting(date(2026, 1, 1), Term::Months(12)),
            )
        }
    }

    /// The line of a renewal order of the sample license.
    pub(crate) fn renewal_line() -> OrderLine {
        let sub = paid_license();
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
        order.unwrap().numbered("ORD-2027-000001").lines.remove(0)
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::paid_license;
    use super::*;
    use crate::{Quantity, catalog::Term, subscription::Period};
    use jiff::civil::date;

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
        let new = Order::renewal(&sub, OrderId::parse("r1").unwrap(), renewal, tax, now()).unwrap();
        assert_eq!(new.totals().net.to_string(), "144.00");
        assert_eq!(new.totals().gross.to_string(), "171.36");
        assert_eq!(new.payment().payment_method, "pm_1");
        let order = new.numbered("ORD-2027-000007");
        assert_eq!(order.status, OrderStatus::PendingPayment);
        assert_eq!(order.number, "ORD-2027-000007");
        assert_eq!(order.totals, *new.totals());
        assert!(order.invoice.is_none() && order.confirmed_at.is_none());
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
        assert_eq!(
            order.clone().accepted().unwrap_err().code(),
            "payment_declined"
        );
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
            assert_eq!(order.clone().accepted(), Ok(order.clone()));
        }
    }
}
