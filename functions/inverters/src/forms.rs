//! The bodies of the routes, read as JSON objects of strings and then parsed by the domain,
//! so a value that reads but breaks a rule is 422 with its own code.

use lambda_http::Request;
use serde::Deserialize;
use shop_adapters::web::http;
use shop_domain::{
    DomainError,
    solar::{ActivationCode, InverterLabel, SerialNumber},
    wire::Object,
};

/// A device named by what is printed on it.
pub struct Claim {
    pub serial: SerialNumber,
    pub code: ActivationCode,
}

pub struct AddForm {
    pub claim: Claim,
    pub label: InverterLabel,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddBody {
    serial: String,
    activation_code: String,
    #[serde(default)]
    label: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExchangeBody {
    serial: String,
    activation_code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelBody {
    label: String,
}

fn claim(serial: &str, code: &str) -> Result<Claim, DomainError> {
    Ok(Claim {
        serial: SerialNumber::parse(serial)?,
        code: ActivationCode::parse(code)?,
    })
}

pub fn add(req: &Request) -> Result<AddForm, DomainError> {
    let Object(body): Object<AddBody> = http::json_body(req)?;
    Ok(AddForm {
        claim: claim(&body.serial, &body.activation_code)?,
        label: InverterLabel::parse(body.label.as_deref().unwrap_or_default())?,
    })
}

pub fn exchange(req: &Request) -> Result<Claim, DomainError> {
    let Object(body): Object<ExchangeBody> = http::json_body(req)?;
    claim(&body.serial, &body.activation_code)
}

pub fn label(req: &Request) -> Result<InverterLabel, DomainError> {
    let Object(body): Object<LabelBody> = http::json_body(req)?;
    InverterLabel::parse(&body.label)
}
