//! Moving accounts from the old shop (SPEC section 7): the export's records as the import
//! reads them, the waves they are moved in, and the detectors that keep payment data out.

pub mod audit;
pub mod export;
pub mod moving;
mod read;
pub mod sensitive;
pub mod stages;
pub mod wave;

pub use export::{LicenseKind, OldAccount, OldLicense, OldLicenseStatus, OldOrder, OldPayment};
pub use stages::Stage;
pub use wave::{Wave, WaveStatus};
