//! A plant as its owner describes it: the body of `POST /v1/plants` (and of `PATCH`, laid over
//! the stored plant) checked field by field, every problem listed at once.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::fields::{
    Azimuth, City, Description, FeedInTariff, Field, Latitude, Longitude, ModuleArea, ModuleName,
    PlantName, PlantType, PostalCode, TemperatureCoefficient, Tilt,
};
use crate::{DomainError, account::profile::Country, error::FieldError};

/// Everything the owner says about a plant, each value valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlantDetails {
    pub name: PlantName,
    pub description: Description,
    pub module_name: ModuleName,
    pub country: Country,
    pub postal_code: PostalCode,
    pub city: City,
    pub latitude: Latitude,
    pub longitude: Longitude,
    /// %/K.
    pub temperature_coefficient: TemperatureCoefficient,
    pub azimuth: Azimuth,
    pub tilt: Tilt,
    /// m².
    pub module_area: ModuleArea,
    /// EUR/kWh.
    pub feed_in_tariff: FeedInTariff,
    #[serde(rename = "type")]
    pub plant_type: PlantType,
    /// Listed on the public map; off unless the owner turns it on.
    pub public: bool,
}

const FIELDS: [&str; 15] = [
    "name",
    "description",
    "module_name",
    "country",
    "postal_code",
    "city",
    "latitude",
    "longitude",
    "temperature_coefficient",
    "azimuth",
    "tilt",
    "module_area",
    "feed_in_tariff",
    "type",
    "public",
];

/// Collects the problems of one body while its fields are read.
struct Check<'a> {
    body: &'a Map<String, Value>,
    problems: Vec<FieldError>,
}

impl Check<'_> {
    fn report(&mut self, field: &str, problem: &DomainError) {
        self.problems.push(FieldError {
            field: field.to_owned(),
            code: problem.code(),
            detail: problem.to_string(),
        });
    }

    /// The field's text: a string, or (when `numeric`) a number's exact JSON text. `None`
    /// when absent or `null` (reported with `code` when `required`) or of another JSON type
    /// (reported).
    fn raw(
        &mut self,
        field: &str,
        code: &'static str,
        required: bool,
        numeric: bool,
    ) -> Option<String> {
        let problem = match self.body.get(field) {
            Some(Value::String(s)) => return Some(s.clone()),
            Some(Value::Number(n)) if numeric => return Some(n.to_string()),
            None | Some(Value::Null) if !required => return None,
            None | Some(Value::Null) => format!("`{field}` is required."),
            Some(_) if numeric => format!("`{field}` is a number or a decimal string."),
            Some(_) => format!("`{field}` is a string."),
        };
        self.report(field, &DomainError::invalid(code, problem));
        None
    }

    /// `F` read from the field's text; `None` when there is none (see [`Check::raw`]) or it
    /// is refused (reported).
    fn parsed<F: Field>(&mut self, field: &str, raw: Option<String>) -> Option<F> {
        F::parse(&raw?).map_err(|e| self.report(field, &e)).ok()
    }

    fn text<F: Field>(&mut self, field: &str) -> Option<F> {
        let raw = self.raw(field, F::CODE, true, false);
        self.parsed(field, raw)
    }

    /// An optional text: absent or `null` is empty.
    fn optional<F: Field>(&mut self, field: &str) -> Option<F> {
        let raw = self.raw(field, F::CODE, false, false).unwrap_or_default();
        self.parsed(field, Some(raw))
    }

    fn number<F: Field>(&mut self, field: &str) -> Option<F> {
        let raw = self.raw(field, F::CODE, true, true);
        self.parsed(field, raw)
    }
}

/// A plant's country is read as an account's; one missing is `invalid_country` too.
impl Field for Country {
    const CODE: &'static str = "invalid_country";

    fn parse(raw: &str) -> Result<Self, DomainError> {
        Country::parse(raw)
    }
}

/// Reads a plant from a JSON object, listing every wrong field with its own code
/// (`invalid_latitude`, ...) in one `invalid_plant` error; unknown fields are named too, so a
/// typo is not silently dropped.
pub fn check_plant(body: &Map<String, Value>) -> Result<PlantDetails, DomainError> {
    let mut c = Check {
        body,
        problems: Vec::new(),
    };
    for key in body.keys().filter(|k| !FIELDS.contains(&k.as_str())) {
        let problem = DomainError::invalid("unknown_field", format!("`{key}` is not a field."));
        c.report(key, &problem);
    }
    let name = c.text::<PlantName>("name");
    let description = c.optional::<Description>("description");
    let module_name = c.optional::<ModuleName>("module_name");
    let country = c.text::<Country>("country");
    let postal_code = c
        .text::<PostalCode>("postal_code")
        .and_then(|p| match &country {
            Some(country) => p
                .check_for(country.as_str())
                .map(|()| p)
                .map_err(|e| c.report("postal_code", &e))
                .ok(),
            None => Some(p),
        });
    let city = c.text::<City>("city");
    let latitude = c.number::<Latitude>("latitude");
    let longitude = c.number::<Longitude>("longitude");
    let temperature_coefficient = c.number::<TemperatureCoefficient>("temperature_coefficient");
    let azimuth = c.number::<Azimuth>("azimuth");
    let tilt = c.number::<Tilt>("tilt");
    let module_area = c.number::<ModuleArea>("module_area");
    let feed_in_tariff = c.number::<FeedInTariff>("feed_in_tariff");
    let plant_type = c.text::<PlantType>("type");
    let public = match body.get("public") {
        None | Some(Value::Null) => Some(false),
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            let problem = DomainError::invalid("invalid_public", "`public` is true or false.");
            c.report("public", &problem);
            None
        }
    };
    let problems = c.problems;
    let plant = (|| {
        Some(PlantDetails {
            name: name?,
            description: description?,
            module_name: module_name?,
            country: country?,
            postal_code: postal_code?,
            city: city?,
            latitude: latitude?,
            longitude: longitude?,
            temperature_coefficient: temperature_coefficient?,
            azimuth: azimuth?,
            tilt: tilt?,
            module_area: module_area?,
            feed_in_tariff: feed_in_tariff?,
            plant_type: plant_type?,
            public: public?,
        })
    })();
    match plant {
        Some(plant) if problems.is_empty() => Ok(plant),
        _ => Err(DomainError::Invalid {
            code: "invalid_plant",
            detail: "Some of the plant's fields need another look.".into(),
            fields: problems,
        }),
    }
}

impl PlantDetails {
    /// The plant after `PATCH`: the fields given laid over today's, all checked again (a new
    /// country re-checks the postal code); `null` empties an optional text.
    pub fn patched(&self, patch: &Map<String, Value>) -> Result<PlantDetails, DomainError> {
        let mut body = match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        for (key, value) in patch {
            body.insert(key.clone(), value.clone());
        }
        check_plant(&body)
    }
}

#[cfg(test)]
#[path = "plant_tests.rs"]
mod tests;
