//! The shop's rules, free of I/O: everything here is decided from values alone, so it can be
//! tested exhaustively and reused by every function. Ports (traits) name what the rules need from
//! outside; adapters in `shop-adapters` implement them.

pub mod catalog;
pub mod clock;
pub mod email;
pub mod error;
pub mod id;
pub mod language;
pub mod mail;
pub mod money;
pub mod quantity;

pub use clock::Clock;
pub use email::Email;
pub use error::DomainError;
pub use language::Language;
pub use money::Money;
pub use quantity::Quantity;
