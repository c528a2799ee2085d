//! Invoice arithmetic: each line is rounded to cents on its own (half away from zero), and
//! every total is the sum of the rounded lines, so what is printed always adds up.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Money, Quantity};

/// One priced line of an invoice or credit note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: Quantity,
    /// Net price per unit and term.
    pub unit_net: Money,
    pub net: Money,
    /// Percent.
    pub tax_rate: Decimal,
    pub tax: Money,
    pub gross: Money,
}

impl InvoiceLine {
    /// A line whose exact net (which may hold fractions of a cent, as a prorated fee does) is
    /// rounded to cents, then taxed and rounded again.
    pub fn new(
        description: String,
        quantity: Quantity,
        unit_net: Money,
        exact_net: Decimal,
        tax_rate: Decimal,
    ) -> Self {
        let net = Money::round(exact_net);
        let tax = Money::round(net.amount() * tax_rate / Decimal::ONE_HUNDRED);
        Self {
            description,
            quantity,
            unit_net,
            net,
            tax_rate,
            tax,
            gross: net + tax,
        }
    }

    /// The same line with every amount negated, for a credit note.
    pub fn credited(&self) -> Self {
        Self {
            unit_net: self.unit_net.negated(),
            net: self.net.negated(),
            tax: self.tax.negated(),
            gross: self.gross.negated(),
            ..self.clone()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub net: Money,
    pub tax: Money,
    pub gross: Money,
}

impl Totals {
    pub fn of<'a>(lines: impl IntoIterator<Item = &'a InvoiceLine> + Clone) -> Self {
        Self {
            net: lines.clone().into_iter().map(|l| l.net).sum(),
            tax: lines.clone().into_iter().map(|l| l.tax).sum(),
            gross: lines.into_iter().map(|l| l.gross).sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn q(n: u32) -> Quantity {
        Quantity::new(n).unwrap()
    }

    /// A line of `quantity` at `unit`, `net` in all, taxed at `rate` percent.
    fn line(quantity: u32, unit: &str, net: &str, rate: &str) -> InvoiceLine {
        InvoiceLine::new(
            "x".into(),
            q(quantity),
            Money::parse(unit).unwrap(),
            d(net),
            d(rate),
        )
    }

    #[test]
    fn domestic_line_with_exact_cents() {
        // 5 × 48.00 at 19 %: 240.00 + 45.60.
        let unit = Money::parse("48.00").unwrap();
        let l = InvoiceLine::new("x".into(), q(5), unit, unit.times(q(5)).amount(), d("19"));
        assert_eq!(
            (l.net.to_string(), l.tax.to_string(), l.gross.to_string()),
            ("240.00".into(), "45.60".into(), "285.60".into())
        );
        // 1 × 59.90 at 19 % = 11.381 tax → 11.38; 3 × 19.50 at 20 % = 11.70.
        let l = line(1, "59.90", "59.90", "19");
        assert_eq!(l.tax.to_string(), "11.38");
        assert_eq!(l.gross.to_string(), "71.28");
    }

    #[test]
    fn reverse_charge_has_no_tax_and_halves_round_up() {
        let l = line(5, "48.00", "240", "0");
        assert_eq!(l.tax, Money::ZERO);
        assert_eq!(l.gross.to_string(), "240.00");
        // 0.50 × 19 % = 0.095 → 0.10 (half away from zero), and a prorated 12.345 → 12.35.
        let l = line(1, "0.50", "0.50", "19");
        assert_eq!(l.tax.to_string(), "0.10");
        let l = InvoiceLine::new("x".into(), q(1), Money::ZERO, d("12.345"), Decimal::ZERO);
        assert_eq!(l.net.to_string(), "12.35");
    }

    #[test]
    fn credit_negates_every_amount() {
        let l = line(2, "10.00", "20", "19");
        let c = l.credited();
        assert_eq!(c.gross.to_string(), "-23.80");
        assert_eq!(Totals::of([&l, &c]).gross, Money::ZERO);
    }

    proptest! {
        #[test]
        fn totals_are_sums_of_rounded_lines_and_tax_is_within_half_a_cent(
            lines in proptest::collection::vec((1u32..1000, 0i64..1_000_000, 0u32..3000, 0u32..2600), 1..20)
        ) {
            let built: Vec<InvoiceLine> = lines.iter().map(|&(qty, unit_cents, frac, rate_bp)| {
                let unit = Money::from_cents(unit_cents);
                let exact = unit.times(q(qty)).amount() + Decimal::new(i64::from(frac), 4);
                InvoiceLine::new("p".into(), q(qty), unit, exact, Decimal::new(i64::from(rate_bp), 2))
            }).collect();
            let totals = Totals::of(&built);
            let net: Money = built.iter().map(|l| l.net).sum();
            let tax: Money = built.iter().map(|l| l.tax).sum();
            prop_assert_eq!(totals.net, net);
            prop_assert_eq!(totals.tax, tax);
            prop_assert_eq!(totals.gross, net + tax);
            for l in &built {
                let exact_tax = l.net.amount() * l.tax_rate / Decimal::ONE_HUNDRED;
                prop_assert!((l.tax.amount() - exact_tax).abs() <= d("0.005"));
                prop_assert_eq!(Money::round(l.net.amount()), l.net);
            }
        }
    }
}
