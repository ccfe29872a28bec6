//! "Create an account": a start page, three short grouped pages (about you, identity number,
//! contact), then a check-your-answers page where the password is chosen and the terms are
//! accepted. Answers are kept in a draft under the (anonymous) session like every journey;
//! the password never is. Creating the account, its confirmation code and the e-mail that
//! carries the code is one transaction.
// A server function's arguments are its form's fields.
#![allow(clippy::too_many_arguments)]

use super::{Country, problem_message};
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::{
    domain::{
        journey::Draft,
        registration::{CHECK_STEP, JOURNEY},
    },
    error::AppError,
    features::errors::{NotFound, ServiceProblem},
    i18n::*,
    ui::{
        form::{
            BackLink, Button, DateInput, ErrorSummary, FieldError, InputKind, Legend, StartButton,
            StepIndicator, TextField, described_by,
        },
        keep_unsent::KeepUnsent,
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

pub const BASE: &str = "/register";

/// What the registration pages render from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegistrationView {
    pub draft: Draft,
    /// Only for the pages that show a nationality.
    pub countries: Vec<Country>,
}

#[server(endpoint = "account/register/draft")]
pub async fn load_registration(with_countries: bool) -> Result<RegistrationView, AppError> {
    use crate::platform::{drafts, server::AppState, session};
    let state = expect_context::<AppState>();
    let draft = match session::for_request() {
        None => Draft::default(),
        Some(s) => drafts::load(&state.db, &s.id, JOURNEY.id)
            .await
            .or_unavailable()?,
    };
    let countries = if with_countries {
        server::countries(&state.db, crate::platform::request::locale())
            .await
            .or_unavailable()?
    } else {
        Vec::new()
    };
    Ok(RegistrationView { draft, countries })
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::Country;
    use crate::{
        domain::date::Date,
        i18n::Locale,
        platform::{
            db::{Db, DbError},
            session::now_secs,
        },
    };

    /// Accounts are opened in Algeria (UTC+1) and Qatar (UTC+3): an age checked on the later
    /// of the two calendars is never a day early anywhere.
    pub fn today() -> Date {
        Date::from_days_since_epoch((now_secs() + 3600).div_euclid(86_400))
    }

    /// Every nationality, Algeria and Qatar first (most users), then by name in `locale`.
    pub async fn countries(db: &Db, locale: Locale) -> Result<Vec<Country>, DbError> {
        let column = match locale {
            Locale::ar => "name_ar",
            Locale::fr => "name_fr",
            Locale::en => "name_en",
        };
        let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT iso_numeric, {column} FROM countries ORDER BY {column}"
        ))
        .fetch_all(db.pool())
        .await?;
        let mut countries: Vec<Country> = rows
            .into_iter()
            .map(|(code, name)| Country {
                code: code as u16,
                name,
            })
            .collect();
        countries.sort_by_key(|c| match c.code {
            12 => 0,
            634 => 1,
            _ => 2,
        });
        Ok(countries)
    }

    pub async fn known_countries(db: &Db) -> Result<Vec<u16>, DbError> {
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT iso_numeric FROM countries")
            .fetch_all(db.pool())
            .await?;
        Ok(rows.into_iter().map(|(c,)| c as u16).collect())
    }
}

/// Saves one of the three pages (see `drafts::record_answer`).
#[server(endpoint = "account/register/answer")]
pub async fn answer_registration(
    step: String,
    full_name: Option<String>,
    dob_day: Option<String>,
    dob_month: Option<String>,
    dob_year: Option<String>,
    nationality: Option<String>,
    identity_kind: Option<String>,
    identity_number: Option<String>,
    email: Option<String>,
    mobile: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::registration::validate;
    use crate::platform::{drafts, server::AppState, session};
    let Some(page) = JOURNEY.step(&step) else {
        return Err(AppError::refused("registration step"));
    };
    let state = expect_context::<AppState>();
    let known = server::known_countries(&state.db).await.or_unavailable()?;
    let id = session::ensure_for_request(&state).await.or_unavailable()?;
    let posted = vec![
        ("full_name", full_name),
        ("dob_day", dob_day),
        ("dob_month", dob_month),
        ("dob_year", dob_year),
        ("nationality", nationality),
        ("identity_kind", identity_kind),
        ("identity_number", identity_number),
        ("email", email),
        ("mobile", mobile),
    ];
    let target = drafts::record_answer(
        &state.db,
        &id,
        &JOURNEY,
        BASE,
        page,
        posted,
        |submitted, accepted| {
            validate(&step, submitted, accepted, server::today(), |c| {
                known.contains(&c)
            })
        },
    )
    .await
    .or_unavailable()?;
    leptos_axum::redirect(&target);
    Ok(())
}

/// The last page: checks everything again (an answer changed from the check page can break
/// another page), then creates the account, its confirmation and the e-mail in one
/// transaction. Whether the e-mail address was new or not, the user goes on to the same
/// "check your e-mail" page; the holder of a taken address or number is told by e-mail.
#[server(endpoint = "account/register/create")]
pub async fn create_account(
    password: Option<String>,
    consent: Option<String>,
) -> Result<(), AppError> {
    use super::{
        passwords,
        store::{CreateError, NewAccount},
    };
    use crate::domain::{
        journey::Rejected,
        registration::{applicant, validate_final},
    };
    use crate::platform::{drafts, server::AppState, session, throttle};
    let state = expect_context::<AppState>();
    let id = session::ensure_for_request(&state).await.or_unavailable()?;
    let mut draft = drafts::load(&state.db, &id, JOURNEY.id)
        .await
        .or_unavailable()?;
    let known = server::known_countries(&state.db).await.or_unavailable()?;
    let applicant = match applicant(&draft.answers, server::today(), |c| known.contains(&c)) {
        Ok(a) => a,
        Err((step, problems)) => {
            if !problems.is_empty() {
                draft.rejected = Some(Rejected {
                    step: step.to_string(),
                    values: draft.answers.clone(),
                    problems,
                });
                drafts::save(&state.db, &id, JOURNEY.id, &draft, session::now_secs())
                    .await
                    .or_unavailable()?;
            }
            leptos_axum::redirect(&format!("{BASE}/{step}"));
            return Ok(());
        }
    };
    let password = password.unwrap_or_default();
    let consent = consent.is_some_and(|c| !c.is_empty());
    let mut problems = validate_final(&password, consent, passwords::is_common);
    let now = session::now_secs();
    if problems.is_empty() {
        let ip = crate::platform::security::client_ip(&state.config);
        let key = format!("register-ip:{ip}");
        if let Err(wait) = throttle::hit(&state.db, &key, REGISTRATIONS_PER_IP, now)
            .await
            .or_unavailable()?
        {
            problems.push(("password".into(), format!("rate_limited:{wait}")));
        }
    }
    if !problems.is_empty() {
        draft.rejected = Some(Rejected {
            step: CHECK_STEP.into(),
            // What was typed, except the password: it is never stored.
            values: [(
                "consent".to_string(),
                if consent { "yes" } else { "" }.to_string(),
            )]
            .into(),
            problems,
        });
        drafts::save(&state.db, &id, JOURNEY.id, &draft, now)
            .await
            .or_unavailable()?;
        leptos_axum::redirect(&format!("{BASE}/check"));
        return Ok(());
    }
    let password_hash = passwords::hash(password).await.or_unavailable()?;
    let new = NewAccount {
        full_name: applicant.full_name,
        identity: applicant.identity,
        date_of_birth: applicant.date_of_birth,
        nationality: applicant.nationality,
        email: applicant.email.clone(),
        mobile: applicant.mobile,
        password_hash,
        role: super::Role::Citizen,
    };
    let language = crate::platform::request::language();
    match super::verify::server::create_with_confirmation(&state, &new, language, now).await {
        Ok(account_id) => {
            super::verify::server::remember(&state, &id, Some(&account_id), &new.email, now)
                .await?;
            super::store::record_event(
                &state.db,
                &account_id,
                "account_created",
                crate::platform::security::user_agent().as_deref(),
                Some(&crate::platform::security::client_ip(&state.config)),
                now,
            )
            .await
            .or_unavailable()?;
        }
        Err(CreateError::EmailTaken) => {
            super::verify::server::tell_holder(&state, &new.email, "email", language, now).await?;
            super::verify::server::remember(&state, &id, None, &new.email, now).await?;
        }
        Err(CreateError::IdentityTaken) => {
            super::verify::server::tell_holder_of_identity(&state, &new, language, now).await?;
            draft.rejected = Some(Rejected {
                step: "identity".into(),
                values: draft.answers.clone(),
                problems: vec![("identity_number".into(), "identity_taken".into())],
            });
            drafts::save(&state.db, &id, JOURNEY.id, &draft, now)
                .await
                .or_unavailable()?;
            leptos_axum::redirect(&format!("{BASE}/identity"));
            return Ok(());
        }
        Err(CreateError::Db(e)) => return Err(AppError::internal(e)),
    }
    drafts::discard(&state.db, &id, JOURNEY.id)
        .await
        .or_unavailable()?;
    leptos_axum::redirect(super::verify::PATH);
    Ok(())
}

/// Registrations from one address: enough for a family or an office sharing a connection,
/// too few for a script filling the accounts table.
#[cfg(feature = "ssr")]
const REGISTRATIONS_PER_IP: crate::platform::throttle::Limit = crate::platform::throttle::Limit {
    max: 20,
    window_secs: 3600,
};

fn errors_of(locale: Locale, problems: Vec<(String, String)>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|(field, code)| FieldError {
            field_id: field,
            message: problem_message(locale, &code),
        })
        .collect()
}

fn error_for(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field_id == field)
        .map(|e| e.message.clone())
}

/// `/register`: what an account is for, what to have at hand.
#[component]
pub fn StartPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=td_string!(i18n.get_locale_untracked(), account.register_title).to_string() />
        <h1>{t!(i18n, account.register_title)}</h1>
        <p class="lead">{t!(i18n, account.register_lead)}</p>
        <p>
            <StartButton href=format!("{BASE}/{}", JOURNEY.steps[0].id)>
                {t!(i18n, account.register_start)}
            </StartButton>
        </p>
        <p>
            {t!(i18n, account.have_account)} " "
            <a href=super::sign_in::PATH>{t!(i18n, account.sign_in_link)}</a>
        </p>
    }
}

fn step_title(locale: Locale, step: &str) -> String {
    match step {
        "about-you" => td_string!(locale, account.about_title),
        "identity" => td_string!(locale, account.identity_title),
        _ => td_string!(locale, account.contact_title),
    }
    .to_string()
}

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
    let errors = errors_of(locale, draft.problems(&step));
    let back = JOURNEY
        .previous(&step, &draft.answers)
        .map(|s| format!("{BASE}/{s}"))
        .unwrap_or(BASE.into());
    let (current, total) = JOURNEY.progress(&step, &draft.answers).unwrap_or((1, 1));
    let title = step_title(locale, &step);
    let page_title = if errors.is_empty() {
        title.clone()
    } else {
        format!("{} {title}", td_string!(locale, common.error_prefix))
    };
    let shown = |f: &str| draft.shown(&step, f);
    let fields = match step.as_str() {
        "about-you" => view! {
            <TextField
                id="full_name"
                name="full_name"
                label=td_string!(locale, account.full_name).to_string()
                hint=td_string!(locale, account.full_name_hint).to_string()
                error=error_for(&errors, "full_name")
                value=shown("full_name")
                kind=InputKind { autocomplete: Some("name"), ..InputKind::TEXT }
            />
            <DateInput
                prefix="dob"
                legend=td_string!(locale, account.dob_legend).to_string()
                hint=Some(td_string!(locale, account.dob_hint).to_string())
                error=error_for(&errors, "dob_day")
                values=[shown("dob_day"), shown("dob_month"), shown("dob_year")]
                autocomplete="bday"
            />
            <NationalitySelect
                countries=view.countries
                value=shown("nationality")
                error=error_for(&errors, "nationality")
            />
        }
        .into_any(),
        "identity" => view! {
            <IdentityKindRadios value=shown("identity_kind") error=error_for(&errors, "identity_kind") />
            <TextField
                id="identity_number"
                name="identity_number"
                label=td_string!(locale, account.identity_number).to_string()
                hint=td_string!(locale, account.identity_number_hint).to_string()
                error=error_for(&errors, "identity_number")
                value=shown("identity_number")
                kind=InputKind::CODE
            />
        }
        .into_any(),
        _ => view! {
            <TextField
                id="email"
                name="email"
                label=td_string!(locale, account.email).to_string()
                hint=td_string!(locale, account.email_hint).to_string()
                error=error_for(&errors, "email")
                value=shown("email")
                kind=InputKind::EMAIL
            />
            <TextField
                id="mobile"
                name="mobile"
                label=td_string!(locale, account.mobile).to_string()
                hint=td_string!(locale, account.mobile_hint).to_string()
                error=error_for(&errors, "mobile")
                value=shown("mobile")
                kind=InputKind::PHONE
            />
        }
        .into_any(),
    };
    let kept = td_string!(locale, common.answer_kept_offline).to_string();
    view! {
        <Title text=page_title />
        <BackLink href=back />
        <StepIndicator current total />
        <ErrorSummary errors=errors.clone() />
        <h1>{title}</h1>
        <KeepUnsent message=kept>
            <form method="post" action=AnswerRegistration::url() novalidate="">
                <input type="hidden" name="step" value=step.clone() />
                {fields}
                <Button>{t!(i18n, common.continue_button)}</Button>
            </form>
        </KeepUnsent>
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

/// `/register/check`: every answer with a Change link, then the password and consent.
#[component]
pub fn CheckPage() -> impl IntoView {
    let i18n = use_i18n();
    let view = Resource::new(|| (), |_| load_registration(true));
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match view.await {
                    Err(_) => view! { <ServiceProblem /> }.into_any(),
                    Ok(v) => match JOURNEY.first_unanswered(&v.draft.answers) {
                        Some(step) => view! {
                            <Title text=td_string!(i18n.get_locale_untracked(), account.register_title).to_string() />
                            <h1>{t!(i18n, account.register_title)}</h1>
                            <p><a class="button" href=format!("{BASE}/{step}")>{t!(i18n, common.continue_button)}</a></p>
                        }
                        .into_any(),
                        None => view! { <CheckForm view=v /> }.into_any(),
                    },
                }
            })}
        </Suspense>
    }
}

#[component]
fn CheckForm(view: RegistrationView) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let draft = view.draft;
    let errors = errors_of(locale, draft.problems(CHECK_STEP));
    let a = |f: &str| draft.answers.get(f).cloned().unwrap_or_default();
    let nationality = view
        .countries
        .iter()
        .find(|c| c.code.to_string() == a("nationality"))
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let kind = match a("identity_kind").as_str() {
        "nin" => td_string!(locale, account.kind_nin),
        "qid" => td_string!(locale, account.kind_qid),
        _ => td_string!(locale, account.kind_other),
    };
    let ltr = |v: String| view! { <bdi dir="ltr">{v}</bdi> }.into_any();
    let rows = vec![
        (
            "about-you",
            td_string!(locale, account.full_name).to_string(),
            a("full_name").into_any(),
        ),
        (
            "about-you",
            td_string!(locale, account.dob_legend).to_string(),
            ltr(format!(
                "{}/{}/{}",
                a("dob_day"),
                a("dob_month"),
                a("dob_year")
            )),
        ),
        (
            "about-you",
            td_string!(locale, account.nationality).to_string(),
            nationality.into_any(),
        ),
        (
            "identity",
            td_string!(locale, account.check_identity_kind).to_string(),
            kind.into_any(),
        ),
        (
            "identity",
            td_string!(locale, account.identity_number).to_string(),
            ltr(a("identity_number")),
        ),
        (
            "contact",
            td_string!(locale, account.email).to_string(),
            ltr(a("email")),
        ),
        (
            "contact",
            td_string!(locale, account.mobile).to_string(),
            ltr(a("mobile")),
        ),
    ];
    let title = td_string!(locale, common.check_answers_title).to_string();
    let page_title = if errors.is_empty() {
        title.clone()
    } else {
        format!("{} {title}", td_string!(locale, common.error_prefix))
    };
    let consent_error = error_for(&errors, "consent");
    let consent_checked = draft.shown(CHECK_STEP, "consent") == "yes";
    view! {
        <Title text=page_title />
        <BackLink href=format!("{BASE}/contact") />
        <ErrorSummary errors=errors.clone() />
        <h1>{title}</h1>
        <dl class="summary-list">
            {rows
                .into_iter()
                .map(|(step, label, answer)| {
                    view! {
                        <div class="summary-list__row">
                            <dt class="summary-list__key">{label.clone()}</dt>
                            <dd class="summary-list__value">{answer}</dd>
                            <dd class="summary-list__actions">
                                <a href=format!("{BASE}/{step}")>
                                    {t!(i18n, common.change)}
                                    <span class="visually-hidden">" " {label}</span>
                                </a>
                            </dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
        <form method="post" action=CreateAccount::url() novalidate="">
            <TextField
                id="password"
                name="password"
                label=td_string!(locale, account.password).to_string()
                hint=td_string!(locale, account.password_hint).to_string()
                error=error_for(&errors, "password")
                kind=InputKind {
                    input_type: "password",
                    inputmode: None,
                    autocomplete: Some("new-password"),
                    ltr: true,
                }
            />
            <div class="field" class:field--error=consent_error.is_some()>
                {consent_error.clone().map(|e| view! { <p class="field__error" id="consent-error">{e}</p> })}
                <div class="checkboxes__item">
                    <input
                        class="checkboxes__input"
                        id="consent"
                        name="consent"
                        type="checkbox"
                        value="yes"
                        checked=consent_checked
                        aria-invalid=consent_error.is_some().then_some("true")
                        aria-describedby=consent_error.is_some().then_some("consent-error")
                    />
                    <label class="checkboxes__label" for="consent">{t!(i18n, account.consent)}</label>
                </div>
                <p class="field__hint">
                    {t!(i18n, account.consent_read)} " "
                    <a href="/terms">{t!(i18n, account.conditions_link)}</a> " "
                    {t!(i18n, account.and)} " "
                    <a href="/privacy">{t!(i18n, account.privacy_link)}</a>
                </p>
            </div>
            <Button>{t!(i18n, account.create_button)}</Button>
        </form>
    }
}
