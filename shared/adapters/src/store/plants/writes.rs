//! The plant's own writes: create, list, change the details, delete (with its inverter rows,
//! its past license rows and the release of its devices). Every change is conditioned on the
//! version it was decided on; docs/data-model.md has the rows.

use aws_sdk_dynamodb::types::TransactWriteItem;
use jiff::Timestamp;
use shop_domain::{
    DomainError,
    id::AccountId,
    solar::{PlantDetails, PlantId},
};

use super::{PLANT_SK, PlantRecord, PlantsRepo, inverter_sk, license_sk, plant_pk};
use crate::{
    AppError,
    error::Context,
    sdk::SendBoxed,
    store::{
        dynamo::{
            GSI1, Tried, condition_failed, delete_at, key, number_attr, put_new, query_all,
            string_attr, text, to_json, transact_once, update_at, update_item_at,
        },
        inverters::release,
    },
};

/// The `gsi2` partition of the plants their owners made public.
pub const PUBLIC_PLANTS: &str = "PUBLIC_PLANTS";

/// DynamoDB takes at most 100 items per transaction: one for the plant, two per inverter
/// (its row and its device), so a step of a deletion moves at most this many rows.
const ROWS_PER_STEP: usize = 48;

/// The `gsi1` partition listing an account's plants.
fn account_plants(owner: &AccountId) -> String {
    format!("ACCOUNT#{owner}#PLANTS")
}

/// A change decided on a plant that changed since it was read.
pub fn plant_changed() -> AppError {
    DomainError::conflict(
        "concurrent_change",
        "The plant was changed at the same time; look at it again and retry.",
    )
    .into()
}

impl PlantRecord {
    /// The plant with other details, as the next version.
    pub fn with_details(&self, details: PlantDetails) -> PlantRecord {
        PlantRecord {
            details,
            version: self.version + 1,
            ..self.clone()
        }
    }
}

/// One row of the plant's partition that a deletion removes.
enum Row<'a> {
    Inverter(&'a super::PlantInverter),
    License(&'a shop_domain::solar::PlantLicense),
}

impl PlantsRepo {
    /// Stores a new plant of `owner` (no inverters, no licenses, version 1) under a fresh id.
    pub async fn create(
        &self,
        id: PlantId,
        owner: &AccountId,
        details: PlantDetails,
        at: Timestamp,
    ) -> Result<PlantRecord, AppError> {
        let mut item = key(plant_pk(&id), PLANT_SK);
        item.insert("plant".into(), to_json(&details)?);
        item.insert("account_id".into(), string_attr(owner.as_str()));
        item.insert("version".into(), number_attr(1));
        item.insert("created_at".into(), string_attr(at.to_string()));
        item.insert("gsi1pk".into(), string_attr(account_plants(owner)));
        item.insert(
            "gsi1sk".into(),
            // Milliseconds: two plants made in one second still list newest first.
            string_attr(format!("{:013}#{id}", at.as_millisecond().max(0))),
        );
        if details.public {
            item.insert("gsi2pk".into(), string_attr(PUBLIC_PLANTS));
            item.insert("gsi2sk".into(), string_attr(id.as_str()));
        }
        // 128 random bits never collide; a collision is a fault, never an overwrite.
        if !put_new(&self.client, &self.table, item, "create plant").await? {
            return Err(AppError::fault("a new plant id was taken"));
        }
        Ok(PlantRecord {
            id,
            account_id: owner.clone(),
            details,
            first_activation: None,
            version: 1,
            inverters: Vec::new(),
            licenses: Vec::new(),
            renewed_terms: Default::default(),
        })
    }

    /// The account's plants, newest first, each read as [`PlantsRepo::read`] reads it: one
    /// index query, then one partition query per plant. A plant deleted since the (eventually
    /// consistent) index was written is left out.
    pub async fn list(&self, owner: &AccountId) -> Result<Vec<PlantRecord>, AppError> {
        let listed =
            query_all(&self.client, &self.table, GSI1, account_plants(owner), true).await?;
        let mut plants = Vec::with_capacity(listed.len());
        for item in &listed {
            let raw = text(item, "pk")
                .and_then(|pk| pk.strip_prefix("PLANT#"))
                .ok_or_else(|| AppError::fault("an account's plant entry without its key"))?;
            let id = PlantId::parse(raw).context("the id of a listed plant")?;
            if let Some(plant) = self.read(&id).await?
                && &plant.account_id == owner
            {
                plants.push(plant);
            }
        }
        Ok(plants)
    }

    /// Stores `next`'s details (and its place on the public list) decided on the version
    /// `read`; `409 concurrent_change` when the plant moved on since (an inverter, a license).
    pub async fn save_details(&self, next: &PlantRecord, read: u64) -> Result<(), AppError> {
        let mut update =
            update_item_at(&self.client, &self.table, key(plant_pk(&next.id), PLANT_SK))
                .condition_expression("version = :read")
                .expression_attribute_values(":read", number_attr(read))
                .expression_attribute_values(":next", number_attr(read + 1))
                .expression_attribute_values(":plant", to_json(&next.details)?);
        update = if next.details.public {
            update
                .update_expression(
                    "SET plant = :plant, version = :next, gsi2pk = :public, gsi2sk = :id",
                )
                .expression_attribute_values(":public", string_attr(PUBLIC_PLANTS))
                .expression_attribute_values(":id", string_attr(next.id.as_str()))
        } else {
            update.update_expression("SET plant = :plant, version = :next REMOVE gsi2pk, gsi2sk")
        };
        match update.send_boxed().await {
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Err(plant_changed()),
            Err(e) => Err(AppError::sdk("save plant details", e)),
        }
    }

    /// Deletes the plant as read: its item, its inverter rows and past license rows, and
    /// frees its devices (`REMOVE plant_id, account_id` where the device is still this
    /// plant's), conditioned on the version read so nothing added since is lost. Up to 48
    /// rows this is one transaction; a larger plant is emptied in steps of 48 rows, each
    /// moving the version on, the plant item going last: a change that comes between two
    /// steps stops the deletion with `concurrent_change`, the rows removed so far staying
    /// removed (the plant is still there to be deleted again).
    pub async fn delete(&self, plant: &PlantRecord) -> Result<(), AppError> {
        let rows: Vec<Row<'_>> = plant
            .inverters
            .iter()
            .map(Row::Inverter)
            .chain(plant.licenses.iter().map(Row::License))
            .collect();
        let mut chunks: Vec<&[Row<'_>]> = rows.chunks(ROWS_PER_STEP).collect();
        let last = chunks.pop().unwrap_or(&[]);
        let mut version = plant.version;
        for chunk in chunks {
            self.delete_step(plant, chunk, version, false).await?;
            version += 1;
        }
        self.delete_step(plant, last, version, true).await
    }

    /// One transaction of a deletion: the plant's condition (moving its version on, or
    /// deleting it when `last`), then each row.
    async fn delete_step(
        &self,
        plant: &PlantRecord,
        rows: &[Row<'_>],
        version: u64,
        last: bool,
    ) -> Result<(), AppError> {
        let plant_key = key(plant_pk(&plant.id), PLANT_SK);
        let guard = if last {
            TransactWriteItem::builder()
                .delete(
                    delete_at(&self.table, plant_key)
                        .condition_expression("version = :read")
                        .expression_attribute_values(":read", number_attr(version))
                        .build()
                        .context("build the plant delete")?,
                )
                .build()
        } else {
            TransactWriteItem::builder()
                .update(
                    update_at(&self.table, plant_key)
                        .update_expression("SET version = :next")
                        .condition_expression("version = :read")
                        .expression_attribute_values(":read", number_attr(version))
                        .expression_attribute_values(":next", number_attr(version + 1))
                        .build()
                        .context("build the plant step")?,
                )
                .build()
        };
        let mut items = vec![guard];
        for row in rows {
            items.extend(self.row_removal(plant, row)?);
        }
        match transact_once(&self.client, items, "delete plant").await? {
            Tried::Done => Ok(()),
            Tried::Refused(0) | Tried::Collided => Err(plant_changed()),
            Tried::Refused(_) => Err(AppError::fault(
                "a device of a deleted plant's inverter belongs to another plant",
            )),
        }
    }

    /// The writes that remove one row: an inverter's row and its device's link to the plant,
    /// or a past license's row.
    fn row_removal(
        &self,
        plant: &PlantRecord,
        row: &Row<'_>,
    ) -> Result<Vec<TransactWriteItem>, AppError> {
        let delete = |sk: String| -> Result<TransactWriteItem, AppError> {
            Ok(TransactWriteItem::builder()
                .delete(
                    delete_at(&self.table, key(plant_pk(&plant.id), &sk))
                        .build()
                        .context("build a row delete")?,
                )
                .build())
        };
        match row {
            Row::License(license) => Ok(vec![delete(license_sk(&license.id))?]),
            Row::Inverter(inverter) => Ok(vec![
                delete(inverter_sk(&inverter.serial))?,
                release(&self.table, &plant.id, &inverter.serial)?,
            ]),
        }
    }
}
