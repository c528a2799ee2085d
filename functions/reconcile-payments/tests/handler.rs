//! The handler run as the schedule of `events/reconcile-payments.json` runs it, against a fresh
//! table on the stand-in and the local stack's payment sandbox: an unpaid order is left to the
//! webhook while young, and expires once nobody paid it for a day.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use jiff::civil::date;
use reconcile_payments::{Handler, Settings, Summary};
use shop_adapters::{
    boot::{Boot, config::Vars},
    store::orders::OrdersRepo,
};
use shop_domain::order::OrderStatus;
use shop_testkit::{Sample, TestBed, bed, license};

fn handler(boot: &Boot, queue: &str) -> Handler<shop_adapters::clients::payments::StripeClient> {
    let flow = [
        ("MAIL_QUEUE_URL", queue),
        ("APP_URL", "https://app.example"),
    ];
    let vars = [&bed::sandbox_vars()[..], &flow].concat();
    Handler::new(boot, Settings::from_vars(&Vars::given(&vars)).unwrap()).unwrap()
}

#[tokio::test]
async fn an_unpaid_order_waits_while_young_and_expires_after_a_day() {
    // The schedule's event carries nothing the job reads; its time is when the order is placed.
    let placed_at = Sample::of("reconcile-payments").event()["time"].clone();
    let bed = TestBed::at(placed_at.as_str().unwrap()).await;
    let queue = bed.queue().await;
    let owner = bed.customer("anna@example.de").await;
    let sub = license::paid_by_card(license::alarm_team(&owner, "lic-1", 5, date(2025, 11, 22)));
    bed.store_license(&sub).await;
    let order = license::place_renewal(&bed.boot, &sub, &queue).await;

    let young = handler(&bed.boot, &queue).handle().await.unwrap();
    assert_eq!(young, Summary::default(), "too young: left to the webhook");

    let day_later = bed.boot_at("2026-11-23T10:30:00Z");
    let late = handler(&day_later, &queue).handle().await.unwrap();
    assert_eq!(
        (late.looked_at, late.expired, late.errors),
        (1, 1, 0),
        "{late:?}"
    );
    let orders = OrdersRepo::new(bed.dynamodb.clone(), bed.table.clone());
    let stored = orders.get(&order.id).await.unwrap().unwrap();
    assert_eq!(stored.status, OrderStatus::Expired);
}
