//! Many inverters into one plant at once (the spreadsheet import): the devices are read with
//! BatchGetItem (100 per call), each code is compared after taking a slot of the account's
//! limit of wrong codes, and each free device is placed with its own small transaction (the
//! same as a single add), so one device taken meanwhile does not undo the others. Every
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
        devices::DevicesRepo,
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
        let mut outcomes = Vec::with_capacity(rows.len());
        for row in rows {
            let outcome = match found.get(&row.serial) {
                _ if outcomes.iter().any(|(_, o)| *o == Outcome::NoPlant) => Outcome::NoPlant,
                _ if !limit.take(target.owner, target.now).await? => Outcome::TooManyAttempts,
                Some(device) if device.opens_with(&row.code) => {
                    limit.give_back(target.owner, target.now).await?;
                    match &device.plant_id {
                        Some(p) if p == target.plant => Outcome::AlreadyInThisPlant,
                        Some(_) => Outcome::InAnotherPlant,
                        None => {
                            let placed = self
                                .add(target.plant, target.owner, device, &row.label, target.today)
                                .await?;
                            outcome_of(placed)
                        }
                    }
                }
                _ => Outcome::WrongCodeOrUnknown,
            };
            outcomes.push((row.serial.clone(), outcome));
        }
        Ok(outcomes)
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
