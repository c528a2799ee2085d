//! The three kinds of function, each served the same way: load the boot step, build the
//! handler from it (a bad setting stops the start), then answer events until the runtime stops.
//!
//! Only the first step is generic. The loops take the handler as a trait object and are boxed
//! futures built in this crate: Rust compiles an async body where it is first polled, so a
//! generic loop compiled the runtime again into every function's binary.

use std::future::Future;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_http::Request;
use lambda_runtime::{LambdaEvent, service_fn};
use serde::{Serialize, de::DeserializeOwned};

use super::{Boot, Error};
use crate::{
    AppError, Boxed,
    web::http::{self, HttpResponse, Respond, Serving},
};

/// A function behind the HTTP API.
pub trait HttpHandler: Sync {
    fn handle(&self, req: Request) -> impl Future<Output = HttpResponse> + Send;
}

/// A worker on an SQS queue; failed messages are reported per message.
pub trait SqsHandler: Sync {
    fn handle(&self, event: SqsEvent) -> impl Future<Output = SqsBatchResponse> + Send;
}

/// A job on an EventBridge schedule; its report is the invocation's result.
pub trait ScheduledJob: Sync {
    type Report: Serialize;
    fn handle(&self) -> impl Future<Output = Result<Self::Report, AppError>> + Send;
}

impl<H: HttpHandler> Respond for H {
    fn respond(&self, req: Request) -> Boxed<'_, HttpResponse> {
        Box::pin(self.handle(req))
    }
}

/// An SQS worker or a scheduled job as the runtime's loop takes it: one event in, the
/// invocation's result out.
trait Answer<E, R>: Sync {
    fn answer(&self, event: E) -> Boxed<'_, Result<R, Error>>;
}

/// Serves an HTTP function through [`http::serve`] (event decoding, body limit, problems).
pub async fn serve_http<H: HttpHandler>(
    build: impl FnOnce(&Boot) -> Result<H, Error>,
) -> Result<(), Error> {
    let handler = build(&Boot::load().await?)?;
    http::serve(&handler).await
}

/// Serves an HTTP function that talks to no AWS service (the key set): no SDK configuration
/// is loaded, which is most of a cold start.
pub async fn serve_http_without_aws<H: HttpHandler>(
    build: impl FnOnce() -> Result<H, Error>,
) -> Result<(), Error> {
    super::telemetry::init();
    let handler = build()?;
    http::serve(&handler).await
}

/// Serves an SQS worker.
pub async fn serve_sqs<H: SqsHandler>(
    build: impl FnOnce(&Boot) -> Result<H, Error>,
) -> Result<(), Error> {
    struct Worker<H>(H);
    impl<H: SqsHandler> Answer<SqsEvent, SqsBatchResponse> for Worker<H> {
        fn answer(&self, event: SqsEvent) -> Boxed<'_, Result<SqsBatchResponse, Error>> {
            Box::pin(async move { Ok(self.0.handle(event).await) })
        }
    }
    let worker = Worker(build(&Boot::load().await?)?);
    run_sqs(&worker).await
}

/// Serves a scheduled job; the schedule's event carries nothing the job reads.
pub async fn serve_schedule<H: ScheduledJob>(
    build: impl FnOnce(&Boot) -> Result<H, Error>,
) -> Result<(), Error> {
    struct Job<H>(H);
    impl<H: ScheduledJob> Answer<serde_json::Value, serde_json::Value> for Job<H> {
        fn answer(&self, _: serde_json::Value) -> Boxed<'_, Result<serde_json::Value, Error>> {
            Box::pin(async move { Ok(serde_json::to_value(self.0.handle().await?)?) })
        }
    }
    let job = Job(build(&Boot::load().await?)?);
    run_schedule(&job).await
}

/// The runtime's loop over a worker, compiled once, here.
fn run_sqs(worker: &dyn Answer<SqsEvent, SqsBatchResponse>) -> Serving<'_> {
    run(worker)
}

/// The runtime's loop over a job, compiled once, here.
fn run_schedule(job: &dyn Answer<serde_json::Value, serde_json::Value>) -> Serving<'_> {
    run(job)
}

fn run<E, R>(handler: &dyn Answer<E, R>) -> Serving<'_>
where
    E: DeserializeOwned + Send + 'static,
    R: Serialize + Send + 'static,
{
    Box::pin(lambda_runtime::run(service_fn(
        move |event: LambdaEvent<E>| handler.answer(event.payload),
    )))
}
