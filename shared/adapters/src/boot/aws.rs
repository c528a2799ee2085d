//! SDK configuration, loaded once per cold start. `aws_config` reads `AWS_ENDPOINT_URL` (and the
//! per-service variants) itself, so the local stand-in needs no special code path.

use aws_smithy_http_client::{
    Builder,
    tls::{Provider, TlsContext, TrustStore, rustls_provider::CryptoMode},
};

pub use aws_config::SdkConfig;

/// The roots of Amazon Trust Services (Amazon Root CA 1 to 4, and Starfield Services Root G2,
/// which cross-signs them): AWS service endpoints present certificates that chain to these.
/// Trusting only them spares each cold start parsing the system's ~150 roots (most of the
/// start beyond the bare runtime) and narrows whom the SDK's connections trust.
const AWS_ROOTS: &str = include_str!("../../certs/amazon-trust-services.pem");

/// The SDK's configuration with its one HTTPS client: rustls on ring, trusting [`AWS_ROOTS`].
/// The SDK crates are built without a default client, so there is no other to fall back to.
pub async fn load() -> Result<SdkConfig, aws_smithy_http_client::HttpClientError> {
    let https = Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .tls_context(aws_roots()?)
        .build_https();
    Ok(aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https)
        .load()
        .await)
}

fn aws_roots() -> Result<TlsContext, aws_smithy_http_client::HttpClientError> {
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
    use rustls::pki_types::{CertificateDer, pem::PemObject};

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
}
