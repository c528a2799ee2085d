//! What an owner types to add an inverter: the activation code printed on the device and the
//! label they give it. Both are parsed once, so nothing after the decode step sees a bad one.

use serde::{Deserialize, Serialize};

use crate::DomainError;

ascii_newtype! {
    /// The activation code from the device's label: 4 to 64 visible ASCII characters, compared
    /// exactly as printed (only surrounding spaces are dropped).
    #[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
    ActivationCode: trimmed visible 4..=64,
    "invalid_activation_code",
    "An activation code is 4 to 64 visible characters, as printed on the device."
}

/// Never shown in logs or debug output: it is what proves the device is in the caller's hands.
impl std::fmt::Debug for ActivationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ActivationCode(..)")
    }
}

/// The owner's name for an inverter in a plant: 0 to 100 characters, no control or
/// invisible characters (it is shown in the app and in emails). Empty means none.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InverterLabel(String);

impl InverterLabel {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        // Counted before trimming, as the contract's `maxLength` counts what was sent.
        let long = raw.chars().count() > Self::MAX_CHARS;
        let label = raw.trim();
        let invisible = |c: char| {
            c.is_control()
                || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
        };
        DomainError::invalid_unless(
            !long && !label.chars().any(invisible),
            "invalid_label",
            "A label is at most 100 characters, without control or invisible characters.",
        )?;
        Ok(Self(label.to_owned()))
    }
}

string_newtype!(InverterLabel);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_kept, assert_refused};

    #[test]
    fn codes_are_kept_as_printed_and_bad_ones_refused() {
        assert_kept(ActivationCode::parse, " Ab3-x9 ", "Ab3-x9");
        assert_refused(
            ActivationCode::parse,
            &["", "abc", "with space", "é-code", &"x".repeat(65)],
            "invalid_activation_code",
        );
        assert_eq!(
            format!("{:?}", ActivationCode::parse("SECRET-1").unwrap()),
            "ActivationCode(..)"
        );
    }

    #[test]
    fn labels_are_short_visible_text() {
        assert_kept(InverterLabel::parse, " Roof east ", "Roof east");
        assert_eq!(InverterLabel::parse("").unwrap(), InverterLabel::default());
        assert!(InverterLabel::parse(&"ä".repeat(100)).is_ok());
        let padded = format!(" {} ", "x".repeat(99));
        let bad = [
            "a\u{202E}b",
            "a\nb",
            "a\u{200B}b",
            &"x".repeat(101),
            &padded,
        ];
        assert_refused(InverterLabel::parse, &bad, "invalid_label");
    }
}
