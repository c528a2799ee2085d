//! `POST /v1/checkout` as the rules see it: the form a customer sends, checked into a
//! [`Checkout`], then planned against the catalog into priced lines.

use serde::Deserialize;

use crate::{
    DomainError, Email, Quantity,
    account::profile::{Country, DisplayName},
    catalog::{
        Billing as BillingKind, Eligibility, LocalizedText, PriceUnit, Product, Region, Term,
    },
    id::{AppId, ProductId},
    order::{Billing, PaymentMethod, invoice::InvoiceLine},
    vat::{TaxTreatment, VatId, latin::check_vies_fields},
};

/// Most lines one checkout may hold; each line is two items in the order's transaction.
pub const MAX_LINES: usize = 20;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckoutForm {
    pub lines: Vec<LineForm>,
    pub payment: PaymentForm,
    pub accept_terms: bool,
    #[serde(default)]
    pub billing: Option<BillingForm>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineForm {
    pub product_id: String,
    /// `2.0` is 2, as for the contract's `type: integer`; the range is `Quantity`'s.
    #[serde(deserialize_with = "crate::wire::whole_number")]
    pub quantity: i64,
    /// Needed only when the product is sold for several terms.
    #[serde(default)]
    pub term: Option<String>,
    /// Who holds the license; the buyer's own email when left out.
    #[serde(default)]
    pub holder_email: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentForm {
    pub method: PaymentMethod,
    /// The provider's token for the card or SEPA mandate, made by the web app.
    pub token: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingForm {
    pub company: String,
    pub vat_id: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutLine {
    pub product: ProductId,
    pub quantity: Quantity,
    pub term: Option<Term>,
    pub holder: Option<Email>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessBilling {
    pub company: DisplayName,
    pub vat_id: VatId,
    pub street: DisplayName,
    pub postal_code: DisplayName,
    pub city: DisplayName,
}

impl BusinessBilling {
    /// The fields VIES receives must be plain Latin; every offending one is named.
    pub fn check_for_vies(&self) -> Result<(), DomainError> {
        check_vies_fields(&[
            ("billing.company", self.company.as_str()),
            ("billing.street", self.street.as_str()),
            ("billing.postal_code", self.postal_code.as_str()),
            ("billing.city", self.city.as_str()),
        ])
    }

    pub fn to_record(&self) -> Billing {
        Billing {
            company: self.company.to_string(),
            vat_id: self.vat_id.to_string(),
            street: self.street.to_string(),
            postal_code: self.postal_code.to_string(),
            city: self.city.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    pub lines: Vec<CheckoutLine>,
    pub method: PaymentMethod,
    pub token: String,
    pub billing: Option<BusinessBilling>,
}

impl CheckoutForm {
    pub fn check(self) -> Result<Checkout, DomainError> {
        if !self.accept_terms {
            return Err(DomainError::invalid(
                "contract_terms_not_accepted",
                "Tick the contract terms to order.",
            ));
        }
        if self.lines.is_empty() || self.lines.len() > MAX_LINES {
            return Err(DomainError::invalid(
                "invalid_lines",
                format!("An order has 1 to {MAX_LINES} lines."),
            ));
        }
        let token = self.payment.token.trim();
        if !(1..=255).contains(&token.len()) || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(DomainError::invalid(
                "invalid_payment_token",
                "The payment token is 1 to 255 visible ASCII characters from the payment form.",
            ));
        }
        let lines = self
            .lines
            .into_iter()
            .map(|l| {
                Ok(CheckoutLine {
                    product: ProductId::parse(&l.product_id)?,
                    // Out of u32's range is as wrong as 0: both fail `Quantity::new`.
                    quantity: Quantity::new(u32::try_from(l.quantity).unwrap_or(0))?,
                    term: l.term.as_deref().map(str::parse).transpose()?,
                    holder: l.holder_email.as_deref().map(Email::parse).transpose()?,
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        let billing = self
            .billing
            .map(|b| {
                Ok::<_, DomainError>(BusinessBilling {
                    company: DisplayName::parse(&b.company)?,
                    vat_id: VatId::parse(&b.vat_id)?,
                    street: DisplayName::parse(&b.street)?,
                    postal_code: DisplayName::parse(&b.postal_code)?,
                    city: DisplayName::parse(&b.city)?,
                })
            })
            .transpose()?;
        Ok(Checkout {
            lines,
            method: self.payment.method,
            token: token.to_owned(),
            billing,
        })
    }
}

/// The buyer as planning sees it.
#[derive(Debug, Clone, Copy)]
pub struct BuyerProfile<'a> {
    pub email: &'a Email,
    pub country: &'a Country,
    pub eligibility: &'a [Eligibility],
}

/// A checkout line matched to the catalog and priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLine {
    pub product_id: ProductId,
    pub product_name: LocalizedText,
    pub app: AppId,
    pub billing: BillingKind,
    pub term: Term,
    pub holder: Email,
    pub invoice: InvoiceLine,
}

/// Matches every line to a product sold in `region`, enforces minimum quantities,
/// eligibility and one license per email and product within the order, and prices the lines.
pub fn plan(
    checkout: &Checkout,
    products: &[Product],
    buyer: BuyerProfile<'_>,
    region: &Region,
    tax: TaxTreatment,
) -> Result<Vec<PlannedLine>, DomainError> {
    let mut planned: Vec<PlannedLine> = Vec::with_capacity(checkout.lines.len());
    for line in &checkout.lines {
        let offer = products
            .iter()
            .find(|p| p.id() == &line.product)
            .and_then(|p| p.offer(region))
            .ok_or_else(|| {
                DomainError::invalid(
                    "unknown_product",
                    format!("{} is not sold in region {region}.", line.product),
                )
            })?;
        if offer.unit == PriceUnit::Kw {
            return Err(DomainError::invalid(
                "plant_required",
                format!(
                    "{} is licensed per plant by its power; buy it from the plant's page.",
                    line.product
                ),
            ));
        }
        if offer.eligibility != Eligibility::Anyone
            && !buyer.eligibility.contains(&offer.eligibility)
        {
            return Err(DomainError::Forbidden {
                code: "not_eligible",
                detail: format!(
                    "{} is reserved for {} customers; ask support to confirm your eligibility.",
                    line.product,
                    match offer.eligibility {
                        Eligibility::Edu => "education",
                        _ => "government",
                    }
                ),
            });
        }
        if line.quantity < offer.min_quantity {
            return Err(DomainError::invalid(
                "below_minimum_quantity",
                format!(
                    "{} is sold from {} licenses on.",
                    line.product,
                    offer.min_quantity.get()
                ),
            ));
        }
        let price = match line.term {
            Some(term) => offer.prices.iter().find(|p| p.term == term),
            None if offer.prices.len() == 1 => offer.prices.first(),
            None => {
                return Err(DomainError::invalid(
                    "term_required",
                    format!("{} is sold for several terms; name one.", line.product),
                ));
            }
        }
        .ok_or_else(|| {
            DomainError::invalid(
                "unknown_term",
                format!("{} is not sold for that term.", line.product),
            )
        })?;
        let holder = line.holder.clone().unwrap_or_else(|| buyer.email.clone());
        if planned
            .iter()
            .any(|p| p.product_id == line.product && p.holder == holder)
        {
            return Err(DomainError::invalid(
                "duplicate_license",
                format!(
                    "{holder} can hold one license of {}; put more licenses on one line or \
                     use another holder.",
                    line.product
                ),
            ));
        }
        let net = price.net.times(line.quantity);
        planned.push(PlannedLine {
            product_id: line.product.clone(),
            product_name: offer.name.clone(),
            app: offer.app.clone(),
            billing: offer.billing,
            term: price.term,
            invoice: InvoiceLine::new(
                format!("{} ({}), {holder}", offer.name.en, price.term),
                line.quantity,
                price.net,
                net.amount(),
                tax.rate(),
            ),
            holder,
        });
    }
    Ok(planned)
}

#[cfg(test)]
#[path = "checkout_tests.rs"]
mod tests;
