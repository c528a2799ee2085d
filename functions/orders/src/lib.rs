//! The owner's orders:
//! - `GET /v1/orders`, `GET /v1/orders/{id}`: orders with lines, totals and documents;
//! - `POST /v1/orders/{id}/cancel`: cancel within the window when no license was activated;
//! - `GET /v1/orders/{id}/invoice`, `GET /v1/orders/{id}/credit-note`: the documents as HTML.
//!
//! Another account's order answers 404, exactly like a missing one.

use std::sync::Arc;

use lambda_http::{Body, Response};
use minijinja::{Environment, UndefinedBehavior, Value, context, value::Serde};
use shop_adapters::web::prelude::*;
use shop_adapters::{error::Context, flows::order_flow::OrderFlow};
use shop_domain::{
    Clock, DomainError,
    id::OrderId,
    order::{CancellationPolicy, Document, Order, PaymentMethod, invoice::Totals},
    ports::PaymentProvider,
    vat::TaxTreatment,
};

mod settings;

pub use settings::Settings;

pub struct Handler<P> {
    pub guard: Guard,
    pub flow: OrderFlow,
    pub provider: P,
    pub clock: Arc<dyn Clock>,
    pub cancellation: CancellationPolicy,
    /// The seller's name and address as printed on documents.
    pub seller: String,
    pub documents: Environment<'static>,
}

/// The document template, parsed once at cold start.
pub fn documents() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template("document.html", include_str!("../templates/document.html"))?;
    Ok(env)
}

impl<P: PaymentProvider> Handler<P> {
    async fn route(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.caller(req, Need::Full).await?;
        let owner = &caller.account.id;
        let id = http::path_param(req, "id", OrderId::parse, not_found)?;
        match (req.method().clone(), id) {
            (Method::GET, None) => {
                let orders = self.flow.orders.list(owner).await?;
                let views: Vec<_> = orders.iter().map(Order::view).collect();
                http::json(StatusCode::OK, &serde_json::json!({ "orders": views }))
            }
            (Method::GET, Some(id)) if http::path_ends_with(req, "/invoice") => {
                let order = self.flow.orders.get_owned(&id, owner).await?;
                self.document(&order, false, &caller.account.email.to_string())
            }
            (Method::GET, Some(id)) if http::path_ends_with(req, "/credit-note") => {
                let order = self.flow.orders.get_owned(&id, owner).await?;
                self.document(&order, true, &caller.account.email.to_string())
            }
            (Method::GET, Some(id)) => {
                let order = self.flow.orders.get_owned(&id, owner).await?;
                http::json(StatusCode::OK, &order.view())
            }
            (Method::POST, Some(id)) if http::path_ends_with(req, "/cancel") => {
                let order = self
                    .flow
                    .cancel(
                        owner,
                        &id,
                        self.clock.now(),
                        self.cancellation,
                        &self.provider,
                    )
                    .await?;
                http::json(StatusCode::OK, &order.view())
            }
            (method, _) => Err(DomainError::not_found(
                "route_not_found",
                format!(
                    "No route for {method} {}.",
                    req.raw_http_path().trim_end_matches('/')
                ),
            )
            .into()),
        }
    }

    /// The invoice, or the credit note that reverses it, as an HTML page.
    fn document(
        &self,
        order: &Order,
        credit: bool,
        customer: &str,
    ) -> Result<HttpResponse, AppError> {
        let missing = |what: &str| {
            AppError::from(DomainError::not_found(
                "document_not_found",
                format!("This order has no {what} (yet)."),
            ))
        };
        let invoice: &Document = order.invoice.as_ref().ok_or_else(|| missing("invoice"))?;
        let (kind, doc, lines, totals) = if credit {
            let note = order
                .credit_note
                .as_ref()
                .ok_or_else(|| missing("credit note"))?;
            let lines: Vec<_> = order.invoice_lines().iter().map(|l| l.credited()).collect();
            let totals = Totals::of(&lines);
            ("Credit note", note, lines, totals)
        } else {
            let lines = order.invoice_lines();
            ("Invoice", invoice, lines, order.totals)
        };
        let html = self
            .documents
            .get_template("document.html")
            .and_then(|t| {
                t.render(context! {
                    kind, number => &doc.number, issued_at => doc.issued_at.to_string(),
                    order_number => &order.number,
                    corrects => credit.then(|| invoice.number.clone()),
                    seller => &self.seller, customer,
                    billing => Value::from(Serde(&order.billing)),
                    lines => Value::from(Serde(&lines)),
                    totals => Value::from(Serde(totals)),
                    reverse_charge => order.tax == TaxTreatment::ReverseCharge,
                    method => match order.payment.method {
                        PaymentMethod::Card => "card",
                        PaymentMethod::SepaDebit => "SEPA direct debit",
                    },
                })
            })
            .context("render document")?;
        Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "text/html; charset=utf-8")
            .header("cache-control", "no-store")
            .body(Body::Text(html))
            .context("build the document answer")
    }
}

fn not_found() -> DomainError {
    DomainError::not_found("order_not_found", "No such order.")
}
