//! A reset reads only the password policy (whose lockout it ends); the rest comes from the
//! boot step.

use shop_adapters::boot::prelude::*;
/// `PASSWORD_POLICY`: the new password is held to it, and its lockout is cleared (read and
/// tested in `shop_adapters`).
pub use shop_adapters::web::auth::settings::PolicySettings as Settings;

use crate::Handler;

impl Handler {
    pub fn new(boot: &Boot, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            passwords: boot.passwords(settings.policy)?,
        })
    }
}

shop_adapters::function!(http Handler => reset, Settings);
