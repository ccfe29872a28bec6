//! The appointment page's views: the live appointment, or the three steps of choosing one
//! (centre, day, time). Links and forms only: every step is an address of its own, which
//! `ui::in_place` loads without a reload when JavaScript runs.

use super::{
    Blocked, BookAppointment, BookingView, CancelAppointment, ConfirmAppointment, Current,
    DayChoice, Located, appointment_path, centre_path, day_path, load_booking,
    slip::{bring_line, ics_path, pdf_path},
    waitlist::{
        page::{OfferPanel, WaitingPanel},
        waitlist_path,
    },
};
use crate::{
    domain::{
        calendar::Weekday,
        date::Date,
        geo::about_km,
        idcard::slots::{Slot, Unbookable},
        reference::ServiceCentre,
    },
    features::idcard::{application_path, progress::pay_path},
    i18n::*,
    ui::{
        form::{BackLink, Button, ButtonKind, Choice, FieldError, FormHeading, Radios},
        in_place::InPlace,
        problem::loaded_for,
        text::{Ltr, SummaryRow, long_date},
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/id-card/applications/{id}/appointment`.
#[component]
pub fn AppointmentPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let q = query.read_untracked();
    let centre = q.get("centre").filter(|c| !c.is_empty());
    let day = q.get("day").filter(|d| !d.is_empty());
    let wanted = q.get("time");
    let near = q.get("near");
    let flags = Flags {
        problem: q.get("problem"),
        done: q.get("done"),
        choose_centre: q.get("change").is_some(),
    };
    loaded_for(
        (id, centre, day, wanted, near),
        |(id, centre, day, wanted, near)| load_booking(id, centre, day, wanted, near),
        move |view: BookingView| {
            let flags = flags.clone();
            // With JavaScript the steps load in place (no reload between them).
            view! { <InPlace><Booking view flags /></InPlace> }
        },
    )
}

/// What the address says besides the step.
#[derive(Clone, Debug, Default)]
struct Flags {
    problem: Option<String>,
    done: Option<String>,
    /// "Choose another centre" while an appointment is booked.
    choose_centre: bool,
}

/// The centre's name in the page's language (the data has Arabic and English names).
fn centre_name(locale: Locale, c: &ServiceCentre) -> String {
    c.name_in(locale == Locale::ar)
}

fn municipality(locale: Locale, c: &ServiceCentre) -> String {
    c.municipality_in(locale == Locale::ar)
}

/// What went wrong, as the applicant reads it, and the field it belongs to.
fn problem_message(locale: Locale, code: &str, cutoff_hours: u32) -> (String, &'static str) {
    let field = match code {
        "unknown_centre" | "choose_centre" => "centre",
        "too_late" => "appointment",
        // Still waiting: the error summary leads to the waiting list's panel.
        "lapsed" => "waitlist",
        "weekend" | "holiday" | "closed" | "past" | "too_soon" | "too_far" => "calendar",
        _ => "time",
    };
    let text = match Unbookable::parse(code) {
        Some(Unbookable::Weekend) => td_string!(locale, appointment.err_weekend).to_string(),
        Some(Unbookable::Holiday) => td_string!(locale, appointment.err_holiday).to_string(),
        Some(Unbookable::Closed) => td_string!(locale, appointment.err_closed).to_string(),
        Some(Unbookable::Past) => td_string!(locale, appointment.err_past).to_string(),
        Some(Unbookable::TooSoon) => td_string!(locale, appointment.err_too_soon).to_string(),
        Some(Unbookable::TooFar) => td_string!(locale, appointment.err_too_far).to_string(),
        Some(Unbookable::OutsideHours) => {
            td_string!(locale, appointment.err_outside_hours).to_string()
        }
        Some(Unbookable::NotABoundary) => {
            td_string!(locale, appointment.err_not_a_boundary).to_string()
        }
        None => match code {
            "unknown_centre" => td_string!(locale, appointment.err_unknown_centre).to_string(),
            "full" => td_string!(locale, appointment.err_full).to_string(),
            "too_late" => {
                td_string!(locale, appointment.err_too_late, hours = cutoff_hours).to_string()
            }
            "choose_time" => td_string!(locale, appointment.err_choose_time).to_string(),
            "lapsed" => td_string!(locale, waitlist.err_lapsed).to_string(),
            _ => td_string!(locale, appointment.err_not_a_slot).to_string(),
        },
    };
    (text, field)
}

#[component]
fn Booking(view: BookingView, flags: Flags) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let id = view.summary.id.clone();
    let errors: Vec<FieldError> = flags
        .problem
        .iter()
        .map(|code| {
            let (message, field) = problem_message(locale, code, view.cutoff_hours);
            FieldError {
                field_id: field.to_string(),
                message,
            }
        })
        .collect();
    let notice = match flags.done.as_deref() {
        Some("booked") => Some(td_string!(locale, appointment.done_booked).to_string()),
        Some("cancelled") => Some(td_string!(locale, appointment.done_cancelled).to_string()),
        Some("confirmed") => Some(td_string!(locale, appointment.done_confirmed).to_string()),
        Some("waiting") => Some(td_string!(locale, waitlist.done_waiting).to_string()),
        Some("left") => Some(td_string!(locale, waitlist.done_left).to_string()),
        Some("declined") => Some(td_string!(locale, waitlist.done_declined).to_string()),
        // A second press on an answered offer: nothing happened, and the page shows why.
        Some("no_offer") => Some(td_string!(locale, waitlist.no_offer).to_string()),
        _ => None,
    };
    let choosing = view.centre.is_some() || flags.choose_centre;
    let title = match (&view.current, choosing) {
        (Some(_), false) => td_string!(locale, appointment.title_current),
        (Some(_), true) => td_string!(locale, appointment.title_change),
        (None, _) => td_string!(locale, appointment.title_book),
    }
    .to_string();
    let back = match (&view.centre, view.day) {
        (Some(c), Some(_)) => centre_path(&id, &c.code),
        (Some(_), None) => appointment_path(&id),
        _ => application_path(&id),
    };
    let field_error = |field: &str| FieldError::of(&errors, field);
    // Waiting (with or without an offer) shows above whatever step the page is at.
    let waiting = view
        .waiting
        .clone()
        .filter(|_| view.current.is_none() && view.blocked.is_none())
        .map(|waiting| match waiting.offer.clone() {
            Some(offer) => view! { <OfferPanel id=id.clone() waiting offer /> }.into_any(),
            None => view! { <WaitingPanel id=id.clone() waiting /> }.into_any(),
        });
    let can_wait = view.current.is_none();
    let body = if let Some(blocked) = view.blocked {
        view! { <BlockedPanel id=id.clone() blocked /> }.into_any()
    } else if let (Some(current), false) = (view.current.clone(), choosing) {
        view! { <CurrentPanel id=id.clone() current cutoff_hours=view.cutoff_hours /> }.into_any()
    } else if let Some(centre) = view.centre.clone() {
        match view.day {
            Some(day) => view! {
                <Times
                    id=id.clone()
                    centre
                    day
                    times=view.times.clone()
                    nearest=view.nearest.clone()
                    error=field_error("time")
                />
            }
            .into_any(),
            None => view! {
                <Calendar
                    id=id.clone()
                    centre
                    days=view.days.clone()
                    error=field_error("calendar")
                    nearest=view.nearest.clone()
                    can_wait
                />
            }
            .into_any(),
        }
    } else {
        view! {
            <Centres
                id=id.clone()
                centres=view.centres.clone()
                located=view.located.clone()
                changing=flags.choose_centre
                error=field_error("centre")
            />
        }
        .into_any()
    };
    view! {
        <BackLink href=back />
        <FormHeading title errors notice />
        <p>
            {t!(i18n, application.reference)} ": "
            <Ltr>{view.summary.reference.clone()}</Ltr>
        </p>
        {waiting}
        {body}
    }
}

#[component]
fn BlockedPanel(id: String, blocked: Blocked) -> impl IntoView {
    let i18n = use_i18n();
    let (text, link, href) = match blocked {
        Blocked::Submit => (
            t!(i18n, appointment.blocked_submit).into_any(),
            t!(i18n, appointment.blocked_submit_link).into_any(),
            application_path(&id),
        ),
        Blocked::Pay => (
            t!(i18n, appointment.blocked_pay).into_any(),
            t!(i18n, appointment.blocked_pay_link).into_any(),
            pay_path(&id),
        ),
        Blocked::Over => (
            t!(i18n, appointment.blocked_over).into_any(),
            t!(i18n, appointment.blocked_over_link).into_any(),
            application_path(&id),
        ),
    };
    view! {
        <div class="panel panel--info">
            <p>{text}</p>
            <p><a href=href>{link}</a></p>
        </div>
    }
}

/// "Sunday 6 December 2026 at 09:15".
fn when(locale: Locale, slot: Slot) -> impl IntoView {
    let date = long_date(locale, slot.date);
    let time = slot.time();
    view! {
        {date} " — " <Ltr>{time}</Ltr>
    }
}

#[component]
fn CurrentPanel(id: String, current: Current, cutoff_hours: u32) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let name = centre_name(locale, &current.centre);
    let confirm = if current.confirmed {
        view! { <p id="confirm">{t!(i18n, appointment.confirmed)}</p> }.into_any()
    } else {
        view! {
            <form id="confirm" class="field" method="post" action=ConfirmAppointment::url() novalidate="">
                <p class="field__hint">{t!(i18n, appointment.confirm_hint)}</p>
                <input type="hidden" name="id" value=id.clone() />
                <Button>{t!(i18n, appointment.confirm_button)}</Button>
            </form>
        }
        .into_any()
    };
    let change = current.can_change.then(|| {
        let same = centre_path(&id, &current.centre.code);
        let other = format!("{}?change=centre", appointment_path(&id));
        view! {
            <ul class="list" id="change">
                <li><a href=same>{t!(i18n, appointment.change_time)}</a></li>
                <li><a href=other>{t!(i18n, appointment.change_centre)}</a></li>
            </ul>
            <form id="cancel" method="post" action=CancelAppointment::url() novalidate="">
                <input type="hidden" name="id" value=id.clone() />
                <p class="field__hint">{t!(i18n, appointment.cancel_hint, hours = move || cutoff_hours)}</p>
                <Button kind=ButtonKind::Warning>{t!(i18n, appointment.cancel_button)}</Button>
            </form>
        }
    });
    let locked = (!current.can_change)
        .then(|| view! { <p>{t!(i18n, appointment.locked, hours = move || cutoff_hours)}</p> });
    view! {
        <div class="panel panel--info" id="appointment">
            <h2>{t!(i18n, appointment.your_appointment)}</h2>
            <dl class="summary-list">
                <SummaryRow label=td_string!(locale, appointment.centre).to_string()>
                    {name} <br /> {municipality(locale, &current.centre)}
                </SummaryRow>
                <SummaryRow label=td_string!(locale, appointment.when).to_string()>
                    {when(locale, current.slot)}
                </SummaryRow>
            </dl>
            <h3>{t!(i18n, appointment.bring_heading)}</h3>
            <ul class="list">
                {current
                    .bring
                    .iter()
                    .map(|item| view! { <li>{bring_line(locale, *item, current.fee_at_centre)}</li> })
                    .collect_view()}
            </ul>
            <ul class="list">
                <li><a href=pdf_path(&id) download="">{t!(i18n, appointment.slip_download)}</a></li>
                <li>
                    <a href=ics_path(&id) download="">
                        {t!(i18n, appointment.slip_calendar)} " " <Ltr>"(.ics)"</Ltr>
                    </a>
                </li>
            </ul>
        </div>
        {confirm}
        {change}
        {locked}
    }
}

#[component]
fn Centres(
    id: String,
    centres: Vec<ServiceCentre>,
    located: Option<Located>,
    /// Choosing another centre for a booked appointment (`?change=centre`).
    changing: bool,
    error: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let distance = |code: &str| match &located {
        Some(Located::Nearest(d)) => d.iter().find(|(c, _)| c == code).and_then(|(_, m)| *m),
        _ => None,
    };
    let choices = centres
        .iter()
        .map(|c| {
            let place = municipality(locale, c);
            let mut hint = td_string!(
                locale,
                appointment.centre_hint,
                municipality = place.as_str(),
                opens = c.opens.as_str(),
                closes = c.closes.as_str()
            )
            .to_string();
            // The reason for the order comes first.
            if let Some(metres) = distance(&c.code) {
                let km = about_km(metres);
                hint = format!(
                    "{} — {hint}",
                    td_string!(locale, appointment.distance, km = km)
                );
            }
            Choice::new(c.code.clone(), centre_name(locale, c)).hint(hint)
        })
        .collect();
    let order = match &located {
        Some(Located::Nearest(_)) => Some(td_string!(locale, appointment.located)),
        Some(Located::Unknown) => Some(td_string!(locale, appointment.not_located)),
        None => None,
    }
    .map(|text| view! { <p class="panel panel--info" role="status" id="centre-order">{text}</p> });
    // Only with JavaScript (the browser asks for the position, `ui::in_place` sends it), and
    // only until the list is ordered.
    let locate = (!matches!(located, Some(Located::Nearest(_)))).then(|| {
        view! {
            <form method="get" action=appointment_path(&id) class="locate js-only" data-position="near">
                <input type="hidden" name="near" value="" />
                {changing.then(|| view! { <input type="hidden" name="change" value="centre" /> })}
                <p class="field__hint" id="locate-hint">{t!(i18n, appointment.locate_hint)}</p>
                <Button kind=ButtonKind::Secondary>{t!(i18n, appointment.locate_button)}</Button>
            </form>
        }
    });
    view! {
        {order}
        {locate}
        <form method="get" action=appointment_path(&id)>
            <Radios
                name="centre"
                legend=td_string!(locale, appointment.centre_legend).to_string()
                choices
                value=String::new()
                error
            />
            <Button>{t!(i18n, common.continue_button)}</Button>
        </form>
    }
}

fn weekday_name(locale: Locale, day: Weekday) -> String {
    match day {
        Weekday::Sunday => td_string!(locale, appointment.sun),
        Weekday::Monday => td_string!(locale, appointment.mon),
        Weekday::Tuesday => td_string!(locale, appointment.tue),
        Weekday::Wednesday => td_string!(locale, appointment.wed),
        Weekday::Thursday => td_string!(locale, appointment.thu),
        Weekday::Friday => td_string!(locale, appointment.fri),
        Weekday::Saturday => td_string!(locale, appointment.sat),
    }
    .to_string()
}

const WEEK: [Weekday; 7] = [
    Weekday::Sunday,
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
];

/// The window's days in Sunday-first weeks: `None` pads the first and last weeks.
fn weeks(days: &[DayChoice]) -> Vec<[Option<DayChoice>; 7]> {
    let mut weeks = Vec::new();
    let mut week: [Option<DayChoice>; 7] = Default::default();
    for day in days {
        let column = WEEK
            .iter()
            .position(|w| *w == day.date.weekday())
            .unwrap_or(0);
        if column == 0 && week.iter().any(Option::is_some) {
            weeks.push(std::mem::take(&mut week));
        }
        week[column] = Some(day.clone());
    }
    if week.iter().any(Option::is_some) {
        weeks.push(week);
    }
    weeks
}

#[component]
fn Calendar(
    id: String,
    centre: ServiceCentre,
    days: Vec<DayChoice>,
    error: Option<String>,
    nearest: Vec<Slot>,
    /// No appointment yet: the waiting list is offered.
    can_wait: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let name = centre_name(locale, &centre);
    let wait = can_wait.then(|| {
        view! {
            <p id="join-waitlist">
                <a href=waitlist_path(&id, &centre.code)>{t!(i18n, waitlist.join_link)}</a>
            </p>
        }
    });
    let caption = match (days.first(), days.last()) {
        (Some(first), Some(last)) => {
            let (from, to) = (long_date(locale, first.date), long_date(locale, last.date));
            td_string!(
                locale,
                appointment.calendar_caption,
                from = from.as_str(),
                to = to.as_str()
            )
            .to_string()
        }
        _ => String::new(),
    };
    let none_free = days.iter().all(|d| d.problem.is_some() || d.free == 0);
    let head = WEEK
        .iter()
        .map(|w| view! { <th scope="col">{weekday_name(locale, *w)}</th> })
        .collect_view();
    let rows = weeks(&days)
        .into_iter()
        .map(|week| {
            let cells = week
                .into_iter()
                .map(|cell| match cell {
                    None => view! { <td class="calendar__pad"></td> }.into_any(),
                    Some(day) => view! { <DayCell id=id.clone() centre=centre.code.clone() day /> }
                        .into_any(),
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        <h2>{t!(i18n, appointment.day_heading, centre = move || name.clone())}</h2>
        {error.map(|e| view! { <p class="field__error" id="calendar-error">{e}</p> })}
        <NearestOffers id=id.clone() centre=centre.code.clone() nearest />
        {none_free.then(|| view! { <p>{t!(i18n, appointment.no_free_day)}</p> })}
        <div class="table-wrap" id="calendar">
            <table class="calendar">
                <caption>{caption}</caption>
                <thead><tr>{head}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {wait}
        <p><a href=format!("{}?change=centre", appointment_path(&id))>{t!(i18n, appointment.other_centre)}</a></p>
    }
}

#[component]
fn DayCell(id: String, centre: String, day: DayChoice) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let number = day.date.day.to_string();
    let full_date = long_date(locale, day.date);
    match day.problem {
        None if day.free > 0 => {
            let href = day_path(&id, &centre, day.date);
            let places = td_string!(locale, appointment.places, count = day.free).to_string();
            view! {
                <td class="calendar__day calendar__day--open">
                    <a class="calendar__box" href=href>
                        <span aria-hidden="true" class="calendar__number">{number}</span>
                        <span class="visually-hidden">{full_date}</span>
                        <span class="calendar__hint">{places}</span>
                    </a>
                </td>
            }
            .into_any()
        }
        problem => {
            let why = match problem {
                None => td_string!(locale, appointment.full),
                Some(Unbookable::Holiday) => td_string!(locale, appointment.holiday),
                _ => td_string!(locale, appointment.closed),
            };
            let class = if problem.is_none() {
                "calendar__day calendar__day--full"
            } else {
                "calendar__day calendar__day--closed"
            };
            view! {
                <td class=class>
                    <span class="calendar__box">
                        <span aria-hidden="true" class="calendar__number">{number}</span>
                        <span class="visually-hidden">{full_date}</span>
                        <span class="calendar__hint">{why}</span>
                    </span>
                </td>
            }
            .into_any()
        }
    }
}

/// After "that time has just been taken": the nearest free times, each booked with one press.
#[component]
fn NearestOffers(id: String, centre: String, nearest: Vec<Slot>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    (!nearest.is_empty()).then(|| {
        let offers = nearest
            .into_iter()
            .map(|slot| {
                view! {
                    <li>
                        <form method="post" action=BookAppointment::url() class="inline-form">
                            <input type="hidden" name="id" value=id.clone() />
                            <input type="hidden" name="centre" value=centre.clone() />
                            <input type="hidden" name="day" value=slot.date.iso() />
                            <input type="hidden" name="time" value=slot.time() />
                            <Button kind=ButtonKind::Secondary>
                                {t!(i18n, appointment.book_at)} " " {when(locale, slot)}
                            </Button>
                        </form>
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="panel panel--info" id="nearest">
                <h2>{t!(i18n, appointment.nearest_heading)}</h2>
                <ul class="list list--plain">{offers}</ul>
            </div>
        }
    })
}

#[component]
fn Times(
    id: String,
    centre: ServiceCentre,
    day: Date,
    times: Vec<(Slot, u32)>,
    nearest: Vec<Slot>,
    error: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let name = centre_name(locale, &centre);
    let date = long_date(locale, day);
    let legend = td_string!(
        locale,
        appointment.time_legend,
        date = date.as_str(),
        centre = name.as_str()
    )
    .to_string();
    let choices = times
        .iter()
        .map(|(slot, free)| {
            let free = *free;
            let hint = if free == 0 {
                td_string!(locale, appointment.full).to_string()
            } else {
                td_string!(locale, appointment.places, count = free).to_string()
            };
            Choice::new(slot.time(), slot.time())
                .hint(hint)
                .disabled(free == 0)
        })
        .collect();
    view! {
        <NearestOffers id=id.clone() centre=centre.code.clone() nearest />
        <form method="post" action=BookAppointment::url() novalidate="">
            <input type="hidden" name="id" value=id.clone() />
            <input type="hidden" name="centre" value=centre.code.clone() />
            <input type="hidden" name="day" value=day.iso() />
            <div class="times">
                <Radios name="time" legend choices value=String::new() error />
            </div>
            <Button>{t!(i18n, appointment.book_button)}</Button>
        </form>
        <p><a href=centre_path(&id, &centre.code)>{t!(i18n, appointment.other_day)}</a></p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(iso: &str) -> DayChoice {
        DayChoice {
            date: Date::parse_iso(iso).unwrap(),
            problem: None,
            free: 1,
        }
    }

    #[test]
    fn the_calendar_starts_its_weeks_on_sunday() {
        // Sunday 6 to Wednesday 23 December 2026.
        let days: Vec<DayChoice> = (6..=23).map(|d| day(&format!("2026-12-{d:02}"))).collect();
        let weeks = weeks(&days);
        assert_eq!(weeks.len(), 3);
        assert_eq!(weeks[0][0].as_ref().unwrap().date.day, 6);
        assert_eq!(weeks[2][3].as_ref().unwrap().date.day, 23);
        assert!(weeks[2][4].is_none());
        // A window starting on a Tuesday pads Sunday and Monday.
        let weeks = super::weeks(&[day("2026-12-08")]);
        assert!(weeks[0][0].is_none() && weeks[0][2].is_some());
    }

    #[test]
    fn every_problem_has_its_message_in_every_language() {
        for locale in [Locale::ar, Locale::fr, Locale::en] {
            let mut seen = Vec::new();
            for code in [
                "weekend",
                "holiday",
                "closed",
                "past",
                "too_soon",
                "too_far",
                "outside_hours",
                "not_a_boundary",
                "unknown_centre",
                "full",
                "too_late",
                "choose_time",
                "not_a_slot",
                "lapsed",
            ] {
                let (text, _) = problem_message(locale, code, 24);
                assert!(!seen.contains(&text), "{code} in {locale:?}: {text}");
                seen.push(text);
            }
        }
    }
}
