//! SDK configuration, built once per cold start from the environment Lambda gives every
//! function: `AWS_REGION`, the role's `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
//! `AWS_SESSION_TOKEN`, and `AWS_ENDPOINT_URL` where a stand-in answers (the local stack, tests).
//! Read here rather than through `aws-config`, whose provider chains (profiles, SSO, STS, IMDS)
//! a Lambda never uses and which cost about 15 CPU-seconds of every release build
//! (README, "Release build"). `shop-tools` reads the same variables.

use std::time::Duration;

use aws_credential_types::{Credentials, provider::SharedCredentialsProvider};
use aws_sdk_dynamodb::config::BehaviorVersion;
use aws_smithy_async::{rt::sleep::TokioSleep, time::SystemTimeSource};
use aws_smithy_http_client::{
    Builder, HttpClientError,
    tls::{Provider, TlsContext, TrustStore, rustls_provider::CryptoMode},
};
use aws_types::{
    region::Region,
    sdk_config::{RetryConfig, TimeoutConfig},
};

use super::config::{ConfigError, Vars};

pub use aws_types::SdkConfig;

/// The roots of Amazon Trust Services (Amazon Root CA 1 to 4, and Starfield Services Root G2,
/// which cross-signs them): AWS service endpoints present certificates that chain to these.
/// Trusting only them spares each cold start parsing the system's ~150 roots (most of the
/// start beyond the bare runtime) and narrows whom the SDK's connections trust.
const AWS_ROOTS: &str = include_str!("../../certs/amazon-trust-services.pem");

/// How long the SDK waits for a connection: `aws-config`'s default, kept.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(3_100);

/// Why the SDK configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Setting(#[from] ConfigError),
    #[error("the SDK's HTTPS client could not be built")]
    Tls(#[from] HttpClientError),
}

/// The SDK's configuration from the process environment, with its one HTTPS client: rustls on
/// ring, trusting [`AWS_ROOTS`]. The SDK crates are built without a default client, so there
/// is no other to fall back to.
pub fn load() -> Result<SdkConfig, LoadError> {
    from_vars(&Vars::env())
}

/// [`load`] over given variables. Standard retries (3 attempts) and the connect timeout are
/// the values `aws-config` would have chosen.
pub fn from_vars(vars: &Vars) -> Result<SdkConfig, LoadError> {
    let region = vars
        .optional("AWS_REGION")
        .or_else(|| vars.optional("AWS_DEFAULT_REGION"))
        .ok_or_else(|| ConfigError::Missing("AWS_REGION".into()))?;
    let credentials = Credentials::new(
        vars.required("AWS_ACCESS_KEY_ID")?,
        vars.required("AWS_SECRET_ACCESS_KEY")?,
        vars.optional("AWS_SESSION_TOKEN"),
        None,
        "environment",
    );
    let https = Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .tls_context(aws_roots()?)
        .build_https();
    let mut config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(https)
        .sleep_impl(TokioSleep::new())
        .time_source(SystemTimeSource::new())
        .retry_config(RetryConfig::standard())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .build(),
        );
    if let Some(endpoint) = vars.optional("AWS_ENDPOINT_URL") {
        config = config.endpoint_url(endpoint);
    }
    Ok(config.build())
}

fn aws_roots() -> Result<TlsContext, HttpClientError> {
    let trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AWS_ROOTS.as_bytes());
    TlsContext::builder().with_trust_store(trust).build()
}

/// A DynamoDB client on the shared configuration.
pub fn dynamodb(sdk: &SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(sdk)
}

/// An SQS client on the shared configuration.
pub fn sqs(sdk: &SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(sdk)
}

/// An SES v2 client on the shared configuration.
pub fn sesv2(sdk: &SdkConfig) -> aws_sdk_sesv2::Client {
    aws_sdk_sesv2::Client::new(sdk)
}

#[cfg(test)]
mod tests {
    use aws_credential_types::provider::ProvideCredentials;
    use rustls::pki_types::{CertificateDer, pem::PemObject};

    use super::{Vars, from_vars};

    #[test]
    fn the_aws_roots_are_five_certificates_rustls_accepts() {
        let certs: Vec<CertificateDer<'_>> =
            CertificateDer::pem_slice_iter(super::AWS_ROOTS.as_bytes())
                .collect::<Result<_, _>>()
                .unwrap();
        let mut store = rustls::RootCertStore::empty();
        assert_eq!(store.add_parsable_certificates(certs), (5, 0));
        assert!(super::aws_roots().is_ok());
    }

    /// What Lambda sets for every function: the region and the role's keys.
    const LAMBDA: [(&str, &str); 3] = [
        ("AWS_REGION", "eu-central-1"),
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
    ];

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        [&LAMBDA[..], extra].concat()
    }

    #[test]
    fn the_configuration_comes_from_the_lambda_environment() {
        let vars = with(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")]);
        let sdk = from_vars(&Vars::given(&vars)).unwrap();
        assert_eq!(sdk.region().map(|r| r.as_ref()), Some("eu-central-1"));
        assert_eq!(sdk.endpoint_url(), Some("http://127.0.0.1:5000"));
        assert!(sdk.credentials_provider().is_some() && sdk.http_client().is_some());
        assert_eq!(sdk.retry_config().map(|r| r.max_attempts()), Some(3));
        assert_eq!(
            sdk.timeout_config().and_then(|t| t.connect_timeout()),
            Some(super::CONNECT_TIMEOUT)
        );
        // AWS_REGION wins over AWS_DEFAULT_REGION, which serves when it is unset; no endpoint
        // means AWS's own.
        let mut vars = with(&[("AWS_DEFAULT_REGION", "eu-west-1")]);
        let sdk = from_vars(&Vars::given(&vars)).unwrap();
        assert_eq!(sdk.region().map(|r| r.as_ref()), Some("eu-central-1"));
        assert_eq!(sdk.endpoint_url(), None);
        vars.remove(0);
        let sdk = from_vars(&Vars::given(&vars)).unwrap();
        assert_eq!(sdk.region().map(|r| r.as_ref()), Some("eu-west-1"));
    }

    /// A Lambda role's keys are temporary: without its session token every call is refused.
    #[tokio::test]
    async fn the_role_keys_reach_the_sdk_with_their_session_token() {
        let vars = with(&[("AWS_SESSION_TOKEN", "token")]);
        let sdk = from_vars(&Vars::given(&vars)).unwrap();
        let credentials = sdk
            .credentials_provider()
            .unwrap()
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(credentials.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(credentials.secret_access_key(), "secret");
        assert_eq!(credentials.session_token(), Some("token"));
    }

    #[test]
    fn a_missing_region_or_key_stops_the_start_naming_it() {
        for (i, (name, _)) in LAMBDA.iter().enumerate() {
            let mut vars = LAMBDA.to_vec();
            vars[i].1 = "";
            let err = from_vars(&Vars::given(&vars)).unwrap_err().to_string();
            assert!(err.contains(name), "{name}: {err}");
        }
    }
}
