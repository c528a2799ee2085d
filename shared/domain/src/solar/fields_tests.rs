use proptest::prelude::*;

use super::*;
use crate::testing::assert_refused;

#[test]
fn measures_hold_their_ranges_at_the_edges() {
    // (parse, accepted edges, refused just outside, code)
    type Parse = fn(&str) -> Result<Decimal, DomainError>;
    let table: [(Parse, &[&str], &[&str], &str); 7] = [
        (
            |r| Latitude::parse(r).map(Latitude::get),
            &["-90", "90", "0", "48.1374125"],
            &["-90.0000001", "90.0000001", "91", "48.13741251"],
            "invalid_latitude",
        ),
        (
            |r| Longitude::parse(r).map(Longitude::get),
            &["-180", "180", "11.575"],
            &["-180.01", "180.0000001", "200"],
            "invalid_longitude",
        ),
        (
            |r| TemperatureCoefficient::parse(r).map(TemperatureCoefficient::get),
            &["-2", "0", "-0.38", "-0.0001"],
            &["-2.0001", "0.0001", "0.4", "-0.00001"],
            "invalid_temperature_coefficient",
        ),
        (
            |r| Azimuth::parse(r).map(Azimuth::get),
            &["0", "359.99", "180"],
            &["360", "-0.01", "360.5", "1.001"],
            "invalid_azimuth",
        ),
        (
            |r| Tilt::parse(r).map(Tilt::get),
            &["0", "90", "30.5"],
            &["-0.01", "90.01", "1.001"],
            "invalid_tilt",
        ),
        (
            |r| ModuleArea::parse(r).map(ModuleArea::get),
            &["0.01", "1000000", "52.3"],
            &["0", "-1", "1000000.01", "0.001"],
            "invalid_module_area",
        ),
        (
            |r| FeedInTariff::parse(r).map(FeedInTariff::get),
            &["0", "0.0823", "0.081234", "10"],
            &["-0.01", "10.000001", "0.0000001"],
            "invalid_feed_in_tariff",
        ),
    ];
    for (parse, good, bad, code) in table {
        for raw in good {
            let v = parse(raw).unwrap_or_else(|e| panic!("{code} {raw}: {e}"));
            assert_eq!(v, Decimal::from_str_exact(raw).unwrap(), "{raw}");
        }
        for raw in bad.iter().chain(&["", "abc", "1,5", "NaN", "inf"]) {
            assert_eq!(parse(raw).unwrap_err().code(), code, "{raw:?}");
        }
    }
}

#[test]
fn measures_read_exponents_and_travel_as_strings() {
    assert_eq!(Latitude::parse("4.8e1").unwrap().get(), Decimal::from(48));
    assert_eq!(Tilt::parse(" 30.50 ").unwrap().get(), Decimal::new(305, 1));
    let lat = Latitude::parse("-33.8688").unwrap();
    assert_eq!(serde_json::to_string(&lat).unwrap(), "\"-33.8688\"");
    assert_eq!(
        serde_json::from_str::<Latitude>("\"-33.8688\"").unwrap(),
        lat
    );
    assert!(serde_json::from_str::<Latitude>("\"-91\"").is_err());
}

#[test]
fn texts_are_trimmed_bounded_and_visible() {
    assert_eq!(
        PlantName::parse("  Roof east ").unwrap().as_str(),
        "Roof east"
    );
    assert_eq!(Description::parse("").unwrap().as_str(), "");
    assert!(Description::parse("two\nlines\tand a tab").is_ok());
    assert_eq!(ModuleName::parse("  ").unwrap().as_str(), "");
    for (code, result) in [
        ("invalid_plant_name", PlantName::parse("").map(|_| ())),
        ("invalid_plant_name", PlantName::parse("a\nb").map(|_| ())),
        (
            "invalid_plant_name",
            PlantName::parse(&"x".repeat(101)).map(|_| ()),
        ),
        (
            "invalid_plant_name",
            PlantName::parse("Roof\u{202E}").map(|_| ()),
        ),
        (
            "invalid_description",
            Description::parse("a\u{0}b").map(|_| ()),
        ),
        (
            "invalid_description",
            Description::parse(&"x".repeat(2001)).map(|_| ()),
        ),
        ("invalid_module_name", ModuleName::parse("a\nb").map(|_| ())),
        ("invalid_city", City::parse(" ").map(|_| ())),
    ] {
        assert_eq!(result.unwrap_err().code(), code);
    }
    assert!(PlantName::parse(&"é".repeat(100)).is_ok());
}

#[test]
fn postal_codes_follow_the_country_where_known() {
    let p = |raw: &str| PostalCode::parse(raw).unwrap();
    assert_eq!(p(" sw1a 1aa ").as_str(), "SW1A 1AA");
    assert!(p("72555").check_for("DE").is_ok());
    assert!(p("1010").check_for("AT").is_ok());
    assert!(p("8001").check_for("CH").is_ok());
    assert!(p("75001").check_for("FR").is_ok());
    assert!(p("SW1A 1AA").check_for("GB").is_ok());
    for (code, country) in [
        ("7255", "DE"),
        ("725555", "DE"),
        ("10100", "AT"),
        ("A1010", "CH"),
    ] {
        assert_eq!(
            p(code).check_for(country).unwrap_err().code(),
            "invalid_postal_code"
        );
    }
    assert_refused(
        PostalCode::parse,
        &[
            "",
            "1",
            "-1234",
            "1234-",
            "12_34",
            "12345678901",
            "12\u{00A0}34",
        ],
        "invalid_postal_code",
    );
}

#[test]
fn plant_types_are_two() {
    assert_eq!(PlantType::parse("pv").unwrap(), PlantType::Pv);
    assert_eq!(
        PlantType::parse("pv_thermal").unwrap(),
        PlantType::PvThermal
    );
    assert_eq!(
        serde_json::to_string(&PlantType::PvThermal).unwrap(),
        "\"pv_thermal\""
    );
    for bad in ["PV", "pv-thermal", "thermal", ""] {
        assert_eq!(
            PlantType::parse(bad).unwrap_err().code(),
            "invalid_plant_type"
        );
    }
}

proptest! {
    /// Inside the range with few enough decimals is accepted and kept exactly; outside is not.
    #[test]
    fn latitude_accepts_exactly_its_range(units in -1_000_000_000i64..1_000_000_000, scale in 0u32..9) {
        let x = Decimal::new(units, scale);
        let ok = x.abs() <= Decimal::from(90) && x.normalize().scale() <= 7;
        match Latitude::parse(&x.to_string()) {
            Ok(lat) => { prop_assert!(ok); prop_assert_eq!(lat.get(), x); }
            Err(e) => { prop_assert!(!ok, "{} refused", x); prop_assert_eq!(e.code(), "invalid_latitude"); }
        }
    }

    #[test]
    fn azimuth_never_holds_360_or_more(tenths in 0i64..10_000) {
        let x = Decimal::new(tenths, 1);
        prop_assert_eq!(Azimuth::parse(&x.to_string()).is_ok(), x < Decimal::from(360));
    }
}
