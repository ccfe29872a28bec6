//! `/id-card/applications/{id}/documents`: the documents the request needs, each with its
//! files and what the quality pre-check found, an upload form per document (a plain
//! multipart form; with JavaScript, the same form with a progress bar), and remove buttons.
//! Files are read back only through `file`, which checks the owner.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::{
    domain::idcard::documents::{DocumentKind, QualityProblem},
    error::AppError,
    features::idcard::{ApplicationSummary, application_path, messages},
    i18n::*,
    ui::{
        form::{BackLink, Button, ButtonKind, ErrorSummary, FieldError, PageHeading},
        problem::loaded_for,
        upload_progress::UploadProgress,
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod process;
#[cfg(feature = "ssr")]
pub mod samples;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod upload;

/// The documents page of application `id`.
pub fn path(id: &str) -> String {
    format!("{}/documents", application_path(id))
}

/// Where a document's files are posted.
pub fn upload_path(id: &str, kind: DocumentKind) -> String {
    format!("{}/{}", path(id), kind.code())
}

/// One kept file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    pub id: String,
    /// MIME type.
    pub file_type: String,
    pub bytes: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub pages: Option<i64>,
    /// `QualityProblem` codes; empty: it passed.
    pub problems: Vec<String>,
}

/// One document the request needs, with its files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    /// `DocumentKind::code`.
    pub kind: String,
    pub files: Vec<FileView>,
    pub max_files: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentsPage {
    pub summary: ApplicationSummary,
    /// Files can be added and removed (the application is not submitted).
    pub open: bool,
    pub documents: Vec<DocumentView>,
    pub max_file_bytes: u64,
}

#[server(endpoint = "id-card/application/documents")]
pub async fn load_documents(id: String) -> Result<DocumentsPage, AppError> {
    use crate::domain::idcard::{
        application::{RequestType, State},
        documents::required,
    };
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard documents")?;
    let record = super::store::application(&state.db, &account, &id)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("idcard documents"))?;
    let request = RequestType::parse(&record.request_type)
        .ok_or_else(|| AppError::internal("an application with an unknown request type"))?;
    let (_, limits) = store::rules(&state.db).await.or_unavailable()?;
    let kept = store::documents(&state.db, &id).await.or_unavailable()?;
    let documents = required(request)
        .into_iter()
        .map(|kind| DocumentView {
            kind: kind.code().to_string(),
            max_files: kind.max_files(),
            files: kept
                .iter()
                .filter(|d| d.kind == kind.code())
                .map(|d| FileView {
                    id: d.id.clone(),
                    file_type: d.file_type.clone(),
                    bytes: d.bytes,
                    width: d.width,
                    height: d.height,
                    pages: d.pages,
                    problems: d
                        .problems
                        .split(',')
                        .filter(|p| !p.is_empty())
                        .map(str::to_string)
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Ok(DocumentsPage {
        open: State::parse(&record.state).is_some_and(State::answers_open),
        summary: record.into(),
        documents,
        max_file_bytes: limits.max_file_bytes as u64,
    })
}

/// Removes one file of the application's (before submission).
#[server(endpoint = "id-card/application/documents/remove")]
pub async fn remove_document(id: String, document: String) -> Result<(), AppError> {
    use crate::domain::idcard::application::State;
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard documents")?;
    let record = super::store::application(&state.db, &account, &id)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("idcard documents"))?;
    if State::parse(&record.state).is_some_and(State::answers_open)
        && !store::remove(
            &state.db,
            &state.files,
            &id,
            &document,
            crate::platform::session::now_secs(),
        )
        .await
        .or_unavailable()?
    {
        return Err(AppError::refused("idcard document"));
    }
    leptos_axum::redirect(&path(&id));
    Ok(())
}

/// `GET /id-card/applications/{id}/documents/{kind}/{document}`: the file, to its owner only.
#[cfg(feature = "ssr")]
pub async fn file(
    axum::extract::State(state): axum::extract::State<crate::platform::state::AppState>,
    axum::extract::Path((id, _kind, document)): axum::extract::Path<(String, String, String)>,
    req: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use http::{StatusCode, header};
    let not_found = || StatusCode::NOT_FOUND.into_response();
    let Some(account) = crate::platform::session::account_of(&req) else {
        return not_found();
    };
    let found = async {
        let Some(_) = super::store::application(&state.db, &account, &id).await? else {
            return Ok(None);
        };
        let Some(doc) = store::document(&state.db, &id, &document).await? else {
            return Ok(None);
        };
        let bytes = state.files.get(&doc.storage_key).await?;
        Ok::<_, store::StoreError>(Some((doc.file_type, bytes)))
    };
    match found.await {
        Ok(Some((mime, bytes))) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
                (header::CONTENT_DISPOSITION, "inline".to_string()),
                // Shown as what it is, never run: no script, no form, even in a PDF viewer.
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; img-src 'self'; plugin-types application/pdf; sandbox"
                        .to_string(),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => not_found(),
        Err(e) => {
            tracing::error!(error = %e, "could not read a document");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// `/id-card/applications/{id}/documents`.
#[component]
pub fn DocumentsPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    loaded_for(
        id,
        load_documents,
        |page: DocumentsPage| view! { <Documents page /> },
    )
}

#[component]
fn Documents(page: DocumentsPage) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let query = use_query_map();
    let (refused, refused_kind) = query.with_untracked(|q| (q.get("refused"), q.get("kind")));
    let id = page.summary.id.clone();
    // A refusal named in the address: shown at its document's file field.
    let refusal = refused_kind
        .as_deref()
        .and_then(DocumentKind::parse)
        .zip(refused.as_deref().and_then(messages::upload_refusal_known))
        .map(|(kind, code)| {
            (
                kind,
                messages::upload_refusal(locale, code, page.max_file_bytes),
            )
        });
    let errors: Vec<FieldError> = refusal
        .iter()
        .map(|(kind, message)| FieldError {
            field_id: format!("file-{}", kind.code()),
            message: message.clone(),
        })
        .collect();
    let documents = page
        .documents
        .into_iter()
        .map(|doc| {
            let error = refusal
                .as_ref()
                .filter(|(k, _)| k.code() == doc.kind)
                .map(|(_, m)| m.clone());
            view! { <Document id=id.clone() doc open=page.open error /> }
        })
        .collect_view();
    view! {
        <BackLink href=application_path(&page.summary.id) />
        <ErrorSummary errors />
        <PageHeading title=td_string!(locale, documents.title) />
        <p>{t!(i18n, documents.lead, size = move || messages::megabytes(page.max_file_bytes))}</p>
        <UploadProgress sending=td_string!(locale, documents.progress).to_string()>{documents}</UploadProgress>
    }
}

#[component]
fn Document(id: String, doc: DocumentView, open: bool, error: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let kind = DocumentKind::parse(&doc.kind).unwrap_or(DocumentKind::Passport);
    let field = format!("file-{}", kind.code());
    let room = doc.files.len() < doc.max_files;
    let files = doc
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let view_href = format!("{}/{}/{}", path(&id), kind.code(), f.id);
            let problems: Vec<String> = f
                .problems
                .iter()
                .filter_map(|p| QualityProblem::parse(p))
                .map(|p| messages::quality(locale, p))
                .collect();
            let passed = problems.is_empty();
            let describe = messages::file_facts(locale, i + 1, f);
            let remove = open.then(|| {
                let (id, doc_id, describe) = (id.clone(), f.id.clone(), describe.clone());
                view! {
                    <form method="post" action=RemoveDocument::url() class="inline-form">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="document" value=doc_id />
                        <Button kind=ButtonKind::Secondary>
                            {t!(i18n, documents.remove)}
                            <span class="visually-hidden">" " {describe}</span>
                        </Button>
                    </form>
                }
            });
            view! {
                <li class="document__file">
                    <p>
                        <a href=view_href>{describe.clone()}</a>
                    </p>
                    {if passed {
                        view! { <p class="tag">{t!(i18n, documents.passed)}</p> }.into_any()
                    } else {
                        view! {
                            <div class="notice notice--problem">
                                <p><strong>{t!(i18n, documents.fix_heading)}</strong></p>
                                <ul class="list">
                                    {problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                                </ul>
                            </div>
                        }
                        .into_any()
                    }}
                    {remove}
                </li>
            }
        })
        .collect_view();
    let has_error = error.is_some();
    let upload = (open && room).then(|| {
        let action = upload_path(&id, kind);
        let accept = if kind == DocumentKind::Photo {
            "image/jpeg,image/png"
        } else {
            "application/pdf,image/jpeg,image/png"
        };
        view! {
            <form method="post" action=action enctype="multipart/form-data" class="upload-form">
                <div class="field" class:field--error=has_error>
                    <label class="field__label" for=field.clone()>{t!(i18n, documents.choose_file)}</label>
                    {error.clone().map(|e| view! { <p class="field__error" id=format!("{field}-error")>{e}</p> })}
                    <input
                        class="field__file"
                        type="file"
                        id=field.clone()
                        name="file"
                        accept=accept
                        aria-invalid=has_error.then_some("true")
                        aria-describedby=has_error.then(|| format!("{field}-error"))
                    />
                </div>
                <Button kind=ButtonKind::Secondary>
                    {t!(i18n, documents.upload)}
                    <span class="visually-hidden">" " {messages::document(locale, kind)}</span>
                </Button>
            </form>
        }
    });
    view! {
        <section class="document" id=kind.code() aria-labelledby=format!("{}-heading", kind.code())>
            <h2 id=format!("{}-heading", kind.code())>{messages::document(locale, kind)}</h2>
            <p class="field__hint">{messages::document_hint(locale, kind)}</p>
            <ul class="document__files">{files}</ul>
            {upload}
        </section>
    }
}
