//! The handler driven by `events/renew-license.json` against a fresh table on the stand-in and
//! the local stack's payment sandbox: the owner renews a fixed-term license inside its window,
//! paid at once, and the next term follows the current one without a gap.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use jiff::civil::date;
use renew_license::{Handler, Settings};
use shop_domain::{
    account::model::Account,
    catalog::{Billing, Term},
    id::SubscriptionId,
    subscription::{Period, Subscription},
};
use shop_testkit::{TestBed, bed, license};

/// The clock 30 days before the end of a 365-day term: inside the 40-day renewal window.
const NOW: &str = "2026-11-22T10:00:00Z";

/// The handler, trusting the test tokens and charging through the sandbox, and the sample's
/// fixed-term license, paid by card, whose term ends on 2026-12-22 (`fixed_term` false: a
/// rolling license instead, which cannot be renewed early).
async fn setup(fixed_term: bool) -> (TestBed, Handler, Account, SubscriptionId) {
    let bed = TestBed::at(NOW).await;
    let queue = bed.queue().await;
    let fixed = |rolling| Subscription {
        billing: Billing::FixedTerm,
        term: Term::Days(365),
        period: Some(Period::starting(date(2025, 12, 23), Term::Days(365))),
        ..rolling
    };
    let (owner, sub) = bed
        .sample_license("renew-license", 1, |s| {
            let card = license::paid_by_card(s);
            if fixed_term { fixed(card) } else { card }
        })
        .await;
    let vars = bed::charging_vars(&queue);
    let handler = bed.handler(&vars, Settings::from_vars, Handler::new);
    (bed, handler, owner, sub.id)
}

#[tokio::test]
async fn the_sample_renews_the_fixed_term_without_a_gap() {
    let (bed, h, owner, id) = setup(true).await;
    let sample = bed.sample_by("renew-license", &owner);
    let answer = sample.answer(&h).await;
    assert_eq!(answer.ok(201)["status"], "confirmed");
    let sub = bed.license(&id).await;
    let next = sub.next_period.unwrap();
    assert_eq!(next.starts_on, date(2026, 12, 23));
    sample.answer(&h).await.problem(409, "already_renewed");
}

#[tokio::test]
async fn a_rolling_license_is_refused_and_nothing_is_charged() {
    let (bed, h, owner, id) = setup(false).await;
    let sample = bed.sample_by("renew-license", &owner);
    let answer = sample.answer(&h).await;
    assert_eq!(
        (answer.status, answer.content_type.as_str()),
        (409, "application/problem+json")
    );
    let sub = bed.license(&id).await;
    assert!(sub.next_period.is_none() && sub.orders.is_empty());
}
