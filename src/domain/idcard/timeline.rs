//! The application's timeline ahead: for each stage still to come, its target date in working
//! days (Sunday to Thursday, holidays from data), and the predicted completion date, the end
//! of that chain. Computed, never stored: a holiday entered today moves every prediction.

use super::{Terms, application::State};
use crate::domain::{calendar::WorkingCalendar, date::Date};
use serde::{Deserialize, Serialize};

/// A stage of the application as the timeline names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Milestone {
    /// The earliest day an appointment can be (or the day it is booked for).
    Appointment,
    /// The card made and ready (for pickup, or handed to the post).
    CardReady,
    /// The card in the applicant's hands by post.
    Delivered,
}

/// What the timeline needs to know of an application beyond its state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    pub state: State,
    /// The day the application entered `state` (Doha).
    pub since: Date,
    /// The appointment's day, once one is booked (part 2).
    pub appointment: Option<Date>,
    pub by_post: bool,
}

/// The stages still ahead with their target dates, in order; the last is the predicted
/// completion. Empty for a draft (nothing is promised before submission) and for a closed
/// application.
pub fn ahead(facts: &Facts, terms: &Terms, calendar: &WorkingCalendar) -> Vec<(Milestone, Date)> {
    use State as S;
    let add = |from: Date, days: u32| calendar.add_working_days(from, days);
    let appointment = match facts.state {
        S::AwaitingPayment | S::AwaitingAppointment | S::ReturnedForCorrection => {
            Some(add(facts.since, terms.appointment_lead_working_days.max(1)))
        }
        S::AppointmentBooked => Some(facts.appointment.unwrap_or(facts.since)),
        _ => None,
    };
    let mut stages = Vec::new();
    let ready = match (facts.state, appointment) {
        (_, Some(day)) => {
            stages.push((Milestone::Appointment, day));
            Some(add(day, terms.production_working_days))
        }
        (S::InProduction, None) => Some(add(facts.since, terms.production_working_days)),
        _ => None,
    };
    if let Some(ready) = ready {
        stages.push((Milestone::CardReady, ready));
        if facts.by_post {
            stages.push((
                Milestone::Delivered,
                add(ready, terms.postal_delivery_working_days),
            ));
        }
    }
    if facts.state == S::Posted {
        stages.push((
            Milestone::Delivered,
            add(facts.since, terms.postal_delivery_working_days),
        ));
    }
    stages
}

/// The predicted completion date: the last stage ahead.
pub fn predicted_completion(
    facts: &Facts,
    terms: &Terms,
    calendar: &WorkingCalendar,
) -> Option<Date> {
    ahead(facts, terms, calendar).last().map(|(_, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::Holiday;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date {
            year: y,
            month: m,
            day,
        }
    }

    fn terms() -> Terms {
        Terms::example()
    }

    fn qatar() -> WorkingCalendar {
        WorkingCalendar::new(vec![Holiday::parse("12-18").unwrap()])
    }

    fn facts(state: State, since: Date, by_post: bool) -> Facts {
        Facts {
            state,
            since,
            appointment: None,
            by_post,
        }
    }

    #[test]
    fn a_paid_application_is_promised_an_appointment_a_card_and_a_delivery() {
        // Paid on Wednesday 16 December 2026: appointment Thursday 17; five working days
        // (Fri 18 is National Day, then the weekend): Sun 20 … Thu 24; by post two more:
        // Sun 27, Mon 28.
        let f = facts(State::AwaitingAppointment, d(2026, 12, 16), true);
        assert_eq!(
            ahead(&f, &terms(), &qatar()),
            vec![
                (Milestone::Appointment, d(2026, 12, 17)),
                (Milestone::CardReady, d(2026, 12, 24)),
                (Milestone::Delivered, d(2026, 12, 28)),
            ]
        );
        let pickup = facts(State::AwaitingAppointment, d(2026, 12, 16), false);
        assert_eq!(
            predicted_completion(&pickup, &terms(), &qatar()),
            Some(d(2026, 12, 24))
        );
    }

    #[test]
    fn a_booked_appointment_counts_from_its_day_and_later_states_from_theirs() {
        let booked = Facts {
            appointment: Some(d(2026, 12, 22)),
            ..facts(State::AppointmentBooked, d(2026, 12, 10), false)
        };
        assert_eq!(
            predicted_completion(&booked, &terms(), &qatar()),
            Some(d(2026, 12, 29))
        );
        let making = facts(State::InProduction, d(2026, 12, 22), false);
        assert_eq!(
            ahead(&making, &terms(), &qatar()),
            vec![(Milestone::CardReady, d(2026, 12, 29))]
        );
        let posted = facts(State::Posted, d(2026, 12, 24), true);
        assert_eq!(
            ahead(&posted, &terms(), &qatar()),
            vec![(Milestone::Delivered, d(2026, 12, 28))]
        );
    }

    #[test]
    fn nothing_is_promised_before_submission_or_after_the_end() {
        for state in [
            State::Draft,
            State::ReadyForPickup,
            State::Completed,
            State::Withdrawn,
            State::Refused,
        ] {
            assert!(ahead(&facts(state, d(2026, 12, 1), true), &terms(), &qatar()).is_empty());
        }
    }

    #[test]
    fn a_new_holiday_moves_the_prediction() {
        let f = facts(State::AwaitingAppointment, d(2027, 1, 3), false);
        let before = predicted_completion(&f, &terms(), &qatar()).unwrap();
        let mut cal = qatar();
        cal.holidays.push(Holiday::parse("2027-01-06").unwrap());
        let after = predicted_completion(&f, &terms(), &cal).unwrap();
        assert_eq!(after, before.plus_days(1));
    }
}
