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

/// A newtype over an ASCII token, with `parse` and the [`string_newtype!`] conversions:
/// `trimmed` (surrounding white space dropped) or `exact`, every byte `visible` or `slug`
/// ([`ascii`]), `len` bytes long, else refused with `code` and `detail`. The caller gives the
/// doc and the derives; serde reads it through `parse`.
macro_rules! ascii_newtype {
    (
        $(#[$attr:meta])*
        $name:ident: $keep:ident $allowed:ident $len:expr,
        $code:expr, $detail:expr
    ) => {
        $(#[$attr])*
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, $crate::DomainError> {
                let v: &str = ascii_newtype!(@keep $keep, raw);
                $crate::DomainError::invalid_unless(
                    $crate::ascii::token(v, $len, $crate::ascii::$allowed),
                    $code,
                    $detail,
                )?;
                Ok(Self(v.to_owned()))
            }
        }

        string_newtype!($name);
    };
    (@keep trimmed, $raw:expr) => {
        $raw.trim()
    };
    (@keep exact, $raw:expr) => {
        $raw
    };
}

/// The serde pair of a checked newtype read through `new` (`#[serde(try_from = "raw", into =
/// "raw")]`): `TryFrom<raw>` calls `new`, so nothing unchecked is ever read, and `From<T> for
/// raw` writes the inner value back as the raw type.
macro_rules! checked_serde {
    ($name:ident, $raw:ty) => {
        impl TryFrom<$raw> for $name {
            type Error = $crate::DomainError;
            fn try_from(raw: $raw) -> Result<Self, Self::Error> {
                Self::new(raw)
            }
        }

        impl From<$name> for $raw {
            fn from(v: $name) -> $raw {
                v.0.into()
            }
        }
    };
}

/// A setting a request sends as a whole JSON number and the domain keeps in a smaller type,
/// within a range (`bounded::within`), with its error code and its default: the whole-number
/// counterpart of `solar::fields`' `measure!`.
macro_rules! whole_newtype {
    ($(#[$doc:meta])* $name:ident($inner:ty), $range:expr, default $default:expr,
     $code:literal, $detail:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "u64", into = "u64")]
        pub struct $name($inner);

        impl $name {
            pub const CODE: &'static str = $code;
            pub const DEFAULT: $name = $name($default);

            pub fn new(raw: u64) -> Result<Self, $crate::DomainError> {
                $crate::bounded::within(raw, $range)
                    .map(Self)
                    .ok_or_else(|| $crate::DomainError::invalid(Self::CODE, $detail))
            }

            pub fn get(self) -> $inner {
                self.0
            }
        }

        checked_serde!($name, u64);
    };
}

pub mod account;
mod ascii;
mod bounded;
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
#[cfg(test)]
mod testing;
pub mod vat;
pub mod wire;

pub use clock::Clock;
pub use email::Email;
pub use error::DomainError;
pub use language::Language;
pub use money::Money;
pub use quantity::Quantity;
