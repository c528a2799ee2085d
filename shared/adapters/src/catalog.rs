//! The catalog in the shop table: one partition `CATALOG`, one item per product holding the
//! product as JSON (amounts are strings inside it, never floats).

use aws_sdk_dynamodb::{Client, types::AttributeValue};
use shop_domain::catalog::Product;

use crate::AppError;

const PARTITION: &str = "CATALOG";

#[derive(Clone)]
pub struct CatalogRepo {
    client: Client,
    table: String,
}

impl CatalogRepo {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Every product, read with one query (paged by the SDK when the catalog grows).
    pub async fn all(&self) -> Result<Vec<Product>, AppError> {
        let pages = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(PARTITION.into()))
            .into_paginator()
            .items()
            .send()
            .collect::<Vec<_>>()
            .await;
        pages
            .into_iter()
            .map(|item| {
                let item = item.map_err(|e| AppError::sdk("query catalog", e))?;
                let json = item
                    .get("product")
                    .and_then(|v| v.as_s().ok())
                    .ok_or_else(|| AppError::Internal("catalog item without product".into()))?;
                serde_json::from_str(json)
                    .map_err(|e| AppError::Internal(format!("stored product is invalid: {e}")))
            })
            .collect()
    }

    /// Adds or replaces a product.
    pub async fn put(&self, product: &Product) -> Result<(), AppError> {
        let json = serde_json::to_string(product).map_err(|e| AppError::Internal(e.to_string()))?;
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(PARTITION.into()))
            .item("sk", AttributeValue::S(format!("PRODUCT#{}", product.id())))
            .item("product", AttributeValue::S(json))
            .send()
            .await
            .map_err(|e| AppError::sdk("put product", e))?;
        Ok(())
    }
}
