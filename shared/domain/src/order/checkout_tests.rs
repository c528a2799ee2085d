use jiff::Timestamp;
use rust_decimal::Decimal;

use super::*;
use crate::solar::fields::Field;
use crate::{
    account::profile::Country,
    catalog::Product,
    order::{CancellationPolicy, Order, OrderStatus},
    solar::PlantToLicense,
};

fn catalog() -> Vec<Product> {
    serde_json::from_value(serde_json::json!([
        {"id": "alarm-team", "name": {"de": "Alarm Team", "en": "Alarm Team", "fr": "Alarme"},
         "app": "alerting", "billing": "subscription", "unit": "license", "min_quantity": 5,
         "prices": {"DE": {"P12M": "48.00"}}},
        {"id": "alarm-solo", "name": {"de": "Solo", "en": "Solo", "fr": "Solo"},
         "app": "alerting", "billing": "subscription", "unit": "license", "min_quantity": 1,
         "prices": {"DE": {"P12M": "59.90"}}},
        {"id": "cad-edu", "name": {"de": "CAD", "en": "CAD", "fr": "CAD"},
         "app": "cad", "billing": "subscription", "unit": "license", "min_quantity": 5,
         "eligibility": "edu", "prices": {"DE": {"P12M": "19.00"}}},
        {"id": "solar", "name": {"de": "Solar", "en": "Solar", "fr": "Solar"},
         "app": "monitoring", "billing": "fixed_term", "unit": "kw", "min_quantity": 1,
         "prices": {"DE": {"P365D": "2.40"}}},
        {"id": "report", "name": {"de": "Bericht", "en": "Report", "fr": "Rapport"},
         "app": "reports", "billing": "fixed_term", "unit": "license", "min_quantity": 1,
         "prices": {"DE": {"P365D": "10.00", "P730D": "18.00"}}}
    ]))
    .unwrap()
}

fn form(lines: serde_json::Value) -> CheckoutForm {
    serde_json::from_value(serde_json::json!({
        "lines": lines,
        "payment": {"method": "card", "token": "pm_card_visa"},
        "accept_terms": true
    }))
    .unwrap()
}

fn plan_for(
    lines: serde_json::Value,
    eligibility: &[Eligibility],
) -> Result<Vec<PlannedLine>, DomainError> {
    plan_in("DE", lines, eligibility)
}

/// Plans `lines` for a consumer living in `country`, with two plants of 12.5 and 7.25 kW.
fn plan_in(
    country: &str,
    lines: serde_json::Value,
    eligibility: &[Eligibility],
) -> Result<Vec<PlannedLine>, DomainError> {
    let checkout = form(lines).check()?;
    let email = Email::parse("buyer@example.com").unwrap();
    let country = Country::parse(country).unwrap();
    let plants = [("p1", 12_500), ("p2", 7_250)].map(|(id, w)| PlantToLicense {
        id: PlantId::parse(id).unwrap(),
        name: crate::solar::PlantName::parse(&format!("Roof {id}")).unwrap(),
        power: crate::solar::Watts(w),
    });
    plan(
        &checkout.lines,
        &catalog(),
        BuyerProfile {
            email: &email,
            country: &country,
            eligibility,
            buyer: Buyer::Consumer { country: &country },
        },
        &Region::parse("DE").unwrap(),
        TaxTreatment::Domestic {
            rate: Decimal::from(19),
        },
        &plants,
    )
}

#[test]
fn a_line_of_plants_is_one_license_per_plant_priced_by_power() {
    let lines = plan_for(
        serde_json::json!([{"product_id": "solar", "plants": ["p1", "p2"]}]),
        &[],
    )
    .unwrap();
    let nets: Vec<String> = lines.iter().map(|l| l.invoice.net.to_string()).collect();
    // 2.40 × 12.5 = 30.00; 2.40 × 7.25 = 17.40.
    assert_eq!(nets, ["30.00", "17.40"]);
    assert!(lines.iter().all(|l| l.invoice.quantity.get() == 1));
    assert_eq!(
        lines[1]
            .plant
            .as_ref()
            .map(|p| (p.plant.as_str(), p.power.0)),
        Some(("p2", 7_250))
    );
}

#[test]
fn plant_lines_are_refused_with_their_codes() {
    let solar =
        |plants: serde_json::Value| serde_json::json!([{"product_id": "solar", "plants": plants}]);
    assert_eq!(
        code(plan_for(solar(serde_json::json!(["p9"])), &[])),
        "plant_not_found"
    );
    assert_eq!(
        code(plan_for(solar(serde_json::json!([])), &[])),
        "invalid_plants"
    );
    assert_eq!(
        code(plan_for(solar(serde_json::json!(["p1", "p1"])), &[])),
        "duplicate_plant"
    );
    assert_eq!(
        code(plan_for(solar(serde_json::json!(["bad id"])), &[])),
        "invalid_plant_id"
    );
    assert_eq!(
        code(plan_in("AT", solar(serde_json::json!(["p1"])), &[])),
        "monitoring_consumers_germany_only"
    );
    assert_eq!(
        code(plan_for(
            serde_json::json!([{"product_id": "solar", "plants": ["p1"], "quantity": 1}]),
            &[]
        )),
        "plants_with_quantity"
    );
    assert_eq!(
        code(plan_for(
            serde_json::json!([
                {"product_id": "solar", "plants": ["p1"]},
                {"product_id": "solar", "plants": ["p2", "p1"]}
            ]),
            &[]
        )),
        "duplicate_plant"
    );
    assert_eq!(
        code(plan_for(
            serde_json::json!([{"product_id": "report", "plants": ["p1"]}]),
            &[]
        )),
        "unknown_product"
    );
    assert_eq!(
        code(plan_for(serde_json::json!([{"product_id": "report"}]), &[])),
        "quantity_required"
    );
}

fn code(r: Result<Vec<PlannedLine>, DomainError>) -> &'static str {
    r.unwrap_err().code()
}

#[test]
fn prices_five_licenses_with_domestic_vat() {
    let lines = plan_for(
        serde_json::json!([{"product_id": "alarm-team", "quantity": 5}]),
        &[],
    )
    .unwrap();
    assert_eq!(lines.len(), 1);
    let l = &lines[0];
    assert_eq!(l.holder.as_str(), "buyer@example.com");
    assert_eq!(l.term, Term::Months(12));
    assert_eq!(l.invoice.gross.to_string(), "285.60");
}

#[test]
fn a_planned_checkout_becomes_an_order_of_new_licenses_numbered_with_it() {
    use crate::{
        id::{AccountId, OrderId},
        order::{
            OrderLine, OrderPayment,
            new::{LineLicense, PendingLicense, Purchase},
        },
        subscription::SubscriptionStatus,
    };
    let lines = plan_for(
        serde_json::json!([
            {"product_id": "alarm-team", "quantity": 5},
            {"product_id": "alarm-solo", "quantity": 1, "holder_email": "b@example.com"}
        ]),
        &[],
    )
    .unwrap();
    let id = OrderId::parse("o-7").unwrap();
    let account = AccountId::parse("a1").unwrap();
    let region = Region::parse("DE").unwrap();
    let licenses: Vec<LineLicense> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            PendingLicense::new(&id, i, account.clone(), l, region.clone()).map(LineLicense::New)
        })
        .collect::<Result<_, _>>()
        .unwrap();
    let order_lines: Vec<OrderLine> = lines
        .iter()
        .zip(&licenses)
        .map(|(p, l)| OrderLine::purchase(p, l))
        .collect();
    let new = Order::pending(
        Purchase {
            id: id.clone(),
            account_id: account,
            region,
            tax: TaxTreatment::Domestic {
                rate: Decimal::from(19),
            },
            billing: None,
            lines: order_lines,
            payment: OrderPayment::at_checkout(
                PaymentMethod::Card,
                "cus_1".into(),
                "pm_card_visa".into(),
            ),
        },
        "2026-11-22T10:00:00Z".parse().unwrap(),
    );
    let gross: crate::Money = lines.iter().map(|l| l.invoice.gross).sum();
    assert_eq!(new.totals().gross, gross);
    assert_eq!(new.lines()[1].subscription_id.as_str(), "o-7-2");
    assert!(new.lines().iter().all(|l| !l.converts_trial));
    let order = new.numbered("ORD-2026-000042");
    assert_eq!(order.status, OrderStatus::PendingPayment);
    let LineLicense::New(second) = &licenses[1] else {
        panic!("a new license");
    };
    let sub = second.numbered(&order.number);
    assert_eq!(sub.number, "ORD-2026-000042-2");
    assert_eq!(sub.status, SubscriptionStatus::PendingPayment);
    assert_eq!(sub.holder.as_str(), "b@example.com");
    assert_eq!(sub.orders, vec![id]);
}

#[test]
fn minimum_quantity_comes_from_the_product() {
    assert_eq!(
        code(plan_for(
            serde_json::json!([{"product_id": "alarm-team", "quantity": 4}]),
            &[]
        )),
        "below_minimum_quantity"
    );
    assert!(
        plan_for(
            serde_json::json!([{"product_id": "alarm-solo", "quantity": 1}]),
            &[]
        )
        .is_ok()
    );
    for q in [0, -1, 100_001, 5_000_000_000i64] {
        assert_eq!(
            code(plan_for(
                serde_json::json!([{"product_id": "alarm-solo", "quantity": q}]),
                &[]
            )),
            "invalid_quantity"
        );
    }
}

#[test]
fn restricted_products_need_eligibility() {
    let line = serde_json::json!([{"product_id": "cad-edu", "quantity": 5}]);
    assert_eq!(code(plan_for(line.clone(), &[])), "not_eligible");
    assert_eq!(
        code(plan_for(line.clone(), &[Eligibility::Gov])),
        "not_eligible"
    );
    assert!(plan_for(line, &[Eligibility::Edu]).is_ok());
}

#[test]
fn one_license_per_holder_and_product_within_an_order() {
    let lines = serde_json::json!([
        {"product_id": "alarm-solo", "quantity": 1, "holder_email": "a@example.com"},
        {"product_id": "alarm-solo", "quantity": 1, "holder_email": "A@Example.com "}
    ]);
    assert_eq!(code(plan_for(lines, &[])), "duplicate_license");
    let lines = serde_json::json!([
        {"product_id": "alarm-solo", "quantity": 1, "holder_email": "a@example.com"},
        {"product_id": "alarm-solo", "quantity": 1, "holder_email": "b@example.com"}
    ]);
    assert_eq!(plan_for(lines, &[]).unwrap().len(), 2);
}

#[test]
fn unknown_products_terms_and_plant_licenses_are_refused() {
    assert_eq!(
        code(plan_for(
            serde_json::json!([{"product_id": "nope", "quantity": 5}]),
            &[]
        )),
        "unknown_product"
    );
    assert_eq!(
        code(plan_for(
            serde_json::json!([{"product_id": "solar", "quantity": 5}]),
            &[]
        )),
        "plant_required"
    );
    assert_eq!(
        code(plan_for(
            serde_json::json!([{"product_id": "report", "quantity": 1}]),
            &[]
        )),
        "term_required"
    );
    assert_eq!(
        code(plan_for(
            serde_json::json!([{"product_id": "report", "quantity": 1, "term": "P90D"}]),
            &[]
        )),
        "unknown_term"
    );
    let two_years = plan_for(
        serde_json::json!([{"product_id": "report", "quantity": 1, "term": "P730D"}]),
        &[],
    )
    .unwrap();
    assert_eq!(two_years[0].invoice.net.to_string(), "18.00");
}

#[test]
fn the_form_is_checked() {
    let mut f = form(serde_json::json!([{"product_id": "alarm-solo", "quantity": 1}]));
    f.accept_terms = false;
    assert_eq!(f.check().unwrap_err().code(), "contract_terms_not_accepted");
    assert_eq!(
        form(serde_json::json!([])).check().unwrap_err().code(),
        "invalid_lines"
    );
    let mut f = form(serde_json::json!([{"product_id": "alarm-solo", "quantity": 1}]));
    f.payment.token = " ".into();
    assert_eq!(f.check().unwrap_err().code(), "invalid_payment_token");
    let f =
        form(serde_json::json!([{"product_id": "alarm-solo", "quantity": 1, "holder_email": "x"}]));
    assert_eq!(f.check().unwrap_err().code(), "invalid_email");
    let unknown: Result<CheckoutForm, _> = serde_json::from_value(serde_json::json!({
        "lines": [], "payment": {"method": "cash", "token": "x"}, "accept_terms": true
    }));
    assert!(unknown.is_err());
}

#[test]
fn billing_fields_for_vies_are_latin() {
    let mut f = form(serde_json::json!([{"product_id": "alarm-solo", "quantity": 1}]));
    f.billing = Some(BillingForm {
        company: "Müller GmbH".into(),
        vat_id: "ATU13585627".into(),
        street: "Ring 1".into(),
        postal_code: "1010".into(),
        city: "Wien".into(),
    });
    let checkout = f.check().unwrap();
    let err = checkout.billing.unwrap().check_for_vies().unwrap_err();
    let DomainError::Invalid { fields, .. } = err else {
        panic!()
    };
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].field, "billing.company");
}

fn confirmed_order(confirmed_at: &str) -> Order {
    let at = confirmed_at.parse().unwrap();
    Order {
        confirmed_at: Some(at),
        ..crate::order::model::sample(OrderStatus::Confirmed, at)
    }
}

#[test]
fn cancellation_window_counts_berlin_days() {
    let policy = CancellationPolicy { days: 21 };
    // Confirmed 2026-11-01 at 23:30 UTC = 2 November in Berlin: day 21 is 23 November.
    let order = confirmed_order("2026-11-01T23:30:00Z");
    let at = |s: &str| s.parse::<Timestamp>().unwrap();
    assert!(
        order
            .check_cancellable(at("2026-11-23T22:59:59Z"), false, policy)
            .is_ok()
    );
    assert_eq!(
        order
            .check_cancellable(at("2026-11-23T23:00:00Z"), false, policy)
            .unwrap_err()
            .code(),
        "cancellation_period_over"
    );
    assert_eq!(
        order
            .check_cancellable(at("2026-11-10T10:00:00Z"), true, policy)
            .unwrap_err()
            .code(),
        "licenses_activated"
    );
    let mut open = order.clone();
    open.confirmed_at = None;
    assert_eq!(
        open.check_cancellable(at("2026-11-10T10:00:00Z"), false, policy)
            .unwrap_err()
            .code(),
        "order_not_confirmed"
    );
    let mut done = order.clone();
    done.status = OrderStatus::Cancelled;
    assert_eq!(
        done.check_cancellable(at("2026-11-10T10:00:00Z"), false, policy)
            .unwrap_err()
            .code(),
        "order_already_cancelled"
    );
    // A renewal (or upgrade) is never undone by cancelling the whole license.
    let renewal = crate::order::new::tests_support::renewal_line();
    let mut change = order;
    change.lines = vec![renewal];
    assert_eq!(
        change
            .check_cancellable(at("2026-11-10T10:00:00Z"), false, policy)
            .unwrap_err()
            .code(),
        "change_not_cancellable"
    );
}
