//! The waiting list (issue 22 ★): `/id-card/applications/{id}/appointment/waitlist?centre=`
//! lets an applicant who finds no acceptable time wait for a centre and a range of days; the
//! appointment page shows their place and, when a place frees up, the offer to accept or let
//! go. The rules are in `domain::idcard::waitlist`; the database's part in `store`; the job
//! that makes offers and passes lapsed ones on in `worker`.

pub mod page;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod worker;

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::{
    domain::{
        idcard::{slots::Slot, waitlist::Range},
        reference::ServiceCentre,
    },
    error::AppError,
    features::idcard::ApplicationSummary,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{DayChoice, appointment_path};

/// The page to join the waiting list for `centre`.
pub fn waitlist_path(id: &str, centre: &str) -> String {
    format!("{}/waitlist?centre={centre}", appointment_path(id))
}

/// A place offered from the waiting list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferView {
    pub slot: Slot,
    /// When the hold ends, in Doha.
    pub until: Slot,
}

/// The application's place on the waiting list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    pub centre: ServiceCentre,
    pub range: Range,
    pub offer: Option<OfferView>,
}

/// What the join page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaitlistView {
    pub summary: ApplicationSummary,
    /// The application is not waiting for an appointment (booked, not yet paid, closed).
    pub blocked: bool,
    /// `None`: an unknown centre in the address.
    pub centre: Option<ServiceCentre>,
    /// The days that can be booked at the centre now, with their free places.
    pub days: Vec<DayChoice>,
    pub waiting: Option<Waiting>,
    pub hold_minutes: u32,
    /// When the night ends in Doha (`HH:MM`): a hold made at night runs from then.
    pub morning: String,
}

#[server(endpoint = "id-card/application/waitlist")]
pub async fn load_waitlist(id: String, centre: String) -> Result<WaitlistView, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard waitlist")?;
    server::view(&state, &account, &id, &centre).await
}

/// "Join the waiting list": back to the appointment page, or to this form with its problem
/// and the days chosen.
#[server(endpoint = "id-card/application/join-waitlist")]
pub async fn join_waitlist(
    id: String,
    centre: String,
    first_day: Option<String>,
    last_day: Option<String>,
) -> Result<(), AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard waitlist")?;
    let to = server::join(
        &state,
        &account,
        &id,
        &centre,
        first_day.as_deref().unwrap_or_default(),
        last_day.as_deref().unwrap_or_default(),
    )
    .await?;
    leptos_axum::redirect(&to);
    Ok(())
}

#[server(endpoint = "id-card/application/leave-waitlist")]
pub async fn leave_waitlist(id: String) -> Result<(), AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard waitlist")?;
    let now = crate::platform::session::now_secs();
    store::leave(&state.db, &account, &id, now)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("idcard waitlist"))?;
    worker::kick(&state);
    leptos_axum::redirect(&format!("{}?done=left", appointment_path(&id)));
    Ok(())
}

/// "Book this appointment" on an offer.
#[server(endpoint = "id-card/application/accept-offer")]
pub async fn accept_offer(id: String) -> Result<(), AppError> {
    use super::store::{Issuer, Outcome};
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard waitlist")?;
    let now = crate::platform::session::now_secs();
    let outcome = store::accept(&state.db, &account, &id, &Issuer::from(&state), now)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("idcard waitlist"))?;
    let page = appointment_path(&id);
    let to = match outcome {
        Outcome::Done(_) => format!("{page}?done=booked"),
        Outcome::Lapsed => {
            worker::kick(&state);
            format!("{page}?problem=lapsed")
        }
        _ => format!("{page}?done=no_offer"),
    };
    leptos_axum::redirect(&to);
    Ok(())
}

/// "Not this one": the place goes to the next person; the applicant keeps waiting.
#[server(endpoint = "id-card/application/decline-offer")]
pub async fn decline_offer(id: String) -> Result<(), AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard waitlist")?;
    let now = crate::platform::session::now_secs();
    let declined = store::decline(&state.db, &account, &id, now)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("idcard waitlist"))?;
    let page = appointment_path(&id);
    let to = if declined {
        worker::kick(&state);
        format!("{page}?done=declined")
    } else {
        format!("{page}?done=no_offer")
    };
    leptos_axum::redirect(&to);
    Ok(())
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::{OfferView, Waiting, WaitlistView, store, waitlist_path};
    use crate::{
        domain::{
            date::Date,
            idcard::{application::State, slots::Slot, waitlist},
            reference::ServiceCentre,
        },
        error::{AppError, OrUnavailable},
        features::idcard::{
            appointment::{appointment_path, server::centre_days},
            tasks::server::owned,
        },
        platform::{session::now_secs, state::AppState},
    };

    /// The application's place on the waiting list, for the pages.
    pub async fn waiting(
        conn: &mut sqlx::AnyConnection,
        id: &str,
        centres: &[ServiceCentre],
    ) -> Result<Option<Waiting>, AppError> {
        let Some((entry, offer)) = store::live(conn, id).await.or_unavailable()? else {
            return Ok(None);
        };
        let (Some(range), Some(centre)) = (
            entry.range(),
            centres.iter().find(|c| c.code == entry.centre_code),
        ) else {
            return Ok(None);
        };
        Ok(Some(Waiting {
            centre: centre.clone(),
            range,
            offer: offer.map(|o| OfferView {
                slot: Slot::from_starts_at(o.starts_at),
                until: Slot::from_starts_at(o.expires_at),
            }),
        }))
    }

    pub async fn view(
        state: &AppState,
        account: &str,
        id: &str,
        centre: &str,
    ) -> Result<WaitlistView, AppError> {
        let record = owned(state, account, id).await?;
        let blocked = record.state() != Some(State::AwaitingAppointment);
        let terms = crate::features::idcard::store::terms(&state.db)
            .await
            .or_unavailable()?;
        let centres = crate::features::idcard::store::centres(&state.db)
            .await
            .or_unavailable()?;
        let mut conn = state.db.pool().acquire().await.or_unavailable()?;
        let waiting = waiting(&mut conn, id, &centres).await?;
        drop(conn);
        let found = centre_days(state, centre).await?;
        Ok(WaitlistView {
            summary: record.into(),
            blocked,
            centre: found.as_ref().map(|f| f.found.info.clone()),
            days: found
                .map(|f| f.days.into_iter().filter(|d| d.problem.is_none()).collect())
                .unwrap_or_default(),
            waiting,
            hold_minutes: terms.waitlist_hold_minutes,
            morning: crate::domain::idcard::slots::clock(terms.waitlist_night_ends),
        })
    }

    /// Where the applicant lands after asking to wait.
    pub async fn join(
        state: &AppState,
        account: &str,
        id: &str,
        centre: &str,
        first_day: &str,
        last_day: &str,
    ) -> Result<String, AppError> {
        owned(state, account, id).await?;
        let Some(found) = centre_days(state, centre).await? else {
            return Ok(format!("{}?problem=unknown_centre", appointment_path(id)));
        };
        let bookable: Vec<(Date, u32)> = found
            .days
            .iter()
            .filter(|d| d.problem.is_none())
            .map(|d| (d.date, d.free))
            .collect();
        let range = match waitlist::range(
            Date::parse_iso(first_day),
            Date::parse_iso(last_day),
            &bookable,
        ) {
            Ok(range) => range,
            Err(problem) => {
                // The days chosen come back with the problem, so nothing is asked twice.
                let keep = |name: &str, value: &str| {
                    Date::parse_iso(value)
                        .map(|d| format!("&{name}={}", d.iso()))
                        .unwrap_or_default()
                };
                return Ok(format!(
                    "{}&problem={}{}{}",
                    waitlist_path(id, centre),
                    problem.code(),
                    keep("first", first_day),
                    keep("last", last_day)
                ));
            }
        };
        let joined = store::join(&state.db, account, id, centre, range, now_secs())
            .await
            .or_unavailable()?
            .ok_or_else(|| AppError::refused("idcard waitlist"))?;
        Ok(match joined {
            store::Joined::Waiting => format!("{}?done=waiting", appointment_path(id)),
            store::Joined::NotNow => appointment_path(id),
        })
    }
}
