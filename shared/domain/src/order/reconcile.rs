//! Orders whose payment outcome never arrived (a lost webhook, a crash between placing the
//! order and answering): what the provider says now decides, and an order nobody paid for
//! expires after a while so its holders are free again.

use jiff::{SignedDuration, Timestamp};

use crate::{
    order::{Order, OrderStatus, PaymentEvent},
    ports::{PaymentState, ProviderPayment},
};

/// What to do with one open order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reconciliation {
    /// Apply the provider's outcome through the same path as its webhook.
    Apply {
        payment_id: String,
        event: PaymentEvent,
        failure: Option<String>,
    },
    /// Nobody paid in time: cancel this payment at the provider (if there is one) so it can
    /// no longer be paid, then expire the order.
    Expire { cancel: Option<String> },
    /// Still waiting, and not for long enough to give up.
    Wait,
}

/// Decides for an open `order` from what the provider knows of its payment (`found`) at `now`.
/// Only orders still waiting for the customer expire (after `expire_after` from their
/// creation); a SEPA debit on its way is the provider's to settle or fail.
pub fn reconcile(
    order: &Order,
    found: Option<&ProviderPayment>,
    now: Timestamp,
    expire_after: SignedDuration,
) -> Reconciliation {
    let apply = |p: &ProviderPayment, event, failure| Reconciliation::Apply {
        payment_id: p.payment_id.clone(),
        event,
        failure,
    };
    match found.map(|p| (p, &p.state)) {
        Some((p, PaymentState::Succeeded)) => apply(p, PaymentEvent::Succeeded, None),
        Some((p, PaymentState::Failed { reason })) => {
            apply(p, PaymentEvent::Failed, Some(reason.clone()))
        }
        // Cancelled by an earlier run that stopped before it expired the order.
        Some((p, PaymentState::Abandoned)) => apply(p, PaymentEvent::Expired, None),
        Some((p, PaymentState::Processing)) if order.status != OrderStatus::Processing => {
            apply(p, PaymentEvent::Processing, None)
        }
        Some((_, PaymentState::Processing)) => Reconciliation::Wait,
        open => {
            let waiting = matches!(
                order.status,
                OrderStatus::PendingPayment | OrderStatus::RequiresAction
            );
            let age = now.duration_since(order.created_at);
            if waiting && age >= expire_after {
                Reconciliation::Expire {
                    cancel: open.map(|(p, _)| p.payment_id.clone()),
                }
            } else {
                Reconciliation::Wait
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::model::sample as open_order;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn found(state: PaymentState) -> ProviderPayment {
        ProviderPayment {
            payment_id: "pi_1".into(),
            state,
        }
    }

    const DAY: SignedDuration = SignedDuration::from_hours(24);

    #[test]
    fn the_providers_word_is_applied_whatever_the_age() {
        let order = open_order(OrderStatus::PendingPayment, at("2026-11-22T10:00:00Z"));
        let soon = at("2026-11-22T10:20:00Z");
        assert_eq!(
            reconcile(&order, Some(&found(PaymentState::Succeeded)), soon, DAY),
            Reconciliation::Apply {
                payment_id: "pi_1".into(),
                event: PaymentEvent::Succeeded,
                failure: None
            }
        );
        let declined = found(PaymentState::Failed {
            reason: "card_declined".into(),
        });
        assert!(matches!(
            reconcile(&order, Some(&declined), soon, DAY),
            Reconciliation::Apply { event: PaymentEvent::Failed, failure: Some(r), .. } if r == "card_declined"
        ));
        let sepa = found(PaymentState::Processing);
        assert!(matches!(
            reconcile(&order, Some(&sepa), soon, DAY),
            Reconciliation::Apply {
                event: PaymentEvent::Processing,
                ..
            }
        ));
    }

    #[test]
    fn unpaid_orders_expire_after_the_setting_and_sepa_never_does() {
        let created = at("2026-11-22T10:00:00Z");
        let before = at("2026-11-23T09:59:59Z");
        let after = at("2026-11-23T10:00:00Z");
        for status in [OrderStatus::PendingPayment, OrderStatus::RequiresAction] {
            let order = open_order(status, created);
            assert_eq!(reconcile(&order, None, before, DAY), Reconciliation::Wait);
            assert_eq!(
                reconcile(&order, None, after, DAY),
                Reconciliation::Expire { cancel: None }
            );
            assert_eq!(
                reconcile(&order, Some(&found(PaymentState::Open)), after, DAY),
                Reconciliation::Expire {
                    cancel: Some("pi_1".into())
                }
            );
        }
        let sepa = open_order(OrderStatus::Processing, created);
        let much_later = at("2027-01-01T00:00:00Z");
        for state in [None, Some(found(PaymentState::Processing))] {
            assert_eq!(
                reconcile(&sepa, state.as_ref(), much_later, DAY),
                Reconciliation::Wait
            );
        }
        let order = open_order(OrderStatus::RequiresAction, created);
        assert!(matches!(
            reconcile(&order, Some(&found(PaymentState::Abandoned)), before, DAY),
            Reconciliation::Apply {
                event: PaymentEvent::Expired,
                ..
            }
        ));
    }
}
