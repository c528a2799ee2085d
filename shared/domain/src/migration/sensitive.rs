//! Detectors for payment data that must never enter the shop: the old shop's export carries
//! provider tokens only, and a record holding something that looks like a card number or an
//! IBAN anywhere is refused whole, so such a number is never stored, logged or echoed.

/// What a detector found; never the number itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sensitive {
    /// 13 to 19 digits (spaces or dashes between them allowed) passing the Luhn check.
    CardNumber,
    /// A country code, two check digits and 11 to 30 letters or digits (compact, or in groups of
    /// four) whose ISO 13616 checksum holds.
    Iban,
}

impl Sensitive {
    /// The stable code of the refusal.
    pub fn code(self) -> &'static str {
        match self {
            Sensitive::CardNumber => "card_number_not_allowed",
            Sensitive::Iban => "iban_not_allowed",
        }
    }
}

/// The first sensitive number in `text`, if any.
pub fn detect(text: &str) -> Option<Sensitive> {
    if has_card_number(text) {
        Some(Sensitive::CardNumber)
    } else if has_iban(text) {
        Some(Sensitive::Iban)
    } else {
        None
    }
}

/// Every maximal run of digits in which single spaces or dashes may stand between two digits
/// is one candidate: `4111 1111-1111 1111` is one, and a date next to a number is not glued to
/// it by anything but such a separator.
fn has_card_number(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut digits = Vec::new();
    let mut i = 0;
    while i <= chars.len() {
        match chars.get(i) {
            Some(c) if c.is_ascii_digit() => digits.push(*c as u8 - b'0'),
            Some(' ' | '-')
                if !digits.is_empty() && chars.get(i + 1).is_some_and(char::is_ascii_digit) => {}
            _ => {
                if (13..=19).contains(&digits.len()) && luhn(&digits) {
                    return true;
                }
                digits.clear();
            }
        }
        i += 1;
    }
    false
}

/// The Luhn check: doubling every second digit from the right, the sum is a multiple of 10.
pub fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Candidates start at a word boundary with two letters and two digits; the rest is read
/// either compact (letters and digits up to the next other character) or in groups of four
/// separated by single spaces (the printed form).
fn has_iban(text: &str) -> bool {
    let upper: Vec<char> = text.to_ascii_uppercase().chars().collect();
    (0..upper.len()).any(|start| {
        let boundary = start == 0 || !upper[start - 1].is_ascii_alphanumeric();
        boundary
            && starts_like_iban(&upper[start..])
            && (valid_iban(&compact_run(&upper[start..]))
                || valid_iban(&grouped_run(&upper[start..])))
    })
}

fn starts_like_iban(s: &[char]) -> bool {
    s.len() >= 4
        && s[0].is_ascii_uppercase()
        && s[1].is_ascii_uppercase()
        && s[2].is_ascii_digit()
        && s[3].is_ascii_digit()
}

fn compact_run(s: &[char]) -> String {
    s.iter().take_while(|c| c.is_ascii_alphanumeric()).collect()
}

/// `DE89 3704 0044 0532 0130 00`: full groups of four separated by single spaces, the last
/// one 1 to 4 long; a fifth character glued to a group means it is not written this way.
fn grouped_run(s: &[char]) -> String {
    let mut out = String::new();
    let mut group = 0;
    for &c in s {
        if c.is_ascii_alphanumeric() {
            if group == 4 {
                return String::new();
            }
            out.push(c);
            group += 1;
        } else if c == ' ' && group == 4 {
            group = 0;
        } else {
            break;
        }
    }
    out
}

/// ISO 13616: 15 to 34 characters, and the number made of the rest followed by the first four
/// (letters as 10..35) is 1 modulo 97.
pub fn valid_iban(iban: &str) -> bool {
    if !(15..=34).contains(&iban.len()) || !starts_like_iban(&iban.chars().collect::<Vec<_>>()) {
        return false;
    }
    let (head, rest) = iban.split_at(4);
    let mut rem = 0u32;
    for c in rest.chars().chain(head.chars()) {
        let Some(v) = c.to_digit(36) else {
            return false;
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

#[cfg(test)]
#[path = "sensitive_tests.rs"]
mod tests;
