//! Sending one rendered email through SES v2.

use aws_sdk_sesv2::{
    Client,
    types::{Body, Content, Destination, EmailContent, Message},
};
use shop_domain::Email;

use crate::{AppError, error::Context, sdk::SendBoxed};

/// An email ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Clone)]
pub struct SesMailer {
    client: Client,
    from: String,
}

impl SesMailer {
    pub fn new(client: Client, from: impl Into<String>) -> Self {
        Self {
            client,
            from: from.into(),
        }
    }

    /// Sends the mail and returns SES's message id.
    pub async fn send(&self, to: &Email, mail: &RenderedMail) -> Result<String, AppError> {
        let utf8 = |s: &str| {
            Content::builder()
                .data(s)
                .charset("UTF-8")
                .build()
                .context("build mail content")
        };
        let message = Message::builder()
            .subject(utf8(&mail.subject)?)
            .body(
                Body::builder()
                    .text(utf8(&mail.text)?)
                    .html(utf8(&mail.html)?)
                    .build(),
            )
            .build();
        let out = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(to.as_str()).build())
            .content(EmailContent::builder().simple(message).build())
            .send_boxed()
            .await
            .map_err(|e| AppError::sdk("send email", e))?;
        Ok(out.message_id.unwrap_or_default())
    }
}
