//! The EU VIES service over its REST API (`GET {base}/ms/{country}/vat/{number}`). Any answer
//! other than a definite valid or invalid, and any network trouble, is `Unavailable`: the
//! check is then pending, never a refusal of the customer's number.

use std::time::Duration;

use reqwest::Client;
use serde::Deserialize;
use shop_domain::{
    ports::{PortFuture, VatRegistry},
    vat::{VatId, vies::ViesAnswer},
};

#[derive(Clone)]
pub struct ViesClient {
    http: Client,
    base_url: String,
    timeout: Duration,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    is_valid: bool,
    #[serde(default)]
    user_error: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    address: Option<String>,
}

/// VIES writes `---` where a member state does not share a field.
fn shared(field: Option<String>) -> Option<String> {
    field.filter(|v| !v.trim().is_empty() && v.trim() != "---")
}

impl ViesClient {
    /// VIES over `http`, the process's one HTTPS client (its TLS set up once).
    pub fn new(http: Client, base_url: impl Into<String>, timeout: Duration) -> Self {
        Self {
            http,
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            timeout,
        }
    }
}

/// Boxed where it is built, so the request code is compiled here once (see `PortFuture`).
impl VatRegistry for ViesClient {
    fn check<'a>(&'a self, id: &'a VatId) -> PortFuture<'a, ViesAnswer> {
        Box::pin(self.ask(id))
    }
}

impl ViesClient {
    async fn ask(&self, id: &VatId) -> ViesAnswer {
        let url = format!("{}/ms/{}/vat/{}", self.base_url, id.prefix(), id.number());
        let unavailable = |reason: String| {
            tracing::warn!(%reason, prefix = id.prefix(), "VIES unavailable");
            ViesAnswer::Unavailable { reason }
        };
        let response = match self.http.get(url).timeout(self.timeout).send().await {
            Ok(r) => r,
            Err(e) => return unavailable(format!("network: {e}")),
        };
        let status = response.status();
        let answer: Answer = match response.json().await {
            Ok(a) => a,
            Err(e) => return unavailable(format!("{status}: unreadable answer: {e}")),
        };
        match answer.user_error.as_deref() {
            None | Some("VALID") if answer.is_valid => ViesAnswer::Valid {
                name: shared(answer.name),
                address: shared(answer.address),
            },
            Some("INVALID") => ViesAnswer::Invalid,
            None if !answer.is_valid && status.is_success() => ViesAnswer::Invalid,
            other => unavailable(other.unwrap_or("no answer").to_owned()),
        }
    }
}
