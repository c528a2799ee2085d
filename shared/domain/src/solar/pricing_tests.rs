use rust_decimal::Decimal;

use super::*;
use crate::account::profile::Country;
use crate::solar::fields::Field;

fn catalog() -> Vec<Product> {
    serde_json::from_value(serde_json::json!([
        {"id": "solar-monitoring", "name": {"de": "Solar-Monitoring", "en": "Solar Monitoring", "fr": "Monitoring solaire"},
         "app": "monitoring", "billing": "fixed_term", "unit": "kw", "min_quantity": 1,
         "prices": {"DE": {"P365D": "2.40", "P730D": "4.30"}, "CH": {"P365D": "2.60"}}},
        {"id": "report", "name": {"de": "Bericht", "en": "Report", "fr": "Rapport"},
         "app": "reports", "billing": "fixed_term", "unit": "license", "min_quantity": 1,
         "prices": {"DE": {"P365D": "10.00"}}}
    ]))
    .unwrap()
}

fn plant(id: &str, watts: u64) -> PlantToLicense {
    PlantToLicense {
        id: PlantId::parse(id).unwrap(),
        name: PlantName::parse(&format!("Plant {id}")).unwrap(),
        power: Watts(watts),
    }
}

struct Case {
    products: Vec<Product>,
    region: Region,
    country: Country,
    holder: Email,
}

impl Case {
    fn new(region: &str, country: &str) -> Self {
        Case {
            products: catalog(),
            region: Region::parse(region).unwrap(),
            country: Country::parse(country).unwrap(),
            holder: Email::parse("owner@example.com").unwrap(),
        }
    }

    fn order(&self, term: Option<&str>, business: bool) -> LicenseOrder<'_> {
        LicenseOrder {
            product: &self.products[0],
            region: &self.region,
            term: term.map(|t| t.parse().unwrap()),
            buyer: if business {
                Buyer::Business {
                    country: &self.country,
                    vat_validated: true,
                }
            } else {
                Buyer::Consumer {
                    country: &self.country,
                }
            },
            holder: &self.holder,
            tax: TaxTreatment::Domestic {
                rate: Decimal::from(19),
            },
        }
    }
}

fn nets(lines: &[PlantLine]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.planned.invoice.net.to_string())
        .collect()
}

#[test]
fn each_plant_is_one_line_priced_by_its_power_for_both_terms() {
    let case = Case::new("DE", "DE");
    let plants = [
        plant("roof", 12_500),
        plant("barn", 9_870),
        plant("shed", 333),
    ];
    // 365 days at 2.40/kW: 12.5 → 30.00; 9.87 → 23.688 → 23.69; 0.333 → 0.7992 → 0.80.
    let year = price_licenses(case.order(Some("P365D"), false), &plants).unwrap();
    assert_eq!(nets(&year), ["30.00", "23.69", "0.80"]);
    // 730 days at 4.30/kW: 53.75; 42.441 → 42.44; 1.4319 → 1.43.
    let two = price_licenses(case.order(Some("P730D"), false), &plants).unwrap();
    assert_eq!(nets(&two), ["53.75", "42.44", "1.43"]);
    let l = &year[1];
    assert_eq!(l.plant.as_str(), "barn");
    assert_eq!(l.power, Watts(9_870));
    assert_eq!(l.per_kw.to_string(), "2.40");
    assert_eq!(l.planned.term, Term::Days(365));
    assert_eq!(l.planned.holder.as_str(), "owner@example.com");
    assert_eq!(l.planned.invoice.quantity.get(), 1);
    assert_eq!(l.planned.invoice.unit_net, l.planned.invoice.net);
    // 23.69 × 19 % = 4.5011 → 4.50.
    assert_eq!(l.planned.invoice.gross.to_string(), "28.19");
    assert!(
        l.planned.invoice.description.contains("9.87 kW"),
        "{}",
        l.planned.invoice.description
    );
}

#[test]
fn half_cents_round_away_from_zero_per_line() {
    let case = Case::new("DE", "DE");
    // 4.30 × 0.05 kW = 0.215 → 0.22; 4.30 × 0.15 kW = 0.645 → 0.65; 4.30 × 1.003 kW =
    // 4.3129 → 4.31; 4.30 × 0.001 kW = 0.0043 → 0.00 (a line can be free; it still shows).
    let lines = price_licenses(
        case.order(Some("P730D"), false),
        &[
            plant("a", 50),
            plant("b", 150),
            plant("c", 1_003),
            plant("d", 1),
        ],
    )
    .unwrap();
    assert_eq!(nets(&lines), ["0.22", "0.65", "4.31", "0.00"]);
    // 2.60 × 0.025 kW = 0.065 → 0.07 (CH, a business).
    let ch = Case::new("CH", "CH");
    let lines = price_licenses(ch.order(None, true), &[plant("a", 25)]).unwrap();
    assert_eq!(nets(&lines), ["0.07"]);
}

proptest::proptest! {
    /// Each line against a reference in integers: cents per kW × W is in 1/100,000 EUR.
    #[test]
    fn every_line_is_its_own_power_times_the_price_rounded(
        watts in proptest::collection::vec(1u64..5_000_000, 1..MAX_LINES),
        two_years in proptest::bool::ANY,
    ) {
        let case = Case::new("DE", "DE");
        let plants: Vec<PlantToLicense> =
            watts.iter().enumerate().map(|(i, w)| plant(&format!("p{i}"), *w)).collect();
        let term = if two_years { "P730D" } else { "P365D" };
        let per_kw_cents: u64 = if two_years { 430 } else { 240 };
        let lines = price_licenses(case.order(Some(term), false), &plants).unwrap();
        proptest::prop_assert_eq!(lines.len(), plants.len());
        for (line, w) in lines.iter().zip(&watts) {
            let cents = (per_kw_cents * w + 500) / 1000;
            proptest::prop_assert_eq!(
                line.planned.invoice.net,
                Money::from_cents(i64::try_from(cents).unwrap())
            );
            proptest::prop_assert_eq!(line.power, Watts(*w));
        }
    }
}

#[test]
fn consumers_only_in_germany_businesses_anywhere() {
    let ch = Case::new("CH", "CH");
    let refused = price_licenses(ch.order(None, false), &[plant("roof", 5_000)]).unwrap_err();
    assert_eq!(refused.code(), "monitoring_consumers_germany_only");
    assert!(matches!(refused, DomainError::Forbidden { .. }));
    // 2.60 × 5 = 13.00.
    let business = price_licenses(ch.order(None, true), &[plant("roof", 5_000)]).unwrap();
    assert_eq!(nets(&business), ["13.00"]);
    let unvalidated = Buyer::Business {
        country: &ch.country,
        vat_validated: false,
    };
    assert!(check_monitoring_buyer(unvalidated).is_ok());
    let de = Country::parse("DE").unwrap();
    assert!(check_monitoring_buyer(Buyer::Consumer { country: &de }).is_ok());
}

#[test]
fn refusals_name_their_rule() {
    let case = Case::new("DE", "DE");
    let code = |order: LicenseOrder<'_>, plants: &[PlantToLicense]| {
        price_licenses(order, plants).unwrap_err().code()
    };
    let one = [plant("roof", 5_000)];
    assert_eq!(code(case.order(None, false), &one), "term_required");
    assert_eq!(code(case.order(Some("P30D"), false), &one), "unknown_term");
    assert_eq!(
        code(case.order(Some("P365D"), false), &[]),
        "invalid_plants"
    );
    let many: Vec<PlantToLicense> = (0..=MAX_LINES)
        .map(|i| plant(&format!("p{i}"), 1))
        .collect();
    assert_eq!(
        code(case.order(Some("P365D"), false), &many),
        "invalid_plants"
    );
    assert!(price_licenses(case.order(Some("P365D"), false), &many[..MAX_LINES]).is_ok());
    assert_eq!(
        code(
            case.order(Some("P365D"), false),
            &[plant("roof", 1), plant("barn", 2), plant("roof", 3)]
        ),
        "duplicate_plant"
    );
    assert_eq!(
        code(case.order(Some("P365D"), false), &[plant("roof", 0)]),
        "plant_without_power"
    );
    let mut other = case.order(Some("P365D"), false);
    other.product = &case.products[1];
    assert_eq!(code(other, &one), "unknown_product");
    let fr = Case::new("FR", "DE");
    assert_eq!(
        code(fr.order(Some("P365D"), false), &one),
        "unknown_product"
    );
}

#[test]
fn plant_ids_are_safe_in_keys() {
    assert!(PlantId::parse("plant_01-a").is_ok());
    for bad in ["", "a b", "a/b", &"x".repeat(65)] {
        assert_eq!(PlantId::parse(bad).unwrap_err().code(), "invalid_plant_id");
    }
}

/// The rule reads the account: a company makes a business (allowed anywhere), whatever an
/// order says about a VAT id; no company abroad is a consumer outside Germany.
#[test]
fn the_monitoring_buyer_is_decided_by_the_accounts_company() {
    use crate::account::{lifecycle::Invitee, model::Account, profile::DisplayName};
    let account = |company: Option<&str>, country: &str| {
        let invitee = Invitee {
            email: Email::parse("owner@example.at").unwrap(),
            name: DisplayName::parse("Owner").unwrap(),
            company: company.map(|c| DisplayName::parse(c).unwrap()),
            country: Country::parse(country).unwrap(),
            language: crate::Language::De,
        };
        let id = crate::id::AccountId::parse("a1").unwrap();
        Account::invited(id, invitee, "2026-11-22T10:00:00Z".parse().unwrap())
    };
    let firm = account(Some("Sonnenhof GmbH"), "AT");
    assert!(check_monitoring_buyer(monitoring_buyer(&firm)).is_ok());
    let person = account(None, "AT");
    let refused = check_monitoring_buyer(monitoring_buyer(&person)).unwrap_err();
    assert_eq!(refused.code(), "monitoring_consumers_germany_only");
    assert!(check_monitoring_buyer(monitoring_buyer(&account(None, "DE"))).is_ok());
}
