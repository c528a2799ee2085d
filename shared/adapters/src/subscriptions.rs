//! Licenses in the shop table: the license as JSON under `SUB#<id>` with its `version` for
//! optimistic locking, listed per account through `gsi1`; and the holder marker
//! `HOLDER#<product>#<email>` that lets an email hold one license of a product.

use aws_sdk_dynamodb::{
    Client,
    types::{AttributeValue, Delete, Put, Update},
};
use shop_domain::{
    Email,
    id::{AccountId, OrderId, ProductId, SubscriptionId},
    subscription::Subscription,
};

use crate::{
    AppError,
    dynamo::{Item, from_json, internal, key, n, s, text, to_json},
};

/// The holder marker's states: a trial, a license being paid for, a license held.
pub const HOLDER_TRIAL: &str = "trial";
pub const HOLDER_PENDING: &str = "pending";
pub const HOLDER_HELD: &str = "held";

#[derive(Clone)]
pub struct SubscriptionsRepo {
    pub(crate) client: Client,
    pub(crate) table: String,
}

pub fn sub_key(id: &SubscriptionId) -> Item {
    key(format!("SUB#{id}"), "SUB")
}

pub fn holder_key(product: &ProductId, holder: &Email) -> Item {
    key(format!("HOLDER#{product}#{holder}"), "HOLDER")
}

/// Who holds a product's license for an email, as the marker says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderMarker {
    pub subscription_id: SubscriptionId,
    pub account_id: AccountId,
    pub state: String,
}

impl SubscriptionsRepo {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub async fn get(&self, id: &SubscriptionId) -> Result<Option<Subscription>, AppError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(sub_key(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| AppError::sdk("get subscription", e))?;
        out.item
            .map(|item| from_json(&item, "subscription"))
            .transpose()
    }

    pub async fn holder(
        &self,
        product: &ProductId,
        holder: &Email,
    ) -> Result<Option<HolderMarker>, AppError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(holder_key(product, holder)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| AppError::sdk("get holder marker", e))?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        let field =
            |name: &str| text(&item, name).ok_or_else(|| internal("holder marker incomplete"));
        Ok(Some(HolderMarker {
            subscription_id: SubscriptionId::parse(field("subscription_id")?).map_err(internal)?,
            account_id: AccountId::parse(field("account_id")?).map_err(internal)?,
            state: field("state")?.to_owned(),
        }))
    }

    /// Writes `sub`; `expected` is the version read (None for a new license).
    pub fn put(&self, sub: &Subscription, expected: Option<u64>) -> Result<Put, AppError> {
        let mut item = sub_key(&sub.id);
        item.insert("subscription".into(), to_json(sub)?);
        item.insert("version".into(), n(sub.version));
        item.insert("account_id".into(), s(sub.account_id.as_str()));
        item.insert(
            "gsi1pk".into(),
            s(format!("ACCOUNT#{}#SUBS", sub.account_id)),
        );
        item.insert("gsi1sk".into(), s(sub.id.as_str()));
        let put = Put::builder().table_name(&self.table).set_item(Some(item));
        let put = match expected {
            None => put.condition_expression("attribute_not_exists(pk)"),
            Some(v) => put
                .condition_expression("version = :expected")
                .expression_attribute_values(":expected", n(v)),
        };
        put.build().map_err(internal)
    }

    /// Claims the holder marker for a new license bought by `order`.
    pub fn claim_holder(&self, sub: &Subscription, order: &OrderId) -> Result<Put, AppError> {
        let mut item = holder_key(&sub.product_id, &sub.holder);
        item.insert("subscription_id".into(), s(sub.id.as_str()));
        item.insert("account_id".into(), s(sub.account_id.as_str()));
        item.insert("state".into(), s(HOLDER_PENDING));
        item.insert("order_id".into(), s(order.as_str()));
        Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(internal)
    }

    /// Moves a holder marker from `from` to `to` for `order`, on the condition that it still
    /// points at `sub` in state `from`.
    pub fn move_holder(
        &self,
        sub: &Subscription,
        from: &str,
        to: &str,
        order: &OrderId,
    ) -> Result<Update, AppError> {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(holder_key(&sub.product_id, &sub.holder)))
            .update_expression("SET #state = :to, order_id = :order")
            .condition_expression("#state = :from AND subscription_id = :sub")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":to", s(to))
            .expression_attribute_values(":from", s(from))
            .expression_attribute_values(":order", s(order.as_str()))
            .expression_attribute_values(":sub", s(sub.id.as_str()))
            .build()
            .map_err(internal)
    }

    /// Frees a holder marker `order` had claimed.
    pub fn release_holder(&self, sub: &Subscription, order: &OrderId) -> Result<Delete, AppError> {
        Delete::builder()
            .table_name(&self.table)
            .set_key(Some(holder_key(&sub.product_id, &sub.holder)))
            .condition_expression("order_id = :order AND subscription_id = :sub")
            .expression_attribute_values(":order", s(order.as_str()))
            .expression_attribute_values(":sub", s(sub.id.as_str()))
            .build()
            .map_err(internal)
    }

    /// Writes a trial license and its marker (operator tool); refused when the email holds
    /// the product already.
    pub async fn grant_trial(&self, sub: &Subscription) -> Result<(), AppError> {
        let mut marker = holder_key(&sub.product_id, &sub.holder);
        marker.insert("subscription_id".into(), s(sub.id.as_str()));
        marker.insert("account_id".into(), s(sub.account_id.as_str()));
        marker.insert("state".into(), AttributeValue::S(HOLDER_TRIAL.into()));
        let marker = Put::builder()
            .table_name(&self.table)
            .set_item(Some(marker))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(internal)?;
        self.client
            .transact_write_items()
            .transact_items(
                aws_sdk_dynamodb::types::TransactWriteItem::builder()
                    .put(marker)
                    .build(),
            )
            .transact_items(
                aws_sdk_dynamodb::types::TransactWriteItem::builder()
                    .put(self.put(sub, None)?)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| AppError::sdk("grant trial", e))?;
        Ok(())
    }
}
