//! `shop-tools demo-plant <owner email> <plant id> <details.json> <serial>...`: the local
//! stack's demo plant, made through the same repositories as `POST /v1/plants` and
//! `POST /v1/plants/{id}/inverters` (so the first inverter starts the plant's trial). Running it
//! again changes nothing: an existing plant is kept, a device already in it stays.

use shop_adapters::{
    boot::aws::{self, SdkConfig},
    store::{
        accounts::AccountsRepo,
        devices::DevicesRepo,
        inverters::{InvertersRepo, Placed},
        plants::PlantsRepo,
    },
};
use shop_domain::{
    Email, clock,
    solar::{InverterLabel, PlantId, SerialNumber, check_plant},
};

pub async fn demo_plant(
    sdk: &SdkConfig,
    table: &str,
    email: &str,
    id: &str,
    details_path: &str,
    serials: &[&str],
) -> Result<(), Box<dyn std::error::Error>> {
    let db = aws::dynamodb(sdk);
    let owner = AccountsRepo::new(db.clone(), table)
        .find_by_email(&Email::parse(email)?)
        .await?
        .ok_or("no account with this email")?;
    let text = std::fs::read_to_string(details_path).map_err(|e| format!("{details_path}: {e}"))?;
    let body: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)?;
    let details = check_plant(&body)?;
    let id = PlantId::parse(id)?;
    let now = shop_adapters::boot::clock::from_env().now();
    let plants = PlantsRepo::new(db.clone(), table);
    if plants.read(&id).await?.is_none() {
        plants.create(id.clone(), &owner.id, details, now).await?;
    }
    let devices = DevicesRepo::new(db.clone(), table);
    let inverters = InvertersRepo::new(db, table);
    let today = clock::berlin_date(now);
    for (n, serial) in serials.iter().enumerate() {
        let device = devices
            .get(&SerialNumber::parse(serial)?)
            .await?
            .ok_or_else(|| format!("{serial} is not registered"))?;
        let label = InverterLabel::parse(&format!("Inverter {}", n + 1))?;
        match inverters
            .add(&id, &owner.id, &device, &label, today)
            .await?
        {
            Placed::Added | Placed::AlreadyHere => {}
            other => return Err(format!("{serial}: {other:?}").into()),
        }
    }
    println!(
        "demo plant {id} of {email} with {} inverters",
        serials.len()
    );
    Ok(())
}
