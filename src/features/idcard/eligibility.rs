//! "Check if you can apply": the first journey built on the journey mechanism. One question
//! per page, answers saved on the server after every page (a draft under the session), errors
//! kept in the draft so that every page works the same with and without JavaScript, a
//! check-your-answers page, then the result naming each condition not met and what to do.
// A server function's arguments are its form's fields, one per question.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageTitle;
use crate::ui::journey::{CheckAnswers, QuestionPage};
use crate::{
    domain::{
        eligibility::{Condition, JOURNEY, YES_NO},
        journey::Draft,
    },
    error::AppError,
    i18n::*,
    ui::form::{BackLink, Choice, DateInput, FieldError, Radios, StartButton},
    ui::problem::{NotFound, ServiceProblem},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_params_map;

pub const BASE: &str = "/id-card/eligibility";

/// The first page of the journey (the start page's button).
pub fn first_page() -> String {
    format!("{BASE}/{}", JOURNEY.steps[0].id)
}

#[server(endpoint = "id-card/eligibility/draft")]
pub async fn load_eligibility() -> Result<Draft, AppError> {
    use crate::platform::{drafts, state::AppState};
    let state = expect_context::<AppState>();
    drafts::load_answers(&state.db, JOURNEY.id)
        .await
        .or_unavailable()
}

/// Saves one page. Accepted: the answer joins the draft and the user goes on to the next
/// unanswered page (or the check page). Refused: the submission and its problems are kept in
/// the draft and the same page is shown again with them.
#[server(endpoint = "id-card/eligibility/answer")]
pub async fn answer_eligibility(
    step: String,
    dob_day: Option<String>,
    dob_month: Option<String>,
    dob_year: Option<String>,
    residence_visa: Option<String>,
    passport: Option<String>,
    proof_of_address: Option<String>,
    employer_letter: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::eligibility::validate;
    let posted = vec![
        ("dob_day", dob_day),
        ("dob_month", dob_month),
        ("dob_year", dob_year),
        ("residence_visa", residence_visa),
        ("passport", passport),
        ("proof_of_address", proof_of_address),
        ("employer_letter", employer_letter),
    ];
    let today = super::today_in_qatar();
    crate::platform::drafts::answer_page(&JOURNEY, BASE, &step, posted, |submitted, _| {
        validate(&step, submitted, today)
    })
    .await
}

/// The conditions not met, once every page is answered (`None` before).
#[server(endpoint = "id-card/eligibility/result")]
pub async fn eligibility_result() -> Result<Option<Vec<Condition>>, AppError> {
    use crate::domain::eligibility::{facts_from, unmet_conditions};
    let draft = load_eligibility().await?;
    Ok(facts_from(&draft.answers).map(|f| unmet_conditions(&f, super::today_in_qatar())))
}

/// The message for a problem code from `eligibility::validate`.
fn message(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    match code {
        "dob_missing" => td_string!(i18n.get_locale_untracked(), eligibility.err_dob_missing),
        "dob_incomplete" => td_string!(i18n.get_locale_untracked(), eligibility.err_dob_incomplete),
        "dob_not_real" => td_string!(i18n.get_locale_untracked(), eligibility.err_dob_not_real),
        "dob_future" => td_string!(i18n.get_locale_untracked(), eligibility.err_dob_future),
        "choose_residence_visa" => td_string!(
            i18n.get_locale_untracked(),
            eligibility.err_choose_residence_visa
        ),
        "choose_passport" => {
            td_string!(i18n.get_locale_untracked(), eligibility.err_choose_passport)
        }
        "choose_proof_of_address" => td_string!(
            i18n.get_locale_untracked(),
            eligibility.err_choose_proof_of_address
        ),
        "choose_employer_letter" => td_string!(
            i18n.get_locale_untracked(),
            eligibility.err_choose_employer_letter
        ),
        unknown => return crate::ui::form::unknown_problem(i18n.get_locale_untracked(), unknown),
    }
    .to_string()
}

fn question(i18n: leptos_i18n::I18nContext<Locale>, step: &str) -> String {
    match step {
        "date-of-birth" => td_string!(i18n.get_locale_untracked(), eligibility.dob_title),
        "residence-visa" => td_string!(
            i18n.get_locale_untracked(),
            eligibility.residence_visa_title
        ),
        "passport" => td_string!(i18n.get_locale_untracked(), eligibility.passport_title),
        "proof-of-address" => td_string!(
            i18n.get_locale_untracked(),
            eligibility.proof_of_address_title
        ),
        _ => td_string!(
            i18n.get_locale_untracked(),
            eligibility.employer_letter_title
        ),
    }
    .to_string()
}

fn hint(i18n: leptos_i18n::I18nContext<Locale>, step: &str) -> Option<String> {
    match step {
        "date-of-birth" => Some(td_string!(
            i18n.get_locale_untracked(),
            eligibility.dob_hint
        )),
        "residence-visa" => Some(td_string!(
            i18n.get_locale_untracked(),
            eligibility.residence_visa_hint
        )),
        "passport" => Some(td_string!(
            i18n.get_locale_untracked(),
            eligibility.passport_hint
        )),
        "proof-of-address" => Some(td_string!(
            i18n.get_locale_untracked(),
            eligibility.proof_of_address_hint
        )),
        _ => None,
    }
    .map(str::to_string)
}

/// `/id-card/eligibility/{step}`: one question.
#[component]
pub fn StepPage() -> impl IntoView {
    let params = use_params_map();
    let step = move || params.read().get("step").unwrap_or_default();
    let draft = Resource::new(step, |_| load_eligibility());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let step = step();
                match (draft.await, JOURNEY.step(&step).is_some()) {
                    (_, false) => view! { <NotFound /> }.into_any(),
                    (Ok(draft), true) => view! { <StepForm step draft /> }.into_any(),
                    (Err(_), true) => view! { <ServiceProblem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StepForm(step: String, draft: Draft) -> impl IntoView {
    let i18n = use_i18n();
    let errors: Vec<FieldError> = draft
        .problems(&step)
        .iter()
        .map(|(field, code)| FieldError {
            field_id: field.clone(),
            message: message(i18n, code),
        })
        .collect();
    let back = JOURNEY
        .previous(&step, &draft.answers)
        .map(|s| format!("{BASE}/{s}"))
        .unwrap_or("/id-card".into());
    let progress = JOURNEY.progress(&step, &draft.answers).unwrap_or((1, 1));
    let title = question(i18n, &step);
    let error = errors.first().map(|e| e.message.clone());
    let hint = hint(i18n, &step);
    let fields = if step == "date-of-birth" {
        view! { <DateOfBirth title=title.clone() hint error draft=draft.clone() /> }.into_any()
    } else {
        let field = YES_NO
            .iter()
            .find(|(s, _)| *s == step)
            .map(|(_, f)| *f)
            .unwrap_or_default();
        let value = draft.shown(&step, field);
        view! { <YesNo field title=title.clone() hint error value /> }.into_any()
    };
    view! {
        <QuestionPage title back progress errors action=AnswerEligibility::url() step>
            {fields}
        </QuestionPage>
    }
}

/// The date of birth as the page's question.
#[component]
fn DateOfBirth(
    title: String,
    hint: Option<String>,
    error: Option<String>,
    draft: Draft,
) -> impl IntoView {
    let shown = |f: &str| draft.shown("date-of-birth", f);
    view! {
        <DateInput
            prefix="dob"
            legend=title
            heading=true
            hint
            error
            values=[shown("dob_day"), shown("dob_month"), shown("dob_year")]
            autocomplete="bday"
        />
    }
}

#[component]
fn YesNo(
    field: &'static str,
    title: String,
    hint: Option<String>,
    error: Option<String>,
    value: String,
) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let choices = vec![
        Choice::new("yes", td_string!(locale, eligibility.yes)),
        Choice::new("no", td_string!(locale, eligibility.no)),
    ];
    view! { <Radios name=field legend=title heading=true hint choices value error /> }
}

/// `/id-card/eligibility/check`: every answer with a link to change it.
#[component]
pub fn CheckPage() -> impl IntoView {
    let i18n = use_i18n();
    let draft = Resource::new(|| (), |_| load_eligibility());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), common.check_answers_title).to_string() />
        <Suspense>
            {move || Suspend::new(async move {
                let Ok(draft) = draft.await else { return view! { <ServiceProblem /> }.into_any() };
                if let Some(step) = JOURNEY.first_unanswered(&draft.answers) {
                    return view! { <Unfinished step=step.to_string() /> }.into_any();
                }
                let a = |f: &str| draft.answers.get(f).cloned().unwrap_or_default();
                let dob = format!("{}/{}/{}", a("dob_day"), a("dob_month"), a("dob_year"));
                let yes_no = |f: &str| if a(f) == "yes" { td_string!(i18n.get_locale_untracked(), eligibility.yes) } else { td_string!(i18n.get_locale_untracked(), eligibility.no) };
                let rows = vec![
                    ("date-of-birth", td_string!(i18n.get_locale_untracked(), eligibility.check_dob).to_string(), view! { <bdi dir="ltr">{dob}</bdi> }.into_any()),
                    ("residence-visa", td_string!(i18n.get_locale_untracked(), eligibility.check_residence_visa).to_string(), yes_no("residence_visa").into_any()),
                    ("passport", td_string!(i18n.get_locale_untracked(), eligibility.check_passport).to_string(), yes_no("passport").into_any()),
                    ("proof-of-address", td_string!(i18n.get_locale_untracked(), eligibility.check_proof_of_address).to_string(), yes_no("proof_of_address").into_any()),
                    ("employer-letter", td_string!(i18n.get_locale_untracked(), eligibility.check_employer_letter).to_string(), yes_no("employer_letter").into_any()),
                ];
                view! {
                    <BackLink href=format!("{BASE}/{}", JOURNEY.steps[JOURNEY.steps.len() - 1].id) />
                    <h1>{t!(i18n, common.check_answers_title)}</h1>
                    <CheckAnswers base=BASE rows />
                    <p>
                        <a class="button" href=format!("{BASE}/result")>{t!(i18n, eligibility.see_result)}</a>
                    </p>
                }
                .into_any()
            })}
        </Suspense>
    }
}

/// Shown on the check and result pages when a question is still unanswered.
#[component]
fn Unfinished(step: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1>{t!(i18n, eligibility.title)}</h1>
        <p>{t!(i18n, eligibility.start_lead)}</p>
        <p><a class="button" href=format!("{BASE}/{step}")>{t!(i18n, common.continue_button)}</a></p>
    }
}

/// `/id-card/eligibility/result`.
#[component]
pub fn ResultPage() -> impl IntoView {
    let i18n = use_i18n();
    let result = Resource::new(|| (), |_| eligibility_result());
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), eligibility.result_title).to_string() />
        <Suspense>
            {move || Suspend::new(async move {
                match result.await {
                    Err(_) => view! { <ServiceProblem /> }.into_any(),
                    Ok(None) => view! { <Unfinished step=JOURNEY.steps[0].id.to_string() /> }.into_any(),
                    Ok(Some(unmet)) if unmet.is_empty() => view! {
                        <div class="panel panel--success">
                            <h1>{t!(i18n, eligibility.eligible_heading)}</h1>
                        </div>
                        <p>{t!(i18n, eligibility.eligible_body)}</p>
                        <p><StartButton href=super::APPLY_PATH>{t!(i18n, eligibility.start_application)}</StartButton></p>
                        <p><a href=format!("{BASE}/check")>{t!(i18n, eligibility.change_answers)}</a></p>
                    }
                    .into_any(),
                    Ok(Some(unmet)) => view! {
                        <h1>{t!(i18n, eligibility.not_eligible_heading)}</h1>
                        <p>{t!(i18n, eligibility.not_eligible_lead)}</p>
                        <ul class="list">
                            {unmet
                                .into_iter()
                                .map(|c| {
                                    let text = match c {
                                        Condition::Adult => td_string!(i18n.get_locale_untracked(), eligibility.fix_adult),
                                        Condition::ValidResidenceVisa => td_string!(i18n.get_locale_untracked(), eligibility.fix_residence_visa),
                                        Condition::ValidPassport => td_string!(i18n.get_locale_untracked(), eligibility.fix_passport),
                                        Condition::ProofOfAddress => td_string!(i18n.get_locale_untracked(), eligibility.fix_proof_of_address),
                                        Condition::EmployerLetter => td_string!(i18n.get_locale_untracked(), eligibility.fix_employer_letter),
                                    };
                                    view! { <li>{text}</li> }
                                })
                                .collect_view()}
                        </ul>
                        <p><a href=format!("{BASE}/check")>{t!(i18n, eligibility.change_answers)}</a></p>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}
