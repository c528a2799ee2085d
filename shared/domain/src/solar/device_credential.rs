//! How a device proves who it is on `POST /v1/telemetry` (docs/telemetry.md, "The request"):
//! parsed once from its header, the secret kept out of every log.

use crate::{DomainError, solar::SerialNumber};

/// How a device proves who it is, in one header: `Authorization: Device <serial>:<secret>`
/// (the serial and the telemetry secret from the manufacturer's registry). One header, so a
/// logger that drops `Authorization` drops all of it.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceCredential {
    pub serial: SerialNumber,
    secret: String,
}

impl DeviceCredential {
    const SCHEME: &'static str = "Device ";
    const MAX_SECRET: usize = 128;

    /// Any header that is not a well-formed device credential is refused like a wrong secret:
    /// one answer for every reason.
    pub fn parse(header: Option<&str>) -> Result<Self, DomainError> {
        let (serial, secret) = header
            .and_then(|h| {
                let scheme = h.get(..Self::SCHEME.len())?;
                scheme
                    .eq_ignore_ascii_case(Self::SCHEME)
                    .then(|| &h[Self::SCHEME.len()..])
            })
            .and_then(|rest| rest.trim().split_once(':'))
            .ok_or_else(bad_device_credential)?;
        let serial = SerialNumber::parse(serial).map_err(|_| bad_device_credential())?;
        if !crate::ascii::token(secret, 1..=Self::MAX_SECRET, crate::ascii::visible) {
            return Err(bad_device_credential());
        }
        Ok(Self {
            serial,
            secret: secret.to_owned(),
        })
    }

    pub fn secret(&self) -> &str {
        &self.secret
    }
}

/// The secret never reaches a log.
impl std::fmt::Debug for DeviceCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceCredential({}, ..)", self.serial)
    }
}

/// The one answer to a missing, malformed, unknown or wrong device credential (401).
pub fn bad_device_credential() -> DomainError {
    DomainError::Unauthorized {
        code: "invalid_device_credential",
        detail:
            "Send `Authorization: Device <serial>:<secret>` with the device's telemetry secret."
                .to_owned(),
    }
}
