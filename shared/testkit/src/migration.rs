//! Migration waves' rows as docs/data-model.md fixes them ("Migration waves"), written
//! directly for the mailer's and the worker's tests: a wave, and its accounts waiting for a
//! stage. The import route writes the same rows.

use aws_sdk_dynamodb::{Client, types::AttributeValue};
use serde_json::{Value, json};
use shop_adapters::store::dynamo::{number_attr, string_attr};

/// Writes wave `id` (`active` or `paused`) moving on `transfer_date` (`YYYY-MM-DD`).
pub async fn put_wave(client: &Client, table: &str, id: &str, transfer_date: &str, status: &str) {
    let wave = json!({"id": id, "name": format!("Wave {id}"), "transfer_date": transfer_date,
                      "status": status});
    client
        .put_item()
        .table_name(table)
        .item("pk", string_attr(format!("WAVE#{id}")))
        .item("sk", string_attr("WAVE"))
        .item("wave", string_attr(wave.to_string()))
        .item("status", string_attr(status))
        .item("version", number_attr(1))
        .item("created_at", number_attr(1_790_000_000))
        .item("n_imported", number_attr(0))
        .item("gsi1pk", string_attr("WAVES"))
        .item("gsi1sk", string_attr(format!("1790000000000#{id}")))
        .send()
        .await
        .expect("the wave is stored");
}

/// Writes an account of wave `wave` from its export `record`, waiting for `next_stage`, and
/// counts it imported.
pub async fn put_wave_account(
    client: &Client,
    table: &str,
    wave: &str,
    record: &Value,
    next_stage: &str,
) {
    let old_id = record["old_id"].as_str().expect("a record with its old id");
    client
        .put_item()
        .table_name(table)
        .item("pk", string_attr(format!("WAVE#{wave}")))
        .item("sk", string_attr(format!("ACCT#{old_id}")))
        .item("account", string_attr(record.to_string()))
        .item("next_stage", string_attr(next_stage))
        .item("stages", AttributeValue::M(Default::default()))
        .item(
            "gsi2pk",
            string_attr(format!("MIGRATION#{wave}#{next_stage}")),
        )
        .item("gsi2sk", string_attr(old_id))
        .send()
        .await
        .expect("the wave account is stored");
    client
        .update_item()
        .table_name(table)
        .key("pk", string_attr(format!("WAVE#{wave}")))
        .key("sk", string_attr("WAVE"))
        .update_expression("ADD n_imported :one")
        .expression_attribute_values(":one", number_attr(1))
        .send()
        .await
        .expect("the wave counts it");
}

/// An export record: one active auto-renewing subscription (`S-1`, three `alarm-team`
/// licenses, 2026-03-01 to 2027-02-28) with its order, paid by card.
pub fn record(old_id: &str, email: &str) -> Value {
    json!({
        "old_id": old_id, "email": email, "name": "Anna Berg", "country": "DE",
        "language": "de",
        "payment": {"method": "card", "customer": "cus_old1", "payment_method": "pm_card_visa"},
        "licenses": [
            {"number": "S-1", "product": "alarm-team", "quantity": 3, "term_start": "2026-03-01",
             "term_end": "2027-02-28", "auto_renew": true, "status": "active", "kind": "subscription"},
            {"number": "S-2", "product": "alarm-solo", "quantity": 1, "term_start": "2026-01-01",
             "term_end": "2026-12-31", "auto_renew": false, "status": "active", "kind": "annual"}
        ],
        "orders": [
            {"number": "A-2026/0007", "license": "S-1", "date": "2026-03-01",
             "lines": [{"product": "alarm-team", "quantity": 3, "net": "144.00"}],
             "net": "144.00", "tax": "27.36", "gross": "171.36"}
        ]
    })
}

/// The wave's item, to read its counters.
pub async fn wave_item(
    client: &Client,
    table: &str,
    id: &str,
) -> std::collections::HashMap<String, AttributeValue> {
    client
        .get_item()
        .table_name(table)
        .key("pk", string_attr(format!("WAVE#{id}")))
        .key("sk", string_attr("WAVE"))
        .consistent_read(true)
        .send()
        .await
        .expect("get the wave")
        .item
        .expect("the wave exists")
}

/// A counter of the wave (0 when never added to).
pub async fn counter(client: &Client, table: &str, id: &str, name: &str) -> i64 {
    wave_item(client, table, id)
        .await
        .get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The demo catalog (`infra/seed/catalog.json`) in the bed's table: moved licenses are priced
/// from it.
pub async fn seed_catalog(boot: &shop_adapters::boot::Boot) {
    let products: Vec<shop_domain::catalog::Product> =
        serde_json::from_str(include_str!("../../../infra/seed/catalog.json"))
            .expect("the demo catalog reads");
    for product in &products {
        boot.catalog()
            .put(product)
            .await
            .expect("the product is stored");
    }
}
