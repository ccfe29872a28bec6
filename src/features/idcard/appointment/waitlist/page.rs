//! The waiting list's views: the page to join it, and the two panels the appointment page
//! shows (the applicant's place in it; the place offered to them).

use super::{
    AcceptOffer, DeclineOffer, JoinWaitlist, LeaveWaitlist, OfferView, Waiting, WaitlistView,
    load_waitlist,
};
use crate::{
    domain::{
        date::Date,
        idcard::{
            slots::Slot,
            waitlist::{Range, RangeProblem},
        },
    },
    features::idcard::appointment::{appointment_path, centre_path},
    i18n::*,
    ui::{
        form::{BackLink, Button, ButtonKind, Choice, FieldError, FormHeading, SelectField},
        problem::loaded_for,
        text::{Ltr, SummaryRow, long_date},
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::{use_params_map, use_query_map};

/// "2 hours", "90 minutes": how long an offer is held.
pub fn hold_text(locale: Locale, minutes: u32) -> String {
    if minutes.is_multiple_of(60) {
        td_string!(locale, waitlist.hold_hours, count = minutes / 60).to_string()
    } else {
        td_string!(locale, waitlist.hold_minutes, count = minutes).to_string()
    }
}

fn problem_message(locale: Locale, code: &str) -> String {
    match RangeProblem::parse(code) {
        Some(RangeProblem::Missing) | None => td_string!(locale, waitlist.err_missing_day),
        Some(RangeProblem::Backwards) => td_string!(locale, waitlist.err_backwards),
        Some(RangeProblem::NotBookable) => td_string!(locale, waitlist.err_not_bookable),
        Some(RangeProblem::HasFreePlaces) => td_string!(locale, waitlist.err_has_free_places),
    }
    .to_string()
}

/// `/id-card/applications/{id}/appointment/waitlist?centre=`.
#[component]
pub fn WaitlistPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let q = query.read_untracked();
    let centre = q.get("centre").unwrap_or_default();
    let asked = Asked {
        problem: q.get("problem"),
        first: q.get("first").unwrap_or_default(),
        last: q.get("last").unwrap_or_default(),
    };
    loaded_for(
        (id, centre),
        |(id, centre)| load_waitlist(id, centre),
        move |view: WaitlistView| {
            let asked = asked.clone();
            view! { <Join view asked /> }
        },
    )
}

/// What the address brings back after a refused form: the problem and the days chosen.
#[derive(Clone, Debug, Default)]
struct Asked {
    problem: Option<String>,
    first: String,
    last: String,
}

#[component]
fn Join(view: WaitlistView, asked: Asked) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let id = view.summary.id.clone();
    let Some(centre) = view.centre.clone() else {
        // An unknown centre: the appointment page lists the real ones.
        return view! {
            <BackLink href=appointment_path(&id) />
            <FormHeading title=td_string!(locale, waitlist.title).to_string() errors=Vec::new() notice=None />
            <p><a href=appointment_path(&id)>{t!(i18n, appointment.other_centre)}</a></p>
        }
        .into_any();
    };
    let name = centre.name_in(locale == Locale::ar);
    let title = td_string!(locale, waitlist.heading_at, centre = name.as_str()).to_string();
    let back = centre_path(&id, &centre.code);
    if view.blocked {
        return view! {
            <BackLink href=back />
            <FormHeading title errors=Vec::new() notice=None />
            <div class="panel panel--info">
                <p>{t!(i18n, waitlist.blocked)}</p>
                <p><a href=appointment_path(&id)>{t!(i18n, appointment.title_current)}</a></p>
            </div>
        }
        .into_any();
    }
    let errors: Vec<FieldError> = asked
        .problem
        .iter()
        .map(|code| FieldError {
            field_id: if code == "backwards" {
                "last_day".to_string()
            } else {
                "first_day".to_string()
            },
            message: problem_message(locale, code),
        })
        .collect();
    let free_places = asked.problem.as_deref() == Some("has_free_places");
    let choices: Vec<Choice> = view
        .days
        .iter()
        .map(|d| Choice::new(d.date.iso(), long_date(locale, d.date)))
        .collect();
    // A first visit proposes the whole window; a refused form keeps what was chosen.
    let (first, last) = if asked.problem.is_some() {
        (asked.first.clone(), asked.last.clone())
    } else {
        (
            view.days.first().map(|d| d.date.iso()).unwrap_or_default(),
            view.days.last().map(|d| d.date.iso()).unwrap_or_default(),
        )
    };
    let hold = hold_text(locale, view.hold_minutes);
    let replaces = view.waiting.as_ref().map(|w| {
        let (centre, days) = (
            w.centre.name_in(locale == Locale::ar),
            days(locale, w.range),
        );
        view! {
            <p class="panel panel--info">
                {t!(
                    i18n,
                    waitlist.replaces,
                    centre = move || centre.clone(),
                    days = move || days.clone()
                )}
            </p>
        }
    });
    let morning = view.morning.clone();
    let error_of = |field: &str| FieldError::of(&errors, field);
    view! {
        <BackLink href=back.clone() />
        <FormHeading title errors=errors.clone() notice=None />
        {replaces}
        <p>
            {t!(
                i18n,
                waitlist.intro,
                hold = move || hold.clone(),
                morning = move || {
                    let morning = morning.clone();
                    view! { <Ltr>{morning}</Ltr> }
                }
            )}
        </p>
        {free_places.then(|| view! {
            <p><a href=back.clone()>{t!(i18n, waitlist.calendar_link)}</a></p>
        })}
        <form method="post" action=JoinWaitlist::url() novalidate="">
            <input type="hidden" name="id" value=id.clone() />
            <input type="hidden" name="centre" value=centre.code.clone() />
            <SelectField
                id="first_day"
                label=td_string!(locale, waitlist.first_label).to_string()
                prompt=td_string!(locale, waitlist.prompt).to_string()
                choices=choices.clone()
                value=first
                error=error_of("first_day")
            />
            <SelectField
                id="last_day"
                label=td_string!(locale, waitlist.last_label).to_string()
                prompt=td_string!(locale, waitlist.prompt).to_string()
                choices
                value=last
                error=error_of("last_day")
            />
            <Button>{t!(i18n, waitlist.join_button)}</Button>
        </form>
    }
    .into_any()
}

fn when(locale: Locale, slot: Slot) -> impl IntoView {
    view! { {long_date(locale, slot.date)} " — " <Ltr>{slot.time()}</Ltr> }
}

fn day(locale: Locale, date: Date) -> String {
    long_date(locale, date)
}

/// "on Sunday 6 December 2026", or "from … to …".
fn days(locale: Locale, range: Range) -> String {
    if range.first == range.last {
        let one = day(locale, range.first);
        td_string!(locale, waitlist.range_one, day = one.as_str()).to_string()
    } else {
        let (from, to) = (day(locale, range.first), day(locale, range.last));
        td_string!(
            locale,
            waitlist.range_many,
            from = from.as_str(),
            to = to.as_str()
        )
        .to_string()
    }
}

/// The place offered: accept it, or let it go and keep waiting.
#[component]
pub fn OfferPanel(id: String, waiting: Waiting, offer: OfferView) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let name = waiting.centre.name_in(locale == Locale::ar);
    let place = waiting.centre.municipality_in(locale == Locale::ar);
    let (until_day, until_time) = (day(locale, offer.until.date), offer.until.time());
    view! {
        <div class="panel panel--info" id="offer">
            <h2>{t!(i18n, waitlist.offer_heading)}</h2>
            <dl class="summary-list">
                <SummaryRow label=td_string!(locale, appointment.centre).to_string()>
                    {name} <br /> {place}
                </SummaryRow>
                <SummaryRow label=td_string!(locale, appointment.when).to_string()>
                    {when(locale, offer.slot)}
                </SummaryRow>
            </dl>
            <p>
                {t!(
                    i18n,
                    waitlist.offer_until,
                    until = move || {
                        let (day, time) = (until_day.clone(), until_time.clone());
                        view! { {day} " " <Ltr>{time}</Ltr> }
                    }
                )}
            </p>
            <form method="post" action=AcceptOffer::url() class="inline-form">
                <input type="hidden" name="id" value=id.clone() />
                <Button>{t!(i18n, waitlist.accept_button)}</Button>
            </form>
            <form method="post" action=DeclineOffer::url() class="inline-form">
                <input type="hidden" name="id" value=id.clone() />
                <Button kind=ButtonKind::Secondary>{t!(i18n, waitlist.decline_button)}</Button>
            </form>
        </div>
    }
}

/// The applicant's place on the waiting list, and the way off it.
#[component]
pub fn WaitingPanel(id: String, waiting: Waiting) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let name = waiting.centre.name_in(locale == Locale::ar);
    let days = days(locale, waiting.range);
    view! {
        <div class="panel panel--info" id="waitlist">
            <h2>{t!(i18n, waitlist.waiting_heading)}</h2>
            <p>
                {t!(
                    i18n,
                    waitlist.waiting_text,
                    centre = move || name.clone(),
                    days = move || days.clone()
                )}
            </p>
            <form method="post" action=LeaveWaitlist::url() novalidate="">
                <input type="hidden" name="id" value=id />
                <Button kind=ButtonKind::Secondary>{t!(i18n, waitlist.leave_button)}</Button>
            </form>
        </div>
    }
}
