//! The adapters as every function wires them from the boot step: on the shop table, with the
//! boot step's clients and clock. A handler's constructor names what it uses, nothing more.

use shop_domain::{account::password::PasswordPolicy, solar::SolarSettings};

use super::{Boot, Error};
use crate::{
    clients::{
        payments::{PaymentSettings, StripeClient},
        vies::ViesClient,
    },
    flows::{
        links::{LinkMailer, LinkSettings},
        migration::{MigrationFlow, MigrationSettings},
        order_flow::{OrderFlow, OrderFlowSettings},
        passwords::Passwords,
        power_exceeded::{Adding, AddingSettings, PowerExceeded},
    },
    messaging::{
        jobs::JobQueue, mailer::SesMailer, outbox::MailOutbox, telemetry_queue::TelemetryQueue,
    },
    store::{
        accounts::AccountsRepo,
        activation_limit::{ActivationLimit, ActivationSettings},
        catalog::CatalogRepo,
        devices::DevicesRepo,
        idempotency::{IdempotencyPolicy, IdempotencyStore},
        inverters::InvertersRepo,
        migration_stages::MigrationStages,
        orders::OrdersRepo,
        plants::PlantsRepo,
        sign_in_failures::SignInFailureLog,
        subscriptions::SubscriptionsRepo,
        telemetry::{StoreSettings, TelemetryRepo},
        waves::WavesRepo,
    },
    web::{
        auth::{
            device::DeviceAuth, guard::Guard, jwt::TokenVerifier, password::PasswordHasherArgon2,
            settings,
        },
        idempotent_http::IdempotentRequests,
    },
};

/// The repositories on the shop table: `boot.<name>()` is `<Repo>::new` on the boot step's
/// DynamoDB client and table, the same for each, so they are listed rather than written out.
macro_rules! table_repos {
    ($($(#[$doc:meta])* $name:ident: $repo:ty),* $(,)?) => {
        impl Boot {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> $repo {
                    <$repo>::new(self.dynamodb(), self.table())
                }
            )*
        }
    };
}

table_repos! {
    accounts: AccountsRepo,
    subscriptions: SubscriptionsRepo,
    waves: WavesRepo,
    plants: PlantsRepo,
    devices: DevicesRepo,
    inverters: InvertersRepo,
    catalog: CatalogRepo,
    /// The rows of migration waves the mailer and its worker use.
    migration_stages: MigrationStages,
}

impl Boot {
    /// The telemetry table (`TELEMETRY_TABLE`, a function setting: only the telemetry
    /// functions know it).
    pub fn telemetry(&self, table: &str, settings: StoreSettings) -> TelemetryRepo {
        TelemetryRepo::new(self.dynamodb(), table, settings)
    }

    pub fn telemetry_queue(&self, queue_url: &str) -> TelemetryQueue {
        TelemetryQueue::new(self.sqs(), queue_url)
    }

    /// Device credentials, each device's hash kept `cache_for` per warm instance.
    pub fn device_auth(&self, cache_for: std::time::Duration) -> DeviceAuth {
        DeviceAuth::new(self.devices(), cache_for)
    }

    pub fn activation_limit(&self, settings: ActivationSettings) -> ActivationLimit {
        ActivationLimit::new(
            self.dynamodb(),
            self.table(),
            settings.attempts,
            settings.window,
        )
    }

    /// What ends the licenses a plant outgrew and tells their owner (`links`: the mail queue
    /// and the web app the email links to).
    pub fn power_exceeded(&self, links: &LinkSettings, solar: SolarSettings) -> PowerExceeded {
        PowerExceeded {
            plants: self.plants(),
            inverters: self.inverters(),
            subscriptions: self.subscriptions(),
            accounts: self.accounts(),
            outbox: self.outbox(&links.mail_queue_url),
            app_url: links.app_url.clone(),
            settings: solar,
        }
    }

    /// Everything adding inverters uses, on `settings`.
    pub fn adding(&self, settings: &AddingSettings) -> Adding {
        Adding {
            plants: self.plants(),
            devices: self.devices(),
            inverters: self.inverters(),
            limit: self.activation_limit(settings.activation),
            power: self.power_exceeded(&settings.links, settings.solar),
            clock: self.clock(),
        }
    }

    pub fn idempotency(&self, policy: IdempotencyPolicy) -> IdempotencyStore {
        IdempotencyStore::new(self.dynamodb(), self.table(), policy)
    }

    /// Requests made idempotent by their `Idempotency-Key`; a repeat waits `wait_for_first`
    /// for the first one's answer.
    pub fn idempotent_requests(
        &self,
        policy: IdempotencyPolicy,
        wait_for_first: std::time::Duration,
    ) -> IdempotentRequests {
        IdempotentRequests {
            store: self.idempotency(policy),
            wait_for_first,
        }
    }

    pub fn sign_in_failures(&self, policy: &PasswordPolicy) -> SignInFailureLog {
        settings::sign_in_failures(self.dynamodb(), self.table(), policy)
    }

    /// What a function that checks or sets passwords under `policy` works with.
    pub fn passwords(&self, policy: PasswordPolicy) -> Result<Passwords, Error> {
        Ok(Passwords {
            accounts: self.accounts(),
            failures: self.sign_in_failures(&policy),
            hasher: PasswordHasherArgon2::new()?,
            clock: self.clock(),
            policy,
        })
    }

    /// The guard of a protected route, trusting `verifier`'s keys.
    pub fn guard(&self, verifier: TokenVerifier) -> Guard {
        Guard {
            verifier,
            accounts: self.accounts(),
            clock: self.clock(),
        }
    }

    pub fn outbox(&self, queue_url: &str) -> MailOutbox {
        MailOutbox::new(self.sqs(), queue_url)
    }

    pub fn jobs(&self, queue_url: &str) -> JobQueue {
        JobQueue::new(self.sqs(), queue_url)
    }

    pub fn mailer(&self, sender: &str) -> SesMailer {
        SesMailer::new(self.sesv2(), sender)
    }

    /// Emails with links into the web app, through the mail queue.
    pub fn link_mailer(&self, settings: &LinkSettings) -> LinkMailer {
        LinkMailer {
            accounts: self.accounts(),
            outbox: self.outbox(&settings.mail_queue_url),
            app_url: settings.app_url.clone(),
        }
    }

    /// Stages and moves of migration waves' accounts.
    pub fn migration_flow(&self, settings: &MigrationSettings) -> Result<MigrationFlow, Error> {
        Ok(MigrationFlow {
            stages: self.migration_stages(),
            accounts: self.accounts(),
            subscriptions: self.subscriptions(),
            orders: OrdersRepo::new(self.dynamodb(), self.table()),
            catalog: self.catalog(),
            outbox: self.outbox(&settings.links.mail_queue_url),
            links: self.link_mailer(&settings.links),
            days: settings.days,
            activation_valid: settings.activation_valid,
            rates: shop_domain::vat::tax::VatRates::bundled()?,
            seller: settings.seller.clone(),
            fallback_region: settings.fallback_region.clone(),
        })
    }

    pub fn order_flow(&self, settings: &OrderFlowSettings) -> OrderFlow {
        OrderFlow::new(self.dynamodb(), self.sqs(), self.table(), settings)
    }

    pub fn payments(&self, settings: &PaymentSettings) -> Result<StripeClient, Error> {
        Ok(StripeClient::new(self.https()?, settings))
    }

    pub fn vies(&self, url: &str, timeout: std::time::Duration) -> Result<ViesClient, Error> {
        Ok(ViesClient::new(self.https()?, url, timeout))
    }
}
