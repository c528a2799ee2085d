//! The public plant list (docs/solar.md, "Public plant list"): what anyone may see of a plant
//! its owner made public, the page size, and the cursor that continues the list.
//!
//! The cursor names the last plant of the page (the index needs it to continue), so it is
//! read back only as a plant id (`v1.` and the id's bytes in hex): anything else is
//! `422 invalid_cursor`, and a valid one only moves where the public list continues. It
//! opens nothing else: every private route answers 404 to whoever does not own the plant.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{
    PlantDetails, PlantId, Watts,
    fields::{City, PostalCode},
    series::Now,
};
use crate::{DomainError, account::profile::Country};

/// One plant on the public list: where it is, its power and its figures of now; nothing
/// about its owner, no id, no name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicPlant {
    pub country: Country,
    pub postal_code: PostalCode,
    pub city: City,
    /// The inverters' counted nominal power in kW (the plant's "kWp" as licenses count it).
    pub generator_power_kwp: Decimal,
    pub current_power_w: u64,
    pub today_energy_wh: u64,
    pub total_energy_wh: u64,
}

impl PublicPlant {
    pub fn of(details: &PlantDetails, power: Watts, now: &Now) -> Self {
        Self {
            country: details.country.clone(),
            postal_code: details.postal_code.clone(),
            city: details.city.clone(),
            generator_power_kwp: (Decimal::from(power.0) / Decimal::from(1000)).normalize(),
            current_power_w: now.current_power_w,
            today_energy_wh: now.today_energy_wh,
            total_energy_wh: now.total_energy_wh,
        }
    }
}

/// Where the public list continues: after this plant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicCursor(PlantId);

const CURSOR_PREFIX: &str = "v1.";

impl PublicCursor {
    pub fn after(plant: PlantId) -> Self {
        Self(plant)
    }

    pub fn plant(&self) -> &PlantId {
        &self.0
    }

    pub fn encode(&self) -> String {
        let hex: String = self
            .0
            .as_str()
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{CURSOR_PREFIX}{hex}")
    }

    /// A cursor this list handed out; anything else is `422 invalid_cursor`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let bad = || {
            DomainError::invalid(
                "invalid_cursor",
                "`cursor` is not one this list handed out; start again without it.",
            )
        };
        let hex = raw.strip_prefix(CURSOR_PREFIX).ok_or_else(bad)?;
        if hex.is_empty() || hex.len() % 2 != 0 || hex.len() > 128 {
            return Err(bad());
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("zz"), 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        PlantId::parse(&text).map(Self).map_err(|_| bad())
    }
}

/// The page size a caller asks for (`limit`), 1 to `max`; `default` when absent.
pub fn page_limit(raw: Option<&str>, default: u32, max: u32) -> Result<u32, DomainError> {
    let Some(raw) = raw else {
        return Ok(default.min(max));
    };
    raw.parse::<u32>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| {
            DomainError::invalid(
                "invalid_limit",
                format!("`limit` is a whole number from 1 to {max}."),
            )
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_cursor_reads_back_as_the_plant_it_names() {
        let id = PlantId::parse("p-7c4e2a9b").unwrap();
        let cursor = PublicCursor::after(id.clone()).encode();
        assert_eq!(cursor, "v1.702d3763346532613962");
        assert_eq!(PublicCursor::parse(&cursor).unwrap().plant(), &id);
    }

    #[test]
    fn anything_else_is_an_invalid_cursor() {
        for bad in [
            "",
            "v1.",
            "v2.70",
            "702d37",
            "v1.7",
            "v1.zz",
            "v1.2320", // "# ": not an id's characters
            "v1.c3a9", // "é"
            &format!("v1.{}", "61".repeat(65)),
        ] {
            assert_eq!(
                PublicCursor::parse(bad).unwrap_err().code(),
                "invalid_cursor",
                "{bad}"
            );
        }
    }

    #[test]
    fn limits() {
        assert_eq!(page_limit(None, 20, 50), Ok(20));
        assert_eq!(page_limit(Some("50"), 20, 50), Ok(50));
        for bad in ["0", "51", "-1", "x", "2.0"] {
            assert_eq!(
                page_limit(Some(bad), 20, 50).unwrap_err().code(),
                "invalid_limit"
            );
        }
    }

    proptest! {
        #[test]
        fn every_id_round_trips(id in "[A-Za-z0-9_-]{1,64}") {
            let id = PlantId::parse(&id).unwrap();
            let cursor = PublicCursor::after(id.clone()).encode();
            let back = PublicCursor::parse(&cursor).unwrap();
            prop_assert_eq!(back.plant(), &id);
        }

        #[test]
        fn no_string_breaks_the_reader(raw in ".{0,200}") {
            if let Ok(c) = PublicCursor::parse(&raw) {
                prop_assert_eq!(c.encode(), raw);
            }
        }
    }
}
