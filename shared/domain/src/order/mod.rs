//! Orders: checkout, invoices, payment status and cancellation.

pub mod checkout;
pub mod confirm;
pub mod invoice;
pub mod model;
pub mod monitoring;
pub mod new;
pub mod reconcile;
pub mod view;

pub use model::{
    Billing, CancellationPolicy, Document, LineChange, Order, OrderLine, OrderPayment, OrderStatus,
    PaymentEvent, PaymentMethod, document_number,
};
