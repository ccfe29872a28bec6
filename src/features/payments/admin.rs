//! Payments for administrators: the daily reconciliation report (with its CSV download and a
//! comparison with the gateway), a payment's full record, closing a flag, and refunds.
//!
//! Only administrators see any of it; anyone else gets "page not found", as for a payment
//! that is not theirs. Every form is a plain post that comes back with its errors.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::{
    domain::{money::Money, payment::PaymentState},
    error::AppError,
    features::errors::ServiceProblem,
    i18n::*,
    ui::{
        form::{Button, ButtonKind, ErrorSummary, FieldError, InputKind, TextField},
        text::{Ltr, LtrLong, MoneyText, SummaryRow},
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

pub const REPORT_PATH: &str = "/admin/payments";
pub const CSV_PATH: &str = "/admin/reports/payments.csv";

pub fn report_path(day: &str) -> String {
    format!("{REPORT_PATH}?day={day}")
}

pub fn payment_path(payment_id: &str) -> String {
    format!("{REPORT_PATH}/{payment_id}")
}

/// Payments started on the day in one state, by one method, in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalLine {
    pub state: PaymentState,
    pub method: Option<String>,
    pub count: i64,
    pub amount: Money,
    pub refunded: Money,
}

/// Money that moved on the day, in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyLine {
    pub received_count: i64,
    pub received: Money,
    pub refund_count: i64,
    pub refunded: Money,
    pub net: Money,
}

/// Something a person must check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagLine {
    pub id: String,
    pub payment_id: String,
    pub reference: String,
    pub kind: String,
    pub detail: String,
    pub at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub previous: String,
    pub next: String,
    /// The address asked for a day that is not one (today is shown instead).
    pub day_problem: bool,
    pub totals: Vec<TotalLine>,
    pub money: Vec<MoneyLine>,
    pub flags: Vec<FlagLine>,
}

/// One line of a payment's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventLine {
    pub at: i64,
    /// `gateway`, `poller`, `portal`, `return`, `reconciliation`, or the administrator's e-mail.
    pub by: String,
    pub from: PaymentState,
    pub to: PaymentState,
    pub amount: Option<Money>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPaymentView {
    pub id: String,
    pub reference: String,
    pub description: String,
    pub kind: String,
    pub payer: String,
    pub state: PaymentState,
    pub amount: Money,
    pub refunded: Money,
    /// What may still be refunded (zero unless paid).
    pub left: Money,
    pub method: Option<String>,
    pub brand: Option<String>,
    pub masked: Option<String>,
    pub gateway: String,
    pub gateway_ref: Option<String>,
    pub failure: Option<String>,
    pub created_at: i64,
    pub succeeded_at: Option<i64>,
    pub events: Vec<EventLine>,
    pub flags: Vec<FlagLine>,
    /// The refund form: a key per rendering (a retried post refunds once), what was typed
    /// and the problems, when the last post was refused.
    pub key: String,
    pub typed: Vec<(String, String)>,
    /// `(field, problem code)`; field `refund` for the form, `flag:{id}` for a flag's form.
    pub problems: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use crate::error::OrUnavailable;
    use crate::{
        domain::journey::Draft,
        error::AppError,
        platform::{drafts, server::AppState, session},
    };

    pub fn draft_name(payment_id: &str) -> String {
        format!("admin-payment:{payment_id}")
    }

    pub async fn load_draft(state: &AppState, payment_id: &str) -> Result<Draft, AppError> {
        match session::for_request() {
            Some(s) => drafts::load(&state.db, &s.id, &draft_name(payment_id))
                .await
                .or_unavailable(),
            None => Ok(Draft::default()),
        }
    }

    /// Keeps what was typed and the problems, and goes back to the payment's page.
    pub async fn refuse(
        state: &AppState,
        payment_id: &str,
        values: &[(&str, &str)],
        problems: Vec<(String, String)>,
    ) -> Result<(), AppError> {
        let s = session::for_request().ok_or_else(|| AppError::internal("no session"))?;
        let typed = values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        drafts::keep_refused(
            &state.db,
            &s.id,
            &draft_name(payment_id),
            &typed,
            problems,
            session::now_secs(),
        )
        .await
        .or_unavailable()?;
        leptos_axum::redirect(&super::payment_path(payment_id));
        Ok(())
    }

    pub async fn forget(state: &AppState, payment_id: &str) -> Result<(), AppError> {
        if let Some(s) = session::for_request() {
            drafts::discard(&state.db, &s.id, &draft_name(payment_id))
                .await
                .or_unavailable()?;
        }
        Ok(())
    }

    /// Today (UTC) as a date.
    pub fn today() -> crate::domain::date::Date {
        crate::domain::date::Date::from_days_since_epoch(session::now_secs().div_euclid(86_400))
    }
}

#[server(endpoint = "admin/payments/report")]
pub async fn load_report(day: Option<String>) -> Result<ReportView, AppError> {
    use super::reconciliation::{self, Day};
    use crate::domain::date::Date;
    let state = expect_context::<crate::platform::server::AppState>();
    crate::features::accounts::staff::administrator(&state).await?;
    let asked = day.as_deref().filter(|d| !d.is_empty());
    let parsed = asked.and_then(Date::parse_iso);
    let date = parsed.unwrap_or_else(server::today);
    let range = Day::of(date);
    let shift = |days: i64| Date::from_days_since_epoch(date.days_since_epoch() + days).iso();
    Ok(ReportView {
        day: date.iso(),
        previous: shift(-1),
        next: shift(1),
        day_problem: asked.is_some() && parsed.is_none(),
        totals: reconciliation::totals(&state.db, range)
            .await
            .or_unavailable()?,
        money: reconciliation::money(&state.db, range)
            .await
            .or_unavailable()?,
        flags: reconciliation::open_flags(&state.db, None)
            .await
            .or_unavailable()?,
    })
}

/// "Compare this day with the gateway": asks the gateway about the day's payments, flags
/// every difference, and comes back to the report with the counts.
#[server(endpoint = "admin/payments/sweep")]
pub async fn sweep_day(day: String) -> Result<(), AppError> {
    use super::reconciliation::{self, Day};
    let state = expect_context::<crate::platform::server::AppState>();
    crate::features::accounts::staff::administrator(&state).await?;
    let date = crate::domain::date::Date::parse_iso(&day).unwrap_or_else(server::today);
    let now = crate::platform::session::now_secs();
    let swept = reconciliation::sweep(&state.payments, &state.db, Day::of(date), now)
        .await
        .or_unavailable()?;
    leptos_axum::redirect(&format!(
        "{}&compared={}&found={}&unreachable={}",
        report_path(&date.iso()),
        swept.compared,
        swept.found,
        swept.unreachable
    ));
    Ok(())
}

/// Finds a payment by the reference on its receipt (what a payer quotes to the help desk).
#[server(endpoint = "admin/payments/find")]
pub async fn find_payment(reference: String, day: String) -> Result<(), AppError> {
    let state = expect_context::<crate::platform::server::AppState>();
    crate::features::accounts::staff::administrator(&state).await?;
    let wanted = reference.trim().to_ascii_uppercase();
    let found: Option<(String,)> = sqlx::query_as("SELECT id FROM payments WHERE reference = $1")
        .bind(&wanted)
        .fetch_optional(state.db.pool())
        .await
        .or_unavailable()?;
    match found {
        Some((id,)) => leptos_axum::redirect(&payment_path(&id)),
        None => {
            let day = crate::domain::date::Date::parse_iso(&day).unwrap_or_else(server::today);
            leptos_axum::redirect(&format!(
                "{}&unknown={}",
                report_path(&day.iso()),
                crate::ui::layout::encode_component(reference.trim())
            ))
        }
    }
    Ok(())
}

#[server(endpoint = "admin/payments/view")]
pub async fn load_admin_payment(payment_id: String) -> Result<AdminPaymentView, AppError> {
    use super::{reconciliation, store};
    let state = expect_context::<crate::platform::server::AppState>();
    crate::features::accounts::staff::administrator(&state).await?;
    let mut conn = state.db.pool().acquire().await.or_unavailable()?;
    let p = store::payment(&mut conn, &payment_id)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("payment (administration)"))?;
    let order = store::order(&mut conn, &p.order_id)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("payment (administration)"))?;
    let (payer,): (String,) = sqlx::query_as("SELECT email FROM accounts WHERE id = $1")
        .bind(&p.account_id)
        .fetch_one(&mut *conn)
        .await
        .or_unavailable()?;
    type Raw = (
        i64,
        String,
        Option<String>,
        String,
        String,
        Option<i64>,
        Option<String>,
    );
    let raw: Vec<Raw> = sqlx::query_as(
        "SELECT e.at, e.actor, a.email, e.from_state, e.to_state, e.amount_minor, e.reason \
         FROM payment_events e LEFT JOIN accounts a ON a.id = e.actor \
         WHERE e.payment_id = $1 ORDER BY e.at, e.id",
    )
    .bind(&payment_id)
    .fetch_all(&mut *conn)
    .await
    .or_unavailable()?;
    drop(conn);
    let currency = p.payment.amount.currency;
    let events = raw
        .into_iter()
        .filter_map(|(at, actor, email, from, to, minor, reason)| {
            Some(EventLine {
                at,
                by: email.unwrap_or(actor),
                from: PaymentState::parse(&from)?,
                to: PaymentState::parse(&to)?,
                amount: minor.map(|m| Money::new(m, currency)),
                reason,
            })
        })
        .collect();
    let flags = reconciliation::open_flags(&state.db, Some(&payment_id))
        .await
        .or_unavailable()?;
    let draft = server::load_draft(&state, &payment_id).await?;
    let (typed, problems) = draft
        .rejected
        .map(|r| (r.values.into_iter().collect(), r.problems))
        .unwrap_or_default();
    let refundable = matches!(
        p.state(),
        PaymentState::Succeeded | PaymentState::PartiallyRefunded
    );
    let left = if refundable {
        p.payment.amount.minor - p.payment.refunded_minor
    } else {
        0
    };
    Ok(AdminPaymentView {
        id: p.id.clone(),
        reference: p.reference.clone(),
        description: order.description_in(crate::platform::request::language()),
        kind: order.kind.clone(),
        payer,
        state: p.state(),
        amount: p.payment.amount,
        refunded: Money::new(p.payment.refunded_minor, currency),
        left: Money::new(left, currency),
        method: p.method.clone(),
        brand: p.brand.clone(),
        masked: p.masked.clone(),
        gateway: p.gateway.clone(),
        gateway_ref: p.gateway_ref.clone(),
        failure: p.failure.clone(),
        created_at: p.created_at,
        succeeded_at: p.succeeded_at,
        events,
        flags,
        key: uuid::Uuid::new_v4().to_string(),
        typed,
        problems,
    })
}

/// The refund form: validated here (amount in the payment's currency, not more than what is
/// left; a reason), then made through the gateway by the engine, which records it and tells
/// the payer in one transaction. `key` makes a repeated post refund once.
#[server(endpoint = "admin/payments/refund")]
pub async fn refund_payment(
    payment_id: String,
    key: String,
    amount: String,
    reason: String,
) -> Result<(), AppError> {
    use super::{
        engine::{self, PaymentError},
        store,
    };
    use crate::domain::{money::AmountError, payment::TransitionError};
    let state = expect_context::<crate::platform::server::AppState>();
    let admin = crate::features::accounts::staff::administrator(&state).await?;
    let p = {
        let mut conn = state.db.pool().acquire().await.or_unavailable()?;
        store::payment(&mut conn, &payment_id)
            .await
            .or_unavailable()?
            .ok_or_else(|| AppError::refused("payment (administration)"))?
    };
    let reason = crate::domain::text::clean_line(reason.trim());
    let mut problems = Vec::new();
    let parsed = Money::parse_major(&amount, p.payment.amount.currency);
    match parsed {
        Err(AmountError::Missing) => problems.push(("amount".into(), "amount_missing".into())),
        Err(AmountError::NotAnAmount) => problems.push(("amount".into(), "amount_invalid".into())),
        Err(AmountError::Zero) => problems.push(("amount".into(), "amount_zero".into())),
        Ok(m) if m.minor > p.payment.amount.minor - p.payment.refunded_minor => {
            problems.push(("amount".into(), "amount_too_large".into()))
        }
        Ok(_) => {}
    }
    if reason.is_empty() {
        problems.push(("reason".into(), "reason_missing".into()));
    } else if reason.chars().count() > 500 {
        problems.push(("reason".into(), "reason_long".into()));
    }
    let typed = [("amount", amount.as_str()), ("reason", reason.as_str())];
    let Ok(minor) = parsed.map(|m| m.minor) else {
        return server::refuse(&state, &payment_id, &typed, problems).await;
    };
    if !problems.is_empty() {
        return server::refuse(&state, &payment_id, &typed, problems).await;
    }
    let key = if key.is_empty() || key.len() > 64 {
        uuid::Uuid::new_v4().to_string()
    } else {
        key
    };
    let now = crate::platform::session::now_secs();
    let refused = |code: &str| vec![("amount".to_string(), code.to_string())];
    match engine::refund(
        &state.payments,
        &state.db,
        &payment_id,
        minor,
        &key,
        &admin,
        &reason,
        now,
    )
    .await
    {
        Ok(_) => {
            server::forget(&state, &payment_id).await?;
            leptos_axum::redirect(&format!("{}?refunded=1", payment_path(&payment_id)));
            Ok(())
        }
        Err(PaymentError::Refused(TransitionError::RefundTooLarge { .. })) => {
            server::refuse(&state, &payment_id, &typed, refused("amount_too_large")).await
        }
        Err(PaymentError::Refused(_)) => {
            server::refuse(&state, &payment_id, &typed, refused("nothing_to_refund")).await
        }
        Err(PaymentError::Gateway(e)) => {
            tracing::warn!(payment = %payment_id, error = %e, "the gateway did not make a refund");
            server::refuse(&state, &payment_id, &typed, refused("gateway")).await
        }
        Err(PaymentError::NotFound) => Err(AppError::refused("payment (administration)")),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// Closes a flag with what the administrator found or did.
#[server(endpoint = "admin/payments/resolve")]
pub async fn resolve_flag(
    payment_id: String,
    flag_id: String,
    resolution: String,
) -> Result<(), AppError> {
    use super::reconciliation;
    let state = expect_context::<crate::platform::server::AppState>();
    let admin = crate::features::accounts::staff::administrator(&state).await?;
    let resolution = crate::domain::text::clean_line(resolution.trim());
    let resolution = resolution.as_str();
    let field = format!("flag:{flag_id}");
    if resolution.is_empty() || resolution.chars().count() > 500 {
        let problem = if resolution.is_empty() {
            "resolution_missing"
        } else {
            "reason_long"
        };
        let values = [(field.as_str(), resolution)];
        let problems = vec![(field.clone(), problem.to_string())];
        return server::refuse(&state, &payment_id, &values, problems).await;
    }
    // The flag must belong to the payment whose page the form was on.
    let owned: Option<(String,)> =
        sqlx::query_as("SELECT id FROM payment_flags WHERE id = $1 AND payment_id = $2")
            .bind(&flag_id)
            .bind(&payment_id)
            .fetch_optional(state.db.pool())
            .await
            .or_unavailable()?;
    if owned.is_none() {
        return Err(AppError::refused("payment (administration)"));
    }
    let now = crate::platform::session::now_secs();
    reconciliation::resolve_flag(&state.db, &flag_id, &admin, resolution, now)
        .await
        .or_unavailable()?;
    server::forget(&state, &payment_id).await?;
    leptos_axum::redirect(&payment_path(&payment_id));
    Ok(())
}

/// `GET /admin/reports/payments.csv?day=YYYY-MM-DD`: the day's payments, for a spreadsheet.
#[cfg(feature = "ssr")]
pub async fn csv(
    axum::extract::State(state): axum::extract::State<crate::platform::server::AppState>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
    req: axum::extract::Request,
) -> Result<axum::response::Response, AppError> {
    use crate::features::accounts::{Role, staff};
    use axum::response::IntoResponse;
    let account = crate::platform::session::account_of(&req);
    staff::require(&state.db, account.as_deref(), Role::Administrator).await?;
    let Some(day) = query
        .get("day")
        .and_then(|d| crate::domain::date::Date::parse_iso(d))
    else {
        return Ok((http::StatusCode::BAD_REQUEST, "day=YYYY-MM-DD").into_response());
    };
    let body = super::reconciliation::csv(&state.db, super::reconciliation::Day::of(day))
        .await
        .or_unavailable()?;
    Ok(crate::platform::http::attachment(
        "text/csv; charset=utf-8",
        &format!("bawaba-payments-{}.csv", day.iso()),
        body,
    ))
}

fn state_name(locale: Locale, state: PaymentState) -> &'static str {
    match state {
        PaymentState::Created => td_string!(locale, admin.state_created),
        PaymentState::Pending => td_string!(locale, admin.state_pending),
        PaymentState::Succeeded => td_string!(locale, admin.state_succeeded),
        PaymentState::Failed => td_string!(locale, admin.state_failed),
        PaymentState::Cancelled => td_string!(locale, admin.state_cancelled),
        PaymentState::Expired => td_string!(locale, admin.state_expired),
        PaymentState::PartiallyRefunded => td_string!(locale, admin.state_partially_refunded),
        PaymentState::Refunded => td_string!(locale, admin.state_refunded),
    }
}

fn flag_name(locale: Locale, kind: &str) -> &'static str {
    match kind {
        "amount_mismatch" => td_string!(locale, admin.flag_amount_mismatch),
        "gateway_ref_mismatch" => td_string!(locale, admin.flag_gateway_ref_mismatch),
        "paid_after_close" => td_string!(locale, admin.flag_paid_after_close),
        "order_paid_twice" => td_string!(locale, admin.flag_order_paid_twice),
        "no_fulfilment" => td_string!(locale, admin.flag_no_fulfilment),
        "status_mismatch" => td_string!(locale, admin.flag_status_mismatch),
        "refund_mismatch" => td_string!(locale, admin.flag_refund_mismatch),
        "missing_at_gateway" => td_string!(locale, admin.flag_missing_at_gateway),
        _ => td_string!(locale, admin.flag_other),
    }
}

fn problem_text(locale: Locale, code: &str) -> String {
    match code {
        "amount_missing" => td_string!(locale, admin.err_amount_missing),
        "amount_invalid" => td_string!(locale, admin.err_amount_invalid),
        "amount_zero" => td_string!(locale, admin.err_amount_zero),
        "amount_too_large" => td_string!(locale, admin.err_amount_too_large),
        "nothing_to_refund" => td_string!(locale, admin.nothing_to_refund),
        "reason_missing" => td_string!(locale, admin.err_reason_missing),
        "reason_long" => td_string!(locale, admin.err_reason_long),
        "resolution_missing" => td_string!(locale, admin.resolution_missing),
        _ => td_string!(locale, admin.err_gateway),
    }
    .to_string()
}

/// A table that scrolls sideways on a phone, reachable by keyboard, named by its caption.
#[component]
fn ScrollTable(id: &'static str, caption: String, children: Children) -> impl IntoView {
    let labelled_by = format!("{id}-caption");
    let caption_id = labelled_by.clone();
    view! {
        <div class="table-wrap" role="region" aria-labelledby=labelled_by tabindex="0">
            <table class="table table--data" id=id>
                <caption id=caption_id>{caption}</caption>
                {children()}
            </table>
        </div>
    }
}

/// The open flags, each linking to its payment.
#[component]
fn FlagTable(flags: Vec<FlagLine>, caption: String) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let rows = flags
        .into_iter()
        .map(|f| {
            view! {
                <tr>
                    <td><a href=payment_path(&f.payment_id)><LtrLong>{f.reference}</LtrLong></a></td>
                    <td>{flag_name(locale, &f.kind)}</td>
                    <td class="table__text"><bdi dir="ltr">{f.detail}</bdi></td>
                    <td><bdi dir="ltr">{crate::domain::date::utc_time(f.at)}</bdi></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ScrollTable id="flags" caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, admin.col_reference)}</th>
                    <th scope="col">{t!(i18n, admin.col_problem)}</th>
                    <th scope="col">{t!(i18n, admin.col_detail)}</th>
                    <th scope="col">{t!(i18n, admin.col_since)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </ScrollTable>
    }
}

/// `/admin/payments?day=YYYY-MM-DD`: the reconciliation report.
#[component]
pub fn ReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let day = move || query.read_untracked().get("day");
    let report = Resource::new(day, load_report);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let locale = i18n.get_locale_untracked();
                match report.await {
                    Err(AppError::NotFound) => view! { <crate::features::errors::NotFound /> }.into_any(),
                    Err(_) => view! { <ServiceProblem /> }.into_any(),
                    Ok(r) => {
                        let q = query.read_untracked();
                        let unknown = q.get("unknown");
                        let swept = q.get("compared").map(|c| {
                            (c, q.get("found").unwrap_or_default(), q.get("unreachable").unwrap_or_default())
                        });
                        drop(q);
                        view! { <Report r unknown swept locale /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Report(
    r: ReportView,
    unknown: Option<String>,
    swept: Option<(String, String, String)>,
    locale: Locale,
) -> impl IntoView {
    let i18n = use_i18n();
    let title = td_string!(locale, admin.report_title).to_string();
    let mut errors = Vec::new();
    let day_error = r
        .day_problem
        .then(|| td_string!(locale, admin.day_invalid).to_string());
    if let Some(m) = &day_error {
        errors.push(FieldError {
            field_id: "day".into(),
            message: m.clone(),
        });
    }
    let find_error = unknown
        .as_ref()
        .map(|_| td_string!(locale, admin.reference_unknown).to_string());
    if let Some(m) = &find_error {
        errors.push(FieldError {
            field_id: "reference".into(),
            message: m.clone(),
        });
    }
    let has_totals = !r.totals.is_empty();
    let has_money = !r.money.is_empty();
    let has_flags = !r.flags.is_empty();
    let totals = r
        .totals
        .into_iter()
        .map(|l| {
            let method = match l.method.as_deref() {
                Some(_) => super::pages::method_text(locale, l.method.as_deref(), None, None),
                None => td_string!(locale, admin.method_unknown).to_string(),
            };
            view! {
                <tr>
                    <td>{state_name(locale, l.state)}</td>
                    <td>{method}</td>
                    <td class="num"><Ltr>{l.count.to_string()}</Ltr></td>
                    <td class="num"><MoneyText amount=l.amount /></td>
                    <td class="num"><MoneyText amount=l.refunded /></td>
                </tr>
            }
        })
        .collect_view();
    let money = r
        .money
        .into_iter()
        .map(|l| {
            view! {
                <tr>
                    <td><Ltr>{l.received.currency.code()}</Ltr></td>
                    <td class="num"><Ltr>{l.received_count.to_string()}</Ltr></td>
                    <td class="num"><MoneyText amount=l.received /></td>
                    <td class="num"><Ltr>{l.refund_count.to_string()}</Ltr></td>
                    <td class="num"><MoneyText amount=l.refunded /></td>
                    <td class="num"><strong><MoneyText amount=l.net /></strong></td>
                </tr>
            }
        })
        .collect_view();
    let flags_caption = td_string!(locale, admin.mismatches_heading).to_string();
    view! {
        <Title text=title.clone() />
        <ErrorSummary errors />
        <h1>{title}</h1>
        <p>{t!(i18n, admin.report_lead)}</p>
        <form method="get" action=REPORT_PATH class="inline-form">
            <TextField
                id="day"
                name="day"
                label=td_string!(locale, admin.day_label).to_string()
                value=r.day.clone()
                kind=InputKind::CODE
                error=day_error
            />
            <Button kind=ButtonKind::Secondary>{t!(i18n, admin.show)}</Button>
        </form>
        <p class="pager">
            <a href=report_path(&r.previous)>{t!(i18n, admin.previous_day)}</a>
            " · "
            <a href=report_path(&r.next)>{t!(i18n, admin.next_day)}</a>
            " · "
            <a href=format!("{CSV_PATH}?day={}", r.day) download>{t!(i18n, admin.download_csv)}</a>
        </p>
        {swept.map(|(compared, found, unreachable)| view! {
            <div class="panel panel--info" role="status">
                <p>{td_string!(locale, admin.sweep_done, compared = compared, found = found).to_string()}</p>
                {(unreachable != "0" && !unreachable.is_empty()).then(|| view! {
                    <p>{td_string!(locale, admin.sweep_unreachable, n = unreachable).to_string()}</p>
                })}
            </div>
        })}
        {if has_totals {
            view! {
                <ScrollTable id="started" caption=td_string!(locale, admin.started_heading).to_string()>
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, admin.col_state)}</th>
                            <th scope="col">{t!(i18n, admin.col_method)}</th>
                            <th scope="col" class="num">{t!(i18n, admin.col_count)}</th>
                            <th scope="col" class="num">{t!(i18n, admin.col_amount)}</th>
                            <th scope="col" class="num">{t!(i18n, admin.col_refunded)}</th>
                        </tr>
                    </thead>
                    <tbody>{totals}</tbody>
                </ScrollTable>
            }.into_any()
        } else {
            view! {
                <h2>{t!(i18n, admin.started_heading)}</h2>
                <p>{t!(i18n, admin.none_started)}</p>
            }.into_any()
        }}
        {if has_money {
            view! {
                <ScrollTable id="moved" caption=td_string!(locale, admin.money_heading).to_string()>
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, admin.col_currency)}</th>
                            <th scope="col" class="num">{t!(i18n, admin.col_count)}</th>
                            <th scope="col" class="num">{t!(i18n, admin.col_received)}</th>
                            <th scope="col" class="num">{t!(i18n, admin.col_refunds)}</th>
                            <th scope="col" class="num">{t!(i18n, admin.col_refunded)}</th>
                            <th scope="col" class="num">{t!(i18n, admin.col_net)}</th>
                        </tr>
                    </thead>
                    <tbody>{money}</tbody>
                </ScrollTable>
            }.into_any()
        } else {
            view! {
                <h2>{t!(i18n, admin.money_heading)}</h2>
                <p>{t!(i18n, admin.none_moved)}</p>
            }.into_any()
        }}
        <h2>{t!(i18n, admin.mismatches_heading)}</h2>
        <p>{t!(i18n, admin.mismatches_lead)}</p>
        {if has_flags {
            view! { <FlagTable flags=r.flags.clone() caption=flags_caption /> }.into_any()
        } else {
            view! { <p>{t!(i18n, admin.no_mismatches)}</p> }.into_any()
        }}
        <form method="post" action=SweepDay::url()>
            <input type="hidden" name="day" value=r.day.clone() />
            <p class="hint">{t!(i18n, admin.sweep_hint)}</p>
            <Button kind=ButtonKind::Secondary>{t!(i18n, admin.sweep)}</Button>
        </form>
        <h2>{t!(i18n, admin.find_heading)}</h2>
        <form method="post" action=FindPayment::url()>
            <input type="hidden" name="day" value=r.day.clone() />
            <TextField
                id="reference"
                name="reference"
                label=td_string!(locale, admin.find_label).to_string()
                hint=td_string!(locale, admin.find_hint).to_string()
                value=unknown.unwrap_or_default()
                kind=InputKind::CODE
                error=find_error
            />
            <Button kind=ButtonKind::Secondary>{t!(i18n, admin.find)}</Button>
        </form>
    }
}

/// `/admin/payments/:id`: one payment's record, its flags and the refund form.
#[component]
pub fn PaymentAdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read_untracked().get("id").unwrap_or_default();
    let payment = Resource::new(id, load_admin_payment);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let locale = i18n.get_locale_untracked();
                let refunded = query.read_untracked().get("refunded").is_some();
                match payment.await {
                    Err(AppError::NotFound) => view! { <crate::features::errors::NotFound /> }.into_any(),
                    Err(_) => view! { <ServiceProblem /> }.into_any(),
                    Ok(p) => view! { <PaymentRecord p refunded locale /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PaymentRecord(p: AdminPaymentView, refunded: bool, locale: Locale) -> impl IntoView {
    let i18n = use_i18n();
    let title = format!(
        "{} {}",
        td_string!(locale, admin.payment_title),
        p.reference
    );
    let problem = |field: &str| {
        p.problems
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, code)| problem_text(locale, code))
    };
    let typed = |field: &str| {
        p.typed
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let errors: Vec<FieldError> = p
        .problems
        .iter()
        .map(|(field, code)| FieldError {
            field_id: field.replace(':', "-"),
            message: problem_text(locale, code),
        })
        .collect();
    let method = super::pages::method_text(locale, p.method.as_deref(), p.brand.as_deref(), None);
    let row = |key: String, value: AnyView| {
        view! {
            <SummaryRow label={key}>{value}</SummaryRow>
        }
    };
    let s = |text: &str| text.to_string();
    let (reference, kind, payer) = (p.reference.clone(), p.kind.clone(), p.payer.clone());
    let masked = p.masked.clone();
    let gateway = format!(
        "{} {}",
        p.gateway,
        p.gateway_ref.clone().unwrap_or_default()
    );
    let details = vec![
        row(
            s(td_string!(locale, payments.reference)),
            view! { <LtrLong>{reference}</LtrLong> }.into_any(),
        ),
        row(
            s(td_string!(locale, payments.for_label)),
            p.description.clone().into_any(),
        ),
        row(
            s(td_string!(locale, admin.order_kind)),
            view! { <Ltr>{kind}</Ltr> }.into_any(),
        ),
        row(
            s(td_string!(locale, admin.col_state)),
            state_name(locale, p.state).into_any(),
        ),
        row(
            s(td_string!(locale, payments.amount)),
            view! { <MoneyText amount=p.amount /> }.into_any(),
        ),
        row(
            s(td_string!(locale, admin.col_refunded)),
            view! { <MoneyText amount=p.refunded /> }.into_any(),
        ),
        row(
            s(td_string!(locale, admin.payer)),
            view! { <LtrLong>{payer}</LtrLong> }.into_any(),
        ),
        row(
            s(td_string!(locale, admin.col_method)),
            view! { {method} " " {masked.map(|m| view! { <Ltr>{m}</Ltr> })} }.into_any(),
        ),
        row(
            s(td_string!(locale, admin.gateway)),
            // "sandbox" and the gateway's id (a UUID): wider than a 320 px phone.
            view! { <LtrLong>{gateway}</LtrLong> }.into_any(),
        ),
        row(
            s(td_string!(locale, admin.started_at)),
            view! { <Ltr>{crate::domain::date::utc_time(p.created_at)}</Ltr> }.into_any(),
        ),
    ];
    let paid_at = p.succeeded_at.map(|t| {
        row(
            s(td_string!(locale, payments.paid_at)),
            view! { <Ltr>{crate::domain::date::utc_time(t)}</Ltr> }.into_any(),
        )
    });
    let failure = p.failure.clone().map(|f| {
        row(
            s(td_string!(locale, admin.col_problem)),
            view! { <Ltr>{f}</Ltr> }.into_any(),
        )
    });
    let history = p
        .events
        .iter()
        .map(|e| {
            view! {
                <tr>
                    <td><bdi dir="ltr">{crate::domain::date::utc_time(e.at)}</bdi></td>
                    <td><bdi dir="ltr">{e.by.clone()}</bdi></td>
                    <td>{state_name(locale, e.from)} " → " {state_name(locale, e.to)}
                        {e.amount.map(|a| view! { " " <MoneyText amount=a /> })}
                    </td>
                    <td class="table__text">{e.reason.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let flags = p
        .flags
        .iter()
        .map(|f| {
            let field = format!("flag:{}", f.id);
            let input_id = field.replace(':', "-");
            view! {
                <li class="flag">
                    <p><strong>{flag_name(locale, &f.kind)}</strong> " — " <bdi dir="ltr">{f.detail.clone()}</bdi>
                        " (" <bdi dir="ltr">{crate::domain::date::utc_time(f.at)}</bdi> ")"</p>
                    <form method="post" action=ResolveFlag::url()>
                        <input type="hidden" name="payment_id" value=p.id.clone() />
                        <input type="hidden" name="flag_id" value=f.id.clone() />
                        <TextField
                            id=input_id
                            name="resolution"
                            label=td_string!(locale, admin.resolution_label).to_string()
                            value=typed(&field)
                            error=problem(&field)
                        />
                        <Button kind=ButtonKind::Secondary>{t!(i18n, admin.resolve)}</Button>
                    </form>
                </li>
            }
        })
        .collect_view();
    let has_flags = !p.flags.is_empty();
    let can_refund = p.left.minor > 0;
    let heading_reference = p.reference.clone();
    let back = report_path(
        &crate::domain::date::Date::from_days_since_epoch(p.created_at.div_euclid(86_400)).iso(),
    );
    view! {
        <Title text=title.clone() />
        <ErrorSummary errors />
        <h1><span>{t!(i18n, admin.payment_title)}</span> " " <LtrLong>{heading_reference}</LtrLong></h1>
        {refunded.then(|| view! {
            <div class="panel panel--success" role="status"><p>{t!(i18n, admin.refund_done)}</p></div>
        })}
        <dl class="summary-list">{details}{paid_at}{failure}</dl>
        {has_flags.then(|| view! {
            <h2>{t!(i18n, admin.flags_heading)}</h2>
            <ul class="flag-list">{flags}</ul>
        })}
        <h2 id="refund">{t!(i18n, admin.refund_heading)}</h2>
        {if can_refund {
            view! {
                <p>{t!(i18n, admin.refund_lead)}</p>
                <p>{t!(i18n, admin.refund_left)} " " <strong><MoneyText amount=p.left /></strong></p>
                <form method="post" action=RefundPayment::url()>
                    <input type="hidden" name="payment_id" value=p.id.clone() />
                    <input type="hidden" name="key" value=p.key.clone() />
                    <TextField
                        id="amount"
                        name="amount"
                        label=td_string!(locale, admin.refund_amount_label).to_string()
                        hint=td_string!(locale, admin.refund_amount_hint).to_string()
                        value=typed("amount")
                        kind=InputKind { inputmode: Some("decimal"), ..InputKind::DIGITS }
                        error=problem("amount")
                    />
                    <TextField
                        id="reason"
                        name="reason"
                        label=td_string!(locale, admin.refund_reason_label).to_string()
                        hint=td_string!(locale, admin.refund_reason_hint).to_string()
                        value=typed("reason")
                        error=problem("reason")
                    />
                    <Button>{t!(i18n, admin.refund_submit)}</Button>
                </form>
            }.into_any()
        } else {
            view! { <p>{t!(i18n, admin.nothing_to_refund)}</p> }.into_any()
        }}
        <ScrollTable id="history" caption=td_string!(locale, admin.history_heading).to_string()>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, admin.col_when)}</th>
                    <th scope="col">{t!(i18n, admin.col_who)}</th>
                    <th scope="col">{t!(i18n, admin.col_change)}</th>
                    <th scope="col">{t!(i18n, admin.col_reason)}</th>
                </tr>
            </thead>
            <tbody>{history}</tbody>
        </ScrollTable>
        <p><a href=back>{t!(i18n, admin.back_to_report)}</a></p>
    }
}
