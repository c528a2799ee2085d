//! What a checkout charges, shared by the checkout and its preview: the tax decision, the
//! lines planned against the catalog, the plants of monitoring lines read (the caller's only)
//! and the residual values of their licenses ended by power, credited.

use std::collections::BTreeMap;

use jiff::Timestamp;
use lambda_http::{Request, http::StatusCode};
use serde_json::json;
use shop_adapters::{
    AppError,
    web::auth::guard::Need,
    web::http::{self, HttpResponse},
};
use shop_domain::{
    account::model::Account,
    catalog::{Region, price_region},
    id::OrderId,
    order::{
        checkout::{BusinessBilling, BuyerProfile, CheckoutLine, PlannedLine, PreviewForm, plan},
        invoice::Totals,
        monitoring::{PlantCredit, credit_plants, credits_due},
    },
    ports::{PaymentProvider, VatRegistry},
    solar::{Ended, PlantId, PlantToLicense, monitoring_buyer},
    vat::TaxTreatment,
};

use crate::Handler;

/// A checkout priced, nothing written.
pub(crate) struct Priced {
    pub region: Region,
    pub tax: TaxTreatment,
    pub planned: Vec<PlannedLine>,
    pub credits: Vec<PlantCredit>,
}

/// The plants a checkout's monitoring lines name, as priced, and what each has to credit.
struct Plants {
    priced: Vec<PlantToLicense>,
    due: BTreeMap<PlantId, Vec<Ended>>,
}

impl<P: PaymentProvider, V: VatRegistry> Handler<P, V> {
    /// `POST /v1/checkout/preview`: the lines, credits and totals the same checkout would
    /// place now; nothing is written and no key is needed.
    pub(crate) async fn preview(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.caller(req, Need::Full).await?;
        let body = shop_adapters::web::idempotent_http::body(req)?;
        let (lines, billing) = http::parse_json::<PreviewForm>(body)?.check()?;
        let order = OrderId::parse("preview")?;
        let account = &caller.account;
        let priced = self
            .price(account, &lines, billing.as_ref(), &order, self.clock.now())
            .await?;
        let invoice = priced
            .planned
            .iter()
            .map(|l| &l.invoice)
            .chain(priced.credits.iter().map(|c| &c.invoice));
        http::json(
            StatusCode::OK,
            &json!({
                "tax": priced.tax,
                "lines": priced.planned.iter().map(|l| {
                    let mut line = json!({
                        "product_id": l.product_id,
                        "term": l.term,
                        "holder": l.holder,
                        "plant": l.plant,
                    });
                    extend(&mut line, &l.invoice);
                    line
                }).collect::<Vec<_>>(),
                "credits": priced.credits.iter().map(|c| {
                    let mut line = json!({"plant": c.plant, "ended": c.ended});
                    extend(&mut line, &c.invoice);
                    line
                }).collect::<Vec<_>>(),
                "totals": Totals::of(invoice),
            }),
        )
    }

    /// Prices `lines` for `account` as order `order` would be placed now.
    pub(crate) async fn price(
        &self,
        account: &Account,
        lines: &[CheckoutLine],
        billing: Option<&BusinessBilling>,
        order: &OrderId,
        now: Timestamp,
    ) -> Result<Priced, AppError> {
        let tax = self.tax_treatment(account, billing, now).await?;
        let products = self.catalog.all().await?;
        let region = price_region(&products, account.country.as_str(), &self.default_region)?;
        let plants = self.plants(account, lines).await?;
        let country = &account.country;
        let buyer = BuyerProfile {
            email: &account.email,
            country,
            eligibility: &account.eligibility,
            buyer: monitoring_buyer(account),
        };
        let mut planned = plan(lines, &products, buyer, &region, tax, &plants.priced)?;
        let credits = credit_plants(order, &mut planned, &plants.due, tax.rate())?;
        Ok(Priced {
            region,
            tax,
            planned,
            credits,
        })
    }

    /// The caller's plants the lines name (another owner's is `404 plant_not_found`), each at
    /// its total power now, with the residual values of its ended licenses no order claimed.
    async fn plants(&self, account: &Account, lines: &[CheckoutLine]) -> Result<Plants, AppError> {
        let rows = &self.flow.orders.plant_licenses;
        let repo = rows.plants();
        let settings = self.flow.solar;
        let mut plants = Plants {
            priced: Vec::new(),
            due: BTreeMap::new(),
        };
        for id in lines.iter().flat_map(|l| &l.plants) {
            if plants.due.contains_key(id) {
                continue; // named twice: planning refuses it
            }
            let plant = repo.owned(&account.id, id).await?;
            let claimed = rows.claimed(id).await?;
            plants
                .due
                .insert(id.clone(), credits_due(&plant.licenses, &claimed));
            plants.priced.push(PlantToLicense {
                id: plant.id.clone(),
                name: plant.details.name.clone(),
                power: plant.total_power(&settings),
            });
        }
        Ok(plants)
    }
}

/// Lays an invoice line's fields into `line`, as the order's lines show them.
fn extend(line: &mut serde_json::Value, invoice: &shop_domain::order::invoice::InvoiceLine) {
    if let (Some(obj), Ok(serde_json::Value::Object(fields))) =
        (line.as_object_mut(), serde_json::to_value(invoice))
    {
        obj.extend(fields);
    }
}
