//! Seats against the stand-in: many concurrent assignments on one license never admit more
//! seats than its quantity, because each seat is written with the license's next version.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use jiff::{Timestamp, civil::date};
use shop_domain::{
    account::model::Account,
    id::AccountId,
    seats::{self, SeatForm},
    subscription::Subscription,
};
use shop_testkit::{TestBed, license};

/// `owner`'s license `id` of five seats, stored.
async fn license_of_five(bed: &TestBed, owner: &Account, id: &str) -> Subscription {
    let sub = license::alarm_team(owner, id, 5, date(2026, 11, 1));
    bed.store_license(&sub).await;
    sub
}

fn now() -> Timestamp {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

#[tokio::test]
async fn fifty_concurrent_assignments_fill_exactly_five_seats_in_every_round() {
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let repo = bed.boot.subscriptions();
    let customer = bed.customer("owner@example.de").await;
    let owner = customer.id.clone();
    for round in 0..20 {
        let sub = license_of_five(&bed, &customer, &format!("round-{round}")).await;
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
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let repo = bed.boot.subscriptions();
    let owner = bed.customer("owner@example.de").await;
    let sub = license_of_five(&bed, &owner, "mine").await;
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
