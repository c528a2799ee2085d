use proptest::prelude::*;

use super::*;

/// The Luhn check digit that completes `body`.
fn luhn_digit(body: &[u8]) -> u8 {
    (0..10).find(|d| luhn(&[body, &[*d]].concat())).unwrap()
}

fn digits_to_string(d: &[u8]) -> String {
    d.iter().map(|d| char::from(b'0' + d)).collect()
}

/// Each of `texts` is detected as `want` (`None`: nothing sensitive).
fn assert_detects(want: Option<Sensitive>, texts: &[&str]) {
    for text in texts {
        assert_eq!(detect(text), want, "{text}");
    }
}

/// An IBAN with `country` and `bban`, its check digits computed.
fn iban(country: &str, bban: &str) -> String {
    (0..100)
        .map(|n| format!("{country}{n:02}{bban}"))
        .find(|candidate| valid_iban(candidate))
        .unwrap()
}

#[test]
fn known_numbers_are_found() {
    assert_detects(
        Some(Sensitive::CardNumber),
        &[
            "4111111111111111",
            "card 4111 1111 1111 1111 exp",
            "5500-0000-0000-0004",
            "378282246310005",
        ],
    );
    assert_detects(
        Some(Sensitive::Iban),
        &[
            "DE89370400440532013000",
            "iban: DE89 3704 0044 0532 0130 00, thanks",
            "fr1420041010050500013m02606",
            "GB82 WEST 1234 5698 7654 32",
        ],
    );
}

#[test]
fn ordinary_values_pass() {
    assert_detects(
        None,
        &[
            "4111111111111112",
            "2026-01-01",
            "+49 (0) 2203 2020 2400",
            "DE136695976",
            "cus_demo_renewal",
            "pm_card_visa",
            "DE89370400440532013001",
            "ACC-1001",
            "anna@example.de",
        ],
    );
}

#[test]
fn a_refusal_code_per_kind() {
    assert_eq!(Sensitive::CardNumber.code(), "card_number_not_allowed");
    assert_eq!(Sensitive::Iban.code(), "iban_not_allowed");
}

proptest! {
    #[test]
    fn every_luhn_number_of_13_to_19_digits_is_found_however_it_is_written(
        body in prop::collection::vec(0u8..10, 12..19),
        sep in prop::sample::select(vec!["", " ", "-"]),
        group in 3usize..6,
        before in "[a-z :]{0,8}",
        after in "[a-z :]{0,8}",
    ) {
        let mut digits = body.clone();
        digits.push(luhn_digit(&body));
        let written = digits_to_string(&digits)
            .as_bytes()
            .chunks(group)
            .map(|c| std::str::from_utf8(c).unwrap().to_owned())
            .collect::<Vec<_>>()
            .join(sep);
        let text = format!("{before} {written} {after}");
        prop_assert_eq!(detect(&text), Some(Sensitive::CardNumber));
    }

    #[test]
    fn a_number_failing_luhn_is_not_a_card(body in prop::collection::vec(0u8..10, 12..19)) {
        let good = luhn_digit(&body);
        let mut digits = body.clone();
        digits.push((good + 1) % 10);
        prop_assert!(!has_card_number(&digits_to_string(&digits)));
    }

    #[test]
    fn short_or_long_runs_are_not_cards(digits in prop::collection::vec(0u8..10, 1..13)) {
        prop_assert!(!has_card_number(&digits_to_string(&digits)));
    }

    #[test]
    fn every_iban_is_found_compact_or_grouped(
        country in "[A-Z]{2}",
        bban in "[0-9A-Z]{11,30}",
        grouped in any::<bool>(),
        lower in any::<bool>(),
    ) {
        let mut written = iban(&country, &bban);
        if grouped {
            written = written
                .as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).unwrap().to_owned())
                .collect::<Vec<_>>()
                .join(" ");
        }
        if lower {
            written = written.to_lowercase();
        }
        // Digits only in the BBAN would also be a card candidate; either refusal is right.
        let text = format!("pay to {written}.");
        prop_assert!(detect(&text).is_some());
        prop_assert!(has_iban(&text));
    }

    #[test]
    fn a_wrong_check_digit_is_not_an_iban(country in "[A-Z]{2}", bban in "[0-9A-Z]{11,30}") {
        let good = iban(&country, &bban);
        let check: u32 = good[2..4].parse().unwrap();
        let bad = format!("{country}{:02}{bban}", (check + 1) % 100);
        prop_assert!(!valid_iban(&bad));
    }
}
