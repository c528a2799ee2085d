//! How many licenses (or seats) a line or subscription holds.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A count of licenses between 1 and [`Quantity::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Quantity(u32);

impl Quantity {
    /// No customer of a volume shop orders more; the cap keeps money arithmetic far from overflow.
    pub const MAX: u32 = 100_000;

    pub fn new(n: u32) -> Result<Self, DomainError> {
        DomainError::invalid_unless(
            (1..=Self::MAX).contains(&n),
            "invalid_quantity",
            format!("Quantity must be between 1 and {}.", Self::MAX),
        )?;
        Ok(Self(n))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

checked_serde!(Quantity, u32);

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert!(Quantity::new(0).is_err());
        assert_eq!(Quantity::new(1).unwrap().get(), 1);
        assert_eq!(Quantity::new(Quantity::MAX).unwrap().get(), Quantity::MAX);
        assert_eq!(
            Quantity::new(Quantity::MAX + 1).unwrap_err().code(),
            "invalid_quantity"
        );
    }

    #[test]
    fn json_goes_through_the_constructor() {
        assert_eq!(serde_json::from_str::<Quantity>("30").unwrap().get(), 30);
        assert!(serde_json::from_str::<Quantity>("0").is_err());
        assert!(serde_json::from_str::<Quantity>("-1").is_err());
        assert!(serde_json::from_str::<Quantity>("2.5").is_err());
    }
}
