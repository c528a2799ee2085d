use serde_json::{Value, json};

use super::*;

fn good() -> Value {
    json!({
        "old_id": "ACC-1001",
        "email": "Anna@Example.de",
        "name": "Anna Müller",
        "company": "Müller Kfz GmbH",
        "country": "de",
        "language": "de",
        "vat_id": "DE136695976",
        "payment": {"method": "card", "customer": "cus_demo", "payment_method": "pm_card_visa"},
        "licenses": [{
            "number": "A-2023/0012", "product": "alarm-team", "quantity": 5,
            "term_start": "2026-03-01", "term_end": "2027-02-28",
            "auto_renew": true, "status": "active", "kind": "subscription"
        }],
        "orders": [{
            "number": "B-100", "license": "A-2023/0012", "date": "2026-03-01",
            "lines": [{"product": "alarm-team", "quantity": 5, "net": "100.00"}],
            "net": "100.00", "tax": "19.00", "gross": "119.00"
        }]
    })
}

fn codes(record: &Value) -> Vec<(String, &'static str)> {
    OldAccount::parse(record)
        .unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

#[test]
fn a_good_record_reads_into_the_shops_types() {
    let a = OldAccount::parse(&good()).unwrap();
    assert_eq!(a.email.as_str(), "anna@example.de");
    assert_eq!(a.country.as_str(), "DE");
    assert_eq!(a.licenses[0].quantity.get(), 5);
    assert_eq!(a.licenses[0].kind, LicenseKind::Subscription);
    assert_eq!(a.orders[0].gross, Money::parse("119").unwrap());
    // The row keeps it as JSON and reads it back unchanged.
    let stored = serde_json::to_value(&a).unwrap();
    assert_eq!(serde_json::from_value::<OldAccount>(stored).unwrap(), a);
}

#[test]
fn optional_parts_may_be_absent() {
    let mut r = good();
    for k in ["company", "vat_id", "payment", "licenses", "orders"] {
        r.as_object_mut().unwrap().remove(k);
    }
    let a = OldAccount::parse(&r).unwrap();
    assert!(a.licenses.is_empty() && a.payment.is_none() && a.vat_id.is_none());
}

#[test]
fn every_reason_is_listed_with_its_field() {
    let mut r = good();
    r["email"] = json!("not an email");
    r["language"] = json!("es");
    r.as_object_mut().unwrap().remove("name");
    r["licenses"][0]["quantity"] = json!(0);
    r["licenses"][0]["term_end"] = json!("2026-02-01");
    r["licenses"][0]["kind"] = json!("forever");
    r["orders"][0]["gross"] = json!("120.00");
    r["orders"][0]["license"] = json!("nope");
    r["colour"] = json!("blue");
    let got = codes(&r);
    for want in [
        ("email", "invalid_email"),
        ("language", "unsupported_language"),
        ("name", "missing_field"),
        ("licenses[0].quantity", "invalid_quantity"),
        ("licenses[0].term_end", "term_ends_before_start"),
        ("licenses[0].kind", "invalid_value"),
        ("orders[0].gross", "totals_mismatch"),
        ("orders[0].license", "unknown_license"),
        ("colour", "unknown_field"),
    ] {
        assert!(
            got.contains(&(want.0.to_owned(), want.1)),
            "{want:?} not in {got:?}"
        );
    }
}

#[test]
fn an_annual_license_does_not_renew_by_itself() {
    let mut r = good();
    r["licenses"][0]["kind"] = json!("annual");
    assert_eq!(
        codes(&r),
        vec![(
            "licenses[0].auto_renew".to_owned(),
            "auto_renew_not_subscription"
        )]
    );
    r["licenses"][0]["auto_renew"] = json!(false);
    assert!(OldAccount::parse(&r).is_ok());
}

#[test]
fn a_line_sum_must_match_and_numbers_repeat_once() {
    let mut r = good();
    r["orders"][0]["lines"][0]["net"] = json!(90);
    let copy = r["licenses"][0].clone();
    r["licenses"].as_array_mut().unwrap().push(copy);
    let got = codes(&r);
    assert!(got.contains(&("orders[0].net".to_owned(), "totals_mismatch")));
    assert!(got.contains(&("licenses[1].number".to_owned(), "duplicate_license")));
}

#[test]
fn a_card_number_or_iban_anywhere_refuses_without_echoing_it() {
    for (place, value, code) in [
        ("company", "4111 1111 1111 1111", "card_number_not_allowed"),
        (
            "name",
            "Anna DE89 3704 0044 0532 0130 00",
            "iban_not_allowed",
        ),
    ] {
        let mut r = good();
        r[place] = json!(value);
        let reasons = OldAccount::parse(&r).unwrap_err();
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        assert_eq!((reasons[0].field.as_str(), reasons[0].code), (place, code));
        let shown = serde_json::to_string(&reasons).unwrap();
        assert!(!shown.contains(&value[5..12]), "{shown}");
    }
    // In a token, a number field, a nested list or even a key.
    let mut r = good();
    r["payment"]["payment_method"] = json!("4242424242424242");
    r["orders"][0]["net"] = json!(4_242_424_242_424_242_u64);
    r["licenses"][0]["notes"] = json!({"5500000000000004": "x"});
    let got = codes(&r);
    for want in [
        ("payment.payment_method", "card_number_not_allowed"),
        ("orders[0].net", "card_number_not_allowed"),
        ("licenses[0].notes.*", "card_number_not_allowed"),
    ] {
        assert!(got.contains(&(want.0.to_owned(), want.1)), "{got:?}");
    }
    let shown = serde_json::to_string(&OldAccount::parse(&r).unwrap_err()).unwrap();
    for number in ["4242424242424242", "5500000000000004"] {
        assert!(!shown.contains(number), "{shown}");
    }
}

#[test]
fn the_old_id_is_named_even_for_a_refused_record() {
    let mut r = good();
    r["email"] = json!(3);
    assert_eq!(OldAccount::old_id_of(&r).as_deref(), Some("ACC-1001"));
    assert_eq!(OldAccount::old_id_of(&json!([1])), None);
    assert_eq!(
        OldAccount::old_id_of(&json!({"old_id": "4111111111111111"})),
        None
    );
    assert_eq!(codes(&json!([1])), vec![(String::new(), "not_an_object")]);
}

#[test]
fn the_demo_export_reads() {
    let demo = include_str!("../../../../infra/seed/migration-demo.jsonl");
    let accounts: Vec<OldAccount> = demo
        .lines()
        .map(|line| OldAccount::parse(&serde_json::from_str(line).unwrap()).unwrap())
        .collect();
    assert_eq!(accounts.len(), 6);
    let kinds: Vec<LicenseKind> = accounts
        .iter()
        .flat_map(|a| a.licenses.iter().map(|l| l.kind))
        .collect();
    for kind in [
        LicenseKind::Subscription,
        LicenseKind::Annual,
        LicenseKind::OneTime,
    ] {
        assert!(kinds.contains(&kind), "{kind:?}");
    }
}

#[test]
fn an_account_too_large_to_store_is_refused() {
    let mut r = good();
    let order = r["orders"][0].clone();
    let mut lines = Vec::new();
    for _ in 0..100 {
        lines.push(json!({"product": "alarm-team", "quantity": 5, "net": "1.00"}));
    }
    let mut orders = Vec::new();
    for i in 0..150 {
        let mut o = order.clone();
        o["number"] = json!(format!("B-{i}"));
        o["lines"] = json!(lines);
        o["net"] = json!("100.00");
        o["tax"] = json!("19.00");
        o["gross"] = json!("119.00");
        orders.push(o);
    }
    r["orders"] = json!(orders);
    assert_eq!(codes(&r), vec![(String::new(), "account_too_large")]);
}
