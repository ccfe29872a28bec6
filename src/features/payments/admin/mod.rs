//! Payments for administrators: the daily reconciliation report (with its CSV download and a
//! comparison with the gateway), a payment's full record, closing a flag, and refunds.
//!
//! Only administrators see any of it; anyone else gets "page not found", as for a payment
//! that is not theirs. Every form is a plain post that comes back with its errors.

// What the pages below share (they `use super::*`).
use crate::domain::{money::Money, payment::PaymentState};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::i18n::*;
use crate::ui::form::PageTitle;
use crate::ui::form::{Button, ButtonKind, ErrorSummary, FieldError, InputKind, TextField};
use crate::ui::problem::ServiceProblem;
use crate::ui::text::{Ltr, LtrLong, MoneyText};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod csv;
pub mod payment;
pub mod report;

pub const REPORT_PATH: &str = "/admin/payments";
pub const CSV_PATH: &str = "/admin/reports/payments.csv";

pub fn report_path(day: &str) -> String {
    format!("{REPORT_PATH}?day={day}")
}

pub fn payment_path(payment_id: &str) -> String {
    format!("{REPORT_PATH}/{payment_id}")
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use crate::error::OrUnavailable;
    use crate::{
        domain::journey::Draft,
        error::AppError,
        platform::{drafts, session, state::AppState},
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
        "gateway" => td_string!(locale, admin.err_gateway),
        unknown => return crate::ui::form::unknown_problem(locale, unknown),
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
fn FlagTable(flags: Vec<report::FlagLine>, caption: String) -> impl IntoView {
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
