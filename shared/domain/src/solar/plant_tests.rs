use serde_json::json;

use super::*;

fn body(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn good() -> Value {
    json!({
        "name": "Roof east",
        "description": "Barn roof,\nbuilt 2019",
        "module_name": "SolarWorld SW 250",
        "country": "de",
        "postal_code": "72555",
        "city": "Metzingen",
        "latitude": 48.5369,
        "longitude": "9.2833",
        "temperature_coefficient": -0.45,
        "azimuth": 180,
        "tilt": 30,
        "module_area": "52.5",
        "feed_in_tariff": "0.0823",
        "type": "pv",
        "public": true
    })
}

fn field_codes(r: Result<PlantDetails, DomainError>) -> Vec<(String, &'static str)> {
    match r.unwrap_err() {
        DomainError::Invalid { code, fields, .. } => {
            assert_eq!(code, "invalid_plant");
            fields.into_iter().map(|f| (f.field, f.code)).collect()
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_good_plant_is_read_exactly() {
    let p = check_plant(&body(good())).unwrap();
    assert_eq!(p.name.as_str(), "Roof east");
    assert_eq!(p.country.as_str(), "DE");
    assert_eq!(p.latitude.get().to_string(), "48.5369");
    assert_eq!(p.longitude.get().to_string(), "9.2833");
    assert_eq!(p.temperature_coefficient.get().to_string(), "-0.45");
    assert_eq!(p.feed_in_tariff.get().to_string(), "0.0823");
    assert_eq!(p.plant_type, PlantType::Pv);
    assert!(p.public);
}

#[test]
fn optional_fields_default_to_empty_and_private() {
    let mut b = body(good());
    for key in ["description", "module_name", "public"] {
        b.remove(key);
    }
    let p = check_plant(&b).unwrap();
    assert_eq!(p.description.as_str(), "");
    assert_eq!(p.module_name.as_str(), "");
    assert!(!p.public);
}

/// Each field alone made wrong names exactly that field with its own code.
#[test]
fn each_bad_field_has_its_own_code() {
    let table: &[(&str, Value, &str)] = &[
        ("name", json!(""), "invalid_plant_name"),
        ("name", json!(7), "invalid_plant_name"),
        ("description", json!("a\u{0}b"), "invalid_description"),
        ("module_name", json!(["x"]), "invalid_module_name"),
        ("country", json!("Germany"), "invalid_country"),
        ("postal_code", json!("7255"), "invalid_postal_code"),
        ("postal_code", json!("72_55"), "invalid_postal_code"),
        ("city", json!(""), "invalid_city"),
        ("latitude", json!(90.5), "invalid_latitude"),
        ("latitude", json!(-91), "invalid_latitude"),
        ("latitude", json!(true), "invalid_latitude"),
        ("longitude", json!(180.5), "invalid_longitude"),
        ("longitude", json!("east"), "invalid_longitude"),
        (
            "temperature_coefficient",
            json!(0.1),
            "invalid_temperature_coefficient",
        ),
        (
            "temperature_coefficient",
            json!(-2.5),
            "invalid_temperature_coefficient",
        ),
        ("azimuth", json!(360), "invalid_azimuth"),
        ("azimuth", json!(-1), "invalid_azimuth"),
        ("tilt", json!(90.5), "invalid_tilt"),
        ("tilt", json!(-0.5), "invalid_tilt"),
        ("module_area", json!(0), "invalid_module_area"),
        ("module_area", json!(-3), "invalid_module_area"),
        ("feed_in_tariff", json!("-0.01"), "invalid_feed_in_tariff"),
        ("feed_in_tariff", json!({}), "invalid_feed_in_tariff"),
        ("type", json!("PV-Thermie"), "invalid_plant_type"),
        ("type", json!(1), "invalid_plant_type"),
        ("public", json!("yes"), "invalid_public"),
        ("colour", json!("blue"), "unknown_field"),
    ];
    for (field, value, code) in table {
        let mut b = body(good());
        b.insert((*field).into(), value.clone());
        assert_eq!(
            field_codes(check_plant(&b)),
            vec![((*field).to_owned(), *code)],
            "{field} = {value}"
        );
    }
}

#[test]
fn required_fields_missing_or_null_are_named() {
    let optional = ["description", "module_name", "public"];
    for field in FIELDS.into_iter().filter(|f| !optional.contains(f)) {
        for missing in [None, Some(Value::Null)] {
            let mut b = body(good());
            match &missing {
                None => b.remove(field),
                Some(v) => b.insert(field.into(), v.clone()),
            };
            let codes = field_codes(check_plant(&b));
            assert_eq!(codes.len(), 1, "{field}");
            assert_eq!(codes[0].0, field);
            assert!(
                codes[0].1.starts_with("invalid_"),
                "{field}: {}",
                codes[0].1
            );
        }
    }
}

#[test]
fn every_problem_is_listed_at_once() {
    let b = body(json!({
        "name": " ",
        "country": "XXX",
        "postal_code": "1",
        "city": "Metzingen",
        "latitude": 100,
        "longitude": 200,
        "temperature_coefficient": 1,
        "azimuth": 400,
        "tilt": 100,
        "module_area": 0,
        "feed_in_tariff": "-1",
        "type": "wind",
        "public": 1
    }));
    let fields: Vec<String> = field_codes(check_plant(&b))
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    // Every field of the list, in its order, but the one given well (city) and the optional
    // texts left out.
    let expected: Vec<&str> = FIELDS
        .into_iter()
        .filter(|f| !["description", "module_name", "city"].contains(f))
        .collect();
    assert_eq!(fields, expected);
}

#[test]
fn a_patch_is_checked_over_the_stored_plant() {
    let p = check_plant(&body(good())).unwrap();
    let moved = p
        .patched(&body(
            json!({"country": "AT", "postal_code": "1010", "description": null}),
        ))
        .unwrap();
    assert_eq!(moved.country.as_str(), "AT");
    assert_eq!(moved.description.as_str(), "");
    assert_eq!(moved.name, p.name);
    assert_eq!(moved.latitude, p.latitude);
    // A new country re-checks the postal code kept from before.
    assert_eq!(
        field_codes(p.patched(&body(json!({"country": "AT"})))),
        vec![("postal_code".to_owned(), "invalid_postal_code")]
    );
    assert_eq!(
        field_codes(p.patched(&body(json!({"tilt": 91, "name": null})))),
        vec![
            ("name".to_owned(), "invalid_plant_name"),
            ("tilt".to_owned(), "invalid_tilt")
        ]
    );
    assert_eq!(p.patched(&Map::new()).unwrap(), p);
}

#[test]
fn details_round_trip_through_json() {
    let p = check_plant(&body(good())).unwrap();
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["latitude"], "48.5369");
    assert_eq!(json["type"], "pv");
    assert_eq!(
        serde_json::from_value::<PlantDetails>(json.clone()).unwrap(),
        p
    );
    assert_eq!(check_plant(&body(json)).unwrap(), p);
}
