//! What a function loads once per cold start, and the loops that serve its handler. A `main.rs`
//! hands one of [`serve_http`], [`serve_sqs`] or [`serve_schedule`] its handler's constructor;
//! the constructor takes what it uses from the [`Boot`], which builds clients only when asked,
//! so a function pays at cold start only for what it talks to.

pub mod aws;
pub mod clock;
pub mod config;
mod declare;
mod serve;
pub mod telemetry;
mod wiring;

use std::sync::{Arc, OnceLock};

use shop_domain::Clock;

pub use serve::{
    HttpHandler, ScheduledJob, SqsHandler, serve_http, serve_http_without_aws, serve_schedule,
    serve_sqs,
};

/// What a function's `settings.rs` uses to read its settings and build its handler: the boot
/// step, and the settings groups and readers many functions share.
pub mod prelude {
    pub use super::{
        Boot, Error, HttpHandler, ScheduledJob, SqsHandler,
        config::{ConfigError, Vars},
    };
    pub use crate::{
        AppError,
        clients::payments::{PaymentSettings, StripeClient},
        flows::{links::LinkSettings, order_flow::OrderFlowSettings},
        web::{
            auth::{jwt::TokenVerifier, settings},
            http::HttpResponse,
        },
    };
    pub use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
    pub use jiff::SignedDuration;
    pub use lambda_http::Request;
    pub use shop_domain::account::password::PasswordPolicy;
}

/// Why a function could not start (a missing or bad setting, a client that cannot be built).
/// It stops the process before it serves anything, so it is boxed with its cause, not mapped.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Loaded once per cold start: the shop table, the SDK configuration, the clock, and the
/// clients built from them on first request (each at most once).
pub struct Boot {
    sdk: aws::SdkConfig,
    table: String,
    clock: Arc<dyn Clock>,
    dynamodb: OnceLock<aws_sdk_dynamodb::Client>,
    sqs: OnceLock<aws_sdk_sqs::Client>,
    https: OnceLock<reqwest::Client>,
}

impl Boot {
    /// Tracing, `TABLE_NAME`, the SDK configuration and the clock (`LOCAL_CLOCK_FILE` locally).
    /// Boxed here, so the SDK's loading of its configuration is compiled once, in this crate,
    /// not in every function's binary (see `serve`).
    pub fn load() -> crate::Boxed<'static, Result<Self, Error>> {
        Box::pin(async {
            telemetry::init();
            let table = config::required("TABLE_NAME")?;
            Ok(Self::new(aws::load()?, table, clock::from_env()))
        })
    }

    /// A boot step from explicit parts, without the environment: tests point it at moto.
    pub fn new(sdk: aws::SdkConfig, table: impl Into<String>, clock: Arc<dyn Clock>) -> Self {
        Self {
            sdk,
            table: table.into(),
            clock,
            dynamodb: OnceLock::new(),
            sqs: OnceLock::new(),
            https: OnceLock::new(),
        }
    }

    pub fn sdk(&self) -> &aws::SdkConfig {
        &self.sdk
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// One DynamoDB client for every repository of the function (they share its connections).
    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        self.dynamodb
            .get_or_init(|| aws::dynamodb(&self.sdk))
            .clone()
    }

    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        self.sqs.get_or_init(|| aws::sqs(&self.sdk)).clone()
    }

    /// Only the mail sender uses SES, once.
    pub fn sesv2(&self) -> aws_sdk_sesv2::Client {
        aws::sesv2(&self.sdk)
    }

    /// The one HTTPS client for services outside AWS (payment provider, VIES): its TLS
    /// configuration is set up once per process however many of them a function talks to. Its
    /// roots are Mozilla's, compiled in and already parsed (webpki-roots): reading and parsing
    /// the system's ~150 root files was most of a paying function's cold start. Each caller
    /// sets its own timeout per request.
    pub fn https(&self) -> Result<reqwest::Client, Error> {
        if let Some(client) = self.https.get() {
            return Ok(client.clone());
        }
        let client = https_client()?;
        Ok(self.https.get_or_init(|| client).clone())
    }
}

/// Logs what a scheduled job's run did, once for every job (`function!(schedule ..)`): the
/// report it also answers, as JSON.
pub fn log_report(report: &impl serde::Serialize) {
    match serde_json::to_string(report) {
        Ok(report) => tracing::info!(%report, "scheduled run done"),
        Err(e) => tracing::warn!(error = %e, "scheduled run done; its report does not serialize"),
    }
}

/// An HTTPS client trusting Mozilla's roots compiled in (no system certificates are read);
/// functions share one per process through `Boot::https`, the operator tools build their own.
pub fn https_client() -> Result<reqwest::Client, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()?)
}
