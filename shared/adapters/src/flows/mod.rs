//! Orchestrations over several adapters: orders from charge to invoice, renewals, activation
//! and reset links.

pub mod links;
pub mod order_flow;
pub mod power_exceeded;
pub mod renewal;
