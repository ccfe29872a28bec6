//! `/register/{step}`: the three short grouped pages (about you, identity number, contact),
//! each saved as it is sent.

// A server function's arguments are its form's fields.
#![allow(clippy::too_many_arguments)]

use super::*;
use crate::ui::journey::QuestionPage;

use crate::features::accounts::Country;
use crate::{
    domain::registration::JOURNEY,
    ui::form::{DateInput, FieldError, InputKind, Legend, TextField, described_by},
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
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let has_error = error.is_some();
    view! {
        <div class="field" class:field--error=has_error>
            <label class="field__label" for="nationality">{t!(i18n, account.nationality)}</label>
            {error.map(|e| view! { <p class="field__error" id="nationality-error">{e}</p> })}
            <select
                class="field__select"
                id="nationality"
                name="nationality"
                autocomplete="country"
                aria-invalid=has_error.then_some("true")
                aria-describedby=has_error.then_some("nationality-error")
            >
                <option value="" selected=value.is_empty()>
                    {td_string!(locale, account.nationality_choose)}
                </option>
                {countries
                    .into_iter()
                    .map(|c| {
                        let code = c.code.to_string();
                        let selected = code == value;
                        view! { <option value=code selected=selected>{c.name}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
fn IdentityKindRadios(value: String, error: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let has_error = error.is_some();
    let options = [
        (
            "nin",
            td_string!(locale, account.kind_nin),
            td_string!(locale, account.kind_nin_hint),
        ),
        (
            "qid",
            td_string!(locale, account.kind_qid),
            td_string!(locale, account.kind_qid_hint),
        ),
        (
            "other",
            td_string!(locale, account.kind_other),
            td_string!(locale, account.kind_other_hint),
        ),
    ];
    view! {
        <div class="field" class:field--error=has_error>
            <fieldset class="fieldset" aria-describedby=described_by(false, has_error, "identity_kind")>
                <Legend
                    title=td_string!(locale, account.identity_kind_legend).to_string()
                    hint=None
                    hint_id=String::new()
                    error
                    error_id="identity_kind-error".into()
                />
                <div class="radios">
                    {options
                        .into_iter()
                        .enumerate()
                        .map(|(i, (code, label, hint))| {
                            // The first radio carries the field's id: errors link to it.
                            let id = if i == 0 { "identity_kind".to_string() } else { format!("identity_kind-{code}") };
                            let hint_id = format!("identity_kind-{code}-hint");
                            view! {
                                <div class="radios__item">
                                    <input
                                        class="radios__input"
                                        id=id.clone()
                                        name="identity_kind"
                                        type="radio"
                                        value=code
                                        checked=value == code
                                        aria-describedby=hint_id.clone()
                                    />
                                    <label class="radios__label" for=id>{label}</label>
                                    <p class="radios__hint field__hint" id=hint_id>{hint}</p>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}
