//! Adding an import's good rows to the plant: the batched add of the inverters store (each
//! row's serial and activation code checked against the device registry, a slot of the
//! account's wrong-code limit taken first, the one-plant-per-inverter condition and the first
//! activation written as for a single add), then the power rule once for the whole sheet.

use shop_adapters::{
    AppError,
    store::{
        inverter_import::{Outcome, Target, ToAdd},
        plants::{PlantRecord, plant_not_found},
    },
};
use shop_domain::{
    DomainError,
    clock::berlin_date,
    solar::{
        ActivationCode, InverterLabel,
        import::{ImportRow, Rejection},
    },
};

use crate::{Added, Handler, Imported, Present};

impl Handler {
    /// Adds the good rows not in the plant yet; each row lands in `added`, `already_in_plant`
    /// or `rejected`. Then licenses the plant outgrows end (one email per license) and are
    /// listed in `ended_licenses`.
    pub(crate) async fn add_rows(
        &self,
        plant: &PlantRecord,
        rows: Vec<ImportRow>,
        answer: &mut Imported,
    ) -> Result<(), AppError> {
        let mut parsed = Vec::with_capacity(rows.len());
        for row in rows {
            match to_add(&row) {
                Ok(add) => parsed.push((row, add)),
                Err(rejection) => answer.rejected.push(rejection),
            }
        }
        let now = self.adding.clock.now();
        let today = berlin_date(now);
        let target = Target {
            plant: &plant.id,
            owner: &plant.account_id,
            now,
            today,
        };
        if !parsed.is_empty() {
            self.place_rows(&target, parsed, answer).await?;
        }
        // Always, not only when this call added a row: an import whose answer was lost after
        // its rows were placed is retried with every row already in the plant, and the
        // licenses the plant outgrew must still end (settling twice ends nothing twice).
        let (_, ended) = self
            .adding
            .power
            .settle(&plant.id, &plant.account_id, today)
            .await?;
        answer.ended_licenses = ended;
        Ok(())
    }

    async fn place_rows(
        &self,
        target: &Target<'_>,
        parsed: Vec<(ImportRow, ToAdd)>,
        answer: &mut Imported,
    ) -> Result<(), AppError> {
        let adds: Vec<ToAdd> = parsed.iter().map(|(_, add)| add.clone()).collect();
        let outcomes = self
            .adding
            .inverters
            .add_many(&self.adding.devices, &self.adding.limit, target, &adds)
            .await?;
        for ((row, _), (_, outcome)) in parsed.into_iter().zip(outcomes) {
            place(row, outcome, answer)
                .map_err(|_| AppError::from(plant_not_found(target.plant)))?;
        }
        Ok(())
    }
}

/// The row as the store takes it; a code or label the registry's types refuse is the row's
/// problem, like any other.
fn to_add(row: &ImportRow) -> Result<ToAdd, Rejection> {
    let reject = |column, e: DomainError| Rejection {
        row: row.row,
        column: Some(column),
        code: e.code(),
        detail: e.to_string(),
    };
    Ok(ToAdd {
        serial: row.serial.clone(),
        code: ActivationCode::parse(&row.activation_code)
            .map_err(|e| reject("activation_code", e))?,
        label: InverterLabel::parse(row.label.as_deref().unwrap_or_default())
            .map_err(|e| reject("label", e))?,
    })
}

/// Files one row's outcome; `Err` when the plant is gone (nothing after it was tried).
fn place(row: ImportRow, outcome: Outcome, answer: &mut Imported) -> Result<(), ()> {
    let rejected = |column, code, detail: &str| Rejection {
        row: row.row,
        column: Some(column),
        code,
        detail: detail.to_owned(),
    };
    match outcome {
        Outcome::Added => answer.added.push(Added {
            row: row.row,
            serial_number: row.serial.to_string(),
            label: row.label,
        }),
        Outcome::AlreadyInThisPlant => answer.already_in_plant.push(Present {
            row: row.row,
            serial_number: row.serial.to_string(),
        }),
        Outcome::InAnotherPlant => answer.rejected.push(rejected(
            "serial_number",
            "inverter_in_use",
            "The inverter is in a plant already; remove it there first.",
        )),
        Outcome::WrongCodeOrUnknown => answer.rejected.push(rejected(
            "activation_code",
            "invalid_activation",
            "No registered inverter has this serial number and activation code.",
        )),
        Outcome::TooManyAttempts => answer.rejected.push(rejected(
            "activation_code",
            "too_many_activation_attempts",
            "Too many wrong activation codes for now; this row was not checked. Try later.",
        )),
        Outcome::NoPlant => return Err(()),
    }
    Ok(())
}
