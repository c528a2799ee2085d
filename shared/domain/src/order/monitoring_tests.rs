use super::*;
use crate::solar::fields::Field;
use crate::{
    Quantity,
    catalog::{Billing, Term},
    id::{AppId, ProductId},
    solar::Watts,
    subscription::{MonitoredPlant, Period},
};
use jiff::civil::date;

fn plant() -> PlantId {
    PlantId::parse("p1").unwrap()
}

fn ended(id: &str, net: &str, ended_on: Option<jiff::civil::Date>) -> PlantLicense {
    PlantLicense {
        id: SubscriptionId::parse(id).unwrap(),
        period: Period::starting(date(2027, 1, 1), Term::Days(365)),
        power: Watts(10_000),
        net: Money::parse(net).unwrap(),
        ended_on,
    }
}

fn line(net: &str) -> PlannedLine {
    let net = Money::parse(net).unwrap();
    PlannedLine {
        product_id: ProductId::parse("solar-monitoring").unwrap(),
        product_name: crate::testing::name("M"),
        app: AppId::parse("monitoring").unwrap(),
        billing: Billing::FixedTerm,
        term: Term::Days(365),
        holder: crate::Email::parse("o@example.de").unwrap(),
        invoice: InvoiceLine::new(
            "x".into(),
            Quantity::new(1).unwrap(),
            net,
            net.amount(),
            Decimal::from(19),
        ),
        plant: Some(MonitoredPlant {
            plant: plant(),
            power: Watts(12_000),
            credits: Vec::new(),
        }),
    }
}

#[test]
fn only_ended_unclaimed_licenses_with_a_value_are_due() {
    let licenses = [
        ended("s1", "30.00", Some(date(2027, 4, 11))),
        ended("s2", "30.00", None),
        ended("s3", "30.00", Some(date(2027, 2, 1))),
        // Ended after its term: nothing left.
        ended("s4", "30.00", Some(date(2028, 1, 1))),
    ];
    let claimed = BTreeSet::from([SubscriptionId::parse("s3").unwrap()]);
    let due = credits_due(&licenses, &claimed);
    assert_eq!(due.len(), 1);
    // Day 101 of 365: 265 days left, 30 × 265/365 = 21.78.
    assert_eq!(due[0].license.as_str(), "s1");
    assert_eq!(due[0].residual.value.to_string(), "21.78");
    assert_eq!(due[0].residual.remaining_days, 265);
}

#[test]
fn the_credit_is_a_taxed_negative_line_on_the_plants_new_license() {
    let due = credits_due(
        &[ended("s1", "30.00", Some(date(2027, 4, 11)))],
        &BTreeSet::new(),
    );
    let order = OrderId::parse("o9").unwrap();
    let mut planned = vec![line("36.00")];
    let credits = credit_plants(
        &order,
        &mut planned,
        &BTreeMap::from([(plant(), due)]),
        Decimal::from(19),
    )
    .unwrap();
    assert_eq!(credits.len(), 1);
    let c = &credits[0];
    assert_eq!(c.license.as_str(), "o9-1");
    assert_eq!(c.ended.as_str(), "s1");
    assert_eq!(c.invoice.net.to_string(), "-21.78");
    // 21.78 × 19 % = 4.1382 → 4.14.
    assert_eq!(c.invoice.tax.to_string(), "-4.14");
    assert_eq!(c.invoice.gross.to_string(), "-25.92");
    let cover = planned[0].plant.as_ref().unwrap();
    assert_eq!(cover.credits, vec![SubscriptionId::parse("s1").unwrap()]);
}

#[test]
fn a_credit_as_large_as_the_new_price_waits_for_a_later_purchase() {
    let due = credits_due(
        &[
            ended("s1", "20.00", Some(date(2026, 12, 1))),
            ended("s2", "30.00", Some(date(2026, 12, 1))),
            ended("s3", "5.00", Some(date(2026, 12, 1))),
        ],
        &BTreeSet::new(),
    );
    let mut planned = vec![line("30.00")];
    let credits = credit_plants(
        &OrderId::parse("o9").unwrap(),
        &mut planned,
        &BTreeMap::from([(plant(), due)]),
        Decimal::from(19),
    )
    .unwrap();
    let taken: Vec<&str> = credits.iter().map(|c| c.ended.as_str()).collect();
    assert_eq!(
        taken,
        ["s1", "s3"],
        "20 + 5 leave 5.00 to pay; 30 more would not"
    );
    let cover = planned[0].plant.as_ref().unwrap();
    assert_eq!(cover.credits.len(), 2);
}

#[test]
fn a_renewal_is_priced_at_the_plants_power_on_the_renewal_day() {
    let mut sub = crate::subscription::sample_fixed_year(1, "24.00", date(2027, 1, 1));
    sub.product_id = ProductId::parse("solar-monitoring").unwrap();
    sub.payment = Some(crate::subscription::card_on_file());
    sub.plant = Some(MonitoredPlant {
        plant: plant(),
        power: Watts(10_000),
        credits: Vec::new(),
    });
    let product: Product = serde_json::from_value(serde_json::json!({
        "id": "solar-monitoring", "name": {"de": "M", "en": "M", "fr": "M"}, "app": "monitoring",
        "billing": "fixed_term", "unit": "kw", "min_quantity": 1,
        "prices": {"DE": {"P365D": "2.40", "P730D": "4.30"}}
    }))
    .unwrap();
    let grown = crate::solar::PlantToLicense {
        id: plant(),
        name: crate::solar::PlantName::parse("Roof").unwrap(),
        power: Watts(12_345),
    };
    let renewal = Renewal {
        quantity: Quantity::new(1).unwrap(),
        period: Period::starting(date(2028, 1, 1), Term::Days(365)),
        term_index: 1,
    };
    let tax = crate::vat::TaxTreatment::Domestic {
        rate: Decimal::from(19),
    };
    // Renewing the license for the plant as read on 1 December.
    let renew = |plant: &crate::solar::PlantToLicense| {
        plant_renewal(
            &sub,
            OrderId::parse("r1").unwrap(),
            renewal,
            tax,
            &product,
            plant,
            "2027-12-01T08:00:00Z".parse().unwrap(),
        )
    };
    let order = renew(&grown).unwrap().numbered("ORD-2027-000009");
    // 2.40 × 12.345 = 29.628 → 29.63 (not 24.00, the price of the 10 kW it was bought for).
    let line = &order.lines[0];
    assert_eq!(
        (line.invoice.net.to_string(), line.invoice.gross.to_string()),
        ("29.63".into(), "35.26".into())
    );
    assert_eq!(line.plant.as_ref().map(|p| p.power), Some(Watts(12_345)));
    let paid = order.paid_licenses(
        std::slice::from_ref(&sub),
        crate::order::confirm::Confirmation {
            day: date(2027, 12, 2),
            invoice: "INV-2027-000009",
            reminder_days: 40,
        },
    );
    assert_eq!(paid[0].plant.as_ref().map(|p| p.power), Some(Watts(12_345)));
    assert_eq!(paid[0].unit_net.to_string(), "29.63");
    assert_eq!(paid[0].next_period, Some(renewal.period));
    // A plant without inverters has nothing to renew.
    let empty = crate::solar::PlantToLicense {
        power: Watts(0),
        ..grown
    };
    let refused = renew(&empty).unwrap_err();
    assert_eq!(refused.code(), "plant_without_power");
    // The same refusal as at checkout, word for word.
    let at_checkout = empty.exact_price(Money::parse("1").unwrap()).unwrap_err();
    assert_eq!(refused.to_string(), at_checkout.to_string());
    assert!(refused.to_string().ends_with("no power to license yet."));
}
