//! The resident smart ID card's rules (PRODUCT.md, service 2): the application's state
//! machine, its form and task list, and its timeline's target dates.

pub mod application;
pub mod documents;
pub mod form;
pub mod timeline;

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
    /// Working days from payment to the earliest appointment.
    pub appointment_lead_working_days: u32,
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
        Ok(Self {
            minutes_to_apply: get("minutes_to_apply")?,
            passport_valid_months: get("passport_valid_months")?,
            production_working_days: get("production_working_days")?,
            postal_delivery_working_days: get("postal_delivery_working_days")?,
            appointment_lead_working_days: get("appointment_lead_working_days")?,
        })
    }
}
