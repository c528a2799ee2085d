//! Orchestrations over several adapters: orders from charge to invoice, renewals, migration
//! waves, activation and reset links, passwords set through them.

pub mod links;
pub mod migration;
pub mod order_flow;
pub mod passwords;
pub mod plant_alerts;
pub mod power_exceeded;
pub mod renewal;
