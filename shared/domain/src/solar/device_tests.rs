use proptest::prelude::*;

use super::*;
use crate::testing::{assert_kept, assert_refused};

const UNKNOWN_W: Watts = Watts(20_000);

#[test]
fn serials_are_upper_case_letters_digits_and_single_hyphens() {
    assert_kept(SerialNumber::parse, " ae-3tl-0042 ", "AE-3TL-0042");
    assert_eq!(
        SerialNumber::parse("ae-3tl-0042").unwrap(),
        SerialNumber::parse("AE-3TL-0042").unwrap()
    );
    assert!(SerialNumber::parse("1234").is_ok());
    assert!(SerialNumber::parse(&"A".repeat(32)).is_ok());
    assert_refused(
        SerialNumber::parse,
        &[
            "",
            "123",
            &"A".repeat(33),
            "-ABC1",
            "ABC1-",
            "AB--C1",
            "AB C1",
            "AB_C1",
            "ÄBC1",
            "AB\u{200B}C1",
        ],
        "invalid_serial_number",
    );
    assert!(serde_json::from_str::<SerialNumber>("\"a b\"").is_err());
}

#[test]
fn a_known_type_needs_its_power_and_unknown_has_none() {
    let known = DeviceConfig::parse("AE 3TL 16", Some(16_000)).unwrap();
    assert_eq!(known.counted_power(UNKNOWN_W), Watts(16_000));
    assert_eq!(known.type_name(), "AE 3TL 16");
    for raw in ["unknown", " Unknown ", "UNKNOWN"] {
        let unknown = DeviceConfig::parse(raw, None).unwrap();
        assert_eq!(unknown, DeviceConfig::Unknown);
        assert_eq!(unknown.counted_power(UNKNOWN_W), UNKNOWN_W);
    }
    let code = |t: &str, p: Option<u64>| DeviceConfig::parse(t, p).unwrap_err().code();
    assert_eq!(code("AE 3TL 16", None), "invalid_nominal_power");
    assert_eq!(code("AE 3TL 16", Some(0)), "invalid_nominal_power");
    assert_eq!(code("AE 3TL 16", Some(10_000_001)), "invalid_nominal_power");
    assert_eq!(code("AE 3TL 16", Some(u64::MAX)), "invalid_nominal_power");
    assert_eq!(code("unknown", Some(5_000)), "unexpected_nominal_power");
    assert_eq!(code(" ", Some(5_000)), "invalid_device_type");
    assert_eq!(code("a\nb", Some(5_000)), "invalid_device_type");
    assert_eq!(code(&"x".repeat(65), Some(5_000)), "invalid_device_type");
    assert_eq!(
        DeviceModel::parse("Unknown").unwrap_err().code(),
        "invalid_device_type"
    );
}

#[test]
fn configurations_travel_as_type_and_power() {
    let known = DeviceConfig::parse("AE 3TL 16", Some(16_000)).unwrap();
    let json = serde_json::to_value(&known).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"type": "AE 3TL 16", "nominal_power_w": 16000})
    );
    assert_eq!(serde_json::from_value::<DeviceConfig>(json).unwrap(), known);
    let unknown = serde_json::to_value(DeviceConfig::Unknown).unwrap();
    assert_eq!(unknown, serde_json::json!({"type": "unknown"}));
    for bad in [
        serde_json::json!({"type": "unknown", "nominal_power_w": 1}),
        serde_json::json!({"type": "AE 3TL 16"}),
        serde_json::json!({"type": "AE", "nominal_power_w": 0}),
        serde_json::json!({"type": "AE", "nominal_power_w": 1, "x": 1}),
    ] {
        assert!(
            serde_json::from_value::<DeviceConfig>(bad.clone()).is_err(),
            "{bad}"
        );
    }
}

fn inverter(serial: &str, config: DeviceConfig) -> Inverter {
    Inverter {
        serial: SerialNumber::parse(serial).unwrap(),
        config,
    }
}

#[test]
fn total_power_adds_each_inverter_and_unknown_counts_the_setting() {
    assert_eq!(total_power(&[], UNKNOWN_W), Watts(0));
    let plant = [
        inverter(
            "SN-0001",
            DeviceConfig::parse("AE 3TL 16", Some(16_000)).unwrap(),
        ),
        inverter(
            "SN-0002",
            DeviceConfig::parse("AE 3TL 8", Some(8_250)).unwrap(),
        ),
        inverter("SN-0003", DeviceConfig::Unknown),
    ];
    assert_eq!(total_power(&plant, UNKNOWN_W), Watts(44_250));
    assert_eq!(total_power(&plant, Watts(1_000)), Watts(25_250));
    assert_eq!(Watts(44_250).to_string(), "44.25 kW");
    assert_eq!(Watts(20_000).to_string(), "20 kW");
    assert_eq!(Watts(1).kw().to_string(), "0.001");
}

proptest! {
    #[test]
    fn total_power_is_the_sum_and_unknown_devices_count_the_default(
        powers in proptest::collection::vec(proptest::option::of(1u64..=10_000_000), 0..50),
        unknown in 0u64..100_000,
    ) {
        let plant: Vec<Inverter> = powers.iter().enumerate().map(|(i, p)| {
            let config = match p {
                Some(w) => DeviceConfig::parse("AE", Some(*w)).unwrap(),
                None => DeviceConfig::Unknown,
            };
            inverter(&format!("SN-{i:04}"), config)
        }).collect();
        let expected: u64 = powers.iter().map(|p| p.unwrap_or(unknown)).sum();
        prop_assert_eq!(total_power(&plant, Watts(unknown)), Watts(expected));
    }

    #[test]
    fn a_parsed_serial_parses_to_itself(raw in "[a-zA-Z0-9]{1,8}(-[a-zA-Z0-9]{1,8}){0,3}") {
        match SerialNumber::parse(&raw) {
            Ok(s) => {
                prop_assert_eq!(SerialNumber::parse(s.as_str()).unwrap(), s.clone());
                prop_assert_eq!(s.as_str(), raw.to_ascii_uppercase());
            }
            Err(_) => prop_assert!(raw.len() < 4 || raw.len() > 32),
        }
    }
}
