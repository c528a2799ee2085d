//! The catalog: what can be bought, in which region, at what net price per term.
//!
//! Term lengths, minimum quantities and eligibility are catalog data, not code: a product
//! declares its terms (`P12M` for a subscription, `P365D`/`P730D` for a fixed-term license) and
//! its prices per region and term.

use std::{collections::BTreeMap, fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::{
    DomainError, Money, Quantity,
    account::profile::country_code,
    id::{AppId, ProductId},
};

/// A price region: an ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Region(String);

impl Region {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        country_code(raw).map(Self).ok_or_else(|| {
            DomainError::malformed(
                "invalid_region",
                "Region must be a two-letter country code such as DE.",
            )
        })
    }
}

string_newtype!(Region);

/// How long one purchase runs, written as an ISO 8601 duration (`P12M`, `P365D`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Term {
    Months(u16),
    Days(u16),
}

impl FromStr for Term {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            DomainError::invalid(
                "invalid_term",
                format!("`{s}` is not a term like P12M or P365D."),
            )
        };
        let body = s
            .strip_prefix('P')
            .filter(|b| b.is_ascii())
            .ok_or_else(bad)?;
        // ASCII only, so splitting off the last byte splits off the last character.
        let (number, unit) = body.split_at(body.len().saturating_sub(1));
        let n: u16 = number.parse().map_err(|_| bad())?;
        match (unit, n) {
            (_, 0) => Err(bad()),
            ("M", _) => Ok(Term::Months(n)),
            ("D", _) => Ok(Term::Days(n)),
            _ => Err(bad()),
        }
    }
}

impl TryFrom<String> for Term {
    type Error = DomainError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        raw.parse()
    }
}

impl From<Term> for String {
    fn from(t: Term) -> String {
        t.to_string()
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Months(n) => write!(f, "P{n}M"),
            Term::Days(n) => write!(f, "P{n}D"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Billing {
    /// Renews automatically at the end of each term and is charged to the stored payment method.
    Subscription,
    /// Runs for its term and ends; the customer may renew shortly before the end.
    FixedTerm,
}

/// What the net price is counted per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceUnit {
    /// Per license (one person).
    License,
    /// Per kW of a plant's nominal power (monitoring licenses).
    Kw,
}

/// Who may buy a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    #[default]
    Anyone,
    Edu,
    Gov,
}

/// A product's name in every language the shop writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalizedText {
    pub de: String,
    pub en: String,
    pub fr: String,
}

/// A product as the catalog file and the table hold it; build a [`Product`] from it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProductSpec {
    pub id: ProductId,
    pub name: LocalizedText,
    pub app: AppId,
    pub billing: Billing,
    pub unit: PriceUnit,
    pub min_quantity: Quantity,
    #[serde(default)]
    pub eligibility: Eligibility,
    pub prices: BTreeMap<Region, BTreeMap<Term, Money>>,
}

/// A product whose prices and terms fit its billing kind. It can only be built through
/// [`Product::new`], so every product in hand has passed the checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ProductSpec", into = "ProductSpec")]
pub struct Product(ProductSpec);

impl Product {
    pub fn new(spec: ProductSpec) -> Result<Self, DomainError> {
        let bad = |detail: String| {
            DomainError::invalid("invalid_product", format!("{}: {detail}", spec.id))
        };
        if [&spec.name.de, &spec.name.en, &spec.name.fr]
            .iter()
            .any(|n| n.trim().is_empty())
        {
            return Err(bad("every language needs a name".into()));
        }
        if spec.prices.is_empty() {
            return Err(bad("no region has a price".into()));
        }
        for (region, terms) in &spec.prices {
            if terms.is_empty() {
                return Err(bad(format!("{region} has no term")));
            }
            for (term, price) in terms {
                let fits = matches!(
                    (spec.billing, term),
                    (Billing::Subscription, Term::Months(_)) | (Billing::FixedTerm, Term::Days(_))
                );
                if !fits {
                    return Err(bad(format!(
                        "term {term} does not fit {:?} billing",
                        spec.billing
                    )));
                }
                if price.is_negative() {
                    return Err(bad(format!("negative price in {region}")));
                }
            }
        }
        Ok(Self(spec))
    }

    pub fn id(&self) -> &ProductId {
        &self.0.id
    }

    /// What the product costs in one region, or `None` when it is not sold there.
    pub fn offer(&self, region: &Region) -> Option<Offer<'_>> {
        let p = &self.0;
        let prices = p.prices.get(region)?;
        Some(Offer {
            id: &p.id,
            name: &p.name,
            app: &p.app,
            billing: p.billing,
            unit: p.unit,
            min_quantity: p.min_quantity,
            eligibility: p.eligibility,
            prices: prices
                .iter()
                .map(|(term, net)| TermPrice {
                    term: *term,
                    net: *net,
                })
                .collect(),
        })
    }
}

checked_serde!(Product, ProductSpec);

/// A product as shown to a buyer in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer<'a> {
    pub id: &'a ProductId,
    pub name: &'a LocalizedText,
    pub app: &'a AppId,
    pub billing: Billing,
    pub unit: PriceUnit,
    pub min_quantity: Quantity,
    pub eligibility: Eligibility,
    pub prices: Vec<TermPrice>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TermPrice {
    pub term: Term,
    /// Net price in EUR per unit and term.
    pub net: Money,
}

/// The region whose prices a buyer from `country` pays: their own when the catalog sells
/// anything there, otherwise `fallback`.
pub fn price_region(
    products: &[Product],
    country: &str,
    fallback: &Region,
) -> Result<Region, DomainError> {
    let own = Region::parse(country)?;
    Ok(if products.iter().any(|p| p.offer(&own).is_some()) {
        own
    } else {
        fallback.clone()
    })
}

/// The product `id` names in `products`; `None` once it is no longer sold (each caller says
/// what that means for it: a renewal not offered, an import it cannot move).
pub fn product<'a>(products: &'a [Product], id: &ProductId) -> Option<&'a Product> {
    products.iter().find(|p| p.id() == id)
}

/// The catalog for one region, in product-id order. A region in which nothing is sold is
/// unknown to the shop, which the caller hears as `unknown_region`.
pub fn offers_in<'a>(
    products: &'a [Product],
    region: &Region,
) -> Result<Vec<Offer<'a>>, DomainError> {
    let mut offers: Vec<Offer<'a>> = products.iter().filter_map(|p| p.offer(region)).collect();
    if offers.is_empty() {
        return Err(DomainError::not_found(
            "unknown_region",
            format!("Nothing is sold in region {region}."),
        ));
    }
    offers.sort_by(|a, b| a.id.cmp(b.id));
    Ok(offers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> Result<Product, serde_json::Error> {
        serde_json::from_value(json)
    }

    fn alarm() -> serde_json::Value {
        serde_json::json!({
            "id": "alarm-pro",
            "name": {"de": "Alarm Pro", "en": "Alarm Pro", "fr": "Alarme Pro"},
            "app": "alarm",
            "billing": "subscription",
            "unit": "license",
            "min_quantity": 5,
            "prices": {"DE": {"P12M": "120.00"}, "AT": {"P12M": "125.00"}}
        })
    }

    #[test]
    fn buyers_pay_their_own_region_when_anything_is_sold_there() {
        let products = vec![spec(alarm()).unwrap()];
        let fallback = Region::parse("DE").unwrap();
        assert_eq!(
            price_region(&products, "DE", &fallback).unwrap().as_str(),
            "DE"
        );
        let elsewhere = price_region(&products, "SE", &fallback).unwrap();
        assert_eq!(elsewhere, fallback);
        assert!(products[0].offer(&Region::parse("SE").unwrap()).is_none());
    }

    #[test]
    fn a_product_is_found_by_its_id_and_a_retired_one_is_none() {
        let products = vec![spec(alarm()).unwrap()];
        let id = products[0].id().clone();
        assert_eq!(product(&products, &id).map(Product::id), Some(&id));
        let retired = ProductId::parse("fax").unwrap();
        assert!(product(&products, &retired).is_none());
    }

    #[test]
    fn offer_shows_one_region() {
        let p = spec(alarm()).unwrap();
        let offer = p.offer(&Region::parse("de").unwrap()).unwrap();
        assert_eq!(
            offer.prices,
            vec![TermPrice {
                term: Term::Months(12),
                net: Money::from_cents(12000)
            }]
        );
        let json = serde_json::to_value(&offer).unwrap();
        assert_eq!(json["prices"][0]["net"], "120.00");
        assert_eq!(json["prices"][0]["term"], "P12M");
        assert_eq!(json["eligibility"], "anyone");
        assert!(p.offer(&Region::parse("FR").unwrap()).is_none());
    }

    #[test]
    fn terms_must_fit_the_billing_kind() {
        let mut j = alarm();
        j["prices"]["DE"] = serde_json::json!({"P365D": "1.00"});
        assert!(spec(j).unwrap_err().to_string().contains("does not fit"));
        let mut j = alarm();
        j["billing"] = "fixed_term".into();
        assert!(spec(j).is_err());
    }

    #[test]
    fn rejects_empty_names_prices_and_negative_amounts() {
        let mut j = alarm();
        j["name"]["fr"] = " ".into();
        assert!(spec(j).is_err());
        let mut j = alarm();
        j["prices"] = serde_json::json!({});
        assert!(spec(j).is_err());
        let mut j = alarm();
        j["prices"]["DE"]["P12M"] = "-1.00".into();
        assert!(spec(j).is_err());
        let mut j = alarm();
        j["min_quantity"] = 0.into();
        assert!(spec(j).is_err());
    }

    #[test]
    fn product_round_trips_through_json() {
        let p = spec(alarm()).unwrap();
        let again: Product = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(again, p);
    }

    #[test]
    fn terms_parse_and_print() {
        for (raw, t) in [
            ("P12M", Term::Months(12)),
            ("P365D", Term::Days(365)),
            ("P730D", Term::Days(730)),
        ] {
            assert_eq!(raw.parse::<Term>().unwrap(), t);
            assert_eq!(t.to_string(), raw);
        }
        for bad in [
            "", "P", "12M", "P0M", "P12Y", "P-1D", "PxD", "Pé", "P1é", "P١٢M", "P99999D",
        ] {
            assert!(bad.parse::<Term>().is_err(), "{bad}");
        }
    }

    #[test]
    fn regions_are_two_letters() {
        assert_eq!(Region::parse(" at ").unwrap().as_str(), "AT");
        for bad in ["", "D", "DEU", "D1", "ÄT"] {
            assert_eq!(Region::parse(bad).unwrap_err().code(), "invalid_region");
        }
    }

    #[test]
    fn unknown_region_is_not_found_and_offers_are_sorted() {
        let mut other = alarm();
        other["id"] = "aaa-basic".into();
        let products = vec![spec(alarm()).unwrap(), spec(other).unwrap()];
        let de = offers_in(&products, &Region::parse("DE").unwrap()).unwrap();
        assert_eq!(
            de.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
            ["aaa-basic", "alarm-pro"]
        );
        let err = offers_in(&products, &Region::parse("CH").unwrap()).unwrap_err();
        assert_eq!(err.code(), "unknown_region");
    }
}
