//! Many inverters into one plant at once (the spreadsheet import): the devices are read with
//! BatchGetItem (100 per call) and every code is compared against its hash; the wrong ones are
//! counted against the account's limit in one conditional write, and a sheet with more wrong
//! codes than the limit has room for is refused whole (no row added, no row's result told), so
//! a sheet cannot test more codes than single adds could. The free devices with right codes
//! are placed up to 49 in one transaction (each device's claim and row, the plant once); when
//! one of them was taken meanwhile, that batch is placed row by row as single adds are. Every
//! serial gets its outcome; importing the same sheet again adds nothing twice.

use jiff::{Timestamp, civil::Date};
use shop_domain::{
    id::AccountId,
    solar::{ActivationCode, InverterLabel, PlantId, SerialNumber},
};

use crate::{
    AppError,
    store::{
        activation_limit::ActivationLimit,
        devices::{Device, DevicesRepo},
        inverters::{InvertersRepo, Placed},
    },
};

/// One row of the sheet, parsed.
#[derive(Debug, Clone)]
pub struct ToAdd {
    pub serial: SerialNumber,
    pub code: ActivationCode,
    pub label: InverterLabel,
}

/// What became of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Added,
    /// In this plant already (an earlier import, or the same serial twice in the sheet).
    AlreadyInThisPlant,
    InAnotherPlant,
    /// An unknown serial or a wrong code: the same outcome for both, counted as a wrong code.
    WrongCodeOrUnknown,
    /// The account's wrong codes were used up: this row's code was not compared.
    TooManyAttempts,
    /// The plant is gone or not the caller's (nothing after it is tried).
    NoPlant,
}

/// The account, its plant and the day of an import.
pub struct Target<'a> {
    pub plant: &'a PlantId,
    pub owner: &'a AccountId,
    pub now: Timestamp,
    pub today: Date,
}

/// Rows placed in one transaction: two items each, and the plant's once (100 at most).
const BATCH_ROWS: usize = 49;

impl InvertersRepo {
    /// Adds every row it can; answers each serial's outcome in the order of `rows`.
    pub async fn add_many(
        &self,
        devices: &DevicesRepo,
        limit: &ActivationLimit,
        target: &Target<'_>,
        rows: &[ToAdd],
    ) -> Result<Vec<(SerialNumber, Outcome)>, AppError> {
        let serials: Vec<SerialNumber> = rows.iter().map(|r| r.serial.clone()).collect();
        let found = devices.many(&serials).await?;
        let mut placing = std::collections::BTreeSet::new();
        let judged: Vec<Result<Outcome, &Device>> = rows
            .iter()
            .map(|row| match found.get(&row.serial) {
                Some(device) if device.opens_with(&row.code) => match &device.plant_id {
                    Some(p) if p == target.plant => Ok(Outcome::AlreadyInThisPlant),
                    Some(_) => Ok(Outcome::InAnotherPlant),
                    // The same device twice: the earlier row places it.
                    None if !placing.insert(&row.serial) => Ok(Outcome::AlreadyInThisPlant),
                    None => Err(device),
                },
                _ => Ok(Outcome::WrongCodeOrUnknown),
            })
            .collect();
        let wrong = judged
            .iter()
            .filter(|j| matches!(j, Ok(Outcome::WrongCodeOrUnknown)))
            .count();
        let wrong = u32::try_from(wrong).unwrap_or(u32::MAX);
        if !limit.charge(target.owner, target.now, wrong).await? {
            return Ok(serials
                .into_iter()
                .map(|s| (s, Outcome::TooManyAttempts))
                .collect());
        }
        let mut outcomes: Vec<Outcome> =
            judged.iter().map(|j| j.unwrap_or(Outcome::Added)).collect();
        let free: Vec<(usize, &Device)> = judged
            .iter()
            .enumerate()
            .filter_map(|(i, j)| j.err().map(|device| (i, device)))
            .collect();
        for batch in free.chunks(BATCH_ROWS) {
            for (i, outcome) in self.place_batch(target, rows, batch).await? {
                outcomes[i] = outcome;
            }
        }
        Ok(serials.into_iter().zip(outcomes).collect())
    }

    /// Places a batch of free devices in one transaction; if one was taken meanwhile, each
    /// row on its own (the plant gone: every row `NoPlant`).
    async fn place_batch(
        &self,
        target: &Target<'_>,
        rows: &[ToAdd],
        batch: &[(usize, &Device)],
    ) -> Result<Vec<(usize, Outcome)>, AppError> {
        let devices: Vec<(&Device, &InverterLabel)> =
            batch.iter().map(|(i, d)| (*d, &rows[*i].label)).collect();
        let items = self.placing(target.plant, target.owner, &devices, target.today)?;
        let plant_item = items.len() - 1;
        let every = |outcome| batch.iter().map(|(i, _)| (*i, outcome)).collect();
        match self.transact(items, "add inverters").await? {
            None => Ok(every(Outcome::Added)),
            Some(i) if i == plant_item => Ok(every(Outcome::NoPlant)),
            Some(_) => {
                let mut placed = Vec::with_capacity(batch.len());
                for (i, device) in batch {
                    let one = self
                        .add(
                            target.plant,
                            target.owner,
                            device,
                            &rows[*i].label,
                            target.today,
                        )
                        .await?;
                    placed.push((*i, outcome_of(one)));
                }
                Ok(placed)
            }
        }
    }
}

fn outcome_of(placed: Placed) -> Outcome {
    match placed {
        Placed::Added => Outcome::Added,
        Placed::AlreadyHere => Outcome::AlreadyInThisPlant,
        Placed::InUse => Outcome::InAnotherPlant,
        Placed::NoPlant | Placed::NoOldInverter => Outcome::NoPlant,
    }
}
