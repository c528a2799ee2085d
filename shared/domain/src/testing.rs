//! Assertions the domain's tests share: what a text parser keeps, that each bad input is
//! refused with the one code, and that a stored value reads back unchanged.

use std::fmt::{Debug, Display};

use crate::DomainError;

/// `parse(raw)` is accepted and shows as `kept` (trimmed, normalised).
pub(crate) fn assert_kept<T: Display>(
    parse: impl Fn(&str) -> Result<T, DomainError>,
    raw: &str,
    kept: &str,
) {
    match parse(raw) {
        Ok(v) => assert_eq!(v.to_string(), kept, "{raw:?}"),
        Err(e) => panic!("{raw:?} refused: {e}"),
    }
}

/// Every input of `bad` is refused with `code`.
pub(crate) fn assert_refused<T: Debug>(
    parse: impl Fn(&str) -> Result<T, DomainError>,
    bad: &[&str],
    code: &str,
) {
    for raw in bad {
        assert_eq!(
            parse(raw).map_err(|e| e.code()).err(),
            Some(code),
            "{raw:?}"
        );
    }
}

/// `value` written as JSON reads back equal: what is stored is what is read.
pub(crate) fn assert_json_round_trip<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + Debug,
{
    let json = serde_json::to_string(value).unwrap();
    assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), value, "{json}");
}

/// A name that reads the same in every language, for the products of tests.
pub(crate) fn name(text: &str) -> crate::catalog::LocalizedText {
    crate::catalog::LocalizedText {
        de: text.into(),
        en: text.into(),
        fr: text.into(),
    }
}
