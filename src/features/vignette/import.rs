//! `/vehicles/import`: a fleet owner adds many vehicles from one CSV file (the template is
//! downloadable). Each row is checked exactly as the vehicle form is checked; the rows that
//! hold are added together in one transaction, the others are listed with their reasons. A
//! file that cannot be read as the template (not text, too large, wrong columns, too many
//! rows) adds nothing and says why.
//!
//! The upload is a plain `multipart/form-data` POST to an axum handler (it works the same with
//! and without JavaScript); the report is kept in the database and shown by its own page, so a
//! reload does not import twice.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageTitle;
use crate::{
    error::AppError,
    i18n::*,
    ui::{
        form::{BackLink, Button},
        text::{Ltr, LtrLong},
    },
};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/vehicles/import";
pub const UPLOAD_PATH: &str = "/vehicles/import/upload";
pub const TEMPLATE_PATH: &str = "/vehicles/import/template.csv";

pub fn report_path(id: &str) -> String {
    format!("{PATH}/report/{id}")
}

/// The largest file accepted, and the most rows: a fleet larger than that imports in parts.
pub const MAX_BYTES: usize = 512 * 1024;
pub const MAX_ROWS: usize = 2000;

/// The template's columns, in its order. The first five and the year are required in every
/// file; the measure columns are filled for the categories that need them.
pub const COLUMNS: [&str; 10] = [
    "plate",
    "vin",
    "category",
    "fuel",
    "first_year",
    "first_registration_date",
    "fiscal_hp",
    "gross_weight_t",
    "seats",
    "status",
];

/// One row's outcome: its line number in the file, the plate as typed, and either nothing
/// (added) or the problems (field, code).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowReport {
    pub line: usize,
    pub plate: String,
    pub problems: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    pub file_name: String,
    pub rows: Vec<RowReport>,
}

impl ImportReport {
    pub fn added(&self) -> usize {
        self.rows.iter().filter(|r| r.problems.is_empty()).count()
    }
}

/// Why a whole file was refused (nothing added).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileProblem {
    Missing,
    TooLarge,
    NotText,
    Columns,
    Empty,
    TooManyRows,
}

impl FileProblem {
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::TooLarge => "too_large",
            Self::NotText => "not_text",
            Self::Columns => "columns",
            Self::Empty => "empty",
            Self::TooManyRows => "too_many_rows",
        }
    }
}

/// A row of the file: its line number (the header is line 1) and its answers by form field.
pub type Row = (usize, std::collections::BTreeMap<String, String>);

/// The file's rows as form answers, or why the file is not one. Pure: the CSV text in, no I/O.
#[cfg(feature = "ssr")]
pub fn rows_of(bytes: &[u8]) -> Result<Vec<Row>, FileProblem> {
    use crate::domain::vehicle::field;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // A spreadsheet saves text; a photo or a workbook (NUL bytes, not UTF-8) is not one.
    if bytes.contains(&0) || std::str::from_utf8(bytes).is_err() {
        return Err(FileProblem::NotText);
    }
    // Spreadsheets in French and Arabic settings separate with semicolons.
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if first_line.contains(&b';') && !first_line.contains(&b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| FileProblem::Columns)?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let position = |name: &str| headers.iter().position(|h| h == name);
    if COLUMNS[..5].iter().any(|c| position(c).is_none()) {
        return Err(FileProblem::Columns);
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|_| FileProblem::NotText)?;
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(FileProblem::TooManyRows);
        }
        let cell = |name: &str| {
            position(name)
                .and_then(|p| record.get(p))
                .unwrap_or_default()
                .to_string()
        };
        let mut answers: std::collections::BTreeMap<String, String> = [
            (field::PLATE, cell("plate")),
            (field::VIN, cell("vin")),
            (field::CATEGORY, cell("category")),
            (field::FUEL, cell("fuel").to_lowercase()),
            (field::YEAR, cell("first_year")),
            (field::HP, cell("fiscal_hp")),
            (field::WEIGHT, cell("gross_weight_t")),
            (field::SEATS, cell("seats")),
            (field::STATUS, cell("status").to_lowercase()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        // The day of first registration as YYYY-MM-DD or DD/MM/YYYY; its year must be the
        // declared one (checked by the form's rules through day and month).
        let date = cell("first_registration_date");
        if !date.is_empty() {
            let parsed = crate::domain::date::Date::parse_iso(&date).or_else(|| {
                let mut p = date.split('/');
                let (d, m, y) = (p.next()?, p.next()?, p.next()?);
                crate::domain::date::Date::parse(d, m, y).ok()
            });
            match parsed {
                Some(d) if d.year.to_string() == answers[field::YEAR].trim() => {
                    answers.insert(field::REG_DAY.into(), d.day.to_string());
                    answers.insert(field::REG_MONTH.into(), d.month.to_string());
                }
                // A date that is not one, or of another year: the form's "not a real date".
                _ => {
                    answers.insert(field::REG_DAY.into(), "0".into());
                    answers.insert(field::REG_MONTH.into(), "0".into());
                }
            }
        }
        // Line numbers as a spreadsheet shows them: the header is line 1.
        rows.push((i + 2, answers));
    }
    if rows.is_empty() {
        return Err(FileProblem::Empty);
    }
    Ok(rows)
}

/// `GET /vehicles/import/template.csv`: the columns and two example rows (a car and a van).
#[cfg(feature = "ssr")]
pub async fn template() -> axum::response::Response {
    let body = format!(
        "\u{FEFF}{}\r\n12345 119 16,VF1RFB00X56123456,1,diesel,2019,,6,,,\r\n\
         4567 322 31,WDB9066331S123456,3,diesel,2022,2022-03-14,,3.5,,\r\n",
        COLUMNS.join(",")
    );
    crate::platform::http::attachment(
        "text/csv; charset=utf-8",
        "bawaba-vehicles-template.csv",
        body,
    )
}

/// `POST /vehicles/import/upload`: reads the file (counting bytes: multipart bodies are not
/// limited by the default body limit), checks and adds the rows, keeps the report, and sends
/// the browser to it. A file refused as a whole goes back to the import page with the reason.
#[cfg(feature = "ssr")]
pub async fn upload(
    axum::extract::State(state): axum::extract::State<crate::platform::state::AppState>,
    req: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use http::{StatusCode, header};
    let found = |to: String| (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
    let refused = |p: FileProblem| found(format!("{PATH}?problem={}", p.code()));
    let Some(account) = crate::platform::session::account_of(&req) else {
        return found(crate::features::accounts::sign_in::PATH.to_string());
    };
    let failed = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "vehicle import failed");
        StatusCode::SERVICE_UNAVAILABLE.into_response()
    };
    if !crate::platform::session::of(&req).is_some_and(|s| s.address_confirmed()) {
        return found(crate::features::accounts::verify::PATH.to_string());
    }
    use crate::platform::http::{UploadError, read_upload};
    let file = match read_upload(req, &state, "file", MAX_BYTES).await {
        Ok(file) => file.filter(|f| !f.bytes.is_empty()),
        Err(UploadError::NotAForm) => None,
        Err(UploadError::TooLarge) => return refused(FileProblem::TooLarge),
    };
    let Some(file) = file else {
        return refused(FileProblem::Missing);
    };
    let name = crate::domain::text::clean_line(file.file_name.as_deref().unwrap_or("vehicles.csv"));
    let file_name = crate::domain::text::cut(name.trim(), 120).to_string();
    let bytes = file.bytes;
    let rows = match rows_of(&bytes) {
        Ok(rows) => rows,
        Err(p) => return refused(p),
    };
    let data = match super::form::load_tariff_data(&state).await {
        Ok(d) => d,
        Err(e) => return failed(&e),
    };
    let now = crate::platform::session::now_secs();
    match super::store::import_vehicles(&state.db, &account, &file_name, rows, &data, now).await {
        Ok(id) => found(report_path(&id)),
        Err(e) => failed(&e),
    }
}

#[server(endpoint = "vehicles/import/report")]
pub async fn load_report(id: String) -> Result<ImportReport, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("vehicle import")?;
    super::store::import_report(&state.db, &account, &id)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("import report"))
}

/// `/vehicles/import`: the columns, the template, the file.
#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let locale = i18n.get_locale_untracked();
    let problem = query.read_untracked().get("problem");
    let message = problem.as_deref().map(|p| {
        match p {
            "too_large" => td_string!(locale, vehicle_import.problem_too_large),
            "not_text" => td_string!(locale, vehicle_import.problem_not_text),
            "columns" => td_string!(locale, vehicle_import.problem_columns),
            "empty" => td_string!(locale, vehicle_import.problem_empty),
            "too_many_rows" => td_string!(locale, vehicle_import.problem_too_many_rows),
            "missing" => td_string!(locale, vehicle_import.problem_missing),
            // The code is read from the address: anything else is not ours.
            _ => td_string!(locale, common.problem_generic),
        }
        .to_string()
    });
    let title = td_string!(locale, vehicle_import.title).to_string();
    let page_title = crate::ui::form::page_title(locale, &title, message.is_some());
    let has_error = message.is_some();
    view! {
        <PageTitle text=page_title />
        <BackLink href=super::vehicles::PATH />
        <h1>{title}</h1>
        <p class="lead">{t!(i18n, vehicle_import.lead)}</p>
        {message.clone().map(|m| view! {
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
                <h2 id="error-summary-title" class="error-summary__title">{t!(i18n, common.error_summary_title)}</h2>
                <ul class="error-summary__list"><li><a href="#file">{m}</a></li></ul>
            </div>
        })}
        <h2>{t!(i18n, vehicle_import.columns_heading)}</h2>
        <p>{t!(i18n, vehicle_import.columns_lead)}</p>
        <ul class="list">
            {COLUMNS.iter().map(|c| view! { <li><Ltr>{*c}</Ltr></li> }).collect_view()}
        </ul>
        <p>{t!(i18n, vehicle_import.values_hint)}</p>
        <p><a href=TEMPLATE_PATH download="">{t!(i18n, vehicle_import.template_link)}</a></p>
        <form method="post" action=UPLOAD_PATH enctype="multipart/form-data">
            <div class="field" class:field--error=has_error>
                <label class="field__label" for="file">{t!(i18n, vehicle_import.file_label)}</label>
                <p class="field__hint" id="file-hint">{t!(i18n, vehicle_import.file_hint)}</p>
                {message.map(|m| view! { <p class="field__error" id="file-error">{m}</p> })}
                <input
                    class="field__file"
                    type="file"
                    id="file"
                    name="file"
                    accept=".csv,text/csv"
                    aria-describedby=if has_error { "file-hint file-error" } else { "file-hint" }
                    aria-invalid=has_error.then_some("true")
                />
            </div>
            <Button>{t!(i18n, vehicle_import.submit)}</Button>
        </form>
    }
}

/// `/vehicles/import/report/:id`: what was added and what was refused, row by row.
#[component]
pub fn ReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let locale = i18n.get_locale_untracked();
    crate::ui::problem::loaded_for(id, load_report, move |report| {
        let text = super::form::FormText::build(locale);
        let added = report.added();
        let refused = report.rows.len() - added;
        let title = td_string!(locale, vehicle_import.report_title).to_string();
        let rows = report
            .rows
            .into_iter()
            .map(|r| {
                let outcome = if r.problems.is_empty() {
                    view! { <strong>{td_string!(locale, vehicle_import.row_added)}</strong> }.into_any()
                } else {
                    view! {
                        <ul class="list">
                            {r.problems.iter().map(|(_, code)| view! { <li>{text.get(&format!("err_{code}"))}</li> }).collect_view()}
                        </ul>
                    }
                    .into_any()
                };
                view! {
                    <tr>
                        <td class="num">{r.line}</td>
                        <td><Ltr>{r.plate}</Ltr></td>
                        <td>{outcome}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <PageTitle text=title.clone() />
            <BackLink href=super::vehicles::PATH />
            <h1>{title}</h1>
            <p class="lead">
                <LtrLong>{report.file_name}</LtrLong> ": "
                {t!(i18n, vehicle_import.summary, added = move || added, refused = move || refused)}
            </p>
            <div class="table-wrap" role="region" aria-labelledby="rows-caption" tabindex="0">
                <table class="table table--data">
                    <caption id="rows-caption">{t!(i18n, vehicle_import.rows_caption)}</caption>
                    <thead>
                        <tr>
                            <th scope="col" class="num">{t!(i18n, vehicle_import.col_line)}</th>
                            <th scope="col">{t!(i18n, vehicle_import.col_plate)}</th>
                            <th scope="col">{t!(i18n, vehicle_import.col_result)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p><a href=super::vehicles::PATH>{t!(i18n, vehicle_import.to_vehicles)}</a></p>
            <p><a href=PATH>{t!(i18n, vehicle_import.another)}</a></p>
        }
        .into_any()
    })
}
