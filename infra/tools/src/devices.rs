//! `shop-tools import-devices <devices.csv>`: loads the manufacturer's device registry. Columns
//! (with a header row): `serial`, `activation_code`, `device_type` (or `unknown`),
//! `nominal_power_w` (empty for `unknown`), `firmware`, `secret`. Every row is checked first
//! (serial, code, configuration, no serial twice) and every device already registered is
//! compared; any bad row or changed device is listed and nothing is written. Then one
//! conditional PutItem per new device: importing the same file again changes nothing.

use std::collections::HashSet;

use serde::Deserialize;
use shop_adapters::store::devices::{DevicesRepo, Imported, NewDevice, code_hash, secret_hash};
use shop_domain::{
    DomainError,
    solar::{ActivationCode, DeviceConfig, SerialNumber},
};

#[derive(Deserialize)]
struct Row {
    serial: String,
    activation_code: String,
    device_type: String,
    nominal_power_w: String,
    firmware: String,
    secret: String,
}

/// The file's devices, or every problem found in it, one line each.
pub fn read(text: &str) -> Result<Vec<NewDevice>, Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut devices = Vec::new();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (i, row) in reader.deserialize::<Row>().enumerate() {
        let line = i + 2; // the header is line 1
        match row
            .map_err(|e| e.to_string())
            .and_then(|r| device(&r).map_err(|e| format!("{}: {e}", e.code())))
        {
            Ok(device) if !seen.insert(device.serial.clone()) => {
                problems.push(format!(
                    "line {line}: serial {} is given twice",
                    device.serial
                ));
            }
            Ok(device) => devices.push(device),
            Err(problem) => problems.push(format!("line {line}: {problem}")),
        }
    }
    if devices.is_empty() && problems.is_empty() {
        problems.push("the file lists no devices".into());
    }
    if problems.is_empty() {
        Ok(devices)
    } else {
        Err(problems)
    }
}

fn device(row: &Row) -> Result<NewDevice, DomainError> {
    let serial = SerialNumber::parse(&row.serial)?;
    let code = ActivationCode::parse(&row.activation_code)?;
    let power = match row.nominal_power_w.as_str() {
        "" => None,
        raw => Some(raw.parse::<u64>().map_err(|_| {
            DomainError::invalid("invalid_nominal_power", "nominal_power_w is whole watts")
        })?),
    };
    let config = DeviceConfig::parse(&row.device_type, power)?;
    if row.secret.len() < 8 || row.firmware.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "invalid_device",
            "A device needs a secret of at least 8 characters and a firmware without control characters.",
        ));
    }
    Ok(NewDevice {
        code_hash: code_hash(&serial, &code),
        secret_hash: secret_hash(&row.secret),
        serial,
        config,
        firmware: row.firmware.clone(),
    })
}

/// Writes the checked devices: nothing at all when one of them is registered with another
/// code, secret or configuration. Answers how many were added and how many were there.
pub async fn import(
    repo: &DevicesRepo,
    devices: &[NewDevice],
) -> Result<(usize, usize), Box<dyn std::error::Error>> {
    let serials: Vec<SerialNumber> = devices.iter().map(|d| d.serial.clone()).collect();
    let stored = repo.many(&serials).await?;
    let changed: Vec<String> = devices
        .iter()
        .filter(|d| stored.get(&d.serial).is_some_and(|s| !d.matches(s)))
        .map(|d| {
            format!(
                "{} is registered with another code, secret or configuration",
                d.serial
            )
        })
        .collect();
    if !changed.is_empty() {
        return Err(format!("nothing imported:\n{}", changed.join("\n")).into());
    }
    let (mut added, mut unchanged) = (0, 0);
    for device in devices {
        match repo.import(device).await? {
            Imported::Added => added += 1,
            Imported::Unchanged => unchanged += 1,
            // Changed between the check and the write: reported, never overwritten.
            Imported::Refused => {
                return Err(format!("{} changed while importing; stopped", device.serial).into());
            }
        }
    }
    Ok((added, unchanged))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const HEADER: &str = "serial,activation_code,device_type,nominal_power_w,firmware,secret\n";

    #[test]
    fn good_rows_become_devices_with_hashes_only() {
        let text = format!(
            "{HEADER}ae-0001,CODE-0001,SMA-10,10000,1.2,secret-0001\nAE-0002,CODE-0002,unknown,,1.0,secret-0002\n"
        );
        let devices = read(&text).unwrap();
        assert_eq!(devices.len(), 2);
        assert_eq!(devices[0].serial.as_str(), "AE-0001");
        assert_eq!(devices[1].config, DeviceConfig::Unknown);
        assert_eq!(devices[0].code_hash.len(), 64);
        assert_ne!(devices[0].secret_hash, "secret-0001");
    }

    #[test]
    fn every_bad_row_is_listed() {
        let text = format!(
            "{HEADER}x,CODE-0001,SMA-10,10000,1.2,secret-0001\nAE-0002,CODE-0002,unknown,5000,1.0,secret-0002\nAE-0003,CODE-0003,SMA-10,,1.0,secret-0003\nAE-0004,C,SMA-10,100,1.0,secret-0004\nAE-0005,CODE-0005,SMA-10,100,1.0,secret-0005\nae-0005,CODE-0005,SMA-10,100,1.0,secret-0005\nAE-0006,CODE-0006\n"
        );
        let problems = read(&text).unwrap_err();
        let lines: Vec<&str> = problems
            .iter()
            .map(|p| p.split(':').next().unwrap())
            .collect();
        assert_eq!(
            lines,
            ["line 2", "line 3", "line 4", "line 5", "line 7", "line 8"],
            "{problems:?}"
        );
        assert!(problems[0].contains("invalid_serial_number"));
        assert!(problems[1].contains("unexpected_nominal_power"));
        assert!(problems[2].contains("invalid_nominal_power"));
        assert!(problems[3].contains("invalid_activation_code"));
        assert!(problems[4].contains("twice"));
        assert_eq!(read(HEADER).unwrap_err(), ["the file lists no devices"]);
    }
}
