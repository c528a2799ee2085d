//! `POST /v1/checkout` with an `Idempotency-Key` header: checks the lines against the catalog
//! and the buyer, decides the VAT (asking VIES for a business abroad), places the order with
//! its licenses, and charges the payment method. The order is confirmed only by the payment
//! provider's webhook; the answer shows it pending, waiting for a redirect, or processing.
//!
//! A line of plants buys one monitoring license per plant, priced by the plant's power, with
//! the residual value of the plant's licenses ended by power credited (`pricing.rs`).
//! `POST /v1/checkout/preview` answers what the same lines would cost, writing nothing.
//!
//! The same key with the same body answers the stored answer (waiting while the first request
//! still runs), with another body `422 idempotency_key_reused`. The order id is derived from
//! account and key, so even a retry after a crash reaches the same order and the same charge.

use std::sync::Arc;

use jiff::Timestamp;
use shop_adapters::web::prelude::*;
use shop_adapters::{
    flows::order_flow::OrderFlow,
    store::catalog::CatalogRepo,
    store::subscriptions::HolderState,
    web::idempotent_http::{self, IdempotentRequests},
};
use shop_domain::{
    Clock, DomainError,
    account::{model::Account, profile::Country},
    catalog::Region,
    id::OrderId,
    order::{
        Order, OrderLine, OrderPayment,
        checkout::{BusinessBilling, Checkout, CheckoutForm, PlannedLine},
        new::{LineLicense, PendingLicense, Purchase},
    },
    ports::{PaymentProvider, VatRegistry},
    subscription::Subscription,
    vat::{Buyer, TaxTreatment, VatRates, vies::VatCheckPolicy},
};

mod pricing;
mod settings;

use pricing::Priced;
pub use settings::Settings;

pub struct Handler<P, V> {
    pub guard: Guard,
    pub catalog: CatalogRepo,
    pub flow: OrderFlow,
    pub requests: IdempotentRequests,
    pub provider: P,
    pub vies: V,
    pub clock: Arc<dyn Clock>,
    pub rates: VatRates,
    pub seller: Country,
    /// Price region for buyers from a country the catalog has no prices for.
    pub default_region: Region,
    pub vat_policy: VatCheckPolicy,
}

impl<P: PaymentProvider, V: VatRegistry> Handler<P, V> {
    pub async fn handle(&self, req: Request) -> HttpResponse {
        let preview = req
            .raw_http_path()
            .trim_end_matches('/')
            .ends_with("/preview");
        http::respond(if preview {
            self.preview(&req).await
        } else {
            self.idempotent(&req).await
        })
    }

    async fn idempotent(&self, req: &Request) -> Result<HttpResponse, AppError> {
        let caller = self.guard.caller(req, Need::Full).await?;
        let key = idempotent_http::key(req)?;
        let body = idempotent_http::body(req)?;
        // Read and checked before the key is claimed: a request refused here consumes nothing,
        // so a corrected retry with the same key goes through (as the provider's API does).
        let checkout = http::parse_json::<CheckoutForm>(body)?.check()?;
        let scope = checkout_scope(&caller.account);
        self.requests
            .run(&scope, &key, body, self.clock.as_ref(), || {
                self.checkout(&caller.account, &key, checkout)
            })
            .await
    }

    async fn checkout(
        &self,
        account: &Account,
        key: &str,
        checkout: Checkout,
    ) -> Result<HttpResponse, AppError> {
        let order_id = idempotent_http::derived_order_id(&checkout_scope(account), key)?;
        if let Some(placed) = self.flow.orders.get(&order_id).await? {
            return self.resume(placed).await;
        }
        let now = self.clock.now();
        let Priced {
            region,
            tax,
            planned,
            credits,
        } = self
            .price(
                account,
                &checkout.lines,
                checkout.billing.as_ref(),
                &order_id,
                now,
            )
            .await?;
        let licenses = self.licenses(account, &order_id, &planned, &region).await?;
        let customer = self.payment_customer(account, now).await?;
        let order = Order::pending(
            Purchase {
                id: order_id,
                account_id: account.id.clone(),
                region,
                tax,
                billing: checkout.billing.as_ref().map(|b| b.to_record()),
                lines: planned
                    .iter()
                    .zip(&licenses)
                    .map(|(p, l)| OrderLine::purchase(p, l))
                    .collect(),
                payment: OrderPayment::at_checkout(checkout.method, customer, checkout.token),
            },
            now,
        )
        .with_credits(credits);
        let placed = self.flow.place(order, licenses).await?;
        let charged = self
            .flow
            .charge(placed, &self.provider, false, self.clock.now())
            .await?;
        answer(charged)
    }

    /// The answer to this request was lost (a crash or a gateway timeout after the order was
    /// placed): go on from where the order stands; never a second order or charge, and its
    /// own holder markers do not stand in its way.
    async fn resume(&self, placed: Order) -> Result<HttpResponse, AppError> {
        tracing::info!(order = %placed.id, status = ?placed.status, "checkout resumed");
        let now = self.clock.now();
        if now.duration_since(placed.created_at) > RESUME_CHARGE_WINDOW {
            // Too late to start charging: the order is left to expire, so a first charge
            // never races the reconciliation job's expiry.
            return answer(placed);
        }
        answer(self.flow.charge(placed, &self.provider, false, now).await?)
    }

    /// The account's customer at the payment provider, made at its first checkout.
    async fn payment_customer(
        &self,
        account: &Account,
        now: Timestamp,
    ) -> Result<String, AppError> {
        let orders = &self.flow.orders;
        if let Some(customer) = orders.payment_customer(&account.id).await? {
            return Ok(customer);
        }
        let created = self
            .provider
            .customer(account.id.as_str(), account.email.as_str())
            .await?;
        orders
            .keep_payment_customer(&account.id, &created, now)
            .await
    }

    /// The license each line starts: the holder's trial of the product, or a new one.
    async fn licenses(
        &self,
        account: &Account,
        order: &OrderId,
        planned: &[PlannedLine],
        region: &Region,
    ) -> Result<Vec<LineLicense>, AppError> {
        let mut licenses = Vec::with_capacity(planned.len());
        for (i, line) in planned.iter().enumerate() {
            // A plant's licenses hold no marker: they stack (docs/payments.md).
            let trial = match line.plant {
                Some(_) => None,
                None => self.trial(account, line).await?,
            };
            licenses.push(match trial {
                Some(t) => LineLicense::Trial(t),
                None => LineLicense::New(PendingLicense::new(
                    order,
                    i,
                    account.id.clone(),
                    line,
                    region.clone(),
                )?),
            });
        }
        Ok(licenses)
    }

    /// The holder's trial of the line's product, which the purchase converts; a license the
    /// holder has (or is buying) is `409 license_exists`.
    async fn trial(
        &self,
        account: &Account,
        line: &PlannedLine,
    ) -> Result<Option<Subscription>, AppError> {
        let repo = &self.flow.subscriptions;
        Ok(match repo.holder(&line.product_id, &line.holder).await? {
            Some(m) if m.state == HolderState::Trial && m.account_id == account.id => {
                repo.get(&m.subscription_id).await?
            }
            Some(_) => {
                return Err(DomainError::conflict(
                    "license_exists",
                    format!(
                        "{} holds a license of {} already. One email holds one license per \
                             product; assign seats to colleagues instead.",
                        line.holder, line.product_id
                    ),
                )
                .into());
            }
            None => None,
        })
    }

    /// Domestic, reverse charge or the customer's country; a business abroad in the EU needs
    /// its VAT ID confirmed by VIES first.
    async fn tax_treatment(
        &self,
        account: &Account,
        billing: Option<&BusinessBilling>,
        now: Timestamp,
    ) -> Result<TaxTreatment, AppError> {
        let country = &account.country;
        let Some(billing) = billing else {
            return Ok(self
                .rates
                .treatment(&self.seller, Buyer::Consumer { country })?);
        };
        if billing.vat_id.country() != country.as_str() {
            return Err(DomainError::invalid(
                "vat_id_country_mismatch",
                format!(
                    "The VAT ID {} belongs to another country than the account ({country}).",
                    billing.vat_id
                ),
            )
            .into());
        }
        let needs_vies = country != &self.seller && self.rates.is_eu(country);
        if needs_vies {
            billing.check_for_vies()?;
            let stored = self.flow.orders.vat_check(&billing.vat_id).await?;
            let check = match stored {
                Some(c) if !self.vat_policy.needs_asking(Some(&c), now) => c,
                _ => {
                    let answer = self.vies.check(&billing.vat_id).await;
                    let check = self.vat_policy.record(billing.vat_id.clone(), answer, now);
                    self.flow.orders.save_vat_check(&check).await?;
                    check
                }
            };
            check.require_valid()?;
        }
        Ok(self.rates.treatment(
            &self.seller,
            Buyer::Business {
                country,
                vat_validated: needs_vies,
            },
        )?)
    }
}

/// How long after its order was placed a retried checkout may still start the charge; well
/// inside the day after which the reconciliation job expires an unpaid order.
const RESUME_CHARGE_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// The order as the buyer sees it, or why it will not be paid.
fn answer(placed: Order) -> Result<HttpResponse, AppError> {
    let placed = placed.accepted()?;
    tracing::info!(order = %placed.id, status = ?placed.status, "order placed");
    http::json(StatusCode::CREATED, &placed.view())
}

/// Checkout keys are the account's own.
fn checkout_scope(account: &Account) -> String {
    format!("checkout#{}", account.id)
}
