//! Accounts and sign-in rules: the account aggregate, registration, password policy, lockout.

pub mod lifecycle;
pub mod lockout;
pub mod model;
pub mod password;
pub mod profile;
