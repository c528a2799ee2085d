//! The batched add of the spreadsheet import against the stand-in: every serial gets its
//! outcome, a second import adds nothing twice, and another plant's device stays there.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use jiff::{SignedDuration, civil::date};
use shop_adapters::store::{
    activation_limit::ActivationLimit,
    inverter_import::{Outcome, Target, ToAdd},
};
use shop_domain::solar::{ActivationCode, InverterLabel, SerialNumber};
use shop_testkit::{TestBed, customer, solar};

fn row(serial: &str, code: &str) -> ToAdd {
    ToAdd {
        serial: SerialNumber::parse(serial).unwrap(),
        code: ActivationCode::parse(code).unwrap(),
        label: InverterLabel::parse(&format!("label {serial}")).unwrap(),
    }
}

#[tokio::test]
async fn each_serial_gets_its_outcome_and_a_second_import_adds_nothing() {
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let accounts = bed.boot.accounts();
    let anna = customer::active_account(&accounts, "anna@example.de", bed.now).await;
    let ben = customer::active_account(&accounts, "ben@example.de", bed.now).await;
    let mine = solar::plant(&bed.dynamodb, &bed.table, &anna, "p-anna").await;
    let theirs = solar::plant(&bed.dynamodb, &bed.table, &ben, "p-ben").await;
    let devices = bed.boot.devices();
    for n in 1..=4 {
        solar::device(
            &devices,
            &format!("IMP-000{n}"),
            &format!("CODE-000{n}"),
            Some(4_000),
        )
        .await;
    }
    let limit = ActivationLimit::new(
        bed.dynamodb.clone(),
        &bed.table,
        10,
        SignedDuration::from_hours(1),
    );
    let inverters = bed.boot.inverters();
    let day = date(2026, 11, 22);
    let at = |plant, owner| Target {
        plant,
        owner,
        now: bed.now,
        today: day,
    };
    let taken = inverters
        .add_many(
            &devices,
            &limit,
            &at(&theirs, &ben.id),
            &[row("IMP-0004", "CODE-0004")],
        )
        .await
        .unwrap();
    assert_eq!(taken[0].1, Outcome::Added);
    let sheet = [
        row("IMP-0001", "CODE-0001"),
        row("imp-0002", "CODE-0002"),
        row("IMP-0003", "WRONG-CODE"),
        row("IMP-0004", "CODE-0004"),
        row("IMP-9999", "CODE-9999"),
        row("IMP-0001", "CODE-0001"),
    ];
    let import = || async {
        let added = inverters
            .add_many(&devices, &limit, &at(&mine, &anna.id), &sheet)
            .await
            .unwrap();
        added.iter().map(|(_, o)| *o).collect::<Vec<Outcome>>()
    };
    use Outcome::*;
    assert_eq!(
        import().await,
        [
            Added,
            Added,
            WrongCodeOrUnknown,
            InAnotherPlant,
            WrongCodeOrUnknown,
            AlreadyInThisPlant
        ]
    );
    assert_eq!(
        import().await,
        [
            AlreadyInThisPlant,
            AlreadyInThisPlant,
            WrongCodeOrUnknown,
            InAnotherPlant,
            WrongCodeOrUnknown,
            AlreadyInThisPlant
        ]
    );
    let plant = bed.boot.plants().read(&mine).await.unwrap().unwrap();
    assert_eq!(plant.inverters.len(), 2);
    assert_eq!(plant.first_activation, Some(day));
    assert_eq!(plant.inverters[0].label, "label IMP-0001");
    let held = bed.boot.plants().read(&theirs).await.unwrap().unwrap();
    assert_eq!(held.inverters.len(), 1);
}

#[tokio::test]
async fn a_sheet_with_more_wrong_codes_than_the_limit_has_room_for_is_refused_whole() {
    let bed = TestBed::at("2026-11-22T10:00:00Z").await;
    let anna = customer::active_account(&bed.boot.accounts(), "anna@example.de", bed.now).await;
    let mine = solar::plant(&bed.dynamodb, &bed.table, &anna, "p-anna").await;
    let devices = bed.boot.devices();
    solar::device(&devices, "IMP-0001", "CODE-0001", None).await;
    solar::device(&devices, "IMP-0002", "CODE-0002", None).await;
    let limit = ActivationLimit::new(
        bed.dynamodb.clone(),
        &bed.table,
        2,
        SignedDuration::from_hours(1),
    );
    let target = Target {
        plant: &mine,
        owner: &anna.id,
        now: bed.now,
        today: date(2026, 11, 22),
    };
    let inverters = bed.boot.inverters();
    let outcomes = |sheet: Vec<ToAdd>| {
        let (inverters, devices, limit, target) = (&inverters, &devices, &limit, &target);
        async move {
            let placed = inverters
                .add_many(devices, limit, target, &sheet)
                .await
                .unwrap();
            placed.into_iter().map(|(_, o)| o).collect::<Vec<_>>()
        }
    };
    use Outcome::*;
    // Three wrong codes where two are allowed: no row added, nothing told, nothing counted.
    let three = vec![
        row("IMP-9991", "WRONG-1"),
        row("IMP-9992", "WRONG-2"),
        row("IMP-9993", "WRONG-3"),
        row("IMP-0001", "CODE-0001"),
    ];
    assert_eq!(outcomes(three).await, [TooManyAttempts; 4]);
    // Two fit, and the right code is added.
    let two = vec![
        row("IMP-9991", "WRONG-1"),
        row("IMP-9992", "WRONG-2"),
        row("IMP-0001", "CODE-0001"),
    ];
    assert_eq!(
        outcomes(two).await,
        [WrongCodeOrUnknown, WrongCodeOrUnknown, Added]
    );
    // The window's wrong codes are used up: not even a right code is compared.
    let right = vec![row("IMP-0002", "CODE-0002")];
    assert_eq!(outcomes(right).await, [TooManyAttempts]);
    let plant = bed.boot.plants().read(&mine).await.unwrap().unwrap();
    assert_eq!(plant.inverters.len(), 1);
}
