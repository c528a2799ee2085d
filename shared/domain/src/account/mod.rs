//! Accounts and sign-in rules: password policy and lockout.

pub mod lockout;
pub mod password;
