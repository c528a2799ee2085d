//! Orchestrations over several adapters: orders from charge to invoice, renewals, activation
//! and reset links, passwords set through them.

pub mod links;
pub mod order_flow;
pub mod passwords;
pub mod renewal;
