//! One account of the old shop's export, as the import reads it: every field parsed into the
//! shop's own newtypes, every reason an account is refused listed at once with a stable code,
//! and payment data other than provider tokens refused wherever it hides in the record.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{read::Reader, sensitive};
use crate::{
    Email, Language, Money, Quantity,
    account::profile::{Country, DisplayName},
    error::FieldError,
    id::{OldAccountId, ProductId},
    payment::PaymentMethod,
    vat::id::VatId,
};

ascii_newtype! {
    /// An old shop's subscription or order number, kept as the customer knows it (`A-2023/0012`):
    /// 1 to 40 visible ASCII characters.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
    OldNumber: trimmed visible 1..=40,
    "invalid_old_number", "An old number is 1 to 40 visible ASCII characters."
}

ascii_newtype! {
    /// A payment provider's token (`cus_...`, `pm_...`): 1 to 100 of letters, digits, `_` and `-`.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
    ProviderToken: exact slug 1..=100,
    "invalid_payment_token", "A payment token is 1 to 100 letters, digits, '_' or '-'."
}

/// How the old shop sold a license (the seeds: subscriptions renew automatically; annual
/// licenses run a year and end; one-time purchases are used until they end or run out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenseKind {
    Subscription,
    Annual,
    OneTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OldLicenseStatus {
    Active,
    Expired,
    Cancelled,
}

/// The stored payment method: provider tokens only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldPayment {
    pub method: PaymentMethod,
    pub customer: ProviderToken,
    pub payment_method: ProviderToken,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldLicense {
    pub number: OldNumber,
    pub product: ProductId,
    pub quantity: Quantity,
    pub term_start: Date,
    pub term_end: Date,
    pub auto_renew: bool,
    pub status: OldLicenseStatus,
    pub kind: LicenseKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldOrderLine {
    pub product: ProductId,
    pub quantity: Quantity,
    pub net: Money,
}

/// An order of the old shop, of one license (`license` = its old subscription number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldOrder {
    pub number: OldNumber,
    pub license: OldNumber,
    pub date: Date,
    pub lines: Vec<OldOrderLine>,
    pub net: Money,
    pub tax: Money,
    pub gross: Money,
}

/// A validated account of the export, as the wave account row keeps it (`account`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OldAccount {
    pub old_id: OldAccountId,
    pub email: Email,
    pub name: DisplayName,
    pub company: Option<DisplayName>,
    pub country: Country,
    pub language: Language,
    pub vat_id: Option<VatId>,
    pub payment: Option<OldPayment>,
    pub licenses: Vec<OldLicense>,
    pub orders: Vec<OldOrder>,
}

/// The largest account the wave account row keeps (DynamoDB items end at 400 KB, and an
/// import transaction carries dozens of accounts within its 4 MB).
pub const MAX_STORED_BYTES: usize = 64 * 1024;

/// Why an account was refused: every reason, each with the field (a path such as
/// `licenses[1].quantity`) and a stable code.
pub type Reasons = Vec<FieldError>;

impl OldAccount {
    /// Reads one exported account; `Err` lists every reason it cannot be imported. A value that
    /// looks like a card number or an IBAN refuses the record with `card_number_not_allowed` /
    /// `iban_not_allowed`, and no reason about that field repeats its value.
    pub fn parse(record: &Value) -> Result<OldAccount, Reasons> {
        let flagged = sensitive_fields(record, "");
        let mut r = Reader::new(record);
        let account = read_account(&mut r);
        let mut reasons: Reasons = flagged
            .iter()
            .map(|(field, kind)| FieldError {
                field: field.clone(),
                code: kind.code(),
                detail: "Payment data other than provider tokens may not be imported.".into(),
            })
            .collect();
        reasons.extend(
            r.into_reasons()
                .into_iter()
                .filter(|e| !flagged.iter().any(|(f, _)| f == &e.field)),
        );
        if let Some(a) = &account
            && serde_json::to_vec(a).map_or(true, |json| json.len() > MAX_STORED_BYTES)
        {
            reasons.push(FieldError {
                field: String::new(),
                code: "account_too_large",
                detail: "The account is larger than 64 KiB as stored; split its history.".into(),
            });
        }
        match account {
            Some(a) if reasons.is_empty() => Ok(a),
            _ => Err(reasons),
        }
    }

    /// The old id as given, even when the record is refused, so the answer can name it; never
    /// one that looks like a card number.
    pub fn old_id_of(record: &Value) -> Option<String> {
        let id = record.get("old_id")?.as_str()?;
        if sensitive::detect(id).is_some() {
            return None;
        }
        OldAccountId::parse(id).ok().map(String::from)
    }
}

fn read_account(r: &mut Reader) -> Option<OldAccount> {
    let old_id = r.text("old_id", OldAccountId::parse);
    let email = r.text("email", Email::parse);
    let name = r.text("name", DisplayName::parse);
    let company = r.optional_text("company", DisplayName::parse);
    let country = r.text("country", Country::parse);
    let language = r.text("language", str::parse::<Language>);
    let vat_id = r.optional_text("vat_id", VatId::parse);
    let payment = r.optional_object("payment", read_payment);
    let licenses = r.list("licenses", read_license);
    let orders = r.list("orders", read_order);
    check_license_numbers(r);
    r.unknown_fields(&[
        "old_id", "email", "name", "company", "country", "language", "vat_id", "payment",
        "licenses", "orders",
    ]);
    Some(OldAccount {
        old_id: old_id?,
        email: email?,
        name: name?,
        company: company?,
        country: country?,
        language: language?,
        vat_id: vat_id?,
        payment: payment?,
        licenses: licenses?,
        orders: orders?,
    })
}

/// Orders name a license of the account and no two licenses share a number, read from the
/// raw numbers so a license refused for another reason still counts.
fn check_license_numbers(r: &mut Reader) {
    let numbers = |list: &str, key: &str| -> Vec<Option<String>> {
        r.raw()
            .get(list)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|i| {
                        i.get(key)
                            .and_then(Value::as_str)
                            .map(|s| s.trim().to_owned())
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let licenses = numbers("licenses", "number");
    let orders = numbers("orders", "license");
    for (i, o) in orders.iter().enumerate() {
        if o.as_ref()
            .is_some_and(|o| !licenses.contains(&Some(o.clone())))
        {
            r.reason(
                &format!("orders[{i}].license"),
                "unknown_license",
                "The order names no license of this account.",
            );
        }
    }
    for (i, l) in licenses.iter().enumerate() {
        if l.is_some() && licenses[..i].contains(l) {
            r.reason(
                &format!("licenses[{i}].number"),
                "duplicate_license",
                "Two licenses of the account have this number.",
            );
        }
    }
}

fn read_payment(r: &mut Reader) -> Option<OldPayment> {
    let method = r.enumerated("method");
    let customer = r.text("customer", ProviderToken::parse);
    let payment_method = r.text("payment_method", ProviderToken::parse);
    r.unknown_fields(&["method", "customer", "payment_method"]);
    Some(OldPayment {
        method: method?,
        customer: customer?,
        payment_method: payment_method?,
    })
}

fn read_license(r: &mut Reader) -> Option<OldLicense> {
    let number = r.text("number", OldNumber::parse);
    let product = r.text("product", ProductId::parse);
    let quantity = r.quantity("quantity");
    let term_start = r.date("term_start");
    let term_end = r.date("term_end");
    let auto_renew = r.flag("auto_renew");
    let status = r.enumerated("status");
    let kind = r.enumerated("kind");
    if let (Some(s), Some(e)) = (term_start, term_end)
        && e <= s
    {
        r.reason(
            "term_end",
            "term_ends_before_start",
            "term_end is after term_start.",
        );
    }
    if auto_renew == Some(true) && kind.is_some_and(|k| k != LicenseKind::Subscription) {
        r.reason(
            "auto_renew",
            "auto_renew_not_subscription",
            "Only a subscription renews automatically.",
        );
    }
    r.unknown_fields(&[
        "number",
        "product",
        "quantity",
        "term_start",
        "term_end",
        "auto_renew",
        "status",
        "kind",
    ]);
    Some(OldLicense {
        number: number?,
        product: product?,
        quantity: quantity?,
        term_start: term_start?,
        term_end: term_end?,
        auto_renew: auto_renew?,
        status: status?,
        kind: kind?,
    })
}

fn read_order(r: &mut Reader) -> Option<OldOrder> {
    let number = r.text("number", OldNumber::parse);
    let license = r.text("license", OldNumber::parse);
    let date = r.date("date");
    let lines = r.list("lines", |r| {
        let product = r.text("product", ProductId::parse);
        let quantity = r.quantity("quantity");
        let net = r.money("net");
        r.unknown_fields(&["product", "quantity", "net"]);
        Some(OldOrderLine {
            product: product?,
            quantity: quantity?,
            net: net?,
        })
    });
    let net = r.money("net");
    let tax = r.money("tax");
    let gross = r.money("gross");
    if let (Some(n), Some(t), Some(g)) = (net, tax, gross)
        && n + t != g
    {
        r.reason("gross", "totals_mismatch", "gross is net plus tax.");
    }
    if let (Some(lines), Some(n)) = (&lines, net)
        && lines.iter().map(|l| l.net).sum::<Money>() != n
    {
        r.reason("net", "totals_mismatch", "net is the sum of the lines.");
    }
    r.unknown_fields(&["number", "license", "date", "lines", "net", "tax", "gross"]);
    Some(OldOrder {
        number: number?,
        license: license?,
        date: date?,
        lines: lines?,
        net: net?,
        tax: tax?,
        gross: gross?,
    })
}

/// Every string and number in `value` (keys included) that looks like a card number or an
/// IBAN, with its path.
fn sensitive_fields(value: &Value, path: &str) -> Vec<(String, sensitive::Sensitive)> {
    let here = |text: &str| {
        sensitive::detect(text)
            .map(|k| vec![(path.to_owned(), k)])
            .unwrap_or_default()
    };
    match value {
        Value::String(s) => here(s),
        Value::Number(n) => here(&n.to_string()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .flat_map(|(i, v)| sensitive_fields(v, &format!("{path}[{i}]")))
            .collect(),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| {
                // A key that is itself such a number is named `*`, never repeated.
                let key = if sensitive::detect(k).is_some() {
                    "*"
                } else {
                    k
                };
                let field = if path.is_empty() {
                    key.to_owned()
                } else {
                    format!("{path}.{key}")
                };
                let mut found = sensitive::detect(k)
                    .map(|kind| vec![(field.clone(), kind)])
                    .unwrap_or_default();
                found.extend(sensitive_fields(v, &field));
                found
            })
            .collect(),
        Value::Null | Value::Bool(_) => Vec::new(),
    }
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
