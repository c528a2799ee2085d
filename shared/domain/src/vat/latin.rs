//! What VIES accepts in a trader's name and address: Latin letters without umlauts or accents,
//! digits, spaces and `_ . , - ' ! ( ) [ ] – ; : & *`. Every field is checked, so the customer
//! hears about all of them at once.

use crate::{DomainError, error::FieldError};

const SPECIALS: &str = "_.,-'!()[]–;:&* ";

fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || SPECIALS.contains(c)
}

/// Checks named fields; the error lists each field with its first disallowed characters.
pub fn check_vies_fields(fields: &[(&str, &str)]) -> Result<(), DomainError> {
    let errors: Vec<FieldError> = fields
        .iter()
        .filter_map(|(name, value)| {
            let bad: String = value.chars().filter(|c| !allowed(*c)).take(5).collect();
            (!bad.is_empty()).then(|| FieldError {
                field: (*name).to_owned(),
                code: "disallowed_characters",
                detail: format!(
                    "Use Latin letters without umlauts or accents; not allowed here: {bad}"
                ),
            })
        })
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(DomainError::Invalid {
        code: "invalid_vies_fields",
        detail: "Company name and address may only hold Latin letters, digits, spaces and \
                 _ . , - ' ! ( ) [ ] – ; : & *."
            .into(),
        fields: errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_each_offending_field() {
        let err = check_vies_fields(&[
            ("company", "Müller & Söhne GmbH"),
            ("street", "Hauptstrasse 1"),
            ("city", "Köln"),
        ])
        .unwrap_err();
        let DomainError::Invalid { fields, .. } = err else {
            panic!("expected field errors")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["company", "city"]);
        assert!(fields[0].detail.contains('ü') && fields[0].detail.contains('ö'));
    }

    #[test]
    fn accepts_the_listed_specials() {
        assert!(
            check_vies_fields(&[("company", "A.B, C-D 'E' !(F) [G] – H; I: J & K* L_M")]).is_ok()
        );
        for bad in ["Café", "Straße", "a/b", "x@y", "50%", "tab\there"] {
            assert!(check_vies_fields(&[("f", bad)]).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn plain_ascii_words_always_pass(s in "[A-Za-z0-9 .,&-]{0,60}") {
            prop_assert!(check_vies_fields(&[("f", &s)]).is_ok());
        }
    }
}
