//! Services outside AWS: the payment provider and the EU's VAT number check (VIES).

pub mod payments;
pub mod vies;
