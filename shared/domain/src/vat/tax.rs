//! Which VAT an invoice charges: the seller's domestic rate at home, reverse charge for a
//! business in another EU state with a validated VAT ID, otherwise the customer country's rate.
//! The rates are configuration data (`data/vat-rates.json`), not literals in code.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{DomainError, account::profile::Country};

/// Rates in percent by country, and which countries are EU member states.
#[derive(Debug, Clone, Deserialize)]
pub struct VatRates {
    rates: BTreeMap<String, Decimal>,
    eu: BTreeSet<String>,
}

/// How an invoice is taxed, with the rate it applies to every line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TaxTreatment {
    /// The seller's own country.
    Domestic { rate: Decimal },
    /// A business in another EU state with a validated VAT ID: 0 %, the buyer accounts for it.
    ReverseCharge,
    /// Anyone else: the customer country's rate.
    CustomerCountry { rate: Decimal },
}

impl TaxTreatment {
    /// The rate in percent.
    pub fn rate(self) -> Decimal {
        match self {
            TaxTreatment::Domestic { rate } | TaxTreatment::CustomerCountry { rate } => rate,
            TaxTreatment::ReverseCharge => Decimal::ZERO,
        }
    }
}

/// What the tax decision needs to know about the buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Buyer<'a> {
    Consumer {
        country: &'a Country,
    },
    /// A business; `vat_validated` is true only once VIES confirmed its VAT ID.
    Business {
        country: &'a Country,
        vat_validated: bool,
    },
}

impl VatRates {
    /// The table shipped with the shop.
    pub fn bundled() -> Result<Self, DomainError> {
        Self::from_json(include_str!("../../data/vat-rates.json"))
    }

    pub fn from_json(json: &str) -> Result<Self, DomainError> {
        let table: VatRates =
            serde_json::from_str(json).map_err(|e| DomainError::invalid("invalid_vat_rates", e))?;
        if let Some(c) = table.eu.iter().find(|c| !table.rates.contains_key(*c)) {
            return Err(DomainError::invalid(
                "invalid_vat_rates",
                format!("EU state {c} has no rate"),
            ));
        }
        Ok(table)
    }

    pub fn is_eu(&self, country: &Country) -> bool {
        self.eu.contains(country.as_str())
    }

    fn rate(&self, country: &Country) -> Result<Decimal, DomainError> {
        self.rates.get(country.as_str()).copied().ok_or_else(|| {
            DomainError::invalid(
                "unsupported_country",
                format!("The shop cannot invoice customers in {country} yet."),
            )
        })
    }

    /// The treatment for a buyer when the seller sits in `seller`.
    pub fn treatment(
        &self,
        seller: &Country,
        buyer: Buyer<'_>,
    ) -> Result<TaxTreatment, DomainError> {
        let country = match buyer {
            Buyer::Consumer { country } | Buyer::Business { country, .. } => country,
        };
        if country == seller {
            return Ok(TaxTreatment::Domestic {
                rate: self.rate(seller)?,
            });
        }
        if let Buyer::Business {
            vat_validated: true,
            ..
        } = buyer
            && self.is_eu(country)
            && self.is_eu(seller)
        {
            return Ok(TaxTreatment::ReverseCharge);
        }
        Ok(TaxTreatment::CustomerCountry {
            rate: self.rate(country)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str) -> Country {
        Country::parse(code).unwrap()
    }

    fn pct(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn bundled_table_loads() {
        let rates = VatRates::bundled().unwrap();
        assert!(rates.is_eu(&c("AT")));
        assert!(!rates.is_eu(&c("CH")));
    }

    #[test]
    fn decides_each_case() {
        let r = VatRates::bundled().unwrap();
        let de = c("DE");
        let business = |country, vat_validated| Buyer::Business {
            country,
            vat_validated,
        };
        assert_eq!(
            r.treatment(&de, Buyer::Consumer { country: &de }).unwrap(),
            TaxTreatment::Domestic { rate: pct("19") }
        );
        // A German business pays German VAT even with a validated ID.
        assert_eq!(
            r.treatment(&de, business(&de, true)).unwrap().rate(),
            pct("19")
        );
        let at = c("AT");
        assert_eq!(
            r.treatment(&de, business(&at, true)).unwrap(),
            TaxTreatment::ReverseCharge
        );
        assert_eq!(
            r.treatment(&de, business(&at, false)).unwrap(),
            TaxTreatment::CustomerCountry { rate: pct("20") }
        );
        assert_eq!(
            r.treatment(&de, Buyer::Consumer { country: &c("FR") })
                .unwrap()
                .rate(),
            pct("20")
        );
        // Outside the EU there is no reverse charge under this rule set.
        assert_eq!(
            r.treatment(&de, business(&c("CH"), true)).unwrap().rate(),
            pct("8.1")
        );
        assert_eq!(
            r.treatment(&de, Buyer::Consumer { country: &c("US") })
                .unwrap_err()
                .code(),
            "unsupported_country"
        );
    }

    #[test]
    fn a_table_missing_an_eu_rate_is_refused() {
        let err =
            VatRates::from_json(r#"{"rates": {"DE": "19"}, "eu": ["DE", "AT"]}"#).unwrap_err();
        assert_eq!(err.code(), "invalid_vat_rates");
    }
}
