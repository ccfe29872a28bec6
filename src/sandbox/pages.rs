//! The sandbox's hosted pages, as a bank's payment page: the merchant, the amount and the
//! reference at the top, one method at a time, then a one-time code. Plain HTML forms (no
//! script at all), in the payment's language, right-to-left for Arabic, with an error summary
//! and field errors as the portal's own pages have them.

use super::{
    SandboxState,
    scenarios::{MAX_CODE_TRIES, Scenario, TEST_CODE},
    store::{self, CodeOutcome, Row, SandboxError},
    text::{Lang, W, t},
};
use crate::domain::{
    contact::Mobile,
    date::Date,
    money::{Currency, Money},
    payment_method::{
        CardNumber, CardProblem, ExpiryProblem, Rib, RibProblem, cvv_valid, parse_expiry,
    },
};
use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use std::collections::HashMap;

fn now() -> i64 {
    crate::platform::session::now_secs()
}

fn esc(s: &str) -> String {
    crate::platform::mail::escape(s)
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    lang: Option<String>,
    method: Option<String>,
}

/// Field name → message, in the order the fields appear.
type Problems = Vec<(&'static str, String)>;

struct Page<'a> {
    lang: Lang,
    row: &'a Row,
    title: &'a str,
    /// The path of this page (language links keep it).
    path: String,
    body: String,
    problems: &'a Problems,
}

fn render(page: Page<'_>) -> String {
    let Page {
        lang,
        row,
        title,
        path,
        body,
        problems,
    } = page;
    let tr = |w| t(lang, w);
    let amount = Currency::parse(&row.currency)
        .map(|c| Money::new(row.amount_minor, c).format(lang.code()))
        .unwrap_or_else(|| format!("{} {}", row.amount_minor, row.currency));
    let switch: String = [Lang::Ar, Lang::Fr, Lang::En]
        .into_iter()
        .filter(|l| *l != lang)
        .map(|l| {
            format!(
                r#"<a href="{}?lang={}" lang="{}" hreflang="{}">{}</a>"#,
                esc(&path),
                l.code(),
                l.code(),
                l.code(),
                l.name()
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let summary = if problems.is_empty() {
        String::new()
    } else {
        let items: String = problems
            .iter()
            .map(|(field, msg)| format!(r##"<li><a href="#{field}">{}</a></li>"##, esc(msg)))
            .collect();
        format!(
            r#"<div class="error-summary" role="alert" tabindex="-1" aria-labelledby="problem-title"><h2 id="problem-title">{}</h2><ul>{items}</ul></div>"#,
            tr(W::problem)
        )
    };
    let title_prefix = if problems.is_empty() {
        String::new()
    } else {
        format!("{} ", tr(W::error_prefix))
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="{code}" dir="{dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex">
<title>{title_prefix}{title} — {gateway}</title>
<link rel="stylesheet" href="{prefix}/assets/sandbox.css">
</head>
<body>
<header class="bank"><p class="bank-name">{gateway}</p><nav aria-label="{language}">{switch}</nav></header>
<main>
<p class="test-notice">{notice}</p>
<h1>{title}</h1>
{summary}
<dl class="order">
<div><dt>{merchant}</dt><dd>{merchant_name}</dd></div>
<div><dt>{purpose}</dt><dd>{description}</dd></div>
<div><dt>{amount_label}</dt><dd dir="ltr" class="amount">{amount}</dd></div>
<div><dt>{reference}</dt><dd dir="ltr">{reference_value}</dd></div>
</dl>
{body}
</main>
</body>
</html>"#,
        code = lang.code(),
        dir = lang.dir(),
        gateway = tr(W::gateway_name),
        prefix = super::PREFIX,
        language = tr(W::language),
        notice = tr(W::test_notice),
        merchant = tr(W::merchant),
        merchant_name = tr(W::merchant_name),
        purpose = tr(W::purpose),
        description = esc(&row.description),
        amount_label = tr(W::amount),
        reference = tr(W::reference),
        reference_value = esc(&row.reference),
    )
}

/// One labelled input with its hint and error, wired for screen readers.
fn field(
    name: &str,
    label: &str,
    hint: Option<&str>,
    value: &str,
    attrs: &str,
    problems: &Problems,
    lang: Lang,
) -> String {
    let error = problems.iter().find(|(f, _)| *f == name).map(|(_, m)| m);
    let mut described = Vec::new();
    let hint_html = hint
        .map(|h| {
            described.push(format!("{name}-hint"));
            format!(r#"<p class="hint" id="{name}-hint">{}</p>"#, esc(h))
        })
        .unwrap_or_default();
    let error_html = error
        .map(|m| {
            described.push(format!("{name}-error"));
            format!(
                r#"<p class="field-error" id="{name}-error"><span class="visually-hidden">{}</span> {}</p>"#,
                t(lang, W::error_prefix),
                esc(m)
            )
        })
        .unwrap_or_default();
    let aria = if described.is_empty() {
        String::new()
    } else {
        format!(r#" aria-describedby="{}""#, described.join(" "))
    };
    let invalid = if error.is_some() {
        r#" aria-invalid="true""#
    } else {
        ""
    };
    format!(
        r#"<div class="field{}"><label for="{name}">{}</label>{hint_html}{error_html}<input id="{name}" name="{name}" value="{}" {attrs}{aria}{invalid}></div>"#,
        if error.is_some() { " has-error" } else { "" },
        esc(label),
        esc(value),
    )
}

fn lang_of(q: &PageQuery, row: &Row) -> Lang {
    Lang::parse(q.lang.as_deref().unwrap_or(&row.language))
}

fn cancel_form(row: &Row, lang: Lang) -> String {
    format!(
        r#"<form method="post" action="{}/pay/{}/cancel?lang={}" class="cancel"><button type="submit" class="secondary">{}</button></form>"#,
        super::PREFIX,
        row.id,
        lang.code(),
        t(lang, W::cancel)
    )
}

/// A finished or expired payment: nothing to do here but go back.
fn finished_page(row: &Row, lang: Lang) -> Response {
    let title = if row.status == "expired" {
        t(lang, W::expired_title)
    } else {
        t(lang, W::finished_title)
    };
    let body = format!(
        r#"<p>{}</p><p><a class="button" href="{}">{}</a></p>"#,
        t(lang, W::finished_body),
        esc(&row.return_url),
        t(lang, W::back_to_merchant)
    );
    respond(Page {
        lang,
        row,
        title,
        path: format!("{}/pay/{}", super::PREFIX, row.id),
        body,
        problems: &Vec::new(),
    })
}

/// A page answers 422 while it shows problems, so that a script can tell a refusal from a page.
fn respond(page: Page<'_>) -> Response {
    let status = if page.problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, Html(render(page))).into_response()
}

/// The payment `id` and the page's language, or the page that says why there is none.
async fn load(s: &SandboxState, id: &str, q: &PageQuery) -> Result<(Row, Lang), Response> {
    let row = store::get(&s.db, id, now()).await.map_err(failure)?;
    let lang = lang_of(q, &row);
    Ok((row, lang))
}

fn not_found() -> Response {
    let lang = Lang::En;
    (
        StatusCode::NOT_FOUND,
        Html(format!(
            r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{}</title><link rel="stylesheet" href="{}/assets/sandbox.css"></head><body><main><h1>{}</h1></main></body></html>"#,
            t(lang, W::not_found),
            super::PREFIX,
            t(lang, W::not_found)
        )),
    )
        .into_response()
}

fn failure(e: SandboxError) -> Response {
    match e {
        SandboxError::NotFound => not_found(),
        other => {
            tracing::error!(error = %other, "sandbox page failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// The method forms. `method` is `card`, `wallet` or `account`.
fn method_page(
    row: &Row,
    lang: Lang,
    method: &str,
    values: &HashMap<String, String>,
    problems: &Problems,
) -> Response {
    let tr = |w| t(lang, w);
    let v = |k: &str| values.get(k).map(String::as_str).unwrap_or_default();
    let tabs: String = [
        ("card", W::card),
        ("wallet", W::wallet),
        ("account", W::account),
    ]
    .into_iter()
    .map(|(m, w)| {
        let current = if m == method {
            r#" aria-current="page""#
        } else {
            ""
        };
        format!(
            r#"<li><a href="{}/pay/{}?method={m}&amp;lang={}"{current}>{}</a></li>"#,
            super::PREFIX,
            row.id,
            lang.code(),
            tr(w)
        )
    })
    .collect();
    let fields = match method {
        "wallet" => field(
            "mobile",
            tr(W::mobile),
            Some(tr(W::mobile_hint)),
            v("mobile"),
            r#"type="tel" autocomplete="tel" dir="ltr" required"#,
            problems,
            lang,
        ),
        "account" => field(
            "rib",
            tr(W::rib),
            Some(tr(W::rib_hint)),
            v("rib"),
            r#"inputmode="numeric" autocomplete="off" dir="ltr" spellcheck="false" required"#,
            problems,
            lang,
        ),
        _ => [
            field(
                "number",
                tr(W::card_number),
                Some(tr(W::card_hint)),
                v("number"),
                r#"inputmode="numeric" autocomplete="cc-number" dir="ltr" spellcheck="false" required"#,
                problems,
                lang,
            ),
            field(
                "expiry",
                tr(W::expiry),
                Some(tr(W::expiry_hint)),
                v("expiry"),
                r#"inputmode="numeric" autocomplete="cc-exp" dir="ltr" class="short" required"#,
                problems,
                lang,
            ),
            // The security code is never put back into a page, even after an error elsewhere.
            field(
                "cvv",
                tr(W::cvv),
                Some(tr(W::cvv_hint)),
                "",
                r#"inputmode="numeric" autocomplete="cc-csc" dir="ltr" class="short" required"#,
                problems,
                lang,
            ),
            field(
                "holder",
                tr(W::holder),
                None,
                v("holder"),
                r#"autocomplete="cc-name" dir="ltr" spellcheck="false" required"#,
                problems,
                lang,
            ),
        ]
        .concat(),
    };
    let method = match method {
        "wallet" | "account" => method,
        _ => "card",
    };
    let body = format!(
        r#"<nav aria-label="{}"><ul class="methods">{tabs}</ul></nav>
<form method="post" action="{}/pay/{}/{method}?lang={}" novalidate>{fields}<button type="submit">{}</button></form>
{}"#,
        tr(W::choose_method),
        super::PREFIX,
        row.id,
        lang.code(),
        tr(W::continue_),
        cancel_form(row, lang)
    );
    respond(Page {
        lang,
        row,
        title: tr(W::pay_title),
        path: format!("{}/pay/{}", super::PREFIX, row.id),
        body,
        problems,
    })
}

pub async fn show(
    State(s): State<SandboxState>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let (row, lang) = match load(&s, &id, &q).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    if !row.is_open() {
        return finished_page(&row, lang);
    }
    method_page(
        &row,
        lang,
        q.method.as_deref().unwrap_or("card"),
        &HashMap::new(),
        &Vec::new(),
    )
}

/// Checks what was typed for `method`; on success returns (brand, masked, scenario).
fn check(
    method: &str,
    form: &HashMap<String, String>,
    lang: Lang,
) -> Result<(Option<String>, String, Scenario), Problems> {
    let tr = |w| t(lang, w).to_string();
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let mut problems = Problems::new();
    match method {
        "wallet" => match Mobile::parse(get("mobile")) {
            Ok(m) => {
                let e164 = m.as_str().to_string();
                let masked = format!("•••• {}", &e164[e164.len() - 4..]);
                return Ok((None, masked, Scenario::for_wallet(&e164)));
            }
            Err(_) => problems.push(("mobile", tr(W::e_mobile))),
        },
        "account" => match Rib::parse(get("rib")) {
            Ok(rib) => {
                return Ok((None, rib.masked(), Scenario::for_account(rib.digits())));
            }
            Err(RibProblem::Missing) => problems.push(("rib", tr(W::e_rib_missing))),
            Err(RibProblem::WrongLength) => problems.push(("rib", tr(W::e_rib_length))),
            Err(RibProblem::WrongKey) => problems.push(("rib", tr(W::e_rib_key))),
        },
        _ => {
            let card = CardNumber::parse(get("number"));
            if let Err(p) = &card {
                problems.push((
                    "number",
                    tr(match p {
                        CardProblem::Missing => W::e_card_missing,
                        CardProblem::NotDigits => W::e_card_digits,
                        CardProblem::UnknownBrand => W::e_card_brand,
                        CardProblem::WrongLength => W::e_card_length,
                        CardProblem::Typo => W::e_card_typo,
                    }),
                ));
            }
            let today = Date::from_days_since_epoch(now().div_euclid(86_400));
            if let Err(p) = parse_expiry(get("expiry"), today.year, today.month) {
                problems.push((
                    "expiry",
                    tr(match p {
                        ExpiryProblem::Missing => W::e_expiry_missing,
                        ExpiryProblem::Invalid => W::e_expiry_invalid,
                        ExpiryProblem::Expired => W::e_expiry_past,
                    }),
                ));
            }
            if !cvv_valid(get("cvv")) {
                problems.push(("cvv", tr(W::e_cvv)));
            }
            if get("holder").trim().chars().count() < 2 {
                problems.push(("holder", tr(W::e_holder)));
            }
            if let (Ok(card), true) = (card, problems.is_empty()) {
                return Ok((
                    Some(card.brand().code().to_string()),
                    card.masked(),
                    Scenario::for_card(card.digits()),
                ));
            }
        }
    }
    Err(problems)
}

pub async fn submit_method(
    State(s): State<SandboxState>,
    Path((id, method)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let method = match method.as_str() {
        "card" | "wallet" | "account" => method,
        _ => return not_found(),
    };
    // The form's action carries its page's language: details valid in it move the payment on
    // in one statement, and the payment is read only for a page shown here (a mistake in the
    // details, a payment no longer open, a form posted without its language): one read fewer
    // a payment (issue 23).
    if let Some(lang) = q.lang.as_deref().map(Lang::parse)
        && let Ok(details) = check(&method, &form, lang)
    {
        match choose(&s, &id, &method, details, lang).await {
            Err(SandboxError::NotOpen) => {}
            done => return done.unwrap_or_else(failure),
        }
    }
    let (row, lang) = match load(&s, &id, &q).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    if !row.is_open() {
        return finished_page(&row, lang);
    }
    match check(&method, &form, lang) {
        Err(problems) => method_page(&row, lang, &method, &form, &problems),
        Ok(details) => match choose(&s, &id, &method, details, lang).await {
            Err(SandboxError::NotOpen) => finished_page(&row, lang),
            done => done.unwrap_or_else(failure),
        },
    }
}

/// Records the chosen method and its checked details, and leads to the code step; `NotOpen`
/// when the payment no longer takes them.
async fn choose(
    s: &SandboxState,
    id: &str,
    method: &str,
    (brand, masked, scenario): (Option<String>, String, Scenario),
    lang: Lang,
) -> Result<Response, SandboxError> {
    store::choose_method(
        &s.db,
        id,
        method,
        brand.as_deref(),
        &masked,
        scenario,
        now(),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "{}/pay/{id}/code?lang={}",
        super::PREFIX,
        lang.code()
    ))
    .into_response())
}

fn code_page(row: &Row, lang: Lang, problems: &Problems) -> Response {
    let tr = |w| t(lang, w);
    let body = format!(
        r#"<p>{}</p>
<form method="post" action="{}/pay/{}/code?lang={}" novalidate>{}<button type="submit">{}</button></form>
{}"#,
        tr(W::code_sent),
        super::PREFIX,
        row.id,
        lang.code(),
        field(
            "code",
            tr(W::code_label),
            None,
            "",
            r#"inputmode="numeric" autocomplete="one-time-code" dir="ltr" class="short" required"#,
            problems,
            lang,
        ),
        tr(W::confirm),
        cancel_form(row, lang)
    );
    respond(Page {
        lang,
        row,
        title: tr(W::code_title),
        path: format!("{}/pay/{}/code", super::PREFIX, row.id),
        body,
        problems,
    })
}

pub async fn show_code(
    State(s): State<SandboxState>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let (row, lang) = match load(&s, &id, &q).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    match row.status.as_str() {
        "awaiting_code" => code_page(&row, lang, &Vec::new()),
        "open" => Redirect::to(&format!("{}/pay/{id}?lang={}", super::PREFIX, lang.code()))
            .into_response(),
        _ => finished_page(&row, lang),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn submit_code(
    State(s): State<SandboxState>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    Form(form): Form<CodeForm>,
) -> Response {
    let code = crate::domain::digits::normalise_digits(&form.code);
    // The right code for a payment that pays moves it without reading it first; anything else
    // (a wrong code, a refusing scenario, a payment no longer awaiting one) is decided on the
    // payment read here.
    if code.trim() == TEST_CODE {
        match store::pay_with_code(&s.db, &id, now()).await {
            Ok(Some(paid)) => return Redirect::to(&paid.return_url).into_response(),
            Ok(None) => {}
            Err(e) => return failure(e),
        }
    }
    let (row, lang) = match load(&s, &id, &q).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    match store::submit_code(&s.db, &row, &code, now()).await {
        Ok(CodeOutcome::Finished) => Redirect::to(&row.return_url).into_response(),
        Ok(CodeOutcome::WrongCode { tries_left }) => {
            let msg = format!(
                "{} ({} {tries_left}/{MAX_CODE_TRIES})",
                t(lang, W::e_code),
                t(lang, W::e_code_left)
            );
            let row = store::get(&s.db, &id, now()).await.unwrap_or(row);
            code_page(&row, lang, &vec![("code", msg)])
        }
        Err(SandboxError::NotOpen) => finished_page(&row, lang),
        Err(e) => failure(e),
    }
}

pub async fn cancel(
    State(s): State<SandboxState>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    match store::cancel(&s.db, &id, now()).await {
        // Back to the merchant, who asks us how it ended.
        Ok(row) if row.status == "cancelled" => Redirect::to(&row.return_url).into_response(),
        Ok(row) => {
            let lang = lang_of(&q, &row);
            finished_page(&row, lang)
        }
        Err(e) => failure(e),
    }
}
