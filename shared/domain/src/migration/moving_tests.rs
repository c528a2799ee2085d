use jiff::civil::date;
use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::{Money, vat::TaxTreatment};

struct Ids;

impl MoveIds for Ids {
    fn license(&self, old: &OldNumber) -> Result<SubscriptionId, DomainError> {
        SubscriptionId::parse(&format!("m-{}", old.as_str().replace('/', "-")))
    }
    fn order(&self, old: &OldNumber) -> Result<OrderId, DomainError> {
        OrderId::parse(&format!("i-{}", old.as_str().replace('/', "-")))
    }
    fn seat(&self, license: &SubscriptionId) -> String {
        format!("seat-{license}")
    }
}

fn catalog() -> Vec<Product> {
    serde_json::from_value(json!([
        {"id": "alarm-team", "name": {"de": "Alarm Team", "en": "Alerting Team", "fr": "Alerte"},
         "app": "alerting", "billing": "subscription", "unit": "license", "min_quantity": 5,
         "prices": {"DE": {"P12M": "48.00", "P1M": "5.00"}}},
        {"id": "report-day", "name": {"de": "Bericht", "en": "Report", "fr": "Rapport"},
         "app": "reports", "billing": "fixed_term", "unit": "license", "min_quantity": 1,
         "prices": {"DE": {"P365D": "30.00"}}}
    ]))
    .unwrap()
}

fn license(number: &str, kind: &str, auto_renew: bool, status: &str) -> serde_json::Value {
    json!({"number": number, "product": "alarm-team", "quantity": 3,
           "term_start": "2026-03-01", "term_end": "2027-02-28",
           "auto_renew": auto_renew, "status": status, "kind": kind})
}

fn account(licenses: Vec<serde_json::Value>, payment: bool) -> OldAccount {
    let has_s1 = licenses.iter().any(|l| l["number"] == "S-1");
    let mut record = json!({
        "old_id": "K-1001", "email": "anna@example.de", "name": "Anna Berg",
        "country": "DE", "language": "de", "licenses": licenses,
        "orders": [{"number": "A-2026/0007", "license": "S-1", "date": "2026-03-01",
                    "lines": [{"product": "alarm-team", "quantity": 3, "net": "144.00"}],
                    "net": "144.00", "tax": "27.36", "gross": "171.36"}]
    });
    if !has_s1 {
        record["orders"] = json!([]);
    }
    if payment {
        record["payment"] =
            json!({"method": "card", "customer": "cus_1", "payment_method": "pm_1"});
    }
    OldAccount::parse(&record).unwrap()
}

/// The move of `old` into account `acc-1` on 2026-12-15, German prices, taxed `tax`.
fn move_taxed(old: &OldAccount, tax: TaxTreatment) -> Result<Move, DomainError> {
    let account_id = AccountId::parse("acc-1").unwrap();
    let catalog = catalog();
    let region = Region::parse("DE").unwrap();
    let ctx = MoveContext {
        account_id: &account_id,
        catalog: &catalog,
        region: &region,
        tax,
        today: date(2026, 12, 15),
        now: "2026-12-15T05:00:00Z".parse().unwrap(),
    };
    plan_move(old, &ctx, &Ids)
}

fn moved(old: &OldAccount) -> Move {
    let tax = TaxTreatment::Domestic {
        rate: "19".parse().unwrap(),
    };
    move_taxed(old, tax).unwrap()
}

#[test]
fn which_licenses_move_a_table_of_cases() {
    let cases = [
        (("subscription", true, "active"), Ok(())),
        (
            ("subscription", false, "active"),
            Err(SkipReason::NotRenewing),
        ),
        (("annual", false, "active"), Err(SkipReason::NotRenewing)),
        (("one_time", false, "active"), Err(SkipReason::OneTime)),
        (("subscription", true, "expired"), Err(SkipReason::Expired)),
        (
            ("subscription", true, "cancelled"),
            Err(SkipReason::Cancelled),
        ),
        (("annual", false, "expired"), Err(SkipReason::Expired)),
        (("one_time", false, "cancelled"), Err(SkipReason::Cancelled)),
    ];
    for ((kind, renews, status), want) in cases {
        let old = account(vec![license("S-1", kind, renews, status)], true);
        let got = sort_license(&old.licenses[0], true, date(2026, 12, 15));
        assert_eq!(got, want, "{kind} auto_renew={renews} {status}");
        let plan = moved(&old);
        assert_eq!(plan.licenses.len(), usize::from(want.is_ok()));
        if let Err(reason) = want {
            assert_eq!(plan.skipped_for(reason), 1);
            assert!(
                plan.orders.is_empty(),
                "no history of a license left behind"
            );
        }
    }
}

#[test]
fn an_active_subscription_whose_term_ended_or_that_cannot_be_charged_stays() {
    let old = account(vec![license("S-1", "subscription", true, "active")], true);
    assert_eq!(
        sort_license(&old.licenses[0], true, date(2027, 3, 1)),
        Err(SkipReason::Expired)
    );
    assert_eq!(
        sort_license(&old.licenses[0], false, date(2026, 12, 15)),
        Err(SkipReason::NoPaymentMethod)
    );
    let unpaid = account(vec![license("S-1", "subscription", true, "active")], false);
    assert_eq!(moved(&unpaid).skipped_for(SkipReason::NoPaymentMethod), 1);
}

#[test]
fn the_moved_license_keeps_period_quantity_renewal_day_payment_and_history() {
    let old = account(vec![license("S-1", "subscription", true, "active")], true);
    let plan = moved(&old);
    let sub = &plan.licenses[0].license;
    assert_eq!(sub.number, "S-1");
    assert_eq!(sub.quantity.get(), 3);
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert_eq!(
        sub.period,
        Some(Period {
            starts_on: date(2026, 3, 1),
            ends_on: date(2027, 2, 28)
        })
    );
    assert_eq!(sub.term, Term::Months(12), "the term that fits the period");
    assert_eq!(sub.unit_net, Money::parse("48.00").unwrap());
    assert_eq!(sub.due_on, Some(date(2027, 3, 1)));
    let next = sub.next_renewal().unwrap();
    assert_eq!(next.period.starts_on, date(2027, 3, 1));
    assert_eq!(next.period.ends_on, date(2028, 2, 29));
    assert_eq!(
        sub.payment.as_ref().map(|p| p.payment_method.as_str()),
        Some("pm_1")
    );
    assert!(sub.tax.is_some());
    assert_eq!(sub.orders, [OrderId::parse("i-A-2026-0007").unwrap()]);
    let order = &plan.orders[0];
    assert!(order.imported);
    assert_eq!(order.number, "A-2026/0007");
    assert_eq!(order.totals.gross, Money::parse("171.36").unwrap());
    assert_eq!(order.lines[0].subscription_id, sub.id);
    assert!(
        order
            .check_cancellable(
                "2026-03-02T10:00:00Z".parse().unwrap(),
                false,
                crate::order::CancellationPolicy { days: 21 }
            )
            .is_err()
    );
}

#[test]
fn one_seat_goes_to_the_owner_over_the_whole_account() {
    let one = moved(&account(
        vec![license("S-1", "subscription", true, "active")],
        true,
    ));
    let seat = one.licenses[0].seat.as_ref().unwrap();
    assert_eq!(seat.email.as_str(), "anna@example.de");
    assert_eq!(
        (seat.starts_on, seat.ends_on),
        (date(2026, 12, 15), date(2027, 2, 28))
    );
    assert!(one.licenses[0].license.activated);

    let two = moved(&account(
        vec![
            license("S-2", "subscription", true, "active"),
            license("S-1", "subscription", true, "active"),
            license("S-3", "one_time", false, "active"),
        ],
        true,
    ));
    let seats: Vec<_> = two
        .licenses
        .iter()
        .map(|l| (l.license.number.as_str(), l.seat.is_some()))
        .collect();
    assert_eq!(seats, [("S-1", true), ("S-2", false)]);
}

#[test]
fn a_product_the_catalog_does_not_renew_fails_the_move() {
    let mut l = license("S-1", "subscription", true, "active");
    l["product"] = "report-day".into();
    let old = account(vec![l], true);
    let err = move_taxed(&old, TaxTreatment::ReverseCharge).unwrap_err();
    assert_eq!(err.code(), "not_a_subscription_product");
    let mut l = license("S-1", "subscription", true, "active");
    l["product"] = "gone".into();
    let err = move_taxed(&account(vec![l], true), TaxTreatment::ReverseCharge).unwrap_err();
    assert_eq!(err.code(), "unknown_product");
}

proptest! {
    /// Every license of an account either moves or is skipped with one reason; the moved ones
    /// are exactly the active auto-renewing subscriptions still running, and one seat at most
    /// goes to the owner.
    #[test]
    fn every_license_is_moved_or_skipped_once(
        kinds in prop::collection::vec((0usize..3, any::<bool>(), 0usize..3), 0..6),
    ) {
        let licenses: Vec<_> = kinds.iter().enumerate().map(|(i, (k, renews, s))| {
            let kind = ["subscription", "annual", "one_time"][*k];
            let renews = *renews && *k == 0;
            license(&format!("S-{i}"), kind, renews, ["active", "expired", "cancelled"][*s])
        }).collect();
        let plan = moved(&account(licenses, true));
        prop_assert_eq!(plan.licenses.len() + plan.skipped.len(), kinds.len());
        let want = kinds.iter().filter(|(k, r, s)| *k == 0 && *r && *s == 0).count();
        prop_assert_eq!(plan.licenses.len(), want);
        let seats = plan.licenses.iter().filter(|l| l.seat.is_some()).count();
        prop_assert_eq!(seats, usize::from(want > 0));
    }
}
