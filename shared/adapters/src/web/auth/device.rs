//! The device credential of `POST /v1/telemetry`: SHA-256 of the secret compared in constant
//! time with the registry's `secret_hash` (no Argon2: the secret is 128 random bits or more,
//! printed by the manufacturer, not a password a person chose). An inverter posts every few
//! minutes, so each warm instance keeps what it read of a device for a short time
//! (`DEVICE_CACHE_SECONDS`): a secret changed in the registry, or a device registered after an
//! unknown serial was tried, takes effect within that time.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use shop_domain::solar::{
    SerialNumber,
    telemetry::{DeviceCredential, bad_device_credential},
};

use crate::{
    AppError,
    store::devices::{DevicesRepo, same_hash, secret_hash},
};

/// The cache holds at most this many devices, then starts over (an instance serves a few
/// thousand inverters at most; a flood of made-up serials must not grow it without bound).
const MAX_CACHED: usize = 10_000;

pub struct DeviceAuth {
    devices: DevicesRepo,
    ttl: Duration,
    /// The stored secret hash per serial (`None`: not registered), and when it was read.
    cache: Mutex<HashMap<SerialNumber, (Option<String>, Instant)>>,
}

impl DeviceAuth {
    pub const CACHE_SECONDS: u64 = 60;

    pub fn new(devices: DevicesRepo, ttl: Duration) -> Self {
        Self {
            devices,
            ttl,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` when the credential is a registered device's; one 401 for every other case.
    pub async fn verify(&self, credential: &DeviceCredential) -> Result<(), AppError> {
        let stored = match self.cached(&credential.serial) {
            Some(hash) => hash,
            None => {
                let hash = self
                    .devices
                    .get(&credential.serial)
                    .await?
                    .map(|d| d.secret_hash);
                self.remember(&credential.serial, hash.clone());
                hash
            }
        };
        // Hashed even when the serial is unknown, so both cases do the same work.
        let given = secret_hash(credential.secret());
        let expected = stored.as_deref().unwrap_or("-");
        if stored.is_some() & same_hash(expected, &given) {
            Ok(())
        } else {
            Err(bad_device_credential().into())
        }
    }

    fn cached(&self, serial: &SerialNumber) -> Option<Option<String>> {
        let cache = self.cache.lock().ok()?;
        cache
            .get(serial)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(hash, _)| hash.clone())
    }

    fn remember(&self, serial: &SerialNumber, hash: Option<String>) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(serial.clone(), (hash, Instant::now()));
        }
    }
}
