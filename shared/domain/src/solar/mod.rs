//! Solar monitoring (SPEC section 6, seed 004 section II): plants, their inverters, the free
//! trial, monitoring licenses priced by power, and the one rule that decides whether a
//! plant's data may be shown. Pure like the rest of the domain; docs/solar.md has the
//! decisions.

pub mod alert_check;
pub mod alert_rules;
pub mod alerts;
pub mod device;
pub mod device_credential;
pub mod fields;
pub mod forecast;
pub mod history;
#[cfg(test)]
mod history_tests;
pub mod import;
pub mod license;
pub mod monitoring;
pub mod plant;
pub mod pricing;
pub mod public;
pub mod registry;
pub mod series;
pub mod sun;
pub mod telemetry;

pub use device::{
    DeviceConfig, DeviceModel, Inverter, NominalPower, SerialNumber, Watts, total_power,
};
pub use fields::{PlantName, PlantType};
pub use license::{Ended, PlantLicense, Residual, end_exceeded, residual_credit_line};
pub use monitoring::{
    MonitoringHistory, MonitoringState, first_activation, may_show_data, trial_period,
};
pub use plant::{PlantDetails, check_plant};
pub use pricing::{
    LicenseOrder, PlantId, PlantLine, PlantToLicense, check_monitoring_buyer, monitoring_buyer,
    plant_not_found, price_licenses,
};
pub use registry::{ActivationCode, InverterLabel};

/// The settings the rules take, named so the functions read them from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SolarSettings {
    /// Days of the free trial, counted from the first inverter's activation day as day 1.
    pub trial_days: u16,
    /// What a device of type `unknown` counts until it reports its configuration.
    pub unknown_device_power: Watts,
}

impl SolarSettings {
    pub const TRIAL_DAYS: u16 = 40;
    pub const UNKNOWN_DEVICE_POWER: Watts = Watts(20_000);
}

impl Default for SolarSettings {
    fn default() -> Self {
        Self {
            trial_days: Self::TRIAL_DAYS,
            unknown_device_power: Self::UNKNOWN_DEVICE_POWER,
        }
    }
}
