//! The catalog in the shop table: one partition `CATALOG`, one item per product holding the
//! product as JSON (amounts are strings inside it, never floats).

use aws_sdk_dynamodb::{Client, types::AttributeValue};
use shop_domain::catalog::Product;

use crate::{
    AppError,
    error::Context,
    sdk::SendBoxed,
    store::dynamo::{Partition, from_json, query_all},
};

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
        query_all(
            &self.client,
            &self.table,
            Partition::Table,
            PARTITION.into(),
            false,
        )
        .await?
        .iter()
        .map(|item| from_json(item, "product"))
        .collect()
    }

    /// Adds or replaces a product.
    pub async fn put(&self, product: &Product) -> Result<(), AppError> {
        let json = serde_json::to_string(product).context("encode a product")?;
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(PARTITION.into()))
            .item("sk", AttributeValue::S(format!("PRODUCT#{}", product.id())))
            .item("product", AttributeValue::S(json))
            .send_boxed()
            .await
            .map_err(|e| AppError::sdk("put product", e))?;
        Ok(())
    }
}
