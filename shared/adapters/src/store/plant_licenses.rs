//! The writes a monitoring license makes to its plant's partition (docs/data-model.md,
//! "Plants, inverters and the device registry"): its `LICENSE#<id>` row when it is paid, the
//! plant's version moved with it, and the claim on an ended license's residual credit. The
//! plant itself is read through [`PlantsRepo`].

use std::collections::BTreeSet;

use aws_sdk_dynamodb::{
    Client,
    types::{Put, Update},
};
use shop_domain::{Money, id::SubscriptionId, solar::PlantId, subscription::Period};

use crate::{
    AppError,
    error::Context,
    store::{
        dynamo::{
            Partition, delete_at, key, number_attr, put_absent, query_all, string_attr, text,
            update_at,
        },
        plants::{PLANT_SK, PlantsRepo, license_sk, plant_pk},
    },
};

/// One paid term of a monitoring license as its plant's row holds it.
pub struct LicenseRow {
    pub id: SubscriptionId,
    /// The license a renewed term belongs to; `None` for a license's first term.
    pub renews: Option<SubscriptionId>,
    pub period: Period,
    pub power_w: u64,
    pub net: Money,
}

/// Who claimed an ended license's residual credit: the new license whose order credits it.
const CREDITED_BY: &str = "credited_by";

#[derive(Clone)]
pub struct PlantLicenseRows {
    client: Client,
    table: String,
}

impl PlantLicenseRows {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn plants(&self) -> PlantsRepo {
        PlantsRepo::new(self.client.clone(), &self.table)
    }

    /// The plant's licenses whose residual credit an order has claimed, read consistently.
    pub async fn claimed(&self, plant: &PlantId) -> Result<BTreeSet<SubscriptionId>, AppError> {
        let items = query_all(
            &self.client,
            &self.table,
            Partition::Table,
            plant_pk(plant),
            false,
        )
        .await?;
        items
            .iter()
            .filter(|i| text(i, "sk").is_some_and(|sk| sk.starts_with("LICENSE#")))
            .filter(|i| text(i, CREDITED_BY).is_some())
            .map(|i| {
                SubscriptionId::parse(text(i, "subscription_id").unwrap_or_default())
                    .context("the license id of a plant's license row")
            })
            .collect()
    }

    /// Claims `ended`'s residual credit for the new license `by`, in the placing transaction:
    /// of two orders racing for it, one claims it.
    pub fn claim_credit(
        &self,
        plant: &PlantId,
        ended: &SubscriptionId,
        by: &SubscriptionId,
    ) -> Result<Update, AppError> {
        let held = "attribute_exists(ended_on) AND attribute_not_exists(#by)";
        self.credit_update(plant, ended, by, ("SET #by = :by", held))
            .context("build the credit claim")
    }

    /// Gives back the credit `by` claimed, when its order is never paid.
    pub fn release_credit(
        &self,
        plant: &PlantId,
        ended: &SubscriptionId,
        by: &SubscriptionId,
    ) -> Result<Update, AppError> {
        self.credit_update(plant, ended, by, ("REMOVE #by", "#by = :by"))
            .context("build the credit release")
    }

    /// The ended license row's `credited_by` changed by `(update, condition)`.
    fn credit_update(
        &self,
        plant: &PlantId,
        ended: &SubscriptionId,
        by: &SubscriptionId,
        (update, condition): (&str, &str),
    ) -> Result<Update, aws_sdk_dynamodb::error::BuildError> {
        update_at(&self.table, key(plant_pk(plant), &license_sk(ended)))
            .update_expression(update)
            .condition_expression(condition)
            .expression_attribute_names("#by", CREDITED_BY)
            .expression_attribute_values(":by", string_attr(by.as_str()))
            .build()
    }

    /// A paid term's row in its plant, written once: the first term as the license's own
    /// row, a renewed term (`row.renews`) under its own id (`<license>-t<term>`).
    pub fn put_license(&self, plant: &PlantId, row: &LicenseRow) -> Result<Put, AppError> {
        let mut item = key(plant_pk(plant), &license_sk(&row.id));
        for (name, value) in [
            ("subscription_id", row.id.to_string()),
            ("starts_on", row.period.starts_on.to_string()),
            ("ends_on", row.period.ends_on.to_string()),
            ("net", row.net.to_string()),
        ] {
            item.insert(name.into(), string_attr(value));
        }
        if let Some(license) = &row.renews {
            item.insert("renews".into(), string_attr(license.as_str()));
        }
        item.insert("power_w".into(), number_attr(row.power_w));
        put_absent(&self.table, item, "build the plant license put")
    }

    /// A cancelled license's row: gone, so it covers no day and its plant may be deleted.
    pub fn delete_license(
        &self,
        plant: &PlantId,
        license: &SubscriptionId,
    ) -> Result<aws_sdk_dynamodb::types::Delete, AppError> {
        delete_at(&self.table, key(plant_pk(plant), &license_sk(license)))
            .build()
            .context("build the plant license delete")
    }

    /// Moves the plant's version, whatever it is: a license row changed.
    pub fn bump_plant(&self, plant: &PlantId) -> Result<Update, AppError> {
        update_at(&self.table, key(plant_pk(plant), PLANT_SK))
            .update_expression("SET version = version + :one")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":one", number_attr(1))
            .build()
            .context("build the plant version bump")
    }

    /// Moves the plant's version from the one its license rows were read at: a license start
    /// decided on rows that changed meanwhile (a racing purchase, a deletion) fails.
    pub fn touch_plant(&self, plant: &PlantId, read: u64) -> Result<Update, AppError> {
        update_at(&self.table, key(plant_pk(plant), PLANT_SK))
            .update_expression("SET version = :next")
            .condition_expression("version = :read")
            .expression_attribute_values(":read", number_attr(read))
            .expression_attribute_values(":next", number_attr(read + 1))
            .build()
            .context("build the plant version move")
    }
}
