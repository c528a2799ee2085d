//! Repositories on the single DynamoDB table: every invariant is a condition or a transaction.

pub mod accounts;
pub mod activation_limit;
pub mod alert_telemetry;
pub mod alerts;
pub mod catalog;
pub mod devices;
pub mod dynamo;
pub mod idempotency;
pub mod inverter_import;
pub mod inverters;
pub mod license_endings;
pub mod migration_stages;
pub mod orders;
pub mod plant_licenses;
pub mod plants;
pub mod public_plants;
pub mod sign_in_failures;
pub mod subscriptions;
pub mod telemetry;
pub mod telemetry_history;
pub mod wave_import;
pub mod waves;
