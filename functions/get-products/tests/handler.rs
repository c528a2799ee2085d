//! The handler driven by `events/get-products.json` against a fresh table on the stand-in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use get_products::Handler;
use lambda_http::Body;
use serde_json::{Value, json};
use shop_adapters::store::catalog::CatalogRepo;
use shop_domain::catalog::{Product, Region};

const EVENT: &str = include_str!("../../../events/get-products.json");

fn product(id: &str, prices: Value) -> Product {
    serde_json::from_value(json!({
        "id": id,
        "name": {"de": "Produkt", "en": "Product", "fr": "Produit"},
        "app": "alerting",
        "billing": "subscription",
        "unit": "license",
        "min_quantity": 5,
        "prices": prices
    }))
    .unwrap()
}

async fn handler() -> Handler {
    let sdk = shop_testkit::sdk().await;
    let (client, table) = shop_testkit::fresh_table(&sdk).await;
    let catalog = CatalogRepo::new(client, table);
    catalog
        .put(&product(
            "team",
            json!({"DE": {"P12M": "48.00"}, "AT": {"P12M": "49.99"}}),
        ))
        .await
        .unwrap();
    catalog
        .put(&product("solo", json!({"AT": {"P12M": "59.90"}})))
        .await
        .unwrap();
    Handler {
        catalog,
        default_region: Region::parse("AT").unwrap(),
    }
}

/// The sample event with its query replaced by `pairs`, as API Gateway would send it: the
/// raw query as given, and repeated names joined by commas in `queryStringParameters`.
fn event(pairs: &[(&str, &str)]) -> lambda_http::Request {
    let mut e: Value = serde_json::from_str(EVENT).unwrap();
    let raw: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', "%20")))
        .collect();
    e["rawQueryString"] = raw.join("&").into();
    let mut joined = serde_json::Map::new();
    for (k, v) in pairs {
        let value = match joined.get(*k) {
            Some(Value::String(prev)) => format!("{prev},{v}"),
            _ => (*v).to_owned(),
        };
        joined.insert((*k).to_owned(), value.into());
    }
    if joined.is_empty() {
        e.as_object_mut().unwrap().remove("queryStringParameters");
    } else {
        e["queryStringParameters"] = Value::Object(joined);
    }
    lambda_http::request::from_str(&e.to_string()).unwrap()
}

async fn call(h: &Handler, req: lambda_http::Request) -> (u16, String, Value) {
    let r = h.handle(req).await;
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    let body = match r.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap(),
        other => panic!("unexpected body {other:?}"),
    };
    (r.status().as_u16(), ct, body)
}

#[tokio::test]
async fn sample_event_answers_the_region_catalog_with_string_prices() {
    let h = handler().await;
    let (status, ct, body) = call(&h, lambda_http::request::from_str(EVENT).unwrap()).await;
    assert_eq!((status, ct.as_str()), (200, "application/json"));
    assert_eq!(body["region"], "DE");
    assert_eq!(body["currency"], "EUR");
    let products = body["products"].as_array().unwrap();
    assert_eq!(products.len(), 1, "solo is not sold in DE");
    assert_eq!(products[0]["id"], "team");
    assert_eq!(
        products[0]["prices"][0],
        json!({"term": "P12M", "net": "48.00"})
    );
}

#[tokio::test]
async fn region_is_case_insensitive_and_defaults_to_the_configured_one() {
    let h = handler().await;
    let (status, _, body) = call(&h, event(&[("region", "at")])).await;
    assert_eq!(status, 200);
    assert_eq!(body["products"].as_array().unwrap().len(), 2);
    let (status, _, body) = call(&h, event(&[])).await;
    assert_eq!(status, 200);
    assert_eq!(body["region"], "AT");
}

#[tokio::test]
async fn bad_queries_are_problems_with_stable_codes() {
    let h = handler().await;
    type Case<'a> = (&'a [(&'a str, &'a str)], u16, &'a str);
    let cases: [Case; 8] = [
        (&[("region", "CH")], 404, "unknown_region"),
        (&[("region", " de")], 400, "invalid_region"),
        (&[("region", "at ")], 400, "invalid_region"),
        (&[("region", "D1")], 400, "invalid_region"),
        (&[("region", "")], 400, "invalid_region"),
        (&[("region", "DE,AT")], 400, "invalid_region"),
        (&[("regoin", "DE")], 400, "unknown_parameter"),
        (
            &[("region", "DE"), ("region", "AT")],
            400,
            "repeated_parameter",
        ),
    ];
    for (query, status, code) in cases {
        let (got, ct, body) = call(&h, event(query)).await;
        assert_eq!(got, status, "{query:?}");
        assert_eq!(ct, "application/problem+json");
        assert_eq!(body["code"], code, "{query:?}");
        assert_eq!(body["status"], status);
    }
}
