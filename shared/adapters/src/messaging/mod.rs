//! SQS and SES: the outbox that emails leave through, job queues, the mailer.

pub mod jobs;
pub mod mailer;
pub mod outbox;
pub mod queue;
pub mod telemetry_queue;
