//! `/id-card/applications/{id}/pay`: the fee fixed at submission, paid online through the
//! payments engine (one order per application, fulfilled exactly once), or promised at the
//! service centre (an officer records it there, part 3). After choosing the centre, paying
//! online stays possible until the appointment.

use super::{application_path, check::FeeTable};
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::{
    domain::{money::Money, reference::IdCardFee},
    error::AppError,
    features::idcard::ApplicationSummary,
    i18n::*,
    ui::{
        form::{BackLink, Button, Choice, FieldError, FormHeading, Radios},
        problem::loaded_for,
        text::Ltr,
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// The payment orders this service fulfils.
pub const KIND: &str = "idcard";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PayView {
    pub summary: ApplicationSummary,
    /// The fee as fixed at submission.
    pub fee: Money,
    /// Its lines, from the data, when they still add up to it.
    pub lines: Vec<IdCardFee>,
    /// Paying at the centre can still be chosen (only before either is chosen).
    pub centre_possible: bool,
    /// The submission's key for the payments engine (a double click pays once).
    pub key: String,
}

#[server(endpoint = "id-card/application/pay")]
pub async fn load_pay(id: String) -> Result<PayView, AppError> {
    use crate::domain::idcard::{
        application::{RequestType, State},
        fee_lines, fee_total,
        form::field,
    };
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard payment")?;
    let record = super::tasks::server::owned(&state, &account, &id).await?;
    let current = record.state();
    let payable = record.paid_at.is_none()
        && matches!(
            current,
            Some(State::AwaitingPayment | State::AwaitingAppointment | State::AppointmentBooked)
        );
    let Some(fee) = record.fee().filter(|_| payable) else {
        // Nothing to pay (a draft, paid, closed): the application's page says where it is.
        return Err(AppError::refused("idcard payment"));
    };
    let by_post = record
        .frozen_answers()
        .and_then(|a| a.get(field::DELIVERY).cloned())
        .is_some_and(|d| d == "post");
    let fees = super::store::fees(&state.db).await.or_unavailable()?;
    let lines = RequestType::parse(&record.request_type)
        .and_then(|r| fee_lines(r, by_post, &fees))
        .filter(|l| fee_total(l) == Some(fee))
        .unwrap_or_default();
    Ok(PayView {
        centre_possible: current == Some(State::AwaitingPayment),
        summary: record.into(),
        fee,
        lines,
        key: uuid::Uuid::new_v4().to_string(),
    })
}

/// "Continue": online → the application's order, then the gateway; at the centre → the
/// choice is recorded and the application moves on to its appointment.
#[server(endpoint = "id-card/application/pay-fee")]
pub async fn pay_fee(id: String, how: Option<String>, key: String) -> Result<(), AppError> {
    use crate::domain::idcard::application::Event;
    use crate::features::{idcard::progress::pay_path, payments::pages::server::start_payment};
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("idcard payment")?;
    let record = super::tasks::server::owned(&state, &account, &id).await?;
    let now = crate::platform::session::now_secs();
    let to = match how.as_deref() {
        Some("online") => {
            let reference = record.reference.clone();
            let description = |l: Locale| {
                td_string!(
                    l,
                    progress.order_description,
                    reference = reference.as_str()
                )
                .to_string()
            };
            let order = super::store::order_for_fee(
                &state.db,
                &account,
                &id,
                [
                    ("ar", description(Locale::ar)),
                    ("fr", description(Locale::fr)),
                    ("en", description(Locale::en)),
                ],
                now,
            )
            .await
            .or_unavailable()?;
            match order {
                Some(order) => {
                    let order = crate::features::payments::engine::ToPay::Named(&order);
                    start_payment(&state, &account, order, key).await?
                }
                None => application_path(&id),
            }
        }
        Some("centre") => {
            // Refused by the state machine once paid or chosen: the page says where it is.
            super::store::apply_for(
                &state.db,
                &account,
                &id,
                Event::ChosePayAtCentre,
                &state.config.public_url,
                now,
            )
            .await
            .or_unavailable()?;
            application_path(&id)
        }
        _ => format!("{}?problem=choose", pay_path(&id)),
    };
    leptos_axum::redirect(&to);
    Ok(())
}

/// The payment's fulfilment: in the transaction that records the successful payment, the
/// application moves on (once: a second success for the same application is refused, and
/// the engine flags it for a refund).
#[cfg(feature = "ssr")]
pub struct FulfilFee {
    /// For the link in the applicant's notification.
    pub public_url: String,
}

#[cfg(feature = "ssr")]
impl crate::features::payments::engine::Fulfil for FulfilFee {
    fn delivered_page(&self, order: crate::platform::orders::OrderRef<'_>) -> Option<String> {
        Some(application_path(order.subject))
    }

    fn fulfil<'c>(
        &'c self,
        conn: &'c mut sqlx::AnyConnection,
        order: &'c crate::features::payments::store::Order,
        _paid: crate::features::payments::engine::Paid<'c>,
        // The application's own notification is queued by its state machine (`store::apply`),
        // as for every other step it takes.
        _outgoing: &'c mut crate::platform::outbox::Outgoing,
        now: i64,
    ) -> crate::features::payments::engine::FulfilFuture<'c> {
        use crate::features::payments::engine::Fulfilled;
        Box::pin(async move {
            let paid =
                super::store::paid_online(conn, &order.id, &order.subject, &self.public_url, now)
                    .await?;
            Ok(match paid {
                Ok(_) => {
                    tracing::info!(order = %order.id, application = %order.subject, "idcard fee paid");
                    Fulfilled::Done
                }
                Err(why) => Fulfilled::Refused(why),
            })
        })
    }
}

/// `/id-card/applications/{id}/pay`.
#[component]
pub fn PayPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let problem = query.read_untracked().get("problem").is_some();
    loaded_for(
        id,
        load_pay,
        move |view: PayView| view! { <Pay view problem /> },
    )
}

#[component]
fn Pay(view: PayView, problem: bool) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let id = view.summary.id.clone();
    let title = td_string!(locale, pay.title).to_string();
    let error = problem.then(|| td_string!(locale, pay.err_choose).to_string());
    let errors: Vec<FieldError> = error
        .iter()
        .map(|message| FieldError {
            field_id: "how".into(),
            message: message.clone(),
        })
        .collect();
    let fee = view.fee;
    let mut choices = vec![
        Choice::new("online", td_string!(locale, pay.online))
            .hint(td_string!(locale, pay.online_hint)),
    ];
    if view.centre_possible {
        choices.push(
            Choice::new("centre", td_string!(locale, pay.centre))
                .hint(td_string!(locale, pay.centre_hint)),
        );
    }
    view! {
        <BackLink href=application_path(&id) />
        <FormHeading title errors />
        <p>
            {t!(i18n, application.reference)} ": "
            <Ltr>{view.summary.reference.clone()}</Ltr>
        </p>
        <FeeTable lines=view.lines.clone() total=Some(fee) />
        <form method="post" action=PayFee::url() novalidate="">
            <input type="hidden" name="id" value=id.clone() />
            <input type="hidden" name="key" value=view.key.clone() />
            <Radios
                name="how"
                legend=td_string!(locale, pay.how).to_string()
                choices
                value=String::new()
                error
            />
            <Button>{t!(i18n, common.continue_button)}</Button>
        </form>
    }
}
