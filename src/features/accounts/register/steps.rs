//! `/register/{step}`: the three short grouped pages (about you, identity number, contact),
//! each saved as it is sent.

// A server function's arguments are its form's fields.
#![allow(clippy::too_many_arguments)]

use super::*;
use crate::ui::journey::QuestionPage;

use crate::features::accounts::Country;
use crate::{
    domain::registration::JOURNEY,
    ui::form::{Choice, DateInput, FieldError, InputKind, Radios, SelectField, TextField},
    ui::problem::{NotFound, ServiceProblem},
};
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

/// `/register/{step}`.
#[component]
pub fn StepPage() -> impl IntoView {
    let params = use_params_map();
    let step = move || params.read().get("step").unwrap_or_default();
    let view = Resource::new(step, |step| load_registration(step == "about-you"));
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let step = step();
                match (view.await, JOURNEY.step(&step).is_some()) {
                    (_, false) => view! { <NotFound /> }.into_any(),
                    (Ok(v), true) => view! { <StepForm step view=v /> }.into_any(),
                    (Err(_), true) => view! { <ServiceProblem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StepForm(step: String, view: RegistrationView) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let draft = view.draft;
    let errors = crate::features::accounts::field_errors(locale, &draft.problems(&step));
    let back = JOURNEY
        .previous(&step, &draft.answers)
        .map(|s| format!("{BASE}/{s}"))
        .unwrap_or(BASE.into());
    let progress = JOURNEY.progress(&step, &draft.answers).unwrap_or((1, 1));
    let title = step_title(locale, &step);
    let shown = |f: &str| draft.shown(&step, f);
    let text = |name: &'static str, label: &str, hint: &str, kind: InputKind| {
        view! {
            <TextField
                id=name
                name=name
                label=label.to_string()
                hint=hint.to_string()
                error=FieldError::of(&errors, name)
                value=shown(name)
                kind
            />
        }
    };
    let fields = match step.as_str() {
        "about-you" => view! {
            {text("full_name", td_string!(locale, account.full_name), td_string!(locale, account.full_name_hint), InputKind { autocomplete: Some("name"), ..InputKind::TEXT })}
            <DateInput
                prefix="dob"
                legend=td_string!(locale, account.dob_legend).to_string()
                hint=Some(td_string!(locale, account.dob_hint).to_string())
                error=FieldError::of(&errors, "dob_day")
                values=[shown("dob_day"), shown("dob_month"), shown("dob_year")]
                autocomplete="bday"
            />
            <NationalitySelect
                countries=view.countries
                value=shown("nationality")
                error=FieldError::of(&errors, "nationality")
            />
        }
        .into_any(),
        "identity" => view! {
            <IdentityKindRadios value=shown("identity_kind") error=FieldError::of(&errors, "identity_kind") />
            {text("identity_number", td_string!(locale, account.identity_number), td_string!(locale, account.identity_number_hint), InputKind::CODE)}
        }
        .into_any(),
        _ => view! {
            {text("email", td_string!(locale, account.email), td_string!(locale, account.email_hint), InputKind::EMAIL)}
            {text("mobile", td_string!(locale, account.mobile), td_string!(locale, account.mobile_hint), InputKind::PHONE)}
        }
        .into_any(),
    };
    view! {
        <QuestionPage title heading=true back progress errors action=AnswerRegistration::url() step>
            {fields}
        </QuestionPage>
    }
}

#[component]
fn NationalitySelect(
    countries: Vec<Country>,
    value: String,
    error: Option<String>,
) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let choices = countries
        .into_iter()
        .map(|c| Choice::new(c.code.to_string(), c.name))
        .collect();
    view! {
        <SelectField
            id="nationality"
            label=td_string!(locale, account.nationality)
            prompt=td_string!(locale, account.nationality_choose)
            choices
            value
            error
            autocomplete="country"
        />
    }
}

#[component]
fn IdentityKindRadios(value: String, error: Option<String>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let choices = vec![
        Choice::new("nin", td_string!(locale, account.kind_nin))
            .hint(td_string!(locale, account.kind_nin_hint)),
        Choice::new("qid", td_string!(locale, account.kind_qid))
            .hint(td_string!(locale, account.kind_qid_hint)),
        Choice::new("other", td_string!(locale, account.kind_other))
            .hint(td_string!(locale, account.kind_other_hint)),
    ];
    view! {
        <Radios
            name="identity_kind"
            legend=td_string!(locale, account.identity_kind_legend)
            choices
            value
            error
        />
    }
}
