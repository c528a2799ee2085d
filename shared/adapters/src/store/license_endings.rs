//! A monitoring license its plant outgrew, ended in one transaction: the plant's license row
//! `SET ended_on` (only if unset, so each license ends once), the license `SUB#<id>` as the
//! domain's step answers it under the version read, and the plant's version + 1.

use aws_sdk_dynamodb::types::TransactWriteItem;
use jiff::civil::Date;
use shop_domain::{DomainError, id::SubscriptionId, subscription::Subscription};

use crate::{
    AppError,
    error::Context,
    store::{
        dynamo::{key, string_attr, update_at},
        inverters::InvertersRepo,
        plants::{PlantRecord, license_sk, plant_pk},
        subscriptions::SubscriptionsRepo,
    },
};

impl InvertersRepo {
    /// Ends the term `row` of `plant` (of the license `read`) on `day`, the license as `next`.
    /// A term ended meanwhile, or a license changed meanwhile, is left as it is: the caller
    /// reads again and decides anew.
    pub async fn end_license(
        &self,
        subscriptions: &SubscriptionsRepo,
        plant: &PlantRecord,
        row: &SubscriptionId,
        read: &Subscription,
        next: &Subscription,
        day: Date,
    ) -> Result<(), AppError> {
        let row = update_at(self.table(), key(plant_pk(&plant.id), &license_sk(row)))
            .update_expression("SET ended_on = :day")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(ended_on)")
            .expression_attribute_values(":day", string_attr(day.to_string()))
            .build()
            .context("build the license row update")?;
        let items = vec![
            TransactWriteItem::builder().update(row).build(),
            TransactWriteItem::builder()
                .put(subscriptions.put(next, Some(read.version))?)
                .build(),
            self.touch_plant(&plant.id, &plant.account_id, None)?,
        ];
        match self.transact(items, "end a license").await? {
            Some(2) => Err(DomainError::not_found("plant_not_found", "The plant is gone.").into()),
            _ => Ok(()),
        }
    }
}
