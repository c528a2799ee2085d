//! The public plants, a page at a time, from the sparse index `gsi2`
//! (`gsi2pk = PUBLIC_PLANTS`, `gsi2sk = <plant id>`, written with a plant's details while its
//! owner has it public). One index query per page, then each plant's partition
//! (`PlantsRepo::read`): its inverters and licenses decide whether it may be shown today.

use aws_sdk_dynamodb::Client;
use shop_domain::solar::{PlantId, public::PublicCursor};

use crate::{
    AppError,
    error::Context,
    sdk::SendBoxed,
    store::{
        dynamo::{GSI2, key, partition_query, string_attr, text},
        plants::{PLANT_SK, PUBLIC_PLANTS, PlantRecord, PlantsRepo, plant_pk},
    },
};

/// One page of public plants and where the next starts (`None`: this was the last).
pub struct PublicPage {
    pub plants: Vec<PlantRecord>,
    pub next: Option<PublicCursor>,
}

#[derive(Clone)]
pub struct PublicPlants {
    client: Client,
    table: String,
    plants: PlantsRepo,
}

impl PublicPlants {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        let table = table.into();
        Self {
            plants: PlantsRepo::new(client.clone(), table.clone()),
            client,
            table,
        }
    }

    /// Up to `limit` entries of the index after `after`, each plant read whole; a plant
    /// deleted or made private since the index was written is left out (the page is shorter).
    pub async fn page(
        &self,
        after: Option<&PublicCursor>,
        limit: u32,
    ) -> Result<PublicPage, AppError> {
        let mut query = partition_query(&self.client, &self.table, GSI2, PUBLIC_PLANTS.into())
            .limit(i32::try_from(limit).unwrap_or(i32::MAX));
        if let Some(after) = after {
            let id = after.plant();
            let mut start = key(plant_pk(id), PLANT_SK);
            start.insert("gsi2pk".into(), string_attr(PUBLIC_PLANTS));
            start.insert("gsi2sk".into(), string_attr(id.as_str()));
            query = query.set_exclusive_start_key(Some(start));
        }
        let out = query
            .send_boxed()
            .await
            .map_err(|e| AppError::sdk("query public plants", e))?;
        let mut plants = Vec::new();
        let mut last = None;
        for item in out.items() {
            let id = PlantId::parse(text(item, "gsi2sk").unwrap_or_default())
                .context("the plant id of a public plant's index entry")?;
            if let Some(plant) = self.plants.read(&id).await?
                && plant.details.public
            {
                plants.push(plant);
            }
            last = Some(id);
        }
        let more = out.last_evaluated_key().is_some_and(|k| !k.is_empty());
        Ok(PublicPage {
            plants,
            next: last.filter(|_| more).map(PublicCursor::after),
        })
    }
}
