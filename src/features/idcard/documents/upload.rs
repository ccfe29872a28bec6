//! `POST /id-card/applications/{id}/documents/{kind}`: one file for one document, as a
//! plain multipart form (with JavaScript, the same form sent with a progress bar). The body is
//! read as it arrives and refused past the data's limit, so a 50 MB body never sits in
//! memory; the file is judged by its content, processed on a blocking thread, stored, and the
//! browser goes back to the documents page, which says what the pre-check found.

use super::process::{self, Refused};
use crate::{
    domain::idcard::{application::State, documents::DocumentKind},
    features::idcard::store,
    platform::state::AppState,
};
use axum::{
    extract::{Path, Request},
    response::{IntoResponse, Response},
};
use http::{StatusCode, header};

/// Why an upload was not kept, as the documents page names it (`?refused=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadProblem {
    Missing,
    TooLarge,
    TooMany,
    File(Refused),
}

impl UploadProblem {
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::TooLarge => "too_large",
            Self::TooMany => "too_many",
            Self::File(r) => r.code(),
        }
    }
}

pub async fn upload(
    axum::extract::State(state): axum::extract::State<AppState>,
    Path((id, kind)): Path<(String, String)>,
    req: Request,
) -> Response {
    // Until the body is read, every answer closes the connection: what the client is still
    // sending is not read, so the connection cannot carry another request.
    let see = |to: String| {
        (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, to), (header::CONNECTION, "close".into())],
        )
            .into_response()
    };
    let failed = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "document upload failed");
        StatusCode::SERVICE_UNAVAILABLE.into_response()
    };
    // Not found, to anyone but the owner of a draft application that needs this document.
    let not_found = || (StatusCode::NOT_FOUND, [(header::CONNECTION, "close")]).into_response();
    let Some(account) = crate::platform::session::account_of(&req) else {
        return not_found();
    };
    let Some(kind) = DocumentKind::parse(&kind) else {
        return not_found();
    };
    let record = match store::application(&state.db, &account, &id).await {
        Ok(Some(r)) => r,
        Ok(None) => return not_found(),
        Err(e) => return failed(&e),
    };
    let page = super::path(&id);
    let refused =
        |p: UploadProblem| see(format!("{page}?refused={}&kind={}", p.code(), kind.code()));
    if !State::parse(&record.state).is_some_and(State::answers_open) {
        return see(page.clone());
    }
    let request = crate::domain::idcard::application::RequestType::parse(&record.request_type);
    if !request.is_some_and(|r| crate::domain::idcard::documents::required(r).contains(&kind)) {
        return not_found();
    }
    let (rules, limits) = match super::store::rules(&state.db).await {
        Ok(r) => r,
        Err(e) => return failed(&e),
    };
    match super::store::count(&state.db, &id, kind).await {
        Ok(n) if n >= kind.max_files() => return refused(UploadProblem::TooMany),
        Ok(_) => {}
        Err(e) => return failed(&e),
    }
    let bytes = match read_file(req, &state, limits.max_file_bytes).await {
        Ok(bytes) => bytes,
        Err(p) => return refused(p),
    };
    let max_pixels = limits.max_image_pixels;
    let processed =
        tokio::task::spawn_blocking(move || process::process(kind, bytes, &rules, max_pixels))
            .await;
    let processed = match processed {
        Ok(Ok(p)) => p,
        Ok(Err(r)) => return refused(UploadProblem::File(r)),
        Err(e) => return failed(&e),
    };
    let now = crate::platform::session::now_secs();
    match super::store::add(&state.db, &state.files, &id, kind, processed, now).await {
        Ok(Some(_)) => see(format!("{page}#{}", kind.code())),
        Ok(None) => see(page.clone()),
        Err(e) => failed(&e),
    }
}

/// The form's `file` field, refused past `max` bytes as it arrives.
async fn read_file(req: Request, state: &AppState, max: usize) -> Result<Vec<u8>, UploadProblem> {
    use crate::platform::http::{UploadError, read_upload};
    match read_upload(req, state, "file", max).await {
        Ok(Some(file)) => Ok(file.bytes),
        Ok(None) | Err(UploadError::NotAForm) => Err(UploadProblem::Missing),
        Err(UploadError::TooLarge) => Err(UploadProblem::TooLarge),
    }
}
