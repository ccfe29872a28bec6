//! `/register/check`: every answer with a Change link, then the password and consent; the last
//! page checks everything again and creates the account.

// A server function's arguments are its form's fields.
#![allow(clippy::too_many_arguments)]

use super::*;
use crate::ui::form::PageHeading;
use crate::ui::journey::CheckAnswers;

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageTitle;
use crate::{
    domain::registration::{CHECK_STEP, JOURNEY},
    error::AppError,
    ui::form::{BackLink, Button, ErrorSummary, FieldError, InputKind, TextField},
    ui::problem::ServiceProblem,
};
use leptos::server_fn::ServerFn;

/// The last page: checks everything again (an answer changed from the check page can break
/// another page), then creates the account, its confirmation and the e-mail in one
/// transaction. Whether the e-mail address was new or not, the user goes on to the same
/// "check your e-mail" page; the holder of a taken address or number is told by e-mail.
#[server(endpoint = "account/register/create")]
pub async fn create_account(
    password: Option<String>,
    consent: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::{
        journey::Rejected,
        registration::{applicant, validate_final},
    };
    use crate::features::accounts::{
        passwords,
        store::{CreateError, NewAccount},
    };
    use crate::platform::{drafts, session, state::AppState, throttle};
    let state = expect_context::<AppState>();
    let id = session::ensure_for_request(&state).await.or_unavailable()?;
    let keeper = drafts::answers_in(id.clone());
    let mut draft = drafts::load(&state.db, keeper.clone(), JOURNEY.id)
        .await
        .or_unavailable()?;
    let known = crate::features::accounts::store::known_countries(&state.db)
        .await
        .or_unavailable()?;
    let applicant = match applicant(&draft.answers, server::today(), |c| known.contains(&c)) {
        Ok(a) => a,
        Err((step, problems)) => {
            if !problems.is_empty() {
                draft.rejected = Some(Rejected {
                    step: step.to_string(),
                    values: draft.answers.clone(),
                    problems,
                });
                drafts::save(
                    &state.db,
                    keeper.clone(),
                    JOURNEY.id,
                    &draft,
                    session::now_secs(),
                )
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
        drafts::save(&state.db, keeper.clone(), JOURNEY.id, &draft, now)
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
        role: crate::features::accounts::Role::Citizen,
    };
    let language = crate::platform::request::language();
    match crate::features::accounts::verify::server::create_with_confirmation(
        &state, &new, language, now,
    )
    .await
    {
        Ok(account_id) => {
            crate::features::accounts::verify::server::remember(
                &state,
                &id,
                Some(&account_id),
                &new.email,
                now,
            )
            .await?;
            crate::features::accounts::record_here(&state, &account_id, "account_created", now)
                .await?;
        }
        Err(CreateError::EmailTaken) => {
            crate::features::accounts::verify::server::tell_holder(
                &state, &new.email, "email", language, now,
            )
            .await?;
            crate::features::accounts::verify::server::remember(&state, &id, None, &new.email, now)
                .await?;
        }
        Err(CreateError::IdentityTaken) => {
            crate::features::accounts::verify::server::tell_holder_of_identity(
                &state, &new, language, now,
            )
            .await?;
            draft.rejected = Some(Rejected {
                step: "identity".into(),
                values: draft.answers.clone(),
                problems: vec![("identity_number".into(), "identity_taken".into())],
            });
            drafts::save(&state.db, keeper.clone(), JOURNEY.id, &draft, now)
                .await
                .or_unavailable()?;
            leptos_axum::redirect(&format!("{BASE}/identity"));
            return Ok(());
        }
        Err(CreateError::Db(e)) => return Err(AppError::internal(e)),
    }
    drafts::discard(&state.db, keeper, JOURNEY.id)
        .await
        .or_unavailable()?;
    leptos_axum::redirect(crate::features::accounts::verify::PATH);
    Ok(())
}

/// Registrations from one address: enough for a family or an office sharing a connection,
/// too few for a script filling the accounts table.
#[cfg(feature = "ssr")]
const REGISTRATIONS_PER_IP: crate::platform::throttle::Limit = crate::platform::throttle::Limit {
    max: 20,
    window_secs: 3600,
};

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
                            <PageHeading title=td_string!(i18n.get_locale_untracked(), account.register_title) />
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
    let errors = crate::features::accounts::field_errors(locale, &draft.problems(CHECK_STEP));
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
    let page_title = crate::ui::form::page_title(locale, &title, !errors.is_empty());
    let consent_error = FieldError::of(&errors, "consent");
    let consent_checked = draft.shown(CHECK_STEP, "consent") == "yes";
    view! {
        <PageTitle text=page_title />
        <BackLink href=format!("{BASE}/contact") />
        <ErrorSummary errors=errors.clone() />
        <h1>{title}</h1>
        <CheckAnswers base=BASE rows />
        <form method="post" action=CreateAccount::url() novalidate="">
            <TextField
                id="password"
                name="password"
                label=td_string!(locale, account.password).to_string()
                hint=td_string!(locale, account.password_hint).to_string()
                error=FieldError::of(&errors, "password")
                kind=InputKind::NEW_PASSWORD
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
