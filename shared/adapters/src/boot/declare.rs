//! The two macros a function's `settings.rs` is written with: [`settings!`](crate::settings)
//! declares what the function reads, [`function!`](crate::function) wires its handler to the
//! boot step and the serve loop of its kind.

/// Declares a function's `Settings`: each field names the reader that takes it from
/// [`Vars`](crate::boot::config::Vars): a shared group's `from_vars` (`settings::verifier`,
/// `OrderFlowSettings::from_vars`, ...) or a closure naming the variable and its default
/// (`|v| v.days("VERIFY_LINK_DAYS", DEFAULT_VERIFY_LINK_DAYS)`). It adds `Settings::from_vars`,
/// which reads every field in order, so a function writes down what it reads once, not twice.
///
/// ```ignore
/// shop_adapters::settings! {
///     pub struct Settings {
///         /// `JWT_PUBLIC_KEYS`, `JWT_ISSUER`, `JWT_AUDIENCE`: whose tokens are trusted.
///         pub verifier: TokenVerifier = settings::verifier,
///     }
/// }
/// ```
#[macro_export]
macro_rules! settings {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* pub $field:ident : $ty:ty = $read:expr ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $ty, )*
        }

        impl $name {
            /// Every setting from `vars`; the first missing or bad one stops the start, named.
            pub fn from_vars(
                vars: &$crate::boot::config::Vars,
            ) -> Result<Self, $crate::boot::config::ConfigError> {
                Ok(Self {
                    $( $field: $crate::boot::config::read_with(vars, $read)?, )*
                })
            }
        }
    };
}

/// Wires a function crate's `Handler` to the boot step, so its `settings.rs` says only what
/// the function reads (`Settings::from_vars`) and builds (`Handler::new`). It adds
/// `Handler::boot` (what `main.rs` hands to the serve loop: settings from the process
/// environment, then `new`) and the serve trait of the function's kind, whose `handle` is the
/// handler's own. It adds nothing to `Settings`, so a function may name a shared settings
/// group as its own (`web::auth::settings::{GuardSettings, PolicySettings}`).
///
/// `function!(http Handler => route, Settings, |boot, settings| Handler { .. })`,
/// `function!(sqs Handler => work, Settings, |boot, settings| ..)` or
/// `function!(schedule Handler, Settings, Report, |boot, settings| ..)`. The last argument
/// builds the handler from the boot step and the settings: it becomes `Handler::new(&Boot,
/// Settings) -> Result<Self, Error>` (a `?` in it stops the start), which tests call too. The
/// `=> route` form also writes the handler's `handle`: the answer of its use case
/// `route(&self, &Request) -> Result<HttpResponse, AppError>`, or its error as problem+json,
/// the step every HTTP function ends with; `function!(http Handler, ..)` leaves `handle` to the
/// handler. The `sqs Handler => work` form writes a worker's `handle` likewise: each message
/// read as the `Job` that `work(&self, job) -> Result<(), AppError>` takes, run in turn.
/// Without the last argument the crate writes `Handler::new` itself.
#[macro_export]
macro_rules! function {
    // `http` or `sqs` with the handler's constructor: `Handler::new`, then the form without it.
    ($kind:ident $handler:ty => $step:ident, $settings:ty, |$boot:ident, $read:ident| $new:expr) => {
        $crate::function!(@new $handler, $settings, |$boot, $read| $new);
        $crate::function!($kind $handler => $step, $settings);
    };
    ($kind:ident $handler:ty, $settings:ty, |$boot:ident, $read:ident| $new:expr) => {
        $crate::function!(@new $handler, $settings, |$boot, $read| $new);
        $crate::function!($kind $handler, $settings);
    };
    (schedule $handler:ty, $settings:ty, $report:ty, |$boot:ident, $read:ident| $new:expr) => {
        $crate::function!(@new $handler, $settings, |$boot, $read| $new);
        $crate::function!(schedule $handler, $settings, $report);
    };
    (http $handler:ty => $use_case:ident, $settings:ty) => {
        impl $handler {
            /// The use case's answer, or its error as problem+json (`http::respond`).
            pub async fn handle(
                &self,
                req: $crate::boot::prelude::Request,
            ) -> $crate::boot::prelude::HttpResponse {
                $crate::web::http::respond(self.$use_case(&req).await)
            }
        }

        $crate::function!(http $handler, $settings);
    };
    (http $handler:ty, $settings:ty) => {
        $crate::function!(@serve HttpHandler, $handler, $settings, Request => HttpResponse);
    };
    (sqs $handler:ty => $work:ident, $settings:ty) => {
        impl $handler {
            /// Each message's job through the worker's own step (`jobs::each_job`): one that
            /// cannot be read or whose step fails is reported failed alone.
            pub async fn handle(
                &self,
                event: $crate::boot::prelude::SqsEvent,
            ) -> $crate::boot::prelude::SqsBatchResponse {
                $crate::messaging::jobs::each_job(&event, |job| self.$work(job)).await
            }
        }

        $crate::function!(sqs $handler, $settings);
    };
    (sqs $handler:ty, $settings:ty) => {
        $crate::function!(@serve SqsHandler, $handler, $settings, SqsEvent => SqsBatchResponse);
    };
    // The serve loop's trait (`boot::HttpHandler` or `boot::SqsHandler`) over the handler's
    // own `handle`, and the boot step.
    (@serve $trait:ident, $handler:ty, $settings:ty, $in:ident => $out:ident) => {
        $crate::function!(@boot $handler, $settings);

        impl $crate::boot::$trait for $handler {
            async fn handle(
                &self,
                input: $crate::boot::prelude::$in,
            ) -> $crate::boot::prelude::$out {
                <$handler>::handle(self, input).await
            }
        }
    };
    (schedule $handler:ty, $settings:ty, $report:ty) => {
        $crate::function!(@boot $handler, $settings);

        impl $crate::boot::ScheduledJob for $handler {
            type Report = $report;

            async fn handle(&self) -> Result<$report, $crate::AppError> {
                let report = <$handler>::handle(self).await?;
                $crate::boot::log_report(&report);
                Ok(report)
            }
        }
    };
    (@new $handler:ty, $settings:ty, |$boot:ident, $read:ident| $new:expr) => {
        impl $handler {
            /// The handler on the boot step's clients, with `settings` (tests build it so).
            pub fn new(
                $boot: &$crate::boot::Boot,
                $read: $settings,
            ) -> Result<Self, $crate::boot::Error> {
                Ok($new)
            }
        }
    };
    (@boot $handler:ty, $settings:ty) => {
        impl $handler {
            /// The handler as deployed: its settings from the environment.
            pub fn boot(boot: &$crate::boot::Boot) -> Result<Self, $crate::boot::Error> {
                let vars = $crate::boot::config::Vars::env();
                Self::new(boot, <$settings>::from_vars(&vars)?)
            }
        }
    };
}
