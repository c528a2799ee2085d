//! Who an account belongs to: the fields a customer gives at registration, each a value that
//! cannot hold a bad input.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A person's or company's name (or any label a customer types that may reach an email or an
/// invoice) as typed: trimmed, 1 to 200 characters, no control characters (`invalid_name`), and
/// no invisible format characters (`invisible_characters`): bidi overrides such as U+202E would
/// show an invitation's subject in another order than it was written, zero-width characters
/// hide text. The zero-width (non-)joiner, which some scripts need between letters, stays.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    const MAX_CHARS: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let name = raw.trim();
        let chars = name.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS || name.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                "invalid_name",
                "A name is 1 to 200 characters without control characters.",
            ));
        }
        if let Some(c) = name.chars().find(|&c| is_invisible(c)) {
            return Err(DomainError::invalid(
                "invisible_characters",
                format!(
                    "A name may not contain invisible formatting characters (U+{:04X}).",
                    u32::from(c)
                ),
            ));
        }
        Ok(Self(name.to_owned()))
    }
}

/// Characters that change how text around them is shown, or show nothing at all: Unicode's
/// format characters (general category Cf, Unicode 16) but the zero-width non-joiner and
/// joiner, the line and paragraph separators, and the blank fillers of Hangul and Braille.
pub fn is_invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD                  // soft hyphen
        | 0x0600..=0x0605       // Arabic number signs
        | 0x061C                // Arabic letter mark
        | 0x06DD
        | 0x070F
        | 0x0890..=0x0891
        | 0x08E2
        | 0x115F..=0x1160       // Hangul fillers
        | 0x180E                // Mongolian vowel separator
        | 0x200B                // zero-width space
        | 0x200E..=0x200F       // left-to-right and right-to-left marks
        | 0x2028..=0x202E       // line and paragraph separators, bidi embeddings and overrides
        | 0x2060..=0x2064       // word joiner, invisible operators
        | 0x2066..=0x206F       // bidi isolates, deprecated format characters
        | 0x2800                // Braille blank
        | 0x3164                // Hangul filler
        | 0xFEFF                // zero-width no-break space (BOM)
        | 0xFFA0                // halfwidth Hangul filler
        | 0xFFF9..=0xFFFB       // interlinear annotation
        | 0x110BD
        | 0x110CD
        | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0001
        | 0xE0020..=0xE007F     // tags
    )
}

string_newtype!(DisplayName);

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Country(String);

impl Country {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        country_code(raw).map(Self).ok_or_else(|| {
            DomainError::invalid(
                "invalid_country",
                "Country must be a two-letter code such as DE.",
            )
        })
    }
}

/// A two-letter country code in any case and with surrounding space, as upper case; `None`
/// for anything else. Countries and price regions both parse through it; each names its own
/// error.
pub(crate) fn country_code(raw: &str) -> Option<String> {
    let code = raw.trim().to_ascii_uppercase();
    (code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())).then_some(code)
}

string_newtype!(Country);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_kept, assert_refused};

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_kept(DisplayName::parse, "  Anna Müller ", "Anna Müller");
        let bad = ["", "   ", "a\u{0}b", "line\nbreak", &"x".repeat(201)];
        assert_refused(DisplayName::parse, &bad, "invalid_name");
        assert!(DisplayName::parse(&"é".repeat(200)).is_ok());
    }

    #[test]
    fn names_with_invisible_format_characters_are_refused() {
        for bad in [
            "Anna \u{202E}txt.exe",
            "\u{202D}Bob",
            "Eve\u{2066}x\u{2069}",
            "Zero\u{200B}Width",
            "\u{200F}Mallory",
            "Tag\u{E0041}",
            "BOM\u{FEFF}",
            "soft\u{AD}hyphen",
            "two\u{2028}lines",
            "\u{3164}",
        ] {
            let err = DisplayName::parse(bad).unwrap_err();
            assert_eq!(err.code(), "invisible_characters", "{bad:?}");
            assert!(err.to_string().contains("U+"), "{err}");
        }
        // Scripts that need the zero-width (non-)joiner, and emoji sequences, are names.
        for good in [
            "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}",
            "\u{0915}\u{094D}\u{200D}\u{0937}",
            "Ana \u{1F469}\u{200D}\u{1F4BB}",
            "\u{05E9}\u{05E8}\u{05D4} Cohen",
            "Zoë Ağaoğlu",
        ] {
            assert_eq!(DisplayName::parse(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn every_format_character_of_the_common_blocks_is_invisible() {
        // The bidi controls one by one: embeddings, overrides, isolates, marks.
        for c in ('\u{202A}'..='\u{202E}')
            .chain('\u{2066}'..='\u{2069}')
            .chain(['\u{200E}', '\u{200F}', '\u{061C}'])
        {
            assert!(is_invisible(c), "U+{:04X}", u32::from(c));
        }
        for c in ['\u{200C}', '\u{200D}', ' ', 'a', '\u{00A0}', '\u{00E9}'] {
            assert!(!is_invisible(c), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn countries_are_two_letters() {
        assert_eq!(Country::parse(" fr ").unwrap().as_str(), "FR");
        for bad in ["", "F", "FRA", "F1"] {
            assert_eq!(Country::parse(bad).unwrap_err().code(), "invalid_country");
        }
    }
}
