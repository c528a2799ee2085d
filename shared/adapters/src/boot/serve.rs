//! The three kinds of function, each served the same way: load the boot step, build the
//! handler from it (a bad setting stops the start), then answer events until the runtime stops.

use std::{future::Future, pin::Pin};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_http::Request;
use lambda_runtime::{LambdaEvent, service_fn};
use serde::Serialize;

use super::{Boot, Error};
use crate::{
    AppError,
    web::http::{self, HttpResponse},
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

/// Serves an HTTP function through [`http::serve`] (event decoding, body limit, problems).
pub async fn serve_http<H: HttpHandler>(
    build: impl FnOnce(&Boot) -> Result<H, Error>,
) -> Result<(), Error> {
    let handler = build(&Boot::load().await?)?;
    http::serve(|req| handler.handle(req)).await
}

/// Serves an HTTP function that talks to no AWS service (the key set): no SDK configuration
/// is loaded, which is most of a cold start.
pub async fn serve_http_without_aws<H: HttpHandler>(
    build: impl FnOnce() -> Result<H, Error>,
) -> Result<(), Error> {
    super::telemetry::init();
    let handler = build()?;
    http::serve(|req| handler.handle(req)).await
}

/// Serves an SQS worker.
pub async fn serve_sqs<H: SqsHandler>(
    build: impl FnOnce(&Boot) -> Result<H, Error>,
) -> Result<(), Error> {
    let handler = &build(&Boot::load().await?)?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        boxed(async move { Ok(handler.handle(event.payload).await) })
    }))
    .await
}

/// Serves a scheduled job; the schedule's event carries nothing the job reads.
pub async fn serve_schedule<H: ScheduledJob>(
    build: impl FnOnce(&Boot) -> Result<H, Error>,
) -> Result<(), Error> {
    let handler = &build(&Boot::load().await?)?;
    lambda_runtime::run(service_fn(move |_: LambdaEvent<serde_json::Value>| {
        boxed(async move { Ok(serde_json::to_value(handler.handle().await?)?) })
    }))
    .await
}

type Answer<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// Boxed: the handler's future type stays out of the runtime's (and `main`'s), whose layout
/// would otherwise nest every future of the handler.
fn boxed<'a, T>(answer: impl Future<Output = Result<T, Error>> + Send + 'a) -> Answer<'a, T> {
    Box::pin(answer)
}
