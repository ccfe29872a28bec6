//! An ID card application's life, from the first answer to the card in the resident's hand.
//! One state machine from day one (issue 21): the applicant's part (fill in, submit, pay),
//! the appointment (part 2) and the centre's desk and delivery (part 3) are events on it,
//! so every part moves the same application and the timeline is the list of its events.

use serde::{Deserialize, Serialize};

/// What the applicant asked for (PRODUCT.md, service 2, step 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RequestType {
    New,
    /// A loss declaration is part of the application.
    ReplaceLost,
    /// The damaged card is handed in at the centre.
    ReplaceDamaged,
}

impl RequestType {
    pub const ALL: [RequestType; 3] = [Self::New, Self::ReplaceLost, Self::ReplaceDamaged];

    /// As stored and posted.
    pub fn code(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::ReplaceLost => "lost",
            Self::ReplaceDamaged => "damaged",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code.trim())
    }

    /// The item of the fee table (`idcard_fees`) this request pays.
    pub fn fee_item(self) -> &'static str {
        match self {
            Self::New => "card_new",
            Self::ReplaceLost => "card_replacement_lost",
            Self::ReplaceDamaged => "card_replacement_damaged",
        }
    }
}

/// Where an application is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum State {
    /// Being filled in: every answer can change.
    Draft,
    /// Submitted (answers frozen), the fee neither paid nor promised at the centre.
    AwaitingPayment,
    /// Paid, or to be paid at the centre: an appointment can be booked (part 2).
    AwaitingAppointment,
    AppointmentBooked,
    /// The officer found something to correct (part 3): the answers open again.
    ReturnedForCorrection,
    /// Originals checked, fingerprints and photo taken: the card is being made.
    InProduction,
    ReadyForPickup,
    Posted,
    /// Collected or delivered.
    Completed,
    Withdrawn,
    Refused,
}

/// What happens to an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Event {
    Submit,
    PaidOnline,
    ChosePayAtCentre,
    AppointmentBooked,
    /// Moved to another slot (the application keeps its appointment throughout).
    AppointmentRescheduled,
    /// Cancelled by the applicant, or released after a missed appointment.
    AppointmentCancelled,
    /// The officer records the fee paid at the desk; the application stays where it is.
    PaidAtCentre,
    ReturnForCorrection,
    Resubmit,
    /// Originals checked, biometrics recorded.
    CheckedIn,
    CardReadyForPickup,
    CardPosted,
    Collected,
    Delivered,
    Withdraw,
    Refuse,
}

impl State {
    pub const ALL: [State; 11] = [
        Self::Draft,
        Self::AwaitingPayment,
        Self::AwaitingAppointment,
        Self::AppointmentBooked,
        Self::ReturnedForCorrection,
        Self::InProduction,
        Self::ReadyForPickup,
        Self::Posted,
        Self::Completed,
        Self::Withdrawn,
        Self::Refused,
    ];

    /// As stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::AwaitingPayment => "awaiting_payment",
            Self::AwaitingAppointment => "awaiting_appointment",
            Self::AppointmentBooked => "appointment_booked",
            Self::ReturnedForCorrection => "returned_for_correction",
            Self::InProduction => "in_production",
            Self::ReadyForPickup => "ready_for_pickup",
            Self::Posted => "posted",
            Self::Completed => "completed",
            Self::Withdrawn => "withdrawn",
            Self::Refused => "refused",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Still going: a resident has at most one open application.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Completed | Self::Withdrawn | Self::Refused)
    }

    /// Answers can change: before submission, and when the officer returns it.
    pub fn answers_open(self) -> bool {
        matches!(self, Self::Draft | Self::ReturnedForCorrection)
    }
}

impl Event {
    pub const ALL: [Event; 16] = [
        Self::Submit,
        Self::PaidOnline,
        Self::ChosePayAtCentre,
        Self::AppointmentBooked,
        Self::AppointmentRescheduled,
        Self::AppointmentCancelled,
        Self::PaidAtCentre,
        Self::ReturnForCorrection,
        Self::Resubmit,
        Self::CheckedIn,
        Self::CardReadyForPickup,
        Self::CardPosted,
        Self::Collected,
        Self::Delivered,
        Self::Withdraw,
        Self::Refuse,
    ];

    /// As stored in the timeline.
    pub fn code(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::PaidOnline => "paid_online",
            Self::ChosePayAtCentre => "chose_pay_at_centre",
            Self::AppointmentBooked => "appointment_booked",
            Self::AppointmentRescheduled => "appointment_rescheduled",
            Self::AppointmentCancelled => "appointment_cancelled",
            Self::PaidAtCentre => "paid_at_centre",
            Self::ReturnForCorrection => "return_for_correction",
            Self::Resubmit => "resubmit",
            Self::CheckedIn => "checked_in",
            Self::CardReadyForPickup => "card_ready_for_pickup",
            Self::CardPosted => "card_posted",
            Self::Collected => "collected",
            Self::Delivered => "delivered",
            Self::Withdraw => "withdraw",
            Self::Refuse => "refuse",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// An event that cannot happen in a state (paying a draft, booking a withdrawn application).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotNow {
    pub state: State,
    pub event: Event,
}

/// Where `event` takes an application in `state`, or why not. The whole table is here: the
/// server applies an event only through this, inside the transaction that records it.
pub fn next(state: State, event: Event) -> Result<State, NotNow> {
    use Event as E;
    use State as S;
    let to = match (state, event) {
        (S::Draft, E::Submit) => S::AwaitingPayment,
        (S::AwaitingPayment, E::PaidOnline | E::ChosePayAtCentre) => S::AwaitingAppointment,
        (S::AwaitingAppointment, E::AppointmentBooked) => S::AppointmentBooked,
        (S::AppointmentBooked, E::AppointmentCancelled) => S::AwaitingAppointment,
        (S::AppointmentBooked, E::AppointmentRescheduled) => S::AppointmentBooked,
        (S::AppointmentBooked, E::PaidAtCentre) => S::AppointmentBooked,
        // Chose to pay at the centre, then paid online after all (before the appointment).
        (S::AwaitingAppointment | S::AppointmentBooked, E::PaidOnline) => state,
        (S::AppointmentBooked, E::CheckedIn) => S::InProduction,
        (S::AppointmentBooked, E::ReturnForCorrection) => S::ReturnedForCorrection,
        (S::ReturnedForCorrection, E::Resubmit) => S::AwaitingAppointment,
        (S::InProduction, E::CardReadyForPickup) => S::ReadyForPickup,
        (S::InProduction, E::CardPosted) => S::Posted,
        (S::ReadyForPickup, E::Collected) => S::Completed,
        (S::Posted, E::Delivered) => S::Completed,
        (S::AppointmentBooked, E::Refuse) => S::Refused,
        // The applicant may stop at any point before the card is being made.
        (
            S::Draft
            | S::AwaitingPayment
            | S::AwaitingAppointment
            | S::AppointmentBooked
            | S::ReturnedForCorrection,
            E::Withdraw,
        ) => S::Withdrawn,
        _ => return Err(NotNow { state, event }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pair of the table, written out the other way round: for each state, the events
    /// it accepts and where they lead. Any pair not listed must be refused.
    const ACCEPTED: &[(State, &[(Event, State)])] = {
        use Event as E;
        use State as S;
        &[
            (
                S::Draft,
                &[(E::Submit, S::AwaitingPayment), (E::Withdraw, S::Withdrawn)],
            ),
            (
                S::AwaitingPayment,
                &[
                    (E::PaidOnline, S::AwaitingAppointment),
                    (E::ChosePayAtCentre, S::AwaitingAppointment),
                    (E::Withdraw, S::Withdrawn),
                ],
            ),
            (
                S::AwaitingAppointment,
                &[
                    (E::PaidOnline, S::AwaitingAppointment),
                    (E::AppointmentBooked, S::AppointmentBooked),
                    (E::Withdraw, S::Withdrawn),
                ],
            ),
            (
                S::AppointmentBooked,
                &[
                    (E::AppointmentCancelled, S::AwaitingAppointment),
                    (E::AppointmentRescheduled, S::AppointmentBooked),
                    (E::PaidOnline, S::AppointmentBooked),
                    (E::PaidAtCentre, S::AppointmentBooked),
                    (E::CheckedIn, S::InProduction),
                    (E::ReturnForCorrection, S::ReturnedForCorrection),
                    (E::Refuse, S::Refused),
                    (E::Withdraw, S::Withdrawn),
                ],
            ),
            (
                S::ReturnedForCorrection,
                &[
                    (E::Resubmit, S::AwaitingAppointment),
                    (E::Withdraw, S::Withdrawn),
                ],
            ),
            (
                S::InProduction,
                &[
                    (E::CardReadyForPickup, S::ReadyForPickup),
                    (E::CardPosted, S::Posted),
                ],
            ),
            (S::ReadyForPickup, &[(E::Collected, S::Completed)]),
            (S::Posted, &[(E::Delivered, S::Completed)]),
            (S::Completed, &[]),
            (S::Withdrawn, &[]),
            (S::Refused, &[]),
        ]
    };

    #[test]
    fn every_state_and_event_is_accepted_or_refused_as_the_table_says() {
        assert_eq!(ACCEPTED.len(), State::ALL.len(), "every state is listed");
        for state in State::ALL {
            let accepted = ACCEPTED.iter().find(|(s, _)| *s == state).unwrap().1;
            for event in Event::ALL {
                let expected = accepted
                    .iter()
                    .find(|(e, _)| *e == event)
                    .map(|(_, to)| *to)
                    .ok_or(NotNow { state, event });
                assert_eq!(next(state, event), expected, "{state:?} × {event:?}");
            }
        }
    }

    #[test]
    fn closed_states_accept_nothing_and_only_they_are_closed() {
        for state in State::ALL {
            let accepts_something = Event::ALL.iter().any(|e| next(state, *e).is_ok());
            assert_eq!(state.is_open(), accepts_something, "{state:?}");
        }
    }

    #[test]
    fn answers_change_only_before_submission_or_when_returned() {
        let open: Vec<State> = State::ALL
            .into_iter()
            .filter(|s| s.answers_open())
            .collect();
        assert_eq!(open, vec![State::Draft, State::ReturnedForCorrection]);
    }

    #[test]
    fn every_application_can_reach_an_end_from_anywhere() {
        // From each open state some chain of events reaches a closed one.
        for start in State::ALL.into_iter().filter(|s| s.is_open()) {
            let mut seen = vec![start];
            let mut i = 0;
            while i < seen.len() {
                for e in Event::ALL {
                    if let Ok(to) = next(seen[i], e)
                        && !seen.contains(&to)
                    {
                        seen.push(to);
                    }
                }
                i += 1;
            }
            assert!(seen.iter().any(|s| !s.is_open()), "{start:?}");
            if start != State::InProduction
                && start != State::ReadyForPickup
                && start != State::Posted
            {
                assert!(
                    seen.contains(&State::Withdrawn),
                    "{start:?} can be withdrawn"
                );
            }
        }
    }

    #[test]
    fn codes_read_back() {
        for s in State::ALL {
            assert_eq!(State::parse(s.code()), Some(s));
        }
        for e in Event::ALL {
            assert_eq!(Event::parse(e.code()), Some(e));
        }
        for r in RequestType::ALL {
            assert_eq!(RequestType::parse(r.code()), Some(r));
        }
        assert_eq!(RequestType::parse("renewal"), None);
        assert_eq!(State::parse("Draft"), None);
    }
}
