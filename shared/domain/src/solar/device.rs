//! Devices as the manufacturer's registry knows them and as they count in a plant: a serial
//! number, a configuration (model and nominal power, or `unknown` until the device reports it)
//! and the power that configuration counts with.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{DomainError, bounded::within};

/// A device's serial number as printed on it: 4 to 32 ASCII letters, digits and single
/// hyphens between them, kept upper case, so `ae-3tl-0042` and `AE-3TL-0042` are one device
/// (people copy serials by hand and from spreadsheets; case carries no meaning on a label).
/// Spaces around it are dropped; spaces inside are refused, as a label never has them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SerialNumber(String);

impl SerialNumber {
    const MIN: usize = 4;
    const MAX: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let serial = raw.trim().to_ascii_uppercase();
        let fits = (Self::MIN..=Self::MAX).contains(&serial.len())
            && serial
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !serial.starts_with('-')
            && !serial.ends_with('-')
            && !serial.contains("--");
        DomainError::invalid_unless(
            fits,
            "invalid_serial_number",
            "A serial number is 4 to 32 letters and digits, with single hyphens between them.",
        )?;
        Ok(Self(serial))
    }
}

string_newtype!(SerialNumber);

/// A power in whole watts. Plants add many inverters, so sums are `u64`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Watts(pub u64);

impl Watts {
    /// Kilowatts, exact: prices are per kW.
    pub fn kw(self) -> rust_decimal::Decimal {
        rust_decimal::Decimal::from(self.0) / rust_decimal::Decimal::ONE_THOUSAND
    }
}

impl fmt::Display for Watts {
    /// `12 500 W` reads badly in a sentence; kW with the decimals it needs does not.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} kW", self.kw().normalize())
    }
}

/// The nominal power of one device: 1 W to 10 MW (the largest central inverters are a few MW;
/// the cap keeps a typo like an extra three zeros out of a price).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct NominalPower(u32);

impl NominalPower {
    pub const MAX_W: u32 = 10_000_000;

    pub fn new(watts: u64) -> Result<Self, DomainError> {
        within(watts, 1..=Self::MAX_W).map(Self).ok_or_else(|| {
            DomainError::invalid(
                "invalid_nominal_power",
                format!(
                    "A device's nominal power is 1 to {} W, in whole watts.",
                    Self::MAX_W
                ),
            )
        })
    }

    pub fn watts(self) -> Watts {
        Watts(u64::from(self.0))
    }
}

checked_serde!(NominalPower, u64);

/// A device model name as the registry writes it (`AE 3TL 16`): 1 to 64 printable characters,
/// and never the word `unknown`, which is how a device without a known model is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceModel(String);

impl DeviceModel {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let model = raw.trim();
        let chars = model.chars().count();
        DomainError::invalid_unless(
            (1..=64).contains(&chars)
                && !model.chars().any(char::is_control)
                && !model.eq_ignore_ascii_case(UNKNOWN),
            "invalid_device_type",
            "A device type is 1 to 64 characters without control characters, or `unknown`.",
        )?;
        Ok(Self(model.to_owned()))
    }
}

string_newtype!(DeviceModel);

const UNKNOWN: &str = "unknown";

/// What is known about a device's configuration. A known type always has its power, so a
/// device can never be "known" without a power to count.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeviceConfig {
    /// The device has not reported its configuration yet; it counts
    /// [`SolarSettings::unknown_device_power`](super::SolarSettings).
    Unknown,
    Known {
        model: DeviceModel,
        nominal_power: NominalPower,
    },
}

impl DeviceConfig {
    /// From a registry row or a reported configuration: type `unknown` (any case) has no power;
    /// any other type needs one.
    pub fn parse(device_type: &str, nominal_power_w: Option<u64>) -> Result<Self, DomainError> {
        if device_type.trim().eq_ignore_ascii_case(UNKNOWN) {
            return match nominal_power_w {
                None => Ok(Self::Unknown),
                Some(_) => Err(DomainError::invalid(
                    "unexpected_nominal_power",
                    "A device of type `unknown` has no nominal power; name its type too.",
                )),
            };
        }
        let model = DeviceModel::parse(device_type)?;
        let watts = nominal_power_w.ok_or_else(|| {
            DomainError::invalid(
                "invalid_nominal_power",
                "A device of a known type needs its nominal power in W.",
            )
        })?;
        Ok(Self::Known {
            model,
            nominal_power: NominalPower::new(watts)?,
        })
    }

    /// The power this device adds to its plant: its own, or `unknown_power` while unknown.
    pub fn counted_power(&self, unknown_power: Watts) -> Watts {
        match self {
            Self::Unknown => unknown_power,
            Self::Known { nominal_power, .. } => nominal_power.watts(),
        }
    }

    /// The type as written in files and answers: the model, or `unknown`.
    pub fn type_name(&self) -> &str {
        match self {
            Self::Unknown => UNKNOWN,
            Self::Known { model, .. } => model.as_str(),
        }
    }

    pub fn nominal_power(&self) -> Option<NominalPower> {
        match self {
            Self::Unknown => None,
            Self::Known { nominal_power, .. } => Some(*nominal_power),
        }
    }
}

/// The wire and storage shape of a configuration: `{"type": "AE 3TL 16", "nominal_power_w":
/// 16000}` or `{"type": "unknown"}`; reading goes through [`DeviceConfig::parse`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigRecord {
    #[serde(rename = "type")]
    device_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nominal_power_w: Option<u64>,
}

impl Serialize for DeviceConfig {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ConfigRecord {
            device_type: self.type_name().to_owned(),
            nominal_power_w: self.nominal_power().map(u64::from),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for DeviceConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = ConfigRecord::deserialize(d)?;
        DeviceConfig::parse(&r.device_type, r.nominal_power_w).map_err(serde::de::Error::custom)
    }
}

/// One inverter of a plant: the device and the owner's label for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inverter {
    pub serial: SerialNumber,
    pub config: DeviceConfig,
}

/// A plant's total nominal power: every inverter's counted power added.
pub fn total_power(inverters: &[Inverter], unknown_power: Watts) -> Watts {
    Watts(inverters.iter().fold(0u64, |sum, i| {
        sum.saturating_add(i.config.counted_power(unknown_power).0)
    }))
}

#[cfg(test)]
#[path = "device_tests.rs"]
mod tests;
