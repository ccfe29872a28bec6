//! The payment state machine: one for every order, every gateway and every method.
//!
//! ```text
//! created ──▶ pending ──▶ succeeded ──▶ partially refunded ──▶ refunded
//!    │           │            └──────────────────────────────────▲
//!    └───────────┴──▶ failed | cancelled | expired
//! ```
//!
//! The engine never writes a state itself: it asks [`Payment::apply`], which refuses what may not
//! happen (an expired payment cannot succeed, a refund cannot exceed what was paid) and tells a
//! signal that repeats what is already true (a second "succeeded" from the gateway) from a new
//! one, so that repeating it changes nothing.

use super::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaymentState {
    /// Recorded by us; the gateway has not accepted it yet.
    Created,
    /// The gateway accepted it; the user is on (or was sent to) its hosted page.
    Pending,
    Succeeded,
    Failed,
    Cancelled,
    Expired,
    PartiallyRefunded,
    Refunded,
}

impl PaymentState {
    pub const ALL: [PaymentState; 8] = [
        PaymentState::Created,
        PaymentState::Pending,
        PaymentState::Succeeded,
        PaymentState::Failed,
        PaymentState::Cancelled,
        PaymentState::Expired,
        PaymentState::PartiallyRefunded,
        PaymentState::Refunded,
    ];

    /// The code stored in the database and used in reports.
    pub fn code(self) -> &'static str {
        match self {
            PaymentState::Created => "created",
            PaymentState::Pending => "pending",
            PaymentState::Succeeded => "succeeded",
            PaymentState::Failed => "failed",
            PaymentState::Cancelled => "cancelled",
            PaymentState::Expired => "expired",
            PaymentState::PartiallyRefunded => "partially_refunded",
            PaymentState::Refunded => "refunded",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Money may still move: an order has at most one live payment.
    pub fn is_live(self) -> bool {
        matches!(self, PaymentState::Created | PaymentState::Pending)
    }

    /// The money was taken (and possibly given back in part or in full since).
    pub fn was_paid(self) -> bool {
        matches!(
            self,
            PaymentState::Succeeded | PaymentState::PartiallyRefunded | PaymentState::Refunded
        )
    }
}

/// What can happen to a payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentEvent {
    /// The gateway accepted the payment and gave us its page.
    Accepted,
    /// The gateway says the money was taken.
    Succeeded,
    /// The gateway says it was refused (declined, insufficient funds, too many wrong codes).
    Failed,
    /// The user gave up on the gateway's page.
    Cancelled,
    /// Nobody finished it in time.
    Expired,
    /// An administrator gave back this many minor units.
    Refunded { minor: i64 },
}

impl PaymentEvent {
    /// The code recorded in the payment's history.
    pub fn code(self) -> &'static str {
        match self {
            PaymentEvent::Accepted => "accepted",
            PaymentEvent::Succeeded => "succeeded",
            PaymentEvent::Failed => "failed",
            PaymentEvent::Cancelled => "cancelled",
            PaymentEvent::Expired => "expired",
            PaymentEvent::Refunded { .. } => "refunded",
        }
    }
}

/// The result of applying an event that may happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// The payment moves to this state (with the refunded total after it).
    To {
        state: PaymentState,
        refunded_minor: i64,
    },
    /// The event repeats what is already true (a duplicated notification): nothing changes.
    AlreadyThere,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a {from:?} payment cannot become {event}")]
    Illegal {
        from: PaymentState,
        event: &'static str,
    },
    #[error("a refund must be more than zero")]
    NothingToRefund,
    #[error("a refund of {asked} exceeds the {left} left to refund")]
    RefundTooLarge { asked: i64, left: i64 },
}

/// What the state machine needs to know about a payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Payment {
    pub state: PaymentState,
    pub amount: Money,
    /// Minor units already given back.
    pub refunded_minor: i64,
}

impl Payment {
    pub fn new(amount: Money) -> Self {
        Self {
            state: PaymentState::Created,
            amount,
            refunded_minor: 0,
        }
    }

    /// What may still be refunded.
    pub fn refundable_minor(&self) -> i64 {
        if self.state.was_paid() {
            self.amount.minor - self.refunded_minor
        } else {
            0
        }
    }

    pub fn apply(&self, event: PaymentEvent) -> Result<Transition, TransitionError> {
        use PaymentEvent as E;
        use PaymentState as S;
        let to = |state| {
            Ok(Transition::To {
                state,
                refunded_minor: self.refunded_minor,
            })
        };
        match (self.state, event) {
            (S::Created, E::Accepted) => to(S::Pending),
            (S::Pending, E::Accepted) => Ok(Transition::AlreadyThere),

            (S::Pending, E::Succeeded) => to(S::Succeeded),
            // Repeated success signals are harmless, even after a refund has begun.
            (S::Succeeded | S::PartiallyRefunded | S::Refunded, E::Succeeded) => {
                Ok(Transition::AlreadyThere)
            }

            // The gateway may refuse to open a payment at all, or refuse it once opened.
            (S::Created | S::Pending, E::Failed) => to(S::Failed),
            (S::Created | S::Pending, E::Cancelled) => to(S::Cancelled),
            (S::Created | S::Pending, E::Expired) => to(S::Expired),
            (S::Failed, E::Failed) | (S::Cancelled, E::Cancelled) | (S::Expired, E::Expired) => {
                Ok(Transition::AlreadyThere)
            }

            (S::Succeeded | S::PartiallyRefunded, E::Refunded { minor }) => {
                if minor <= 0 {
                    return Err(TransitionError::NothingToRefund);
                }
                let left = self.refundable_minor();
                if minor > left {
                    return Err(TransitionError::RefundTooLarge { asked: minor, left });
                }
                let refunded_minor = self.refunded_minor + minor;
                Ok(Transition::To {
                    state: if refunded_minor == self.amount.minor {
                        S::Refunded
                    } else {
                        S::PartiallyRefunded
                    },
                    refunded_minor,
                })
            }

            (from, event) => Err(TransitionError::Illegal {
                from,
                event: event.code(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;
    use PaymentEvent as E;
    use PaymentState as S;

    fn at(state: PaymentState, refunded_minor: i64) -> Payment {
        Payment {
            state,
            amount: Money::new(200_000, Currency::Dzd),
            refunded_minor,
        }
    }

    fn events() -> [PaymentEvent; 9] {
        [
            E::Accepted,
            E::Succeeded,
            E::Failed,
            E::Cancelled,
            E::Expired,
            E::Refunded { minor: 0 },
            E::Refunded { minor: 50_000 },
            E::Refunded { minor: 200_000 },
            E::Refunded { minor: 200_001 },
        ]
    }

    /// Every (state, event) pair, with what must happen. A state half refunded (100 000 of
    /// 200 000) is used for `PartiallyRefunded`, a fully refunded one for `Refunded`.
    fn expected(state: PaymentState, event: PaymentEvent) -> Result<Transition, TransitionError> {
        let to = |state, refunded_minor| {
            Ok(Transition::To {
                state,
                refunded_minor,
            })
        };
        let illegal = Err(TransitionError::Illegal {
            from: state,
            event: event.code(),
        });
        match (state, event) {
            (S::Created, E::Accepted) => to(S::Pending, 0),
            (S::Created, E::Failed) => to(S::Failed, 0),
            (S::Created, E::Cancelled) => to(S::Cancelled, 0),
            (S::Created, E::Expired) => to(S::Expired, 0),
            (S::Pending, E::Accepted) => Ok(Transition::AlreadyThere),
            (S::Pending, E::Succeeded) => to(S::Succeeded, 0),
            (S::Pending, E::Failed) => to(S::Failed, 0),
            (S::Pending, E::Cancelled) => to(S::Cancelled, 0),
            (S::Pending, E::Expired) => to(S::Expired, 0),
            (S::Succeeded, E::Succeeded) => Ok(Transition::AlreadyThere),
            (S::Succeeded, E::Refunded { minor: 0 }) => Err(TransitionError::NothingToRefund),
            (S::Succeeded, E::Refunded { minor: 50_000 }) => to(S::PartiallyRefunded, 50_000),
            (S::Succeeded, E::Refunded { minor: 200_000 }) => to(S::Refunded, 200_000),
            (S::Succeeded, E::Refunded { minor: 200_001 }) => {
                Err(TransitionError::RefundTooLarge {
                    asked: 200_001,
                    left: 200_000,
                })
            }
            (S::PartiallyRefunded, E::Succeeded) => Ok(Transition::AlreadyThere),
            (S::PartiallyRefunded, E::Refunded { minor: 0 }) => {
                Err(TransitionError::NothingToRefund)
            }
            (S::PartiallyRefunded, E::Refunded { minor: 50_000 }) => {
                to(S::PartiallyRefunded, 150_000)
            }
            (S::PartiallyRefunded, E::Refunded { minor: m }) => {
                Err(TransitionError::RefundTooLarge {
                    asked: m,
                    left: 100_000,
                })
            }
            (S::Refunded, E::Succeeded) => Ok(Transition::AlreadyThere),
            (S::Failed, E::Failed) | (S::Cancelled, E::Cancelled) | (S::Expired, E::Expired) => {
                Ok(Transition::AlreadyThere)
            }
            _ => illegal,
        }
    }

    #[test]
    fn every_state_and_event_pair_does_what_the_diagram_says() {
        let mut checked = 0;
        for state in S::ALL {
            let refunded = match state {
                S::PartiallyRefunded => 100_000,
                S::Refunded => 200_000,
                _ => 0,
            };
            for event in events() {
                assert_eq!(
                    at(state, refunded).apply(event),
                    expected(state, event),
                    "{state:?} + {event:?}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 8 * 9);
    }

    #[test]
    fn an_expired_payment_cannot_succeed_afterwards() {
        assert!(matches!(
            at(S::Expired, 0).apply(E::Succeeded),
            Err(TransitionError::Illegal { .. })
        ));
    }

    #[test]
    fn refunds_in_parts_add_up_to_the_amount_and_no_further() {
        let mut p = at(S::Succeeded, 0);
        for part in [50_000, 50_000, 100_000] {
            let Ok(Transition::To {
                state,
                refunded_minor,
            }) = p.apply(E::Refunded { minor: part })
            else {
                panic!("refund of {part} refused");
            };
            p = Payment {
                state,
                refunded_minor,
                ..p
            };
        }
        assert_eq!(p.state, S::Refunded);
        assert_eq!(p.refundable_minor(), 0);
        assert!(p.apply(E::Refunded { minor: 1 }).is_err());
    }

    #[test]
    fn only_created_and_pending_payments_are_live() {
        let live: Vec<_> = S::ALL.into_iter().filter(|s| s.is_live()).collect();
        assert_eq!(live, [S::Created, S::Pending]);
    }

    #[test]
    fn state_codes_round_trip() {
        for s in S::ALL {
            assert_eq!(S::parse(s.code()), Some(s));
        }
        assert_eq!(S::parse("paid"), None);
    }
}
