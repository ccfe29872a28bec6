//! `/id-card/applications/{id}/check`: every answer and document with a Change link, the fee,
//! and the declaration; "Submit" checks everything again and freezes the application. After
//! submission the same page shows the answers as submitted, with nothing to change.

use super::{application_path, tasks::ApplicationForm};
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::{
    domain::{
        idcard::{
            documents::DocumentKind,
            form::{self, field},
        },
        journey::Answers,
        money::Money,
        reference::IdCardFee,
    },
    error::AppError,
    features::idcard::messages,
    i18n::*,
    ui::{
        form::{BackLink, Button, FieldError, FormHeading},
        journey::{CheckAnswers, CheckRow},
        problem::loaded_for,
        text::{Ltr, MoneyText},
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// What the check page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckView {
    pub app: ApplicationForm,
    /// The fee, line by line (data), and its total; empty if the data lacks a line.
    pub fee_lines: Vec<IdCardFee>,
    pub total: Option<Money>,
    /// Each document the request needs, with how many files it has.
    pub documents: Vec<(DocumentKind, usize)>,
    /// The first page whose answers no longer pass (a passport that expires too soon now),
    /// with its problems: the page lists them, each linking to the page to fix.
    pub problem: Option<(String, Vec<(String, String)>)>,
    /// The answers can still change (not submitted).
    pub open: bool,
}

#[server(endpoint = "id-card/application/check")]
pub async fn load_check(id: String) -> Result<CheckView, AppError> {
    use crate::domain::idcard::{
        application::{RequestType, State},
        documents, fee_lines, fee_total,
    };
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard application")?;
    let record = super::tasks::server::owned(&state, &account, &id).await?;
    let open = record.state().is_some_and(State::answers_open);
    let app = super::tasks::server::application_form(&state, &account, record, true).await?;
    let answers = &app.draft.answers;
    let request = answers
        .get(field::REQUEST_TYPE)
        .and_then(|r| RequestType::parse(r))
        .unwrap_or(RequestType::New);
    let fees = super::store::fees(&state.db).await.or_unavailable()?;
    let by_post = answers.get(field::DELIVERY).is_some_and(|d| d == "post");
    let fee_lines = fee_lines(request, by_post, &fees).unwrap_or_default();
    let files = super::documents::store::documents(&state.db, &id)
        .await
        .or_unavailable()?;
    let documents = documents::required(request)
        .into_iter()
        .map(|kind| {
            let n = files.iter().filter(|f| f.kind == kind.code()).count();
            (kind, n)
        })
        .collect();
    let problem = if open {
        server::first_problem(&state, answers).await?
    } else {
        None
    };
    Ok(CheckView {
        total: fee_total(&fee_lines),
        fee_lines,
        documents,
        problem,
        open,
        app,
    })
}

#[cfg(feature = "ssr")]
mod server {
    use crate::{
        domain::{idcard::form, journey::Answers},
        error::{AppError, OrUnavailable},
        platform::state::AppState,
    };

    /// Every page checked again against today and the data: the first with a problem.
    pub async fn first_problem(
        state: &AppState,
        answers: &Answers,
    ) -> Result<Option<(String, Vec<(String, String)>)>, AppError> {
        let known = crate::features::accounts::store::known_countries(&state.db)
            .await
            .or_unavailable()?;
        let terms = crate::features::idcard::store::terms(&state.db)
            .await
            .or_unavailable()?;
        let is_country = |code: &str| code.parse::<u16>().is_ok_and(|c| known.contains(&c));
        let ctx = form::Context {
            today: crate::features::idcard::today_in_qatar(),
            passport_valid_months: terms.passport_valid_months,
            is_country: &is_country,
        };
        Ok(form::first_problem(answers, &ctx).map(|(step, p)| (step.to_string(), p)))
    }
}

/// "Submit": the declaration must be made; every answer is checked again and every document
/// must have passed; then one transaction freezes the answers, fixes the fee and moves the
/// application on (a second click finds it submitted and goes to its page).
#[server(endpoint = "id-card/application/submit")]
pub async fn submit_application(id: String, declaration: Option<String>) -> Result<(), AppError> {
    use super::{
        progress::{check_path, pay_path},
        store::{Submission, Submitted},
    };
    use crate::domain::idcard::{
        application::{RequestType, State},
        documents, fee_lines, fee_total,
    };
    use crate::platform::drafts;
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard application")?;
    let record = super::tasks::server::owned(&state, &account, &id).await?;
    let check = check_path(&id);
    if !record.state().is_some_and(State::answers_open) {
        leptos_axum::redirect(&application_path(&id));
        return Ok(());
    }
    if declaration.as_deref() != Some("yes") {
        leptos_axum::redirect(&format!("{check}?problem=declaration"));
        return Ok(());
    }
    let answers = drafts::load(
        &state.db,
        drafts::Keeper::Account(account.clone()),
        form::APPLICATION.id,
    )
    .await
    .or_unavailable()?
    .answers;
    let request = answers
        .get(field::REQUEST_TYPE)
        .and_then(|r| RequestType::parse(r));
    let (Some(request), true, None) = (
        request,
        form::form_completed(&answers),
        server::first_problem(&state, &answers).await?,
    ) else {
        leptos_axum::redirect(&format!("{check}?problem=answers"));
        return Ok(());
    };
    let fees = super::store::fees(&state.db).await.or_unavailable()?;
    let by_post = answers.get(field::DELIVERY).is_some_and(|d| d == "post");
    let fee = fee_lines(request, by_post, &fees)
        .as_deref()
        .and_then(fee_total)
        .ok_or_else(|| AppError::internal("idcard_fees lacks a line of this request"))?;
    let needed = documents::required(request);
    let submitted = super::store::submit(
        &state.db,
        &account,
        &id,
        &Submission {
            answers: &answers,
            request,
            language: crate::platform::request::language(),
            fee,
            needed: &needed,
        },
        &state.config.public_url,
        crate::platform::session::now_secs(),
    )
    .await
    .or_unavailable()?;
    let to = match submitted {
        Submitted::Done { stale_files } => {
            for key in stale_files {
                if let Err(e) = state.files.delete(&key).await {
                    tracing::warn!(error = %e, key, "a document no longer needed kept its file");
                }
            }
            tracing::info!(application = %id, "idcard application submitted");
            pay_path(&id)
        }
        Submitted::NotOpen => application_path(&id),
        Submitted::DocumentsNotReady => format!("{check}?problem=documents"),
    };
    leptos_axum::redirect(&to);
    Ok(())
}

/// `/id-card/applications/{id}/check`.
#[component]
pub fn CheckPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let problem = query.read_untracked().get("problem");
    loaded_for(id, load_check, move |view: CheckView| {
        view! { <Check view problem=problem.clone() /> }
    })
}

#[component]
fn Check(view: CheckView, problem: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let id = view.app.summary.id.clone();
    let base = application_path(&id);
    let answers = view.app.draft.answers.clone();
    let valid_until = view.app.passport_valid_until;
    // What stops the submission: the answers checked again at this load, the documents, and
    // what the last "Submit" said.
    let mut errors: Vec<(String, FieldError)> = Vec::new();
    if let Some((step, problems)) = &view.problem {
        for (_, code) in problems {
            errors.push((
                format!("{base}/{step}"),
                FieldError {
                    field_id: String::new(),
                    message: messages::problem(locale, code, valid_until),
                },
            ));
        }
    }
    let incomplete = view.open && !form::form_completed(&answers);
    if incomplete || (problem.as_deref() == Some("answers") && view.problem.is_none()) {
        errors.push((
            base.clone(),
            FieldError {
                field_id: String::new(),
                message: td_string!(locale, check.err_incomplete).to_string(),
            },
        ));
    }
    let documents_missing = view.open && view.app.documents != form::Status::Completed;
    if documents_missing || problem.as_deref() == Some("documents") {
        errors.push((
            super::documents::path(&id),
            FieldError {
                field_id: String::new(),
                message: td_string!(locale, check.err_documents).to_string(),
            },
        ));
    }
    let declaration_error = (view.open && problem.as_deref() == Some("declaration"))
        .then(|| td_string!(locale, check.err_declaration).to_string());
    let summary: Vec<FieldError> = errors
        .iter()
        .map(|(href, e)| FieldError {
            // The summary links to where each is fixed (another page, or the checkbox).
            field_id: href.clone(),
            message: e.message.clone(),
        })
        .chain(declaration_error.clone().map(|message| FieldError {
            field_id: "declaration".into(),
            message,
        }))
        .collect();
    let title = if view.open {
        td_string!(locale, check.title).to_string()
    } else {
        td_string!(locale, check.submitted_title).to_string()
    };
    let read_only = !view.open;
    let sections = answer_sections(locale, &answers, &view.app)
        .into_iter()
        .map(|(section, rows)| {
            let base = base.clone();
            view! {
                <h2>{messages::section(locale, section)}</h2>
                <CheckAnswers base rows read_only />
            }
        })
        .collect_view();
    let document_rows: Vec<CheckRow> = view
        .documents
        .iter()
        .map(|(kind, n)| {
            let files = td_string!(locale, check.files, count = *n).to_string();
            (
                "documents",
                messages::document(locale, *kind),
                files.into_any(),
            )
        })
        .collect();
    let can_submit = view.open && errors.is_empty();
    let declaration = view.open.then(|| {
        let error = declaration_error.clone();
        view! {
            <h2>{t!(i18n, check.declaration_heading)}</h2>
            <p>{t!(i18n, check.declaration_body)}</p>
            <form method="post" action=SubmitApplication::url() novalidate="">
                <input type="hidden" name="id" value=id.clone() />
                <div class="field" class:field--error=error.is_some()>
                    {error.clone().map(|e| view! { <p class="field__error" id="declaration-error">{e}</p> })}
                    <div class="checkboxes__item">
                        <input
                            class="checkboxes__input"
                            id="declaration"
                            name="declaration"
                            type="checkbox"
                            value="yes"
                            aria-invalid=error.is_some().then_some("true")
                            aria-describedby=error.is_some().then_some("declaration-error")
                        />
                        <label class="checkboxes__label" for="declaration">{t!(i18n, check.declaration)}</label>
                    </div>
                </div>
                {if can_submit {
                    view! { <Button>{t!(i18n, check.submit)}</Button> }.into_any()
                } else {
                    view! { <p>{t!(i18n, check.cannot_submit)}</p> }.into_any()
                }}
            </form>
        }
    });
    view! {
        <BackLink href=base.clone() />
        <FormHeading title errors=summary />
        <p>
            {t!(i18n, application.reference)} ": "
            <Ltr>{view.app.summary.reference.clone()}</Ltr>
        </p>
        {sections}
        <h2>{messages::section(locale, "documents")}</h2>
        <CheckAnswers base=base.clone() rows=document_rows read_only />
        <h2>{t!(i18n, check.fee_heading)}</h2>
        <FeeTable lines=view.fee_lines.clone() total=view.total />
        {declaration}
    }
}

/// The answers by task-list section, each row linking to its page.
fn answer_sections(
    locale: Locale,
    answers: &Answers,
    app: &ApplicationForm,
) -> Vec<(&'static str, Vec<CheckRow>)> {
    let a = |f: &str| answers.get(f).cloned().unwrap_or_default();
    let ltr = |v: String| view! { <Ltr>{v}</Ltr> }.into_any();
    let plain = |v: String| v.into_any();
    let date = |prefix: &str| {
        form::date(answers, prefix)
            .map(|d| crate::ui::text::long_date(locale, d))
            .unwrap_or_default()
    };
    let country = |f: &str| {
        let code = a(f);
        app.countries
            .iter()
            .find(|c| c.code.to_string() == code)
            .map(|c| c.name.clone())
            .unwrap_or(code)
    };
    let label = |f: &str| messages::field_label(locale, f);
    let choice = |choices: Vec<crate::ui::form::Choice>, value: String| {
        choices
            .into_iter()
            .find(|c| c.value == value)
            .map(|c| c.label)
            .unwrap_or(value)
    };
    let address_rows = [field::ZONE, field::STREET, field::BUILDING, field::UNIT]
        .into_iter()
        .filter(|f| !a(f).is_empty())
        .map(|f| ("address", label(f), ltr(a(f))))
        .collect();
    let mut sections: Vec<(&'static str, Vec<CheckRow>)> = vec![
        (
            "request",
            vec![(
                "request",
                td_string!(locale, application.request).to_string(),
                plain(messages::request(locale, &a(field::REQUEST_TYPE))),
            )],
        ),
        (
            "personal",
            vec![
                ("names", label(field::NAME_AR), plain(a(field::NAME_AR))),
                ("names", label(field::NAME_LATIN), ltr(a(field::NAME_LATIN))),
                (
                    "date-of-birth",
                    td_string!(locale, check.dob).to_string(),
                    plain(date("dob")),
                ),
                (
                    "nationality",
                    label(field::NATIONALITY),
                    plain(country(field::NATIONALITY)),
                ),
                (
                    "nationality",
                    label(field::SEX),
                    plain(choice(messages::sex_choices(locale), a(field::SEX))),
                ),
            ],
        ),
        (
            "passport",
            vec![
                (
                    "passport",
                    label(field::PASSPORT_NUMBER),
                    ltr(a(field::PASSPORT_NUMBER)),
                ),
                (
                    "passport",
                    label(field::PASSPORT_COUNTRY),
                    plain(country(field::PASSPORT_COUNTRY)),
                ),
                (
                    "passport",
                    label(field::PASSPORT_EXPIRY),
                    plain(date("passport_expiry")),
                ),
            ],
        ),
        (
            "residence",
            vec![
                (
                    "residence",
                    label(field::PERMIT_NUMBER),
                    ltr(a(field::PERMIT_NUMBER)),
                ),
                (
                    "residence",
                    label(field::PERMIT_EXPIRY),
                    plain(date("permit_expiry")),
                ),
            ],
        ),
        ("address", address_rows),
        (
            "employer",
            vec![
                (
                    "employer",
                    label(field::EMPLOYER_NAME),
                    plain(a(field::EMPLOYER_NAME)),
                ),
                (
                    "employer",
                    label(field::ESTABLISHMENT),
                    ltr(a(field::ESTABLISHMENT)),
                ),
            ],
        ),
    ];
    if answers
        .get(field::REQUEST_TYPE)
        .is_some_and(|r| r == "lost")
    {
        let mut rows = vec![
            ("loss", label(field::LOSS_DATE), plain(date("loss"))),
            (
                "loss",
                label(field::LOSS_PLACE),
                plain(a(field::LOSS_PLACE)),
            ),
        ];
        if !a(field::POLICE_REPORT).is_empty() {
            rows.push((
                "loss",
                label(field::POLICE_REPORT),
                ltr(a(field::POLICE_REPORT)),
            ));
        }
        sections.push(("loss", rows));
    }
    sections.push((
        "delivery",
        vec![(
            "delivery",
            messages::page_title(locale, "delivery"),
            plain(choice(
                messages::delivery_choices(locale, app.post_fee, answers),
                a(field::DELIVERY),
            )),
        )],
    ));
    sections
}

/// The fee line by line (the data's items) and its total.
#[component]
pub fn FeeTable(lines: Vec<IdCardFee>, total: Option<Money>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let rows = lines
        .into_iter()
        .map(|line| {
            let amount = line.amount;
            view! {
                <tr>
                    <th scope="row">{messages::fee_item(locale, &line.item)}</th>
                    <td class="num"><MoneyText amount /></td>
                </tr>
            }
        })
        .collect_view();
    let total = total.map(|amount| {
        view! {
            <tr class="table__total">
                <th scope="row">{t!(i18n, check.total)}</th>
                <td class="num"><strong><MoneyText amount /></strong></td>
            </tr>
        }
    });
    view! {
        <div class="table-wrap">
            <table class="table">
                <tbody>{rows}{total}</tbody>
            </table>
        </div>
    }
}
