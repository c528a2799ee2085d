//! The handler driven by `events/migrate-account.json` (one account of wave `w-2026-12`, moving
//! on 2026-12-15) against a fresh table and mail queue on the stand-in: the announcement at
//! T-14 once however often the job comes; on the day the move (account, license renewing on its
//! day, the owner's seat, the imported order) and the welcome, each once; an email that has an
//! account keeps it; a failure is recorded and counted once; a paused wave does nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use aws_lambda_events::event::sqs::SqsEvent;
use jiff::civil::date;
use migrate_account::{Handler, Settings};
use shop_adapters::{flows::migration::moved_account_id, store::orders::OrdersRepo};
use shop_domain::{
    account::model::AccountStatus,
    id::{OldAccountId, WaveId},
    subscription::SubscriptionStatus,
};
use shop_testkit::{Sample, TestBed, bed, migration};

const WAVE: &str = "w-2026-12";

async fn setup(at: &str, next_stage: &str, email: &str) -> (TestBed, String, Handler) {
    let bed = TestBed::at(at).await;
    let mail = bed.queue().await;
    migration::seed_catalog(&bed.boot).await;
    migration::put_wave(&bed.dynamodb, &bed.table, WAVE, "2026-12-15", "active").await;
    let record = migration::record("K-1001", email);
    migration::put_wave_account(&bed.dynamodb, &bed.table, WAVE, &record, next_stage).await;
    let vars = bed::mail_vars(&mail);
    let handler = bed.handler(&vars, Settings::from_vars, Handler::new);
    (bed, mail, handler)
}

async fn deliver(handler: &Handler) {
    let response = handler
        .handle(Sample::of("migrate-account").parse::<SqsEvent>())
        .await;
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
}

#[tokio::test]
async fn the_announcement_goes_out_once_at_t_minus_14() {
    let (bed, mail, handler) = setup("2026-12-01T05:00:00Z", "announce", "anna@example.de").await;
    deliver(&handler).await;
    deliver(&handler).await; // SQS delivers at least once
    let sent = bed.received(&mail).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["template"], "migration_announcement");
    assert_eq!(sent[0]["dedupe_key"], "migration:w-2026-12:K-1001:announce");
    assert_eq!(sent[0]["data"]["transfer_date"], "2026-12-15");
    assert_eq!(
        (
            sent[0]["data"]["moving"].as_u64(),
            sent[0]["data"]["staying"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let (db, t) = (&bed.dynamodb, bed.table.as_str());
    assert_eq!(migration::counter(db, t, WAVE, "n_announced").await, 1);
    assert!(
        migration::wave_item(db, t, WAVE)
            .await
            .contains_key("started")
    );
}

#[tokio::test]
async fn on_the_day_the_account_moves_and_is_welcomed_once() {
    let (bed, mail, handler) = setup("2026-12-15T05:00:00Z", "remind", "anna@example.de").await;
    deliver(&handler).await;
    deliver(&handler).await;
    let sent = bed.received(&mail).await;
    let templates: Vec<_> = sent
        .iter()
        .map(|m| m["template"].as_str().unwrap())
        .collect();
    assert_eq!(
        templates,
        ["migration_welcome"],
        "no reminder on the day; one welcome"
    );
    let link = sent[0]["data"]["link"].as_str().unwrap();
    assert!(
        link.starts_with("https://app.example/activate?token="),
        "{link}"
    );

    let old = OldAccountId::parse("K-1001").unwrap();
    let account_id = moved_account_id(&old).unwrap();
    let account = bed.account(&account_id).await;
    assert_eq!(account.status, AccountStatus::PendingActivation);
    assert_eq!(account.moved_from, Some(WaveId::parse(WAVE).unwrap()));
    let subs = bed.boot.subscriptions().list(&account_id).await.unwrap();
    assert_eq!(subs.len(), 1, "the annual license stays behind");
    let sub = &subs[0];
    assert_eq!((sub.number.as_str(), sub.quantity.get()), ("S-1", 3));
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert_eq!(
        sub.due_on,
        Some(date(2027, 3, 1)),
        "renews the day after its term"
    );
    assert_eq!(sub.payment.as_ref().unwrap().payment_method, "pm_card_visa");
    let seats = bed.seats(&sub.id).await;
    assert_eq!(seats.len(), 1);
    assert_eq!(seats[0].email.as_str(), "anna@example.de");
    let orders = OrdersRepo::new(bed.dynamodb.clone(), &bed.table)
        .list(&account_id)
        .await
        .unwrap();
    assert_eq!(orders.len(), 1);
    assert!(orders[0].imported && orders[0].number == "A-2026/0007");

    let (db, t) = (&bed.dynamodb, bed.table.as_str());
    for (counter, want) in [
        ("n_moved", 1),
        ("n_welcomed", 1),
        ("n_reminded", 0),
        ("licenses_moved", 1),
        ("skipped_not_renewing", 1),
        ("n_failed", 0),
    ] {
        assert_eq!(
            migration::counter(db, t, WAVE, counter).await,
            want,
            "{counter}"
        );
    }
}

#[tokio::test]
async fn an_email_with_an_account_keeps_it_and_is_told_its_licenses_joined() {
    let (bed, mail, handler) = setup("2026-12-15T05:00:00Z", "move", "anna@example.de").await;
    let existing = bed.customer("anna@example.de").await;
    deliver(&handler).await;
    let sent = bed.received(&mail).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["template"], "migration_joined");
    let subs = bed.boot.subscriptions().list(&existing.id).await.unwrap();
    assert_eq!(subs.len(), 1, "the license joined the existing account");
    let moved = moved_account_id(&OldAccountId::parse("K-1001").unwrap()).unwrap();
    assert!(
        bed.boot.accounts().get(&moved).await.unwrap().is_none(),
        "no second account"
    );
}

#[tokio::test]
async fn a_failed_move_is_recorded_counted_once_and_tried_again() {
    let (bed, mail, handler) = setup("2026-12-15T05:00:00Z", "move", "anna@example.de").await;
    // The catalog loses the product: the move cannot price the license.
    bed.dynamodb
        .delete_item()
        .table_name(&bed.table)
        .key("pk", shop_adapters::store::dynamo::string_attr("CATALOG"))
        .key(
            "sk",
            shop_adapters::store::dynamo::string_attr("PRODUCT#alarm-team"),
        )
        .send()
        .await
        .unwrap();
    deliver(&handler).await;
    deliver(&handler).await;
    assert!(bed.received(&mail).await.is_empty());
    let (db, t) = (&bed.dynamodb, bed.table.as_str());
    assert_eq!(migration::counter(db, t, WAVE, "n_failed").await, 1);
    assert_eq!(migration::counter(db, t, WAVE, "n_moved").await, 0);
    let item = bed
        .item(&format!("WAVE#{WAVE}"), "ACCT#K-1001")
        .await
        .unwrap();
    let failure = item["failure"].as_m().unwrap();
    assert_eq!(failure["reason"].as_s().unwrap(), "unknown_product");
    assert_eq!(failure["attempts"].as_n().unwrap(), "2");
    assert_eq!(item["gsi1pk"].as_s().unwrap(), "WAVE#w-2026-12#FAILED");

    // Fixed, the next run moves it and takes the failure back.
    migration::seed_catalog(&bed.boot).await;
    deliver(&handler).await;
    assert_eq!(migration::counter(db, t, WAVE, "n_failed").await, 0);
    assert_eq!(migration::counter(db, t, WAVE, "n_moved").await, 1);
}

#[tokio::test]
async fn a_paused_wave_does_nothing() {
    let (bed, mail, handler) = setup("2026-12-15T05:00:00Z", "announce", "anna@example.de").await;
    migration::put_wave(&bed.dynamodb, &bed.table, WAVE, "2026-12-15", "paused").await;
    deliver(&handler).await;
    assert!(bed.received(&mail).await.is_empty());
    assert_eq!(
        migration::counter(&bed.dynamodb, &bed.table, WAVE, "n_moved").await,
        0
    );
}

#[tokio::test]
async fn an_unreadable_job_fails_alone() {
    let (_bed, _mail, handler) = setup("2026-12-15T05:00:00Z", "announce", "a@example.de").await;
    let mut event = Sample::of("migrate-account").event().clone();
    event["Records"][0]["body"] = "{\"wave\": 7}".into();
    let event: SqsEvent = serde_json::from_value(event).unwrap();
    let response = handler.handle(event).await;
    assert_eq!(response.batch_item_failures.len(), 1);
}

#[tokio::test]
async fn stored_stages_or_a_failure_in_another_shape_fail_the_job_and_send_nothing() {
    use shop_testkit::dynamodb::types::AttributeValue;
    for (attribute, value) in [
        ("stages", AttributeValue::S("announce".into())),
        ("failure", AttributeValue::M(Default::default())),
    ] {
        let (bed, mail, handler) = setup("2026-12-01T05:00:00Z", "announce", "a@example.de").await;
        bed.dynamodb
            .update_item()
            .table_name(&bed.table)
            .key("pk", AttributeValue::S(format!("WAVE#{WAVE}")))
            .key("sk", AttributeValue::S("ACCT#K-1001".into()))
            .update_expression("SET #a = :v")
            .expression_attribute_names("#a", attribute)
            .expression_attribute_values(":v", value)
            .send()
            .await
            .unwrap();
        let response = handler
            .handle(Sample::of("migrate-account").parse::<SqsEvent>())
            .await;
        assert_eq!(response.batch_item_failures.len(), 1, "{attribute}");
        assert!(bed.received(&mail).await.is_empty(), "{attribute}");
        let (db, t) = (&bed.dynamodb, bed.table.as_str());
        assert_eq!(migration::counter(db, t, WAVE, "n_announced").await, 0);
    }
}
