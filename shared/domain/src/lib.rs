//! The shop's rules, free of I/O: everything here is decided from values alone, so it can be
//! tested exhaustively and reused by every function. Ports (traits) name what the rules need from
//! outside; adapters in `shop-adapters` implement them.

/// The conversions every string newtype shares, given a `parse(&str) -> Result<Self, DomainError>`
/// constructor and a single `String` field: `FromStr`, `TryFrom<String>` (so serde goes through
/// `parse`), `From<T> for String`, `Display` and `as_str`.
macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::DomainError;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub mod account;
pub mod catalog;
pub mod changes;
pub mod clock;
pub mod email;
pub mod error;
pub mod id;
pub mod language;
pub mod mail;
pub mod migration;
pub mod money;
pub mod order;
pub mod payment;
pub mod ports;
pub mod quantity;
pub mod renewal;
pub mod seats;
pub mod solar;
pub mod subscription;
pub mod vat;
pub mod wire;

pub use clock::Clock;
pub use email::Email;
pub use error::DomainError;
pub use language::Language;
pub use money::Money;
pub use quantity::Quantity;
