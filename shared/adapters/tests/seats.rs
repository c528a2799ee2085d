//! Seats against the stand-in: many concurrent assignments on one license never admit more
//! seats than its quantity, because each seat is written with the license's next version.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use jiff::{Timestamp, civil::date};
use shop_adapters::store::subscriptions::SubscriptionsRepo;
use shop_domain::{
    Email, Money, Quantity,
    catalog::{Billing, LocalizedText, Region, Term},
    id::{AccountId, AppId, ProductId, SubscriptionId},
    seats::{self, SeatForm},
    subscription::{Period, Subscription, SubscriptionStatus},
};

fn license(id: &str, quantity: u32) -> Subscription {
    Subscription {
        id: SubscriptionId::parse(id).unwrap(),
        number: format!("ORD-2026-000001-{id}"),
        account_id: AccountId::parse("owner").unwrap(),
        product_id: ProductId::parse("alarm-team").unwrap(),
        product_name: LocalizedText {
            de: "A".into(),
            en: "A".into(),
            fr: "A".into(),
        },
        app: AppId::parse("alerting").unwrap(),
        billing: Billing::Subscription,
        holder: Email::parse("owner@example.de").unwrap(),
        status: SubscriptionStatus::Active,
        quantity: Quantity::new(quantity).unwrap(),
        term: Term::Months(12),
        region: Region::parse("DE").unwrap(),
        unit_net: Money::from_cents(4800),
        period: Some(Period::starting(date(2026, 11, 1), Term::Months(12))),
        auto_renew: true,
        orders: Vec::new(),
        invoices: Vec::new(),
        activated: false,
        payment: None,
        version: 1,
        legacy: false,
        scheduled_change: None,
        anchor: None,
        term_index: 0,
        failed_charges: 0,
        tax: None,
        due_on: None,
        next_period: None,
        plant: None,
    }
}

/// Stores a new license the way the order flow writes it.
async fn create(client: &aws_sdk_dynamodb::Client, repo: &SubscriptionsRepo, sub: &Subscription) {
    let put = repo.put(sub, None).unwrap();
    client
        .put_item()
        .table_name(put.table_name())
        .set_item(Some(put.item().clone()))
        .condition_expression(put.condition_expression().unwrap())
        .send()
        .await
        .unwrap();
}

fn now() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

#[tokio::test]
async fn fifty_concurrent_assignments_fill_exactly_five_seats_in_every_round() {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    let repo = SubscriptionsRepo::new(client.clone(), table);
    let owner = AccountId::parse("owner").unwrap();
    for round in 0..20 {
        let sub = license(&format!("round-{round}"), 5);
        create(&client, &repo, &sub).await;
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let (repo, id, owner) = (repo.clone(), sub.id.clone(), owner.clone());
                tokio::spawn(async move {
                    let form = SeatForm {
                        email: format!("c{i}@example.de"),
                        starts_on: None,
                        ends_on: None,
                    };
                    repo.change_seat(&id, &owner, 200, now, |s, seats, at, today| {
                        seats::assign(s, seats, &form, format!("seat-{i}"), at, today)
                    })
                    .await
                })
            })
            .collect();
        let mut admitted = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => admitted += 1,
                Err(e) => assert!(
                    e.to_string().contains("seats are taken"),
                    "round {round}: {e}"
                ),
            }
        }
        let (stored, seats) = repo.with_seats(&sub.id).await.unwrap().unwrap();
        assert_eq!((admitted, seats.len()), (5, 5), "round {round}");
        assert_eq!(stored.version, 6, "one version per admitted seat");
        assert!(stored.activated);
    }
}

#[tokio::test]
async fn another_owner_cannot_touch_the_license() {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    let repo = SubscriptionsRepo::new(client.clone(), table);
    let sub = license("mine", 5);
    create(&client, &repo, &sub).await;
    let stranger = AccountId::parse("stranger").unwrap();
    let form = SeatForm {
        email: "c@example.de".into(),
        starts_on: None,
        ends_on: None,
    };
    let err = repo
        .change_seat(&sub.id, &stranger, 5, now, |s, seats, at, today| {
            seats::assign(s, seats, &form, "x".into(), at, today)
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("No such license"));
    assert!(
        repo.with_seats(&sub.id)
            .await
            .unwrap()
            .unwrap()
            .1
            .is_empty()
    );
}
