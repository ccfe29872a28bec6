//! `/id-card/applications/{id}/{page}`: one page of the application form. Saved as it is
//! sent (with or without JavaScript; with it, an answer typed offline is kept and sent when
//! the connection returns), then on to the section's next page or back to the task list.
// A server function's arguments are its form's fields.
#![allow(clippy::too_many_arguments)]

use super::tasks::{ApplicationForm, load_application};
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::{
    domain::idcard::form::{self, APPLICATION, field},
    error::AppError,
    features::idcard::{application_path, messages},
    i18n::*,
    ui::{
        form::{Choice, DateInput, FieldError, InputKind, Radios, SelectField, TextField},
        journey::QuestionPage,
        problem::{NotFound, loaded_for},
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_params_map;

/// Saves one page of the application `id`.
#[server(endpoint = "id-card/application/answer")]
pub async fn answer_application(
    id: String,
    step: String,
    request_type: Option<String>,
    name_ar: Option<String>,
    name_latin: Option<String>,
    dob_day: Option<String>,
    dob_month: Option<String>,
    dob_year: Option<String>,
    nationality: Option<String>,
    sex: Option<String>,
    passport_number: Option<String>,
    passport_country: Option<String>,
    passport_expiry_day: Option<String>,
    passport_expiry_month: Option<String>,
    passport_expiry_year: Option<String>,
    permit_number: Option<String>,
    permit_expiry_day: Option<String>,
    permit_expiry_month: Option<String>,
    permit_expiry_year: Option<String>,
    zone: Option<String>,
    street: Option<String>,
    building: Option<String>,
    unit: Option<String>,
    employer_name: Option<String>,
    establishment_number: Option<String>,
    delivery: Option<String>,
    loss_day: Option<String>,
    loss_month: Option<String>,
    loss_year: Option<String>,
    loss_place: Option<String>,
    police_report: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::idcard::application::{RequestType, State};
    use crate::platform::drafts;
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard application")?;
    let record = super::store::application(&state.db, &account, &id)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("idcard application"))?;
    let page = APPLICATION
        .step(&step)
        .ok_or_else(|| AppError::refused("idcard application page"))?;
    let base = application_path(&id);
    // Submitted answers are frozen: the page shows them, the form posts nothing.
    if !State::parse(&record.state).is_some_and(State::answers_open) {
        leptos_axum::redirect(&base);
        return Ok(());
    }
    let posted = vec![
        (field::REQUEST_TYPE, request_type),
        (field::NAME_AR, name_ar),
        (field::NAME_LATIN, name_latin),
        ("dob_day", dob_day),
        ("dob_month", dob_month),
        ("dob_year", dob_year),
        (field::NATIONALITY, nationality),
        (field::SEX, sex),
        (field::PASSPORT_NUMBER, passport_number),
        (field::PASSPORT_COUNTRY, passport_country),
        ("passport_expiry_day", passport_expiry_day),
        ("passport_expiry_month", passport_expiry_month),
        ("passport_expiry_year", passport_expiry_year),
        (field::PERMIT_NUMBER, permit_number),
        ("permit_expiry_day", permit_expiry_day),
        ("permit_expiry_month", permit_expiry_month),
        ("permit_expiry_year", permit_expiry_year),
        (field::ZONE, zone),
        (field::STREET, street),
        (field::BUILDING, building),
        (field::UNIT, unit),
        (field::EMPLOYER_NAME, employer_name),
        (field::ESTABLISHMENT, establishment_number),
        (field::DELIVERY, delivery),
        ("loss_day", loss_day),
        ("loss_month", loss_month),
        ("loss_year", loss_year),
        (field::LOSS_PLACE, loss_place),
        (field::POLICE_REPORT, police_report),
    ];
    let known = crate::features::accounts::store::known_countries(&state.db)
        .await
        .or_unavailable()?;
    let terms = super::store::terms(&state.db).await.or_unavailable()?;
    let is_country = |code: &str| code.parse::<u16>().is_ok_and(|c| known.contains(&c));
    let ctx = form::Context {
        today: super::today_in_qatar(),
        passport_valid_months: terms.passport_valid_months,
        is_country: &is_country,
    };
    let keeper = drafts::Keeper::Account(account.clone());
    let after = |answers: &crate::domain::journey::Answers| match form::after(&step, answers) {
        Some(next) => format!("{base}/{next}"),
        None => base.clone(),
    };
    let target = drafts::record_page(
        &state.db,
        &keeper,
        &APPLICATION,
        page,
        posted,
        |submitted, _| form::validate(&step, submitted, &ctx),
        after,
        format!("{base}/{step}"),
    )
    .await
    .or_unavailable()?;
    // The request is also the record's (its fee, the officer's list): kept in step.
    if step == "request"
        && target == base
        && let Some(request) = drafts::load(&state.db, keeper, APPLICATION.id)
            .await
            .or_unavailable()?
            .answers
            .get(field::REQUEST_TYPE)
            .and_then(|r| RequestType::parse(r))
    {
        let now = crate::platform::session::now_secs();
        super::store::set_request(&state.db, &account, &id, request, now)
            .await
            .or_unavailable()?;
    }
    leptos_axum::redirect(&target);
    Ok(())
}

/// The pages that ask a country (the only ones that load the list).
fn asks_country(step: &str) -> bool {
    matches!(step, "nationality" | "passport")
}

/// `/id-card/applications/{id}/{page}`.
#[component]
pub fn FormPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let step = params.read_untracked().get("step").unwrap_or_default();
    if APPLICATION.step(&step).is_none() {
        return view! { <NotFound /> }.into_any();
    }
    let countries = asks_country(&step);
    loaded_for(
        id,
        move |id| load_application(id, countries),
        move |app: ApplicationForm| view! { <StepForm step=step.clone() app /> },
    )
    .into_any()
}

#[component]
fn StepForm(step: String, app: ApplicationForm) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let base = application_path(&app.summary.id);
    let draft = app.draft.clone();
    let valid_until = app.passport_valid_until;
    let errors = FieldError::all(&draft.problems(&step), |code| {
        messages::problem(locale, code, valid_until)
    });
    let section = form::section_of(&step);
    let (progress, back) = match section {
        Some(s) => {
            let i = s.steps.iter().position(|p| *p == step).unwrap_or(0);
            let back = match i {
                0 => base.clone(),
                _ => format!("{base}/{}", s.steps[i - 1]),
            };
            ((i as u32 + 1, s.steps.len() as u32), back)
        }
        None => ((1, 1), base.clone()),
    };
    let title = messages::page_title(locale, &step);
    // One-question pages: the question (a legend) is the page's heading.
    let single = matches!(step.as_str(), "request" | "date-of-birth" | "delivery");
    let fields = fields(&step, &app, &errors, title.clone());
    view! {
        <QuestionPage title heading=!single back progress errors action=AnswerApplication::url() step=step.clone()>
            <input type="hidden" name="id" value=app.summary.id.clone() />
            {fields}
        </QuestionPage>
    }
}

/// The inputs of page `step`, filled with what was typed or answered.
fn fields(step: &str, app: &ApplicationForm, errors: &[FieldError], title: String) -> AnyView {
    let locale = use_i18n().get_locale_untracked();
    let draft = &app.draft;
    let shown = |f: &str| draft.shown(step, f);
    let error = |f: &str| FieldError::of(errors, f);
    let text = |name: &'static str, kind: InputKind| {
        let hint = messages::field_hint(locale, name);
        view! {
            <TextField
                id=name
                name=name
                label=messages::field_label(locale, name)
                hint=hint
                error=error(name)
                value=shown(name)
                kind
            />
        }
    };
    let date = |prefix: &'static str, heading: bool, legend: String| {
        let part = |p: &str| shown(&format!("{prefix}_{p}"));
        let hint = Some(messages::date_hint(
            locale,
            prefix,
            app.passport_valid_until,
        ));
        let values = [part("day"), part("month"), part("year")];
        let error = error(&format!("{prefix}_day"));
        if prefix == "dob" {
            view! { <DateInput prefix legend heading hint error values autocomplete="bday" /> }
                .into_any()
        } else {
            view! { <DateInput prefix legend heading hint error values /> }.into_any()
        }
    };
    let countries = |name: &'static str| {
        let choices = app
            .countries
            .iter()
            .map(|c| Choice::new(c.code.to_string(), c.name.clone()))
            .collect();
        view! {
            <SelectField
                id=name
                label=messages::field_label(locale, name)
                prompt=messages::choose_country(locale)
                choices
                value=shown(name)
                error=error(name)
            />
        }
    };
    let code = InputKind {
        autocomplete: Some("off"),
        ..InputKind::CODE
    };
    match step {
        "request" => view! {
            <Radios name=field::REQUEST_TYPE legend=title heading=true choices=messages::request_choices(locale) value=shown(field::REQUEST_TYPE) error=error(field::REQUEST_TYPE) />
        }
        .into_any(),
        "names" => view! {
            {text(field::NAME_AR, InputKind::TEXT)}
            {text(field::NAME_LATIN, InputKind { autocomplete: Some("name"), ltr: true, ..InputKind::TEXT })}
        }
        .into_any(),
        "date-of-birth" => date("dob", true, title).into_any(),
        "nationality" => view! {
            {countries(field::NATIONALITY)}
            <Radios name=field::SEX legend=messages::field_label(locale, field::SEX) choices=messages::sex_choices(locale) value=shown(field::SEX) error=error(field::SEX) />
        }
        .into_any(),
        "passport" => view! {
            {text(field::PASSPORT_NUMBER, code)}
            {countries(field::PASSPORT_COUNTRY)}
            {date("passport_expiry", false, messages::field_label(locale, "passport_expiry"))}
        }
        .into_any(),
        "residence" => view! {
            {text(field::PERMIT_NUMBER, code)}
            {date("permit_expiry", false, messages::field_label(locale, "permit_expiry"))}
        }
        .into_any(),
        "address" => view! {
            {text(field::ZONE, InputKind::DIGITS)}
            {text(field::STREET, InputKind::DIGITS)}
            {text(field::BUILDING, InputKind::DIGITS)}
            {text(field::UNIT, InputKind::DIGITS)}
        }
        .into_any(),
        "employer" => view! {
            {text(field::EMPLOYER_NAME, InputKind { autocomplete: Some("organization"), ..InputKind::TEXT })}
            {text(field::ESTABLISHMENT, InputKind::DIGITS)}
        }
        .into_any(),
        "delivery" => view! {
            <Radios name=field::DELIVERY legend=title heading=true choices=messages::delivery_choices(locale, app.post_fee, &draft.answers) value=shown(field::DELIVERY) error=error(field::DELIVERY) />
        }
        .into_any(),
        _ => view! {
            {date("loss", false, messages::field_label(locale, "loss"))}
            {text(field::LOSS_PLACE, InputKind::TEXT)}
            {text(field::POLICE_REPORT, code)}
        }
        .into_any(),
    }
}
