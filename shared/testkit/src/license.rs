//! Licenses for handler tests: a paid, active license stored through the real repository, as
//! the order flow leaves it once the order is confirmed.

use jiff::civil::Date;
use shop_adapters::{
    boot::config::Vars, flows::order_flow::OrderFlowSettings,
    store::subscriptions::SubscriptionsRepo,
};
use shop_domain::{
    Money, Quantity,
    account::model::Account,
    catalog::{Billing, LocalizedText, Region, Term},
    id::{AppId, ProductId, SubscriptionId},
    order::model::PaymentMethod,
    subscription::{Period, Renewal, StoredPayment, Subscription, SubscriptionStatus},
    vat::TaxTreatment,
};

/// A paid, active twelve-month license of `quantity` "alarm-team" seats (48.00 net each, German
/// VAT) owned and held by `owner`, its term starting on `starts_on`.
pub fn alarm_team(owner: &Account, id: &str, quantity: u32, starts_on: Date) -> Subscription {
    Subscription {
        id: SubscriptionId::parse(id).expect("a valid id"),
        number: "ORD-2026-000001".into(),
        account_id: owner.id.clone(),
        product_id: ProductId::parse("alarm-team").expect("a valid id"),
        product_name: LocalizedText {
            de: "Alarmierung Team".into(),
            en: "Alerting Team".into(),
            fr: "Alertes équipe".into(),
        },
        app: AppId::parse("alerting").expect("a valid id"),
        billing: Billing::Subscription,
        holder: owner.email.clone(),
        status: SubscriptionStatus::Active,
        quantity: Quantity::new(quantity).expect("a valid quantity"),
        term: Term::Months(12),
        region: Region::parse("DE").expect("a region"),
        unit_net: Money::from_cents(4800),
        period: Some(Period::starting(starts_on, Term::Months(12))),
        auto_renew: true,
        orders: Vec::new(),
        // Paid: its first order's invoice.
        invoices: vec!["INV-2026-000001".into()],
        activated: false,
        payment: None,
        version: 1,
        legacy: false,
        scheduled_change: None,
        anchor: Some(starts_on),
        term_index: 0,
        failed_charges: 0,
        tax: Some(TaxTreatment::Domestic {
            rate: "19".parse().expect("a rate"),
        }),
        due_on: None,
        next_period: None,
        plant: None,
    }
}

/// Stores `sub` as new, the way the order flow writes it.
pub async fn store(
    client: &aws_sdk_dynamodb::Client,
    repo: &SubscriptionsRepo,
    sub: &Subscription,
) {
    let put = repo.put(sub, None).expect("a storable license");
    client
        .put_item()
        .table_name(put.table_name())
        .set_item(Some(put.item().clone()))
        .set_condition_expression(put.condition_expression().map(str::to_owned))
        .send()
        .await
        .expect("a fresh table takes the license");
}

/// `sub` paid by card through the payment sandbox, so renewals and upgrades can charge it.
pub fn paid_by_card(sub: Subscription) -> Subscription {
    Subscription {
        payment: Some(StoredPayment {
            method: PaymentMethod::Card,
            customer: "cus_handler_test".into(),
            payment_method: "pm_card_visa".into(),
        }),
        ..sub
    }
}

/// The renewal order of `sub` for its next twelve months, placed through the order flow as the
/// renewal worker places it (numbered, pending payment, nothing charged yet).
pub async fn place_renewal(
    boot: &shop_adapters::boot::Boot,
    sub: &Subscription,
    mail_queue: &str,
) -> shop_domain::order::Order {
    let starts_on = sub
        .period
        .and_then(|p| p.ends_on.tomorrow().ok())
        .expect("a license with a term");
    let renewal = Renewal {
        quantity: sub.quantity,
        period: Period::starting(starts_on, Term::Months(12)),
        term_index: sub.term_index + 1,
    };
    let tax = sub.tax.expect("a license with its tax treatment");
    let id = sub.renewal_order_id().expect("a renewal order id");
    let order = shop_domain::order::Order::renewal(sub, id, renewal, tax, boot.clock().now())
        .expect("a renewal order");
    let vars = [
        ("MAIL_QUEUE_URL", mail_queue),
        ("APP_URL", "https://app.example"),
    ];
    let settings = OrderFlowSettings::from_vars(&Vars::given(&vars)).expect("flow settings");
    boot.order_flow(&settings)
        .place_change(order, sub)
        .await
        .expect("the order flow places the renewal")
}

/// Where a handler test of a route on one license starts: a bed at 2026-11-22 10:00, a mail
/// queue, the sample's license owned by a customer, and the handler.
pub struct LicenseCase<H> {
    pub bed: crate::TestBed,
    pub handler: H,
    /// The mail queue, for the handler's settings and to read what it sent.
    pub queue: String,
    pub owner: Account,
    pub id: SubscriptionId,
}

impl<H> LicenseCase<H> {
    /// The license `function`'s sample names, `quantity` seats, and the handler `build` makes
    /// on the bed and the queue (`bed.handler(&bed::protected_mail_vars(queue), ..)`).
    pub async fn new(
        function: &str,
        quantity: u32,
        build: impl FnOnce(&crate::TestBed, &str) -> H,
    ) -> Self {
        Self::adjusted(function, quantity, |s| s, build).await
    }

    /// As [`Self::new`], the license changed by `adjust` before it is stored
    /// ([`paid_by_card`]).
    pub async fn adjusted(
        function: &str,
        quantity: u32,
        adjust: impl FnOnce(Subscription) -> Subscription,
        build: impl FnOnce(&crate::TestBed, &str) -> H,
    ) -> Self {
        let bed = crate::TestBed::at("2026-11-22T10:00:00Z").await;
        let queue = bed.queue().await;
        let (owner, sub) = bed.sample_license(function, quantity, adjust).await;
        let handler = build(&bed, &queue);
        Self {
            bed,
            handler,
            queue,
            owner,
            id: sub.id,
        }
    }
}
