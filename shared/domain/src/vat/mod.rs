//! VAT: identification numbers, the tax decision, and what the EU VIES service accepts.

pub mod id;
pub mod latin;
pub mod tax;
pub mod vies;

pub use id::VatId;
pub use tax::{Buyer, TaxTreatment, VatRates};
