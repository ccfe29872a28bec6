//! `/id-card/applications/{id}/appointment`: booking, rescheduling and cancelling the
//! appointment at a service centre (issue 22). Three steps, each a plain page with its
//! address (`?centre=`, then `&day=`), so they work without JavaScript and can be shared or
//! reloaded: the centre, the day (a Sunday-first calendar of the booking window, full and
//! closed days shown as such), the time. The slots are computed by the domain
//! (`domain::idcard::slots`); the database only counts each slot's bookings and keeps that
//! count within the centre's counters.

#[cfg(feature = "ssr")]
pub mod operator;
pub mod page;
#[cfg(feature = "ssr")]
pub mod reminders;
#[cfg(feature = "ssr")]
pub mod replies;
pub mod slip;
#[cfg(feature = "ssr")]
pub mod store;
pub mod waitlist;

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::{
    domain::{
        date::Date,
        geo::{self, Point},
        idcard::slots::{Slot, Unbookable},
        reference::ServiceCentre,
    },
    error::AppError,
    features::idcard::{ApplicationSummary, application_path},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The appointment page of application `id`.
pub fn appointment_path(id: &str) -> String {
    format!("{}/appointment", application_path(id))
}

/// A step of the page, with its query.
pub fn centre_path(id: &str, centre: &str) -> String {
    format!("{}?centre={centre}", appointment_path(id))
}

pub fn day_path(id: &str, centre: &str, day: Date) -> String {
    format!("{}?centre={centre}&day={}", appointment_path(id), day.iso())
}

/// A day of the booking window: bookable with its free places, or why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayChoice {
    pub date: Date,
    pub problem: Option<Unbookable>,
    /// Free places over the whole day (0: full).
    pub free: u32,
}

/// The order of the centres when the address carries a position the browser shared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Located {
    /// Nearest first: each centre's code with its distance in metres (if the data places it).
    Nearest(Vec<(String, Option<u32>)>),
    /// The browser could not or would not tell: the usual order.
    Unknown,
}

/// The centres nearest first from `near` (a position as `geo::Point::query` writes it, or
/// `unknown`); as the data orders them when there is none.
pub fn order_centres(
    centres: Vec<ServiceCentre>,
    near: Option<&str>,
) -> (Vec<ServiceCentre>, Option<Located>) {
    let Some(near) = near.filter(|n| !n.is_empty()) else {
        return (centres, None);
    };
    let Some(from) = Point::parse(near) else {
        return (centres, Some(Located::Unknown));
    };
    let (centres, distances) = geo::nearest_first(centres, from, |c| c.position)
        .into_iter()
        .map(|(c, metres)| {
            let code = c.code.clone();
            (c, (code, metres))
        })
        .unzip();
    (centres, Some(Located::Nearest(distances)))
}

/// Why the application cannot book now, each with where to go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Blocked {
    /// Not submitted yet (or returned for correction): the answers and the documents, whose
    /// pre-check must pass, come first.
    Submit,
    /// Submitted, the fee neither paid nor promised at the centre.
    Pay,
    /// Past the appointment, or closed.
    Over,
}

/// The live appointment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Current {
    pub centre: ServiceCentre,
    pub slot: Slot,
    /// Rescheduling and cancelling are still open (the cut-off has not passed).
    pub can_change: bool,
    /// What the slip lists: what to bring, and the fee when paid at the centre.
    pub bring: Vec<crate::domain::idcard::slip::Bring>,
    pub fee_at_centre: Option<crate::domain::money::Money>,
    /// The applicant has said they will come.
    pub confirmed: bool,
}

/// Everything the page shows at its step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookingView {
    pub summary: ApplicationSummary,
    pub blocked: Option<Blocked>,
    pub current: Option<Current>,
    pub cutoff_hours: u32,
    pub centres: Vec<ServiceCentre>,
    /// Step 1: the centres were ordered from a shared position (or it could not be read).
    pub located: Option<Located>,
    /// Step 2 on: the chosen centre.
    pub centre: Option<ServiceCentre>,
    pub days: Vec<DayChoice>,
    /// Step 3: the chosen day (bookable) and its times with their free places.
    pub day: Option<Date>,
    pub times: Vec<(Slot, u32)>,
    /// After "just filled": the free slots nearest to the one wanted.
    pub nearest: Vec<Slot>,
    /// The application's place on the waiting list, and the place it is offered.
    pub waiting: Option<waitlist::Waiting>,
}

#[server(endpoint = "id-card/application/booking")]
pub async fn load_booking(
    id: String,
    centre: Option<String>,
    day: Option<String>,
    wanted: Option<String>,
    near: Option<String>,
) -> Result<BookingView, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard appointment")?;
    let step = server::Step {
        centre,
        day,
        wanted,
        near,
    };
    server::booking(&state, &account, &id, step).await
}

/// "Book this appointment" (step 3), also for a new time when one is booked (rescheduling).
/// Every refusal comes back to the page it was posted from, with its reason.
#[server(endpoint = "id-card/application/book")]
pub async fn book_appointment(
    id: String,
    centre: String,
    day: String,
    time: Option<String>,
) -> Result<(), AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard appointment")?;
    let to = server::book(&state, &account, &id, &centre, &day, time.as_deref()).await?;
    leptos_axum::redirect(&to);
    Ok(())
}

/// "I will come" (the reminder's link leads here).
#[server(endpoint = "id-card/application/confirm-appointment")]
pub async fn confirm_appointment(id: String) -> Result<(), AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard appointment")?;
    let now = crate::platform::session::now_secs();
    store::confirm(&state.db, &account, &id, now)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("idcard appointment"))?;
    leptos_axum::redirect(&format!("{}?done=confirmed", appointment_path(&id)));
    Ok(())
}

/// "Cancel the appointment": the place is free at once.
#[server(endpoint = "id-card/application/cancel-appointment")]
pub async fn cancel_appointment(id: String) -> Result<(), AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard appointment")?;
    let to = server::cancel(&state, &account, &id).await?;
    leptos_axum::redirect(&to);
    Ok(())
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::{
        Blocked, BookingView, Current, DayChoice, appointment_path, day_path,
        store::{self, Outcome},
    };
    use crate::{
        domain::{
            date::Date,
            idcard::{
                application::State,
                slots::{self, Rules, Slot},
            },
        },
        error::{AppError, OrUnavailable},
        features::idcard::{store as idcard_store, tasks::server::owned, today_in_qatar},
        platform::{session::now_secs, state::AppState},
    };

    fn blocked(state: State) -> Option<Blocked> {
        match state {
            State::AwaitingAppointment | State::AppointmentBooked => None,
            State::Draft | State::ReturnedForCorrection => Some(Blocked::Submit),
            State::AwaitingPayment => Some(Blocked::Pay),
            _ => Some(Blocked::Over),
        }
    }

    async fn rules(state: &AppState) -> Result<Rules, AppError> {
        let terms = idcard_store::terms(&state.db).await.or_unavailable()?;
        Ok(Rules::from_terms(&terms))
    }

    /// A centre's booking window as the calendar shows it: each day with why it cannot be
    /// booked or its free places, and each slot's count (booked or held) by its start.
    pub(crate) struct CentreDays {
        pub found: store::CentreRecord,
        pub days: Vec<DayChoice>,
        pub rules: Rules,
        counts: std::collections::HashMap<i64, i64>,
    }

    impl CentreDays {
        /// A day's slots with their free places.
        pub fn free_in(&self, date: Date) -> Vec<(Slot, u32)> {
            slots::day_slots(date, &self.found.centre, &self.rules, |minute| {
                self.counts
                    .get(&Slot { date, minute }.starts_at())
                    .copied()
                    .unwrap_or(0)
            })
        }
    }

    /// The window at centre `code` seen today (`None`: no such centre).
    pub(crate) async fn centre_days(
        state: &AppState,
        code: &str,
    ) -> Result<Option<CentreDays>, AppError> {
        let today = today_in_qatar();
        let Some(found) = store::centre(&state.db, code, today)
            .await
            .or_unavailable()?
        else {
            return Ok(None);
        };
        let rules = rules(state).await?;
        let calendar = idcard_store::calendar(&state.db).await.or_unavailable()?;
        let window = slots::window(today, &calendar, &rules);
        let counts = match (window.first(), window.last()) {
            (Some(first), Some(last)) => {
                let from = Slot {
                    date: *first,
                    minute: 0,
                }
                .starts_at();
                let to = Slot {
                    date: last.plus_days(1),
                    minute: 0,
                }
                .starts_at();
                store::booked(&state.db, code, from, to)
                    .await
                    .or_unavailable()?
                    .into_iter()
                    .collect()
            }
            _ => Default::default(),
        };
        let mut view = CentreDays {
            found,
            days: Vec::new(),
            rules,
            counts,
        };
        view.days = window
            .iter()
            .map(|&date| {
                let problem =
                    slots::day_problem(date, &view.found.centre, &calendar, today, &rules);
                let free = if problem.is_none() {
                    view.free_in(date).iter().map(|(_, f)| f).sum()
                } else {
                    0
                };
                DayChoice {
                    date,
                    problem,
                    free,
                }
            })
            .collect();
        Ok(Some(view))
    }

    /// Where the page's address says the applicant is.
    #[derive(Debug, Default)]
    pub struct Step {
        pub centre: Option<String>,
        pub day: Option<String>,
        /// The time that had just filled (`&time=` after "full").
        pub wanted: Option<String>,
        /// A position the browser shared, for the centres' order.
        pub near: Option<String>,
    }

    pub async fn booking(
        state: &AppState,
        account: &str,
        id: &str,
        step: Step,
    ) -> Result<BookingView, AppError> {
        let Step {
            centre,
            day,
            wanted,
            near,
        } = step;
        let record = owned(state, account, id).await?;
        let current_state = record
            .state()
            .ok_or_else(|| AppError::internal("unknown application state"))?;
        let rules = rules(state).await?;
        let (centres, located) = super::order_centres(
            idcard_store::centres(&state.db).await.or_unavailable()?,
            near.as_deref(),
        );
        let mut conn = state.db.pool().acquire().await.or_unavailable()?;
        let slip = super::slip::document(&mut conn, id, Some(account))
            .await
            .or_unavailable()?;
        let confirmed = store::live(&mut *conn, id)
            .await
            .or_unavailable()?
            .is_some_and(|a| a.confirmed_at.is_some());
        let waiting = super::waitlist::server::waiting(&mut conn, id, &centres).await?;
        drop(conn);
        let current = slip.map(|s| Current {
            confirmed,
            slot: s.slot(),
            can_change: slots::can_change(s.starts_at, now_secs(), &rules),
            bring: s.bring(),
            fee_at_centre: s.fee_at_centre,
            centre: s.centre,
        });
        let mut view = BookingView {
            blocked: blocked(current_state),
            current,
            cutoff_hours: rules.change_cutoff_hours,
            centre: None,
            days: Vec::new(),
            day: None,
            times: Vec::new(),
            nearest: Vec::new(),
            waiting,
            centres,
            located,
            summary: record.into(),
        };
        let changing = view.current.as_ref().is_none_or(|c| c.can_change);
        let Some(code) = centre.filter(|_| view.blocked.is_none() && changing) else {
            return Ok(view);
        };
        // An unknown centre in the address: back to the list of centres.
        let Some(found) = centre_days(state, &code).await? else {
            return Ok(view);
        };
        view.days = found.days.clone();
        if let Some(w) = wanted
            .as_deref()
            .zip(day.as_deref())
            .and_then(|(t, d)| Slot::parse(d, t))
        {
            let free: Vec<Slot> = view
                .days
                .iter()
                .filter(|d| d.problem.is_none() && d.free > 0)
                .flat_map(|d| found.free_in(d.date))
                .filter(|(_, f)| *f > 0)
                .map(|(s, _)| s)
                .collect();
            view.nearest = slots::nearest_free(w, &free, 3);
        }
        let chosen_day = day.as_deref().and_then(Date::parse_iso).filter(|d| {
            view.days
                .iter()
                .any(|c| c.date == *d && c.problem.is_none())
        });
        if let Some(date) = chosen_day {
            view.times = found.free_in(date);
            view.day = Some(date);
        }
        view.centre = Some(found.found.info);
        Ok(view)
    }

    /// The page the applicant lands on after posting a booking.
    pub async fn book(
        state: &AppState,
        account: &str,
        id: &str,
        centre: &str,
        day: &str,
        time: Option<&str>,
    ) -> Result<String, AppError> {
        // Not theirs: refused before anything is read about the centre.
        owned(state, account, id).await?;
        let today = today_in_qatar();
        let Some(found) = store::centre(&state.db, centre, today)
            .await
            .or_unavailable()?
        else {
            return Ok(format!("{}?problem=unknown_centre", appointment_path(id)));
        };
        let back = |problem: &str| match Date::parse_iso(day) {
            Some(date) => format!("{}&problem={problem}", day_path(id, centre, date)),
            None => format!(
                "{}&problem={problem}",
                super::centre_path(id, &found.info.code)
            ),
        };
        let Some(time) = time.filter(|t| !t.trim().is_empty()) else {
            return Ok(back("choose_time"));
        };
        let Some(slot) = Slot::parse(day, time) else {
            return Ok(back("not_a_slot"));
        };
        let rules = rules(state).await?;
        let calendar = idcard_store::calendar(&state.db).await.or_unavailable()?;
        if let Err(why) = slots::check(slot, &found.centre, &calendar, today, &rules) {
            return Ok(back(why.code()));
        }
        let now = now_secs();
        let issuer = store::Issuer::from(state);
        let has_live = store::live(state.db.pool(), id)
            .await
            .or_unavailable()?
            .is_some();
        let outcome = if has_live {
            store::reschedule(&state.db, account, id, centre, slot, &rules, &issuer, now).await
        } else {
            store::book(&state.db, account, id, centre, slot, &issuer, now).await
        }
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("idcard appointment"))?;
        if matches!(outcome, Outcome::Done(_)) {
            // A move freed the old place; a booking ended a wait, which may free an offer.
            super::waitlist::worker::kick(state);
        }
        Ok(match outcome {
            Outcome::Done(_) => format!("{}?done=booked", appointment_path(id)),
            Outcome::Full => format!("{}&time={}", back("full"), slot.time()),
            Outcome::TooLate => format!("{}?problem=too_late", appointment_path(id)),
            // Booked already (a second click), or not bookable: the page says where it is.
            Outcome::NotNow(_) | Outcome::NoAppointment | Outcome::Lapsed => appointment_path(id),
        })
    }

    pub async fn cancel(state: &AppState, account: &str, id: &str) -> Result<String, AppError> {
        let rules = rules(state).await?;
        let outcome = store::cancel(
            &state.db,
            account,
            id,
            &rules,
            &state.config.public_url,
            now_secs(),
        )
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("idcard appointment"))?;
        if matches!(outcome, Outcome::Done(_)) {
            super::waitlist::worker::kick(state);
        }
        Ok(match outcome {
            Outcome::Done(_) => format!("{}?done=cancelled", appointment_path(id)),
            Outcome::TooLate => format!("{}?problem=too_late", appointment_path(id)),
            _ => appointment_path(id),
        })
    }
}
