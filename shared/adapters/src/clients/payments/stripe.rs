//! The payment provider over Stripe's HTTP API: customers, PaymentIntents (card and SEPA
//! Debit, confirmed at once, the method kept for off-session charges) and refunds. Every POST
//! carries an `Idempotency-Key`, so a retried call never charges twice.
//!
//! The local stack runs a sandbox that speaks the same API in test mode (see
//! docs/payments.md), so this one adapter serves production, the local stack and the tests.

use std::time::Duration;

use reqwest::{Client, StatusCode};
use rust_decimal::Decimal;
use serde::Deserialize;
use shop_domain::{
    Money,
    order::PaymentMethod,
    ports::{
        ABANDONED, Charge, ChargeOutcome, PaymentProvider, PaymentState, PortError, PortFuture,
        ProviderPayment,
    },
};

#[derive(Clone)]
pub struct StripeClient {
    http: Client,
    timeout: Duration,
    base_url: String,
    api_key: String,
    /// Where the bank sends the customer back after 3-D Secure.
    return_url: String,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct Intent {
    id: String,
    status: String,
    next_action: Option<NextAction>,
    last_payment_error: Option<ApiError>,
    #[serde(default)]
    cancellation_reason: Option<String>,
}

impl Intent {
    fn into_payment(self) -> ProviderPayment {
        let state = match self.status.as_str() {
            "succeeded" => PaymentState::Succeeded,
            "processing" => PaymentState::Processing,
            "canceled" if self.cancellation_reason.as_deref() == Some(ABANDONED) => {
                PaymentState::Abandoned
            }
            "canceled" => PaymentState::Failed {
                reason: self
                    .cancellation_reason
                    .unwrap_or_else(|| "canceled".into()),
            },
            // After a failed attempt the intent asks for another method: declined.
            "requires_payment_method" if self.last_payment_error.is_some() => {
                PaymentState::Failed {
                    reason: self
                        .last_payment_error
                        .map_or_else(|| "declined".into(), |e| e.reason()),
                }
            }
            _ => PaymentState::Open,
        };
        ProviderPayment {
            payment_id: self.id,
            state,
        }
    }
}

#[derive(Deserialize)]
struct SearchResult {
    data: Vec<Intent>,
}

#[derive(Deserialize)]
struct NextAction {
    redirect_to_url: Option<Redirect>,
}

#[derive(Deserialize)]
struct Redirect {
    url: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ApiError,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    decline_code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    payment_intent: Option<Created>,
    /// The request parameter an `invalid_request_error` is about.
    #[serde(default)]
    param: Option<String>,
}

impl ApiError {
    fn reason(&self) -> String {
        self.decline_code
            .clone()
            .or_else(|| self.code.clone())
            .or_else(|| self.message.clone())
            .unwrap_or_else(|| "declined".into())
    }
}

/// Amounts in the smallest unit (cents), as the API wants them.
fn cents(amount: Money) -> Result<String, PortError> {
    let c = amount.amount() * Decimal::ONE_HUNDRED;
    if c.fract() != Decimal::ZERO || c.is_sign_negative() {
        return Err(PortError::Fault(format!("cannot charge {amount}")));
    }
    Ok(c.trunc().to_string())
}

impl StripeClient {
    /// The provider over `http`, the process's one HTTPS client (its TLS set up once).
    pub fn new(http: Client, settings: &super::PaymentSettings) -> Self {
        Self {
            http,
            timeout: settings.timeout,
            base_url: settings.api_url.trim_end_matches('/').to_owned(),
            api_key: settings.api_key.clone(),
            return_url: settings.return_url.clone(),
        }
    }

    /// POSTs a form; answers the status and the body text, or why there was none.
    async fn post(
        &self,
        path: &str,
        idempotency_key: &str,
        form: &[(&str, String)],
    ) -> Result<(StatusCode, String), PortError> {
        let request = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header("Idempotency-Key", idempotency_key)
            .form(form);
        self.send(request).await
    }

    /// GETs `path` with `query`; answers as [`Self::post`] does.
    async fn get(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<(StatusCode, String), PortError> {
        let url = reqwest::Url::parse_with_params(&format!("{}{path}", self.base_url), query)
            .map_err(|e| PortError::Fault(format!("payment provider address: {e}")))?;
        self.send(self.http.get(url)).await
    }

    /// Sends an authenticated request: 429, 5xx and no answer are `Unavailable` (retry).
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(StatusCode, String), PortError> {
        let response = request
            .timeout(self.timeout)
            .bearer_auth(&self.api_key)
            .send()
            .await
            .map_err(|e| PortError::Unavailable(format!("payment provider: {e}")))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| PortError::Unavailable(format!("payment provider body: {e}")))?;
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(PortError::Unavailable(format!(
                "payment provider answered {status}"
            )));
        }
        Ok((status, body))
    }
}

fn parse<T: for<'de> Deserialize<'de>>(what: &str, body: &str) -> Result<T, PortError> {
    serde_json::from_str(body)
        .map_err(|e| PortError::Fault(format!("{what}: unreadable answer: {e}")))
}

fn fault(what: &str, status: StatusCode, body: &str) -> PortError {
    let reason = serde_json::from_str::<ErrorBody>(body)
        .map(|b| b.error.reason())
        .unwrap_or_default();
    PortError::Fault(format!("{what}: {status} {reason}"))
}

/// The port, each call boxed where it is built (`PortFuture`), so the request code below is
/// compiled once here and not in every function that awaits a payment.
impl PaymentProvider for StripeClient {
    fn customer<'a>(
        &'a self,
        account_id: &'a str,
        email: &'a str,
    ) -> PortFuture<'a, Result<String, PortError>> {
        Box::pin(self.create_customer(account_id, email))
    }

    fn charge<'a>(
        &'a self,
        charge: &'a Charge<'a>,
    ) -> PortFuture<'a, Result<ChargeOutcome, PortError>> {
        Box::pin(self.create_intent(charge))
    }

    fn find_payment<'a>(
        &'a self,
        order_id: &'a str,
        payment_id: Option<&'a str>,
    ) -> PortFuture<'a, Result<Option<ProviderPayment>, PortError>> {
        Box::pin(self.find_intent(order_id, payment_id))
    }

    fn cancel_payment<'a>(
        &'a self,
        payment_id: &'a str,
    ) -> PortFuture<'a, Result<ProviderPayment, PortError>> {
        Box::pin(self.cancel_intent(payment_id))
    }

    fn refund<'a>(
        &'a self,
        payment_id: &'a str,
        amount: Money,
        idempotency_key: &'a str,
    ) -> PortFuture<'a, Result<String, PortError>> {
        Box::pin(self.create_refund(payment_id, amount, idempotency_key))
    }
}

impl StripeClient {
    async fn create_customer(&self, account_id: &str, email: &str) -> Result<String, PortError> {
        let form = [
            ("email", email.to_owned()),
            ("metadata[account_id]", account_id.to_owned()),
        ];
        let (status, body) = self
            .post("/v1/customers", &format!("customer-{account_id}"), &form)
            .await?;
        if !status.is_success() {
            return Err(fault("create customer", status, &body));
        }
        Ok(parse::<Created>("create customer", &body)?.id)
    }

    async fn create_intent(&self, charge: &Charge<'_>) -> Result<ChargeOutcome, PortError> {
        let method_type = match charge.method {
            PaymentMethod::Card => "card",
            PaymentMethod::SepaDebit => "sepa_debit",
        };
        let mut form = vec![
            ("amount", cents(charge.amount)?),
            ("currency", "eur".to_owned()),
            ("customer", charge.customer.to_owned()),
            ("payment_method", charge.payment_method.to_owned()),
            ("payment_method_types[]", method_type.to_owned()),
            ("confirm", "true".to_owned()),
            ("metadata[order_id]", charge.order_id.to_owned()),
        ];
        if charge.off_session {
            form.push(("off_session", "true".to_owned()));
        } else {
            form.push(("setup_future_usage", "off_session".to_owned()));
            form.push((
                "return_url",
                format!("{}/orders/{}", self.return_url, charge.order_id),
            ));
            if charge.method == PaymentMethod::SepaDebit {
                // The mandate text is shown and accepted in the web app's checkout form.
                form.push((
                    "mandate_data[customer_acceptance][type]",
                    "offline".to_owned(),
                ));
            }
        }
        let (status, body) = self
            .post("/v1/payment_intents", charge.idempotency_key, &form)
            .await?;
        if status == StatusCode::PAYMENT_REQUIRED {
            let error = parse::<ErrorBody>("charge", &body)?.error;
            return Ok(ChargeOutcome::Declined {
                payment_id: error.payment_intent.as_ref().map(|p| p.id.clone()),
                reason: error.reason(),
            });
        }
        if status == StatusCode::BAD_REQUEST {
            // A payment method the provider does not know (a stale or made-up token) is the
            // customer's to fix, like a declined card: nothing was charged.
            let error = parse::<ErrorBody>("charge", &body)?.error;
            if error.param.as_deref() == Some("payment_method") {
                return Ok(ChargeOutcome::Declined {
                    payment_id: None,
                    reason: error.reason(),
                });
            }
            return Err(fault("charge", status, &body));
        }
        if !status.is_success() {
            return Err(fault("charge", status, &body));
        }
        let intent: Intent = parse("charge", &body)?;
        Ok(match intent.status.as_str() {
            "succeeded" => ChargeOutcome::Succeeded {
                payment_id: intent.id,
            },
            "processing" => ChargeOutcome::Processing {
                payment_id: intent.id,
            },
            "requires_action" => ChargeOutcome::RequiresAction {
                redirect_url: intent
                    .next_action
                    .and_then(|a| a.redirect_to_url)
                    .map(|r| r.url)
                    .ok_or_else(|| PortError::Fault("requires_action without a redirect".into()))?,
                payment_id: intent.id,
            },
            _ => ChargeOutcome::Declined {
                reason: intent
                    .last_payment_error
                    .map_or_else(|| intent.status.clone(), |e| e.reason()),
                payment_id: Some(intent.id),
            },
        })
    }

    async fn find_intent(
        &self,
        order_id: &str,
        payment_id: Option<&str>,
    ) -> Result<Option<ProviderPayment>, PortError> {
        if let Some(id) = payment_id {
            let (status, body) = self.get(&format!("/v1/payment_intents/{id}"), &[]).await?;
            return match status {
                StatusCode::NOT_FOUND => Ok(None),
                s if s.is_success() => {
                    Ok(Some(parse::<Intent>("find payment", &body)?.into_payment()))
                }
                s => Err(fault("find payment", s, &body)),
            };
        }
        // No id kept (the answer to the charge was lost): the order id is in the metadata.
        let query = [(
            "query",
            format!("metadata['order_id']:'{}'", order_id.replace('\'', "")),
        )];
        let (status, body) = self.get("/v1/payment_intents/search", &query).await?;
        if !status.is_success() {
            return Err(fault("search payments", status, &body));
        }
        let found = parse::<SearchResult>("search payments", &body)?.data;
        // One order makes one intent (its idempotency key); should there be more, the paid
        // one decides.
        let mut payments: Vec<ProviderPayment> =
            found.into_iter().map(Intent::into_payment).collect();
        payments.sort_by_key(|p| match p.state {
            PaymentState::Succeeded => 0,
            PaymentState::Processing => 1,
            PaymentState::Open => 2,
            PaymentState::Failed { .. } | PaymentState::Abandoned => 3,
        });
        Ok(payments.into_iter().next())
    }

    async fn cancel_intent(&self, payment_id: &str) -> Result<ProviderPayment, PortError> {
        let form = [("cancellation_reason", ABANDONED.to_owned())];
        let (status, body) = self
            .post(
                &format!("/v1/payment_intents/{payment_id}/cancel"),
                &format!("cancel-{payment_id}"),
                &form,
            )
            .await?;
        if status.is_success() {
            return Ok(parse::<Intent>("cancel payment", &body)?.into_payment());
        }
        // Paid or settling meanwhile: the provider refuses; its current state decides.
        self.find_intent("", Some(payment_id))
            .await?
            .ok_or_else(|| fault("cancel payment", status, &body))
    }

    async fn create_refund(
        &self,
        payment_id: &str,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<String, PortError> {
        let form = [
            ("payment_intent", payment_id.to_owned()),
            ("amount", cents(amount)?),
        ];
        let (status, body) = self.post("/v1/refunds", idempotency_key, &form).await?;
        if !status.is_success() {
            return Err(fault("refund", status, &body));
        }
        Ok(parse::<Created>("refund", &body)?.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_go_out_in_cents() {
        assert_eq!(cents(Money::parse("285.60").unwrap()).unwrap(), "28560");
        assert_eq!(cents(Money::ZERO).unwrap(), "0");
        assert!(cents(Money::parse("-1.00").unwrap()).is_err());
    }
}
