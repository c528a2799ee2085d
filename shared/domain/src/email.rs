//! Email addresses as the shop compares them: trimmed and lower-cased, so that `Anna@Example.de `
//! and `anna@example.de` are one account and one license holder.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Longest address SMTP can carry (RFC 5321 path limit less the angle brackets).
const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;

/// A syntactically valid, normalised email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let normalised = raw.trim().to_lowercase();
        if normalised.len() > MAX_LEN {
            return Err(invalid("is longer than 254 characters"));
        }
        let Some((local, domain)) = normalised.rsplit_once('@') else {
            return Err(invalid("has no @"));
        };
        if !valid_local(local) {
            return Err(invalid("has an invalid part before the @"));
        }
        if !valid_domain(domain) {
            return Err(invalid("has an invalid domain"));
        }
        Ok(Self(normalised))
    }
}

string_newtype!(Email);

fn invalid(why: &str) -> DomainError {
    DomainError::invalid("invalid_email", format!("The email address {why}."))
}

/// Dot-atom local part (RFC 5322 `atext` and single dots); quoted forms are not accepted.
fn valid_local(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";
    !local.is_empty()
        && local.len() <= MAX_LOCAL_LEN
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || SPECIALS.contains(c))
}

/// At least two labels of letters, digits and inner hyphens (IDNs arrive as punycode).
fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphanumeric()) && tld.len() >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::assert_refused;
    use proptest::prelude::*;

    #[test]
    fn trims_and_lowercases() {
        let e = Email::parse("  Anna.Schmidt@Example.DE \n").unwrap();
        assert_eq!(e.as_str(), "anna.schmidt@example.de");
        assert_eq!(e, Email::parse("anna.schmidt@example.de").unwrap());
    }

    #[test]
    fn accepts_common_forms() {
        for ok in [
            "a@b.de",
            "first.last+tag@sub.example.co.uk",
            "o'neil@xn--mnchen-3ya.de",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed() {
        assert_refused(
            Email::parse,
            &[
                "",
                "plain",
                "@example.de",
                "anna@",
                "anna@example",
                "anna@.de",
                "anna@ex..de",
                ".anna@example.de",
                "an..na@example.de",
                "anna.@example.de",
                "an na@example.de",
                "anna@-ex.de",
                "anna@ex-.de",
                "anna@example.d",
                "anna@exa_mple.de",
                "ännä@example.de",
            ],
            "invalid_email",
        );
    }

    #[test]
    fn rejects_overlong() {
        let local = "a".repeat(65);
        assert!(Email::parse(&format!("{local}@example.de")).is_err());
        let domain = format!("{}.de", vec!["a".repeat(60); 5].join("."));
        assert!(Email::parse(&format!("x@{domain}")).is_err());
    }

    #[test]
    fn deserialises_through_the_same_rules() {
        let e: Email = serde_json::from_str("\" X@Y.FR \"").unwrap();
        assert_eq!(e.as_str(), "x@y.fr");
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent(s in "\\PC{0,40}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e);
            }
        }

        #[test]
        fn case_never_matters(local in "[a-zA-Z0-9]{1,20}", domain in "[a-zA-Z]{1,20}") {
            let a = Email::parse(&format!("{local}@{domain}.de")).unwrap();
            let b = Email::parse(&format!("{}@{}.DE", local.to_uppercase(), domain.to_uppercase())).unwrap();
            prop_assert_eq!(a, b);
        }
    }
}
