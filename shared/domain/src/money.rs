//! Euro amounts. Every stored or shown amount is whole cents; anything computed with more
//! precision (proration, tax) is rounded half away from zero to cents on the invoice line that
//! produces it, never later on a sum.

use std::{fmt, iter::Sum, ops::Add, str::FromStr};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::{DomainError, Quantity};

/// A euro amount in whole cents. May be negative (credit lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);
    /// Largest magnitude accepted from outside: a trillion euros keeps every product of an
    /// amount and a quantity far from `Decimal`'s overflow.
    const LIMIT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0); // 10^12

    /// Rounds any decimal to cents, half away from zero (2.345 → 2.35, −2.345 → −2.35).
    pub fn round(amount: Decimal) -> Money {
        Money(
            amount
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
                .normalize(),
        )
    }

    /// Reads an amount written with at most two decimals, such as `"19.90"`; anything that would
    /// need rounding is refused, because a price in the catalog or a request must be exact.
    pub fn parse(raw: &str) -> Result<Money, DomainError> {
        let amount = Decimal::from_str_exact(raw.trim())
            .map_err(|_| invalid(format!("`{raw}` is not a decimal amount.")))?;
        if amount.abs() > Self::LIMIT {
            return Err(invalid("The amount is too large.".into()));
        }
        let cents = Money::round(amount);
        if cents.0 != amount.normalize() {
            return Err(invalid(format!("`{raw}` has more than two decimals.")));
        }
        Ok(cents)
    }

    pub fn from_cents(cents: i64) -> Money {
        Money(Decimal::new(cents, 2).normalize())
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn negated(self) -> Money {
        Money(-self.0)
    }

    /// The exact product with a quantity (no rounding needed: cents times a whole number).
    pub fn times(self, quantity: Quantity) -> Money {
        Money(self.0 * Decimal::from(quantity.get()))
    }
}

fn invalid(detail: String) -> DomainError {
    DomainError::invalid("invalid_amount", detail)
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl fmt::Display for Money {
    /// Always two decimals, the way invoices and the API show euros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0;
        shown.rescale(2);
        write!(f, "{shown}")
    }
}

impl FromStr for Money {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

/// Amounts travel as strings (`"19.90"`) so no JSON reader turns them into floats.
impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Money::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn rounds_half_away_from_zero() {
        for (raw, want) in [
            ("2.345", "2.35"),
            ("2.344", "2.34"),
            ("-2.345", "-2.35"),
            ("0.005", "0.01"),
            ("-0.005", "-0.01"),
            ("0.0049999", "0.00"),
            ("10", "10.00"),
        ] {
            assert_eq!(Money::round(d(raw)).to_string(), want, "{raw}");
        }
    }

    #[test]
    fn parse_accepts_cents_and_refuses_fractions_of_cents() {
        assert_eq!(Money::parse("19.9").unwrap().to_string(), "19.90");
        assert_eq!(Money::parse(" 0 ").unwrap(), Money::ZERO);
        assert_eq!(Money::parse("19.900").unwrap().to_string(), "19.90");
        for bad in ["19.999", "abc", "", "1e3", "1,50", "10000000000000"] {
            assert_eq!(
                Money::parse(bad).unwrap_err().code(),
                "invalid_amount",
                "{bad}"
            );
        }
    }

    #[test]
    fn the_limit_is_a_trillion() {
        assert_eq!(Money::LIMIT, d("1000000000000"));
        assert!(Money::parse("1000000000000").is_ok());
    }

    #[test]
    fn serialises_as_a_two_decimal_string() {
        let m = Money::from_cents(1990);
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"19.90\"");
        assert_eq!(serde_json::from_str::<Money>("\"19.90\"").unwrap(), m);
        assert!(
            serde_json::from_str::<Money>("19.9").is_err(),
            "numbers are refused"
        );
    }

    #[test]
    fn times_and_sum_are_exact() {
        let q = Quantity::new(7).unwrap();
        assert_eq!(
            Money::parse("0.10").unwrap().times(q),
            Money::from_cents(70)
        );
        let total: Money = [Money::from_cents(1), Money::from_cents(2)]
            .into_iter()
            .sum();
        assert_eq!(total, Money::from_cents(3));
    }

    proptest! {
        /// Rounding agrees with a reference computed in integers (thousandths of a euro).
        #[test]
        fn rounding_matches_integer_reference(mills in -10_000_000_000i64..10_000_000_000i64) {
            let rounded = Money::round(Decimal::new(mills, 3));
            let (q, r) = (mills / 10, mills % 10);
            let cents = if r.abs() >= 5 { q + r.signum() } else { q };
            prop_assert_eq!(rounded, Money::from_cents(cents));
        }

        #[test]
        fn rounding_is_idempotent_and_within_half_a_cent(units in any::<i64>(), scale in 0u32..10) {
            let x = Decimal::new(units % 1_000_000_000_000_000, scale);
            let once = Money::round(x);
            prop_assert_eq!(Money::round(once.amount()), once);
            prop_assert!((once.amount() - x).abs() <= d("0.005"));
        }

        #[test]
        fn display_parse_round_trip(cents in -100_000_000_000_000i64..100_000_000_000_000i64) {
            let m = Money::from_cents(cents);
            prop_assert_eq!(Money::parse(&m.to_string()).unwrap(), m);
        }
    }
}
