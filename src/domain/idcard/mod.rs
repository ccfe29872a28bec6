//! The resident smart ID card's rules (PRODUCT.md, service 2): the application's state
//! machine, its form and task list, and its timeline's target dates.

pub mod application;
pub mod documents;
pub mod form;
pub mod slip;
pub mod slots;
pub mod timeline;
pub mod waitlist;

use serde::{Deserialize, Serialize};

/// What the service promises, from data (`idcard_terms`), never from code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    /// "About N minutes to apply", documents at hand.
    pub minutes_to_apply: u32,
    /// A passport must stay valid this many months after today.
    pub passport_valid_months: u32,
    /// Working days from the appointment until the card is ready.
    pub production_working_days: u32,
    /// Working days a posted card takes to arrive.
    pub postal_delivery_working_days: u32,
    /// Working days from payment to the earliest appointment (and from today to the first
    /// bookable day).
    pub appointment_lead_working_days: u32,
    /// The length of an appointment slot.
    pub slot_minutes: u16,
    /// How many working days ahead a centre can be booked.
    pub booking_window_working_days: u32,
    /// Rescheduling or cancelling closes this many hours before the appointment.
    pub appointment_change_cutoff_hours: u32,
    /// The reminder goes this many hours before the appointment: the day before, early
    /// enough to change or cancel before the cut-off.
    pub appointment_reminder_hours: u32,
    /// A place offered from the waiting list is held this many minutes for the applicant.
    pub waitlist_hold_minutes: u32,
    /// The night in Doha (minutes after midnight): an offer made then is held from its end.
    pub waitlist_night_starts: u16,
    pub waitlist_night_ends: u16,
}

impl Terms {
    /// From the data's (name, value) rows; the error names the first one missing or out of
    /// range.
    pub fn from_rows(rows: &[(String, i64)]) -> Result<Self, &'static str> {
        let get = |name: &'static str| {
            rows.iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| u32::try_from(*v).ok())
                .ok_or(name)
        };
        // A moment of the day: minutes after midnight.
        let minute = |name: &'static str| {
            get(name).and_then(|m| u16::try_from(m).ok().filter(|m| *m < 24 * 60).ok_or(name))
        };
        Ok(Self {
            minutes_to_apply: get("minutes_to_apply")?,
            passport_valid_months: get("passport_valid_months")?,
            production_working_days: get("production_working_days")?,
            postal_delivery_working_days: get("postal_delivery_working_days")?,
            appointment_lead_working_days: get("appointment_lead_working_days")?,
            slot_minutes: get("slot_minutes").and_then(|m| {
                u16::try_from(m)
                    .ok()
                    .filter(|m| (5..=120).contains(m))
                    .ok_or("slot_minutes")
            })?,
            booking_window_working_days: get("booking_window_working_days")?,
            appointment_change_cutoff_hours: get("appointment_change_cutoff_hours")?,
            appointment_reminder_hours: get("appointment_reminder_hours")?,
            waitlist_hold_minutes: get("waitlist_hold_minutes")?,
            waitlist_night_starts: minute("waitlist_night_starts")?,
            waitlist_night_ends: minute("waitlist_night_ends")?,
        })
    }
}

#[cfg(test)]
impl Terms {
    /// The terms as the reference data ships them.
    pub fn example() -> Self {
        Self {
            minutes_to_apply: 15,
            passport_valid_months: 6,
            production_working_days: 5,
            postal_delivery_working_days: 2,
            appointment_lead_working_days: 1,
            slot_minutes: 15,
            booking_window_working_days: 14,
            appointment_change_cutoff_hours: 24,
            appointment_reminder_hours: 30,
            waitlist_hold_minutes: 120,
            waitlist_night_starts: 21 * 60,
            waitlist_night_ends: 7 * 60,
        }
    }
}

/// What an application owes, line by line: the request's card fee, and delivery by post when
/// it was chosen, from the fee table (`idcard_fees`). `None` when the table lacks a line or
/// mixes currencies: nothing is charged on a guess.
pub fn fee_lines(
    request: application::RequestType,
    by_post: bool,
    fees: &[crate::domain::reference::IdCardFee],
) -> Option<Vec<crate::domain::reference::IdCardFee>> {
    let line = |item: &str| fees.iter().find(|f| f.item == item).cloned();
    let mut lines = vec![line(request.fee_item())?];
    if by_post {
        lines.push(line("delivery_by_post")?);
    }
    Some(lines)
}

/// The lines' total, in their one currency.
pub fn fee_total(
    lines: &[crate::domain::reference::IdCardFee],
) -> Option<crate::domain::money::Money> {
    let currency = lines.first()?.amount.currency;
    lines
        .iter()
        .try_fold(0_i64, |sum, l| {
            (l.amount.currency == currency)
                .then(|| sum.checked_add(l.amount.minor))
                .flatten()
        })
        .map(|minor| crate::domain::money::Money::new(minor, currency))
}

#[cfg(test)]
mod tests {
    use super::{application::RequestType, *};
    use crate::domain::{
        money::{Currency, Money},
        reference::IdCardFee,
    };

    fn fee(item: &str, qar: i64) -> IdCardFee {
        IdCardFee {
            item: item.into(),
            amount: Money::from_major(qar, Currency::Qar),
        }
    }

    fn table() -> Vec<IdCardFee> {
        vec![
            fee("card_new", 100),
            fee("card_replacement_lost", 150),
            fee("card_replacement_damaged", 100),
            fee("delivery_by_post", 20),
        ]
    }

    #[test]
    fn the_fee_is_the_requests_line_plus_post_when_chosen() {
        let lines = fee_lines(RequestType::ReplaceLost, true, &table()).unwrap();
        let items: Vec<&str> = lines.iter().map(|l| l.item.as_str()).collect();
        assert_eq!(items, ["card_replacement_lost", "delivery_by_post"]);
        assert_eq!(
            fee_total(&lines),
            Some(Money::from_major(170, Currency::Qar))
        );
        let pickup = fee_lines(RequestType::New, false, &table()).unwrap();
        assert_eq!(
            fee_total(&pickup),
            Some(Money::from_major(100, Currency::Qar))
        );
    }

    #[test]
    fn a_missing_line_or_a_second_currency_charges_nothing() {
        let without_post: Vec<IdCardFee> = table()
            .into_iter()
            .filter(|f| f.item != "delivery_by_post")
            .collect();
        assert_eq!(fee_lines(RequestType::New, true, &without_post), None);
        assert!(fee_lines(RequestType::New, false, &without_post).is_some());
        let mixed = vec![
            fee("card_new", 100),
            IdCardFee {
                item: "delivery_by_post".into(),
                amount: Money::from_major(20, Currency::Dzd),
            },
        ];
        assert_eq!(fee_total(&mixed), None);
        assert_eq!(fee_total(&[]), None);
    }
}
