//! Orders in the shop table (see docs/data-model.md): the order as JSON under `ORDER#<id>`
//! with its `status` as the condition of every change, listed per account through `gsi1`;
//! gapless numbers from `COUNTER#<series>#<year>`, taken in the same transaction as the
//! document that uses them; VAT checks under `VAT#<id>` and the provider's customer per account.

use aws_sdk_dynamodb::{
    Client,
    types::{Put, TransactWriteItem, Update},
};
use jiff::Timestamp;
use shop_domain::{
    DomainError,
    id::{AccountId, OrderId},
    order::{Order, OrderStatus, document_number},
    subscription::Subscription,
    vat::{VatId, vies::VatCheck},
};

use crate::store::plant_licenses::PlantLicenseRows;
use crate::{
    AppError,
    error::Context,
    sdk::SendBoxed,
    store::dynamo::{
        GSI1, Item, Table, first_condition_failed, from_json, is_conflict, key, number,
        number_attr, put_once, query_json, string_attr, text, to_json, update_at,
    },
    store::subscriptions::SubscriptionsRepo,
};

/// How often a transaction is tried again when another one took the same number first.
const NUMBER_ATTEMPTS: usize = 40;

#[derive(Clone)]
pub struct OrdersRepo {
    table: Table,
    /// The licenses an order's writes touch in the same transaction. Code outside the store
    /// reads licenses through its own `SubscriptionsRepo` (the flow's), not through here.
    subscriptions: SubscriptionsRepo,
    /// A monitoring license's rows in its plant.
    pub plant_licenses: PlantLicenseRows,
}

fn order_key(id: &OrderId) -> Item {
    key(format!("ORDER#{id}"), "ORDER")
}

/// The `gsi2` partitions of orders waiting for their payment's outcome: those waiting for
/// the customer or the first answer, and SEPA debits on their way (which stay for days, so
/// they get their own partition and never crowd out the others).
pub const OPEN_ORDERS: &str = "OPEN_ORDERS";
pub const SETTLING_ORDERS: &str = "SETTLING_ORDERS";

fn open_partition(status: OrderStatus) -> Option<&'static str> {
    match status {
        OrderStatus::Processing => Some(SETTLING_ORDERS),
        s if s.is_open() => Some(OPEN_ORDERS),
        _ => None,
    }
}

/// Zero-padded creation time, so the index sorts (and compares) by time.
fn open_sort_key(created_at: Timestamp, id: &str) -> String {
    format!("{:012}#{id}", created_at.as_second())
}

fn counter_key(series: &str, year: i16) -> Item {
    key(format!("COUNTER#{series}#{year}"), "COUNTER")
}

/// One write of a transaction that issues a document number.
pub enum Write {
    Put(Put),
    Update(Update),
    Delete(aws_sdk_dynamodb::types::Delete),
}

impl Write {
    pub fn item(self) -> TransactWriteItem {
        match self {
            Write::Put(p) => TransactWriteItem::builder().put(p).build(),
            Write::Update(u) => TransactWriteItem::builder().update(u).build(),
            Write::Delete(d) => TransactWriteItem::builder().delete(d).build(),
        }
    }
}

/// Why a numbered transaction did not go through.
pub enum NumberedError {
    /// The write at this index (0-based, among the caller's writes) failed its condition.
    Condition(usize),
    Other(AppError),
}

impl OrdersRepo {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        let table = Table::new(client, table);
        Self {
            subscriptions: SubscriptionsRepo {
                table: table.clone(),
            },
            plant_licenses: PlantLicenseRows::new(table.client.clone(), table.name.clone()),
            table,
        }
    }

    pub fn table(&self) -> &str {
        &self.table.name
    }

    /// A transaction on the shop table, for writes that need no number.
    pub fn transact(
        &self,
    ) -> aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsFluentBuilder
    {
        self.table.client.transact_write_items()
    }

    async fn counter(&self, series: &str, year: i16) -> Result<u64, AppError> {
        let found = self
            .table
            .get(counter_key(series, year), "read counter")
            .await?;
        // No counter yet: nothing of the series was numbered this year. A counter without
        // its number is a fault, never taken as 0 (that would hand out a number twice).
        match found {
            None => Ok(0),
            Some(item) => {
                number(&item, "n").ok_or_else(|| AppError::fault("counter without its number"))
            }
        }
    }

    /// Takes the next number of `series` in `year` and writes what `build` makes with it, all
    /// in one transaction: a number is used exactly when its document is written, so numbers
    /// have no gaps. When another transaction took the number first, it tries the next one.
    pub async fn numbered<F>(
        &self,
        series: &str,
        year: i16,
        mut build: F,
    ) -> Result<String, NumberedError>
    where
        F: FnMut(&str) -> Result<Vec<Write>, AppError>,
    {
        for attempt in 0..NUMBER_ATTEMPTS {
            let seen = self
                .counter(series, year)
                .await
                .map_err(NumberedError::Other)?;
            let number = document_number(series, year, seen + 1);
            let writes = build(&number).map_err(NumberedError::Other)?;
            let mut bump = update_at(&self.table.name, counter_key(series, year))
                .update_expression("SET n = :next")
                .expression_attribute_values(":next", number_attr(seen + 1));
            bump = if seen == 0 {
                bump.condition_expression("attribute_not_exists(pk)")
            } else {
                bump.condition_expression("n = :seen")
                    .expression_attribute_values(":seen", number_attr(seen))
            };
            let mut tx = self.table.client.transact_write_items().transact_items(
                TransactWriteItem::builder()
                    .update(
                        bump.build()
                            .context("build the counter update")
                            .map_err(NumberedError::Other)?,
                    )
                    .build(),
            );
            for w in writes {
                tx = tx.transact_items(w.item());
            }
            match tx.send_boxed().await {
                Ok(_) => return Ok(number),
                Err(e) => match first_condition_failed(&e) {
                    Some(0) => {
                        // Lost the number to a concurrent writer: back off a little and retry.
                        let pause = 5 + (attempt as u64 * 7) % 40;
                        tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                    }
                    Some(i) => return Err(NumberedError::Condition(i - 1)),
                    None if is_conflict(&e) => {
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    }
                    None => return Err(NumberedError::Other(AppError::sdk("numbered write", e))),
                },
            }
        }
        Err(NumberedError::Other(AppError::unavailable(format!(
            "no free {series} number after {NUMBER_ATTEMPTS} attempts"
        ))))
    }

    /// The write that stores `order`; `from` is the status it had when read (None: new).
    pub fn put_order(&self, order: &Order, from: Option<OrderStatus>) -> Result<Put, AppError> {
        let mut item = order_key(&order.id);
        item.insert("order".into(), to_json(order)?);
        item.insert("status".into(), to_json(&order.status)?);
        item.insert("account_id".into(), string_attr(order.account_id.as_str()));
        item.insert(
            "gsi1pk".into(),
            string_attr(format!("ACCOUNT#{}#ORDERS", order.account_id)),
        );
        item.insert(
            "gsi1sk".into(),
            string_attr(format!("{}#{}", order.created_at.as_second(), order.id)),
        );
        if let Some(partition) = open_partition(order.status) {
            // Sparse: only orders waiting for their payment's outcome, oldest first, for the
            // reconciliation job. A final status writes the order without them.
            item.insert("gsi2pk".into(), string_attr(partition));
            item.insert(
                "gsi2sk".into(),
                string_attr(open_sort_key(order.created_at, order.id.as_str())),
            );
        }
        let put = self.table.put_row(item);
        let put = match from {
            None => put.condition_expression("attribute_not_exists(pk)"),
            Some(status) => put
                .condition_expression("#status = :from")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":from", to_json(&status)?),
        };
        put.build().context("build the order put")
    }

    /// Stores a change of an order alone (no number), on the condition of its old status.
    pub async fn update_order(&self, order: &Order, from: OrderStatus) -> Result<bool, AppError> {
        let put = self.put_order(order, Some(from))?;
        put_once(&self.table.client, put, "update order").await
    }

    /// Open orders of `partition` ([`OPEN_ORDERS`] or [`SETTLING_ORDERS`]) created before
    /// `before`, oldest first, at most `limit` of them: queries on the sparse `gsi2` (paged),
    /// no scan.
    pub async fn open_before(
        &self,
        partition: &str,
        before: Timestamp,
        limit: usize,
    ) -> Result<Vec<Order>, AppError> {
        let mut pages = self
            .table
            .client
            .query()
            .table_name(&self.table.name)
            .index_name("gsi2")
            .key_condition_expression("gsi2pk = :pk AND gsi2sk < :before")
            .expression_attribute_values(":pk", string_attr(partition))
            .expression_attribute_values(":before", string_attr(open_sort_key(before, "")))
            .into_paginator()
            .items()
            .send();
        let mut orders = Vec::new();
        while orders.len() < limit {
            let Some(item) = pages.next().await else {
                break;
            };
            let item = item.map_err(|e| AppError::sdk("query open orders", e))?;
            orders.push(from_json(&item, "order")?);
        }
        Ok(orders)
    }

    pub async fn get(&self, id: &OrderId) -> Result<Option<Order>, AppError> {
        self.table
            .get_json(order_key(id), "order", "get order")
            .await
    }

    /// An order of `owner`; another account's order is as unknown as a missing one.
    pub async fn get_owned(&self, id: &OrderId, owner: &AccountId) -> Result<Order, AppError> {
        self.get(id)
            .await?
            .filter(|o| &o.account_id == owner)
            .ok_or_else(|| DomainError::not_found("order_not_found", "No such order.").into())
    }

    /// The account's orders, newest first.
    pub async fn list(&self, owner: &AccountId) -> Result<Vec<Order>, AppError> {
        query_json(
            &self.table.client,
            &self.table.name,
            GSI1,
            format!("ACCOUNT#{owner}#ORDERS"),
            true,
            "order",
        )
        .await
    }

    /// The licenses an order's lines bought, in line order.
    pub async fn subscriptions_of(&self, order: &Order) -> Result<Vec<Subscription>, AppError> {
        let mut subs = Vec::with_capacity(order.lines.len());
        for line in &order.lines {
            subs.push(
                self.subscriptions
                    .get(&line.subscription_id)
                    .await?
                    .ok_or_else(|| AppError::fault(format!("order {} lost a license", order.id)))?,
            );
        }
        Ok(subs)
    }

    pub async fn vat_check(&self, id: &VatId) -> Result<Option<VatCheck>, AppError> {
        self.table
            .get_json(key(format!("VAT#{id}"), "VAT"), "check", "get VAT check")
            .await
    }

    pub async fn save_vat_check(&self, check: &VatCheck) -> Result<(), AppError> {
        let mut item = key(format!("VAT#{}", check.vat_id), "VAT");
        item.insert("check".into(), to_json(check)?);
        self.table.put_item(item, "save VAT check").await
    }

    /// The payment provider's customer of an account, if one was recorded.
    pub async fn payment_customer(&self, account: &AccountId) -> Result<Option<String>, AppError> {
        let found = self
            .table
            .get(
                key(format!("ACCOUNT#{account}"), "PAYMENT_CUSTOMER"),
                "get payment customer",
            )
            .await?;
        Ok(found.and_then(|i| text(&i, "customer").map(str::to_owned)))
    }

    /// Records the account's provider customer unless one is recorded; answers the one kept.
    pub async fn keep_payment_customer(
        &self,
        account: &AccountId,
        customer: &str,
        now: Timestamp,
    ) -> Result<String, AppError> {
        let mut item = key(format!("ACCOUNT#{account}"), "PAYMENT_CUSTOMER");
        item.insert("customer".into(), string_attr(customer));
        item.insert("created_at".into(), number_attr(now.as_second()));
        if self.table.put_new(item, "keep payment customer").await? {
            return Ok(customer.to_owned());
        }
        self.payment_customer(account)
            .await?
            .ok_or_else(|| AppError::fault("payment customer vanished"))
    }
}
