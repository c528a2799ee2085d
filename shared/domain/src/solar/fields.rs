//! The values a plant is described by, each a type that cannot hold a bad value and names its
//! own error code, so a form with several wrong fields can list every one.

use std::ops::{Bound, RangeBounds};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{DomainError, account::profile::is_invisible};

/// A value of a plant's form: read from the text given for it, refused with codes of its own;
/// `CODE` also names a value that is missing or of the wrong JSON type.
pub trait Field: Sized {
    const CODE: &'static str;

    fn parse(raw: &str) -> Result<Self, DomainError>;
}

/// Text a person types: trimmed, `min..=max` characters, no invisible format characters, no
/// control characters but (when `multiline`) line breaks and tabs.
pub(super) fn text(raw: &str, min: usize, max: usize, multiline: bool) -> Option<String> {
    let text = raw.trim();
    let chars = text.chars().count();
    let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t'));
    ((min..=max).contains(&chars) && text.chars().all(|c| allowed(c) && !is_invisible(c)))
        .then(|| text.to_owned())
}

macro_rules! text_field {
    ($(#[$doc:meta])* $name:ident, $code:literal, $min:literal..=$max:literal, $multiline:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl Field for $name {
            const CODE: &'static str = $code;

            fn parse(raw: &str) -> Result<Self, DomainError> {
                text(raw, $min, $max, $multiline).map(Self).ok_or_else(|| {
                    DomainError::invalid(
                        $code,
                        concat!($what, " is ", $min, " to ", $max,
                            " characters without control or invisible characters."),
                    )
                })
            }
        }

        string_newtype!($name);
    };
}

text_field!(
    /// The plant's name, chosen freely by its owner.
    PlantName, "invalid_plant_name", 1..=100, false, "A plant's name"
);
text_field!(
    /// A free description; may be empty and span lines.
    Description, "invalid_description", 0..=2000, true, "A description"
);
text_field!(
    /// The solar modules' name as the owner knows them; may be empty, it changes nothing.
    ModuleName, "invalid_module_name", 0..=100, false, "A module name"
);
text_field!(
    /// The town the plant stands in.
    City, "invalid_city", 1..=100, false, "A city"
);

/// A postal code: 2 to 10 ASCII letters, digits, spaces and hyphens, beginning and ending
/// with a letter or digit, kept upper case. Countries whose format the shop knows are held to
/// it (five digits in DE and FR, four in AT and CH), checked by [`PostalCode::check_for`]
/// once the country is known.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostalCode(String);

impl Field for PostalCode {
    const CODE: &'static str = "invalid_postal_code";

    fn parse(raw: &str) -> Result<Self, DomainError> {
        let code = raw.trim().to_ascii_uppercase();
        let b = code.as_bytes();
        let fits = (2..=10).contains(&b.len())
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b' ' | b'-'))
            && b.first().is_some_and(u8::is_ascii_alphanumeric)
            && b.last().is_some_and(u8::is_ascii_alphanumeric);
        DomainError::invalid_unless(
            fits,
            Self::CODE,
            "A postal code is 2 to 10 letters, digits, spaces or hyphens.",
        )?;
        Ok(Self(code))
    }
}

impl PostalCode {
    /// Holds the code to the format of `country` where the shop knows it.
    pub fn check_for(&self, country: &str) -> Result<(), DomainError> {
        let digits = match country {
            "DE" | "FR" => 5,
            "AT" | "CH" => 4,
            _ => return Ok(()),
        };
        DomainError::invalid_unless(
            self.0.len() == digits && self.0.bytes().all(|b| b.is_ascii_digit()),
            Self::CODE,
            format!("A postal code in {country} is {digits} digits."),
        )?;
        Ok(())
    }
}

string_newtype!(PostalCode);

/// A decimal in a range with at most `decimals` places. Travels as a string (like money) so
/// no reader turns it into a float; a plain JSON number is read too, from its exact text.
fn bounded(raw: &str, range: (Bound<Decimal>, Bound<Decimal>), decimals: u32) -> Option<Decimal> {
    let raw = raw.trim();
    let value = Decimal::from_str_exact(raw)
        .or_else(|_| Decimal::from_scientific(raw))
        .ok()?
        .normalize();
    (range.contains(&value) && value.scale() <= decimals).then_some(value)
}

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

macro_rules! measure {
    ($(#[$doc:meta])* $name:ident, $code:literal, $range:expr, $decimals:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "Decimal", into = "Decimal")]
        pub struct $name(Decimal);

        impl Field for $name {
            const CODE: &'static str = $code;

            fn parse(raw: &str) -> Result<Self, DomainError> {
                bounded(raw, $range, $decimals).map(Self).ok_or_else(|| {
                    DomainError::invalid(
                        $code,
                        concat!($what, " with at most ", $decimals, " decimals."),
                    )
                })
            }
        }

        impl $name {
            pub fn get(self) -> Decimal {
                self.0
            }
        }

        impl TryFrom<Decimal> for $name {
            type Error = DomainError;
            fn try_from(v: Decimal) -> Result<Self, Self::Error> {
                Self::parse(&v.to_string())
            }
        }

        impl From<$name> for Decimal {
            fn from(v: $name) -> Decimal {
                v.0
            }
        }
    };
}

use Bound::{Excluded, Included};

measure!(
    /// Degrees north, −90 to 90.
    Latitude, "invalid_latitude", (Included(d(-90)), Included(d(90))), 7,
    "Latitude is −90 to 90 degrees"
);
measure!(
    /// Degrees east, −180 to 180.
    Longitude, "invalid_longitude", (Included(d(-180)), Included(d(180))), 7,
    "Longitude is −180 to 180 degrees"
);
measure!(
    /// How much module power changes per kelvin, in %/K: −2 to 0 (crystalline modules lose
    /// about 0.4 %/K).
    TemperatureCoefficient, "invalid_temperature_coefficient",
    (Included(d(-2)), Included(d(0))), 4,
    "The temperature coefficient is −2 to 0 %/K"
);
measure!(
    /// Where the modules face, in degrees clockwise from north: 0 to under 360.
    Azimuth, "invalid_azimuth", (Included(d(0)), Excluded(d(360))), 2,
    "Azimuth is 0 to under 360 degrees"
);
measure!(
    /// The modules' slope from horizontal (0) to vertical (90), in degrees.
    Tilt, "invalid_tilt", (Included(d(0)), Included(d(90))), 2,
    "Tilt is 0 to 90 degrees"
);
measure!(
    /// The modules' area in m²: above 0, at most a million (100 ha, beyond any plant one
    /// account monitors, and far from overflow in yield arithmetic).
    ModuleArea, "invalid_module_area", (Excluded(d(0)), Included(d(1_000_000))), 2,
    "The module area is above 0 and at most 1000000 m²"
);
measure!(
    /// The feed-in tariff in EUR per kWh: 0 (own use only) or more, at most 10 EUR/kWh (ten
    /// times the highest tariff Germany ever paid), to 6 decimals (tariffs are set in tenths
    /// of a cent, some contracts in finer steps).
    FeedInTariff, "invalid_feed_in_tariff", (Included(d(0)), Included(d(10))), 6,
    "The feed-in tariff is 0 to 10 EUR/kWh"
);

/// What the plant's energy is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlantType {
    /// Electricity.
    Pv,
    /// Warm water through a PV heater.
    PvThermal,
}

impl Field for PlantType {
    const CODE: &'static str = "invalid_plant_type";

    fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw.trim() {
            "pv" => Ok(Self::Pv),
            "pv_thermal" => Ok(Self::PvThermal),
            _ => Err(DomainError::invalid(
                Self::CODE,
                "A plant's type is `pv` or `pv_thermal`.",
            )),
        }
    }
}

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
