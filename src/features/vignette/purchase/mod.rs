//! Buying the vignette: choose a vehicle → the quote with its explanation and the vehicle's
//! answers to check → pay (the payments engine) → the vignette, number in large type.
//!
//! The amount is computed on the server from the database's rows at every step; the pay form
//! carries the amount the page showed, and the server refuses to charge anything else (the
//! campaign's end may pass between the two): the quote shown is the amount charged. The
//! vignette is written by `fulfil`, in the transaction that records the successful payment,
//! and the database allows one per vehicle (and plate) and campaign year.

use crate::{domain::money::Money, i18n::*};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod bought;
pub mod choose;
#[cfg(feature = "ssr")]
pub mod fulfil;
pub mod quote;
pub const PATH: &str = "/vignette/buy";
/// The payment orders this service fulfils.
pub const KIND: &str = "vignette";

pub fn quote_path(vehicle_id: &str) -> String {
    format!("{PATH}/{vehicle_id}")
}

/// The vignette an order bought: the confirmation page, and the page kept afterwards.
pub fn bought_path(order_id: &str) -> String {
    format!("/vignette/bought/{order_id}")
}

/// The vignette and its receipt as a PDF.
pub fn pdf_path(order_id: &str) -> String {
    format!("/vignette/bought/{order_id}/pdf")
}

/// Where a vehicle stands for the current campaign.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Standing {
    Bought {
        order_id: String,
        number: String,
    },
    Due(Money),
    /// Exempt or not subject: nothing to buy.
    NoVignette,
    /// No amount can be worked out (no campaign open, no tariff row).
    Unknown,
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::Standing;
    use crate::error::OrUnavailable;
    use crate::{
        domain::{
            reference::Campaign,
            tariff::{self, LocalMinute, Outcome, VehicleFacts},
            vignette,
        },
        error::AppError,
        features::vignette::{
            form::{TariffData, load_tariff_data},
            store::{self, VehicleRecord, VignetteRecord},
        },
        platform::state::AppState,
    };

    /// The current campaign at `now`, and what `facts` owe for it.
    pub fn assess(
        data: &TariffData,
        facts: &VehicleFacts,
        now: i64,
    ) -> (Option<Campaign>, Option<Outcome>) {
        let at = LocalMinute::from_unix(now);
        let Some(campaign) = vignette::current_campaign(&data.campaigns, at) else {
            return (None, None);
        };
        let outcome = tariff::assess(
            facts,
            campaign.year,
            at,
            &data.tariffs,
            &data.exemptions,
            &data.campaigns,
        );
        (Some(campaign.clone()), Some(outcome))
    }

    /// One of `account`'s active vehicles (anyone else's, or an archived one, is not found),
    /// the reference rows, what it owes at `now`, and the vignette it already has for the
    /// campaign, whoever bought it: what the quote page shows and "Pay" checks again.
    pub struct Quoted {
        pub record: VehicleRecord,
        pub data: std::sync::Arc<TariffData>,
        pub campaign: Option<Campaign>,
        pub outcome: Option<Outcome>,
        pub bought: Option<VignetteRecord>,
        /// For "Pay" (`shown` given): the account's unpaid order for this vehicle and campaign
        /// at the amount the page showed, to be continued if that is still the amount due.
        pub unpaid_order: Option<store::UnpaidOrder>,
    }

    /// `shown`: for "Pay", the amount (minor units) its page showed.
    pub async fn quoted(
        state: &AppState,
        account: &str,
        vehicle_id: &str,
        shown: Option<i64>,
        now: i64,
    ) -> Result<Quoted, AppError> {
        let data = load_tariff_data(state).await.or_unavailable()?;
        // The campaign depends on the date alone: known before the vehicle is read, so that
        // its vignette, and for "Pay" its unpaid order, come in the same statement.
        let year = vignette::current_campaign(&data.campaigns, LocalMinute::from_unix(now))
            .map(|c| c.year);
        let subject = year.map(|campaign_year| {
            vignette::Subject {
                vehicle_id: vehicle_id.to_string(),
                campaign_year,
            }
            .encode()
        });
        let unpaid = match (&subject, shown) {
            (Some(subject), Some(amount_minor)) => Some(store::UnpaidProbe {
                subject,
                amount_minor,
            }),
            _ => None,
        };
        let read = store::vehicle_with_vignette(&state.db, account, vehicle_id, year, unpaid)
            .await
            .or_unavailable()?
            .filter(|r| r.vehicle.archived_at.is_none())
            .ok_or_else(|| AppError::refused("vignette order"))?;
        let (campaign, outcome) = assess(&data, &read.vehicle.declared.facts, now);
        Ok(Quoted {
            record: read.vehicle,
            data,
            campaign,
            outcome,
            bought: read.vignette,
            unpaid_order: read.unpaid_order,
        })
    }

    pub fn standing(outcome: Option<&Outcome>, bought: Option<&VignetteRecord>) -> Standing {
        match (bought, outcome) {
            (Some(v), _) => Standing::Bought {
                order_id: v.order_id.clone(),
                number: v.number.clone(),
            },
            (None, Some(Outcome::Due(q))) => Standing::Due(q.total),
            (None, Some(Outcome::NoVignette { .. })) => Standing::NoVignette,
            _ => Standing::Unknown,
        }
    }
}
