//! `/id-card/applications/{id}` once submitted: where the application is, what happens next,
//! every change of state with its date, and for each stage ahead its target date (working
//! days, Sunday to Thursday, holidays from data) ending in the predicted completion date.

use crate::{
    domain::{
        date::Date,
        idcard::{application::State, timeline::Milestone},
        money::Money,
    },
    features::idcard::{APPLICATIONS_PATH, ApplicationSummary, messages},
    i18n::*,
    ui::{
        form::{BackLink, PageHeading, StartButton},
        text::{Ltr, MoneyText, SummaryRow, long_date},
    },
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A submitted application as its owner follows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub summary: ApplicationSummary,
    /// What happened, oldest first: the event's code and when (Unix seconds).
    pub events: Vec<(String, i64)>,
    /// The stages ahead with their target dates; the last is the predicted completion.
    pub ahead: Vec<(Milestone, Date)>,
    /// Fixed at submission.
    pub fee: Option<Money>,
    pub paid: bool,
    pub by_post: bool,
    /// The live appointment's slot.
    pub appointment: Option<crate::domain::idcard::slots::Slot>,
}

/// Where the fee is paid (online, or the choice of paying at the centre).
pub fn pay_path(id: &str) -> String {
    format!("{}/pay", super::application_path(id))
}

/// The answers as checked before submitting (and, after, as submitted).
pub fn check_path(id: &str) -> String {
    format!("{}/check", super::application_path(id))
}

/// A moment as the day and time in Doha (UTC+3 all year).
pub fn in_qatar(at: i64) -> (Date, String) {
    let local = at + 3 * 3600;
    let minutes = local.rem_euclid(86_400) / 60;
    (
        Date::from_days_since_epoch(local.div_euclid(86_400)),
        format!("{:02}:{:02}", minutes / 60, minutes % 60),
    )
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::Progress;
    use crate::{
        domain::idcard::{application::State, form::field, timeline},
        error::{AppError, OrUnavailable},
        features::idcard::store::{self, ApplicationRecord},
        platform::state::AppState,
    };

    /// The application's progress: its timeline from the database, the stages ahead from the
    /// terms and the calendar (computed at every view, so a holiday entered today moves
    /// every prediction).
    pub async fn progress_of(
        state: &AppState,
        record: ApplicationRecord,
    ) -> Result<Progress, AppError> {
        let events = store::events(&state.db, &record.id)
            .await
            .or_unavailable()?;
        let terms = store::terms(&state.db).await.or_unavailable()?;
        let calendar = store::calendar(&state.db).await.or_unavailable()?;
        let by_post = record
            .frozen_answers()
            .and_then(|a| a.get(field::DELIVERY).cloned())
            .is_some_and(|d| d == "post");
        let current = record
            .state()
            .ok_or_else(|| AppError::internal("unknown application state"))?;
        // The day it entered its state: the last event's.
        let since = events
            .last()
            .map(|e| super::in_qatar(e.at).0)
            .unwrap_or_else(crate::features::idcard::today_in_qatar);
        let appointment =
            crate::features::idcard::appointment::store::live(state.db.pool(), &record.id)
                .await
                .or_unavailable()?
                .map(|a| crate::domain::idcard::slots::Slot::from_starts_at(a.starts_at));
        let facts = timeline::Facts {
            state: current,
            since,
            appointment: appointment.map(|slot| slot.date),
            by_post,
        };
        let ahead = if current == State::Draft {
            Vec::new()
        } else {
            timeline::ahead(&facts, &terms, &calendar)
        };
        Ok(Progress {
            appointment,
            fee: record.fee(),
            paid: record.paid_at.is_some(),
            by_post,
            ahead,
            events: events.into_iter().map(|e| (e.event, e.at)).collect(),
            summary: record.into(),
        })
    }
}

#[component]
pub fn ProgressView(p: Progress) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let state = State::parse(&p.summary.state).unwrap_or(State::Draft);
    let id = p.summary.id.clone();
    let reference = p.summary.reference.clone();
    let request = messages::request(locale, &p.summary.request);
    let fee_row = p.fee.map(|amount| {
        let status = if p.paid {
            td_string!(locale, progress.fee_paid)
        } else if state == State::AwaitingPayment {
            td_string!(locale, progress.fee_to_pay)
        } else {
            td_string!(locale, progress.fee_at_centre)
        };
        view! {
            <SummaryRow label=td_string!(locale, progress.fee).to_string()>
                <MoneyText amount /> " — " {status}
            </SummaryRow>
        }
    });
    let appointment_row = p
        .appointment
        .filter(|_| state == State::AppointmentBooked)
        .map(|slot| {
            let day = long_date(locale, slot.date);
            view! {
                <SummaryRow label=td_string!(locale, appointment.your_appointment).to_string()>
                    {day} " — " <Ltr>{slot.time()}</Ltr>
                </SummaryRow>
            }
        });
    let next = messages::next_step(locale, state, p.fee);
    let action = match state {
        State::AwaitingPayment => Some(
            view! { <p><StartButton href=pay_path(&id)>{t!(i18n, progress.pay_button)}</StartButton></p> }
                .into_any(),
        ),
        _ => None,
    };
    let appointment_href = super::appointment::appointment_path(&id);
    let booking = match state {
        State::AwaitingAppointment => Some(
            view! { <p><StartButton href=appointment_href>{t!(i18n, progress.book_button)}</StartButton></p> }
                .into_any(),
        ),
        State::AppointmentBooked => Some(
            view! {
                <ul class="list">
                    <li><a href=appointment_href>{t!(i18n, progress.manage_appointment)}</a></li>
                    <li>
                        <a href=super::appointment::slip::pdf_path(&id) download="">
                            {t!(i18n, appointment.slip_download)}
                        </a>
                    </li>
                </ul>
            }
            .into_any(),
        ),
        _ => None,
    };
    let pay_instead =
        (matches!(state, State::AwaitingAppointment | State::AppointmentBooked) && !p.paid).then(
            || view! { <p><a href=pay_path(&id)>{t!(i18n, progress.pay_online_instead)}</a></p> },
        );
    let done = p
        .events
        .iter()
        .map(|(event, at)| {
            let (day, time) = in_qatar(*at);
            let day = long_date(locale, day);
            view! {
                <li class="timeline__item timeline__item--done">
                    <span class="timeline__title">{messages::event(locale, event)}</span>
                    <span class="timeline__date">
                        {t!(
                            i18n,
                            progress.when,
                            date = move || day.clone(),
                            time = move || { let t = time.clone(); view! { <Ltr>{t}</Ltr> } }
                        )}
                    </span>
                </li>
            }
        })
        .collect_view();
    let ahead = p
        .ahead
        .iter()
        .map(|(milestone, day)| {
            let target = long_date(locale, *day);
            view! {
                <li class="timeline__item timeline__item--ahead">
                    <span class="timeline__title">{messages::milestone(locale, *milestone, state, p.by_post)}</span>
                    <span class="timeline__date">{t!(i18n, progress.target, date = move || target.clone())}</span>
                </li>
            }
        })
        .collect_view();
    let predicted = p.ahead.last().map(|(_, day)| {
        let day = long_date(locale, *day);
        view! {
            <div class="panel panel--info">
                <h2>{t!(i18n, progress.predicted_heading)}</h2>
                <p class="predicted">{day}</p>
                <p>{t!(i18n, progress.predicted_hint)}</p>
            </div>
        }
    });
    view! {
        <BackLink href=APPLICATIONS_PATH />
        <PageHeading title=td_string!(locale, application.task_list_title) />
        <dl class="summary-list">
            <SummaryRow label=td_string!(locale, application.reference).to_string()><Ltr>{reference}</Ltr></SummaryRow>
            <SummaryRow label=td_string!(locale, application.request).to_string()>{request}</SummaryRow>
            <SummaryRow label=td_string!(locale, progress.status).to_string()>
                <strong class="tag">{messages::state(locale, state)}</strong>
            </SummaryRow>
            {fee_row}
            {appointment_row}
        </dl>
        <h2>{t!(i18n, progress.next_heading)}</h2>
        <p>{next}</p>
        {action}
        {booking}
        {pay_instead}
        {predicted}
        <h2>{t!(i18n, progress.timeline_heading)}</h2>
        <ol class="timeline">{done}{ahead}</ol>
        <p><a href=check_path(&id)>{t!(i18n, progress.see_answers)}</a></p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::idcard::application::Event;

    #[test]
    fn a_moment_is_read_as_the_day_and_time_in_doha() {
        // 2026-12-02 21:30 UTC is 00:30 on the 3rd in Doha.
        let at = 1_796_247_000;
        let (day, time) = in_qatar(at);
        assert_eq!(
            day,
            Date {
                year: 2026,
                month: 12,
                day: 3
            }
        );
        assert_eq!(time, "00:30");
    }

    #[test]
    fn every_event_and_state_has_its_own_words_in_every_language() {
        for locale in [Locale::ar, Locale::fr, Locale::en] {
            let created = messages::event(locale, "created");
            let mut seen = vec![created];
            for e in Event::ALL {
                let text = messages::event(locale, e.code());
                assert!(!seen.contains(&text), "{e:?} in {locale:?}: {text}");
                seen.push(text);
            }
            let mut states = Vec::new();
            for s in State::ALL {
                let text = messages::state(locale, s);
                assert!(!states.contains(&text), "{s:?} in {locale:?}");
                states.push(text);
                assert!(!messages::next_step(locale, s, None).is_empty());
            }
        }
    }
}
