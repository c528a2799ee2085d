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
    solar::{LicenseOrder, PlantId, PlantToLicense, plant_not_found, price_licenses},
    subscription::MonitoredPlant,
    vat::{Buyer, TaxTreatment, VatId, latin::check_vies_fields},
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

/// `POST /v1/checkout/preview`: the lines and billing of a checkout, without its payment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewForm {
    pub lines: Vec<LineForm>,
    #[serde(default)]
    pub billing: Option<BillingForm>,
}

impl PreviewForm {
    /// The preview as a checkout that pays nothing: checked by the same rules.
    pub fn check(self) -> Result<(Vec<CheckoutLine>, Option<BusinessBilling>), DomainError> {
        Ok((check_lines(self.lines)?, check_billing(self.billing)?))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineForm {
    pub product_id: String,
    /// `2.0` is 2, as for the contract's `type: integer`; the range is `Quantity`'s. Left out
    /// on a line of plants (one license each).
    #[serde(default, deserialize_with = "optional_whole_number")]
    pub quantity: Option<i64>,
    /// Needed only when the product is sold for several terms.
    #[serde(default)]
    pub term: Option<String>,
    /// Who holds the license; the buyer's own email when left out.
    #[serde(default)]
    pub holder_email: Option<String>,
    /// The plants a monitoring line (a product sold per kW) licenses, one license each.
    #[serde(default)]
    pub plants: Option<Vec<String>>,
}

fn optional_whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    crate::wire::whole_number(d).map(Some)
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
    /// The plants of a monitoring line; empty on every other line.
    pub plants: Vec<PlantId>,
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
        let token = self.payment.token.trim();
        if !crate::ascii::token(token, 1..=255, crate::ascii::visible) {
            return Err(DomainError::invalid(
                "invalid_payment_token",
                "The payment token is 1 to 255 visible ASCII characters from the payment form.",
            ));
        }
        Ok(Checkout {
            lines: check_lines(self.lines)?,
            method: self.payment.method,
            token: token.to_owned(),
            billing: check_billing(self.billing)?,
        })
    }
}

/// The lines of a checkout or its preview. A line of plants names no quantity (each plant is
/// one license) and no holder (the buyer holds them); every other line needs its quantity.
pub fn check_lines(lines: Vec<LineForm>) -> Result<Vec<CheckoutLine>, DomainError> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        return Err(DomainError::invalid(
            "invalid_lines",
            format!("An order has 1 to {MAX_LINES} lines."),
        ));
    }
    lines
        .into_iter()
        .map(|l| {
            let plants = match l.plants {
                None => Vec::new(),
                Some(ids) => {
                    if l.quantity.is_some() || l.holder_email.is_some() {
                        return Err(DomainError::invalid(
                            "plants_with_quantity",
                            "A line of plants has one license per plant, held by the buyer: \
                             leave out quantity and holder_email.",
                        ));
                    }
                    if ids.is_empty() || ids.len() > MAX_LINES {
                        return Err(DomainError::invalid(
                            "invalid_plants",
                            format!("A monitoring line covers 1 to {MAX_LINES} plants."),
                        ));
                    }
                    ids.iter()
                        .map(|id| PlantId::parse(id))
                        .collect::<Result<_, _>>()?
                }
            };
            let quantity = match l.quantity {
                // Out of u32's range is as wrong as 0: both fail `Quantity::new`.
                Some(q) => Quantity::new(u32::try_from(q).unwrap_or(0))?,
                None if !plants.is_empty() => Quantity::new(1)?,
                None => {
                    return Err(DomainError::invalid(
                        "quantity_required",
                        format!("Name the quantity of {}.", l.product_id),
                    ));
                }
            };
            Ok(CheckoutLine {
                product: ProductId::parse(&l.product_id)?,
                quantity,
                term: l.term.as_deref().map(str::parse).transpose()?,
                holder: l.holder_email.as_deref().map(Email::parse).transpose()?,
                plants,
            })
        })
        .collect()
}

/// A business buyer's billing details, when given.
pub fn check_billing(billing: Option<BillingForm>) -> Result<Option<BusinessBilling>, DomainError> {
    billing
        .map(|b| {
            Ok(BusinessBilling {
                company: DisplayName::parse(&b.company)?,
                vat_id: VatId::parse(&b.vat_id)?,
                street: DisplayName::parse(&b.street)?,
                postal_code: DisplayName::parse(&b.postal_code)?,
                city: DisplayName::parse(&b.city)?,
            })
        })
        .transpose()
}

/// The buyer as planning sees it.
#[derive(Debug, Clone, Copy)]
pub struct BuyerProfile<'a> {
    pub email: &'a Email,
    pub country: &'a Country,
    pub eligibility: &'a [Eligibility],
    /// Consumer or business, as the tax decision sees it: who may buy monitoring.
    pub buyer: Buyer<'a>,
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
    /// The plant a monitoring line licenses.
    pub plant: Option<MonitoredPlant>,
}

/// Matches every line to a product sold in `region`, enforces minimum quantities,
/// eligibility and one license per email and product within the order, and prices the lines.
/// A line of plants is priced per plant by its power (`plants`: each named plant as read).
pub fn plan(
    lines: &[CheckoutLine],
    products: &[Product],
    buyer: BuyerProfile<'_>,
    region: &Region,
    tax: TaxTreatment,
    plants: &[PlantToLicense],
) -> Result<Vec<PlannedLine>, DomainError> {
    let mut planned: Vec<PlannedLine> = Vec::with_capacity(lines.len());
    for line in lines {
        let product = products.iter().find(|p| p.id() == &line.product);
        let offer = product.and_then(|p| p.offer(region)).ok_or_else(|| {
            DomainError::invalid(
                "unknown_product",
                format!("{} is not sold in region {region}.", line.product),
            )
        })?;
        if let (Some(product), false) = (product, line.plants.is_empty()) {
            planned.extend(plant_lines(
                line, product, buyer, region, tax, plants, &planned,
            )?);
            continue;
        }
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
            plant: None,
        });
    }
    Ok(planned)
}

/// A line of plants: one license per plant at its power; a plant named on an earlier line of
/// the order is refused like a plant named twice on one line.
fn plant_lines(
    line: &CheckoutLine,
    product: &Product,
    buyer: BuyerProfile<'_>,
    region: &Region,
    tax: TaxTreatment,
    plants: &[PlantToLicense],
    planned: &[PlannedLine],
) -> Result<Vec<PlannedLine>, DomainError> {
    let named = line
        .plants
        .iter()
        .map(|id| {
            if planned
                .iter()
                .any(|p| p.plant.as_ref().is_some_and(|c| &c.plant == id))
            {
                return Err(DomainError::invalid(
                    "duplicate_plant",
                    format!("Plant {id} is named twice; one license covers it."),
                ));
            }
            plants
                .iter()
                .find(|p| &p.id == id)
                .cloned()
                .ok_or_else(|| plant_not_found(id))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let priced = price_licenses(
        LicenseOrder {
            product,
            region,
            term: line.term,
            buyer: buyer.buyer,
            holder: buyer.email,
            tax,
        },
        &named,
    )?;
    Ok(priced.into_iter().map(|p| p.planned).collect())
}

#[cfg(test)]
#[path = "checkout_tests.rs"]
mod tests;
