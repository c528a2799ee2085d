//! Email templates, compiled into the binary from `templates/`: per template and language a
//! subject, a plain-text body and an HTML body (which extends `layout.html` and is escaped).

use minijinja::{Environment, UndefinedBehavior};
use shop_adapters::messaging::mailer::RenderedMail;
use shop_domain::{Language, mail::MailMessage, mail::MailTemplate};

/// Adds `<template>/<lang>.subject|txt|html` for every template and language.
macro_rules! sources {
    ($($template:literal),* $(,)?) => {
        &[$(
            (concat!($template, "/de.subject"), include_str!(concat!("../templates/", $template, "/de.subject"))),
            (concat!($template, "/de.txt"), include_str!(concat!("../templates/", $template, "/de.txt"))),
            (concat!($template, "/de.html"), include_str!(concat!("../templates/", $template, "/de.html"))),
            (concat!($template, "/en.subject"), include_str!(concat!("../templates/", $template, "/en.subject"))),
            (concat!($template, "/en.txt"), include_str!(concat!("../templates/", $template, "/en.txt"))),
            (concat!($template, "/en.html"), include_str!(concat!("../templates/", $template, "/en.html"))),
            (concat!($template, "/fr.subject"), include_str!(concat!("../templates/", $template, "/fr.subject"))),
            (concat!($template, "/fr.txt"), include_str!(concat!("../templates/", $template, "/fr.txt"))),
            (concat!($template, "/fr.html"), include_str!(concat!("../templates/", $template, "/fr.html"))),
        )*]
    };
}

const SOURCES: &[(&str, &str)] = sources![
    "email_verification",
    "account_activation",
    "password_reset",
    "order_confirmation",
    "order_cancellation",
    "seat_invitation",
    "renewal_reminder",
    "renewal_failed",
    "order_expired",
    "monitoring_license_ended",
    "plant_alert",
    "plant_alert_cleared",
    "migration_announcement",
    "migration_reminder",
    "migration_welcome",
    "migration_joined"
];
const LAYOUT: &str = include_str!("../templates/layout.html");

fn source(name: &str) -> Option<&'static str> {
    if name == "layout.html" {
        return Some(LAYOUT);
    }
    SOURCES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Each template is parsed on its first use and kept for the warm instance: parsing all
    /// 145 sources at cold start cost more than the rest of the start together. A source that
    /// does not parse is caught by the tests, which render every template in every language.
    pub fn load() -> Self {
        let mut env = Environment::new();
        // A placeholder the message did not fill is an error, never an empty gap in an email.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_loader(|name| Ok(source(name)));
        Self { env }
    }

    pub fn render(&self, message: &MailMessage) -> Result<RenderedMail, minijinja::Error> {
        self.render_parts(message.template, message.language, &message.data)
    }

    fn render_parts(
        &self,
        template: MailTemplate,
        language: Language,
        data: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<RenderedMail, minijinja::Error> {
        let mut ctx = data.clone();
        ctx.insert("lang".into(), language.code().into());
        let part = |ext: &str| {
            let name = format!("{}/{}.{ext}", template.name(), language.code());
            self.env
                .get_template(&name)?
                .render(minijinja::value::Serde(&ctx))
        };
        Ok(RenderedMail {
            subject: part("subject")?.trim().to_owned(),
            text: part("txt")?,
            html: part("html")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample(template: MailTemplate) -> serde_json::Map<String, serde_json::Value> {
        let data = match template {
            MailTemplate::EmailVerification
            | MailTemplate::AccountActivation
            | MailTemplate::PasswordReset => {
                json!({"name": "Anna <b>", "link": "https://shop.example/verify?token=abc&x=1", "valid_days": 14, "valid_hours": 2})
            }
            MailTemplate::RenewalFailed => json!({
                "name": "Anna <b>", "product": "Alerting Team", "retry_on": "2027-11-23",
                "expired": false, "reason": "card_declined",
                "link": "https://shop.example/verify?token=abc&x=1"
            }),
            MailTemplate::RenewalReminder => json!({
                "name": "Anna <b>", "product": "Inspection Report", "ends_on": "2027-12-31",
                "link": "https://shop.example/verify?token=abc&x=1"
            }),
            MailTemplate::SeatInvitation => json!({
                "owner": "Anna <b>", "product": "Alerting Team", "starts_on": "2026-11-22",
                "ends_on": "2027-11-21", "activate": true, "valid_days": 14,
                "link": "https://shop.example/verify?token=abc&x=1"
            }),
            MailTemplate::MonitoringLicenseEnded => json!({
                "name": "Anna <b>", "plant": "Roof <east>", "license": "SUB-1",
                "licensed_power": "10 kW", "ended_on": "2026-11-22",
                "residual": "21.78", "link": "https://shop.example/verify?token=abc&x=1"
            }),
            MailTemplate::PlantAlert | MailTemplate::PlantAlertCleared => json!({
                "name": "Anna <b>", "plant": "Roof <east>", "condition": "no_data",
                "inverter": "West (AE-1)", "day": "2026-06-21", "window_minutes": 60,
                "last_reading": "2026-06-21 12:05", "link": "https://shop.example/verify?token=abc&x=1"
            }),
            MailTemplate::MigrationAnnouncement | MailTemplate::MigrationReminder => json!({
                "name": "Anna <b>", "transfer_date": "2026-12-15", "moving": 2, "staying": 1,
                "link": "https://shop.example/verify?token=abc&x=1"
            }),
            MailTemplate::MigrationWelcome | MailTemplate::MigrationJoined => json!({
                "name": "Anna <b>", "valid_days": 14, "seat_product": "Alerting <Team>",
                "licenses": [{"product": "Alerting <Team>", "number": "S-1", "quantity": 3,
                              "ends_on": "2027-02-28"}],
                "link": "https://shop.example/verify?token=abc&x=1"
            }),
            MailTemplate::OrderConfirmation
            | MailTemplate::OrderCancellation
            | MailTemplate::OrderExpired => json!({
                "name": "Anna <b>", "link": "https://shop.example/verify?token=abc&x=1",
                "order_number": "ORD-2026-000001", "invoice_number": "INV-2026-000001",
                "credit_note_number": "CN-2026-000001", "reverse_charge": true,
                "lines": [{"description": "Alerting Team (P12M), a@example.com", "quantity": 5,
                           "unit_net": "48.00", "net": "240.00", "tax_rate": "19", "tax": "45.60",
                           "gross": "285.60"}],
                "net": "240.00", "tax": "45.60", "gross": "285.60"
            }),
        };
        data.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn every_template_renders_in_every_language() {
        let t = Templates::load();
        for template in MailTemplate::ALL {
            for lang in Language::ALL {
                let mail = t.render_parts(template, lang, &sample(template)).unwrap();
                assert!(!mail.subject.is_empty() && !mail.subject.contains('\n'));
                assert!(
                    mail.text
                        .contains("https://shop.example/verify?token=abc&x=1")
                );
                assert!(
                    mail.html
                        .contains(&format!("<html lang=\"{}\">", lang.code()))
                );
            }
        }
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let t = Templates::load();
        let data = sample(MailTemplate::EmailVerification);
        let mail = t
            .render_parts(MailTemplate::EmailVerification, Language::En, &data)
            .unwrap();
        assert!(mail.html.contains("Anna &lt;b&gt;"));
        assert!(!mail.html.contains("Anna <b>"));
        assert!(mail.text.contains("Anna <b>"));
    }

    #[test]
    fn each_alert_condition_renders_its_facts_in_every_language() {
        let t = Templates::load();
        let facts = [
            (
                "no_data",
                json!({"window_minutes": 60, "last_reading": "2026-06-21 12:05"}),
                "60",
            ),
            (
                "underperformance",
                json!({"percent": 20, "energy_per_kw": "2.1", "best_per_kw": "3.4"}),
                "3.4",
            ),
            (
                "below_forecast",
                json!({"energy_kwh": "12.5", "forecast_kwh": "41.2"}),
                "41.2",
            ),
        ];
        for template in [MailTemplate::PlantAlert, MailTemplate::PlantAlertCleared] {
            for (condition, extra, shown) in &facts {
                let mut data = sample(template);
                data.retain(|k, _| {
                    ["name", "plant", "inverter", "day", "link"].contains(&k.as_str())
                });
                data.insert("condition".into(), json!(condition));
                data.extend(extra.as_object().cloned().unwrap_or_default());
                for lang in Language::ALL {
                    let mail = t.render_parts(template, lang, &data).unwrap();
                    let alert = template == MailTemplate::PlantAlert;
                    assert_eq!(mail.text.contains(shown), alert, "{condition} {lang:?}");
                    assert!(mail.text.contains("2026-06-21") || *condition == "no_data");
                }
            }
        }
    }

    #[test]
    fn languages_differ() {
        let t = Templates::load();
        let data = sample(MailTemplate::EmailVerification);
        let subjects: Vec<String> = Language::ALL
            .iter()
            .map(|l| {
                t.render_parts(MailTemplate::EmailVerification, *l, &data)
                    .unwrap()
                    .subject
            })
            .collect();
        assert_eq!(subjects[0], "Bitte bestätigen Sie Ihre E-Mail-Adresse");
        assert_ne!(subjects[0], subjects[1]);
        assert_ne!(subjects[1], subjects[2]);
    }

    #[test]
    fn missing_data_is_an_error() {
        let t = Templates::load();
        let mut data = sample(MailTemplate::EmailVerification);
        data.remove("link");
        assert!(
            t.render_parts(MailTemplate::EmailVerification, Language::De, &data)
                .is_err()
        );
    }
}
