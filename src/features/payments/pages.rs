//! The portal's payment pages: the order with its "Pay" button, and the payment's own page
//! (receipt once paid; otherwise what happened and how to try again). The method is chosen on
//! the gateway's page. The "Pay" form is a plain form post with or without JavaScript: it leads
//! to another site's page, so there is nothing for the browser to do in place.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageTitle;
use crate::{
    domain::{money::Money, payment::PaymentState},
    error::AppError,
    i18n::*,
    ui::problem::ServiceProblem,
    ui::{
        form::{Button, ButtonKind},
        text::{Ltr, LtrLong, MoneyText, SummaryRow},
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

pub fn order_path(order_id: &str) -> String {
    format!("/payments/order/{order_id}")
}

pub fn payment_path(payment_id: &str) -> String {
    format!("/payments/{payment_id}")
}

/// "Bank card Visa •••• 1111", "E-payment app •••• 0001", in `locale`.
pub fn method_text(
    locale: Locale,
    method: Option<&str>,
    brand: Option<&str>,
    masked: Option<&str>,
) -> String {
    let name = match method {
        Some("card") => format!(
            "{} {}",
            td_string!(locale, payments.method_card),
            brand
                .and_then(crate::domain::payment_method::CardBrand::parse)
                .map(|b| b.name())
                .unwrap_or_default()
        ),
        Some("wallet") => td_string!(locale, payments.method_wallet).to_string(),
        Some("account") => td_string!(locale, payments.method_account).to_string(),
        _ => String::new(),
    };
    match masked {
        Some(m) => format!("{} {m}", name.trim_end()),
        None => name.trim_end().to_string(),
    }
}

/// An order as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub id: String,
    pub description: String,
    pub amount: Money,
    /// The payment that paid it, if one did.
    pub paid_by: Option<String>,
    /// A payment still open at the gateway (the Pay button then continues it).
    pub in_progress: bool,
    /// A fresh key for this rendering of the form: pressing Pay twice sends it twice.
    pub key: String,
}

/// A payment as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    pub id: String,
    pub reference: String,
    pub order_id: String,
    pub description: String,
    pub amount: Money,
    pub state: PaymentState,
    pub failure: Option<String>,
    pub method: Option<String>,
    pub brand: Option<String>,
    pub masked: Option<String>,
    /// Unix seconds.
    pub paid_at: Option<i64>,
    pub refunded: Option<Money>,
    /// For "Try again": a fresh key.
    pub key: String,
    pub email: String,
    /// The page of what the order bought (the vignette), for kinds that have one.
    pub delivered: Option<String>,
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::*;
    use crate::error::OrUnavailable;
    use crate::{
        features::payments::{engine, store},
        platform::state::AppState,
    };

    pub fn not_found(e: engine::PaymentError) -> AppError {
        match e {
            engine::PaymentError::NotFound => AppError::refused("payment"),
            other => AppError::internal(other),
        }
    }

    pub async fn order_view(state: &AppState, order_id: &str) -> Result<OrderView, AppError> {
        let account = crate::platform::request::owner("payment")?;
        let order = engine::owned_order(&state.db, &account, order_id)
            .await
            .map_err(not_found)?;
        let paid_by = store::paid_payment(state.db.pool(), order_id)
            .await
            .or_unavailable()?
            .map(|p| p.id);
        let in_progress = store::live_payment(state.db.pool(), order_id)
            .await
            .or_unavailable()?
            .is_some();
        Ok(OrderView {
            id: order.id.clone(),
            description: order.description_in(crate::platform::request::language()),
            amount: order.amount,
            paid_by,
            in_progress,
            key: uuid::Uuid::new_v4().to_string(),
        })
    }

    /// Starts (or continues) the order's payment and says where the browser goes next: the
    /// gateway's page, the payment's page, or back to the order. Services that sell something
    /// call it after writing their order (the vignette's "Pay").
    pub async fn start_payment(
        state: &AppState,
        account: &str,
        order: crate::features::payments::engine::ToPay<'_>,
        key: String,
    ) -> Result<String, AppError> {
        use crate::features::payments::engine::{self, PaymentError, Started};
        let order_id = &order.id().to_string();
        // A payment is part of a service, and only a confirmed address may start one.
        if !crate::platform::request::address_confirmed() {
            return Ok(crate::features::accounts::verify::PATH.to_string());
        }
        let key = if key.is_empty() || key.len() > 64 {
            uuid::Uuid::new_v4().to_string()
        } else {
            key
        };
        let now = crate::platform::session::now_secs();
        let started = engine::start(
            &state.payments,
            &state.db,
            account,
            order,
            &key,
            crate::platform::request::language(),
            now,
        )
        .await;
        Ok(match started {
            Ok(Started::Gateway { url, .. }) => url,
            Ok(Started::Opening { payment_id } | Started::Finished { payment_id }) => {
                payment_path(&payment_id)
            }
            Err(PaymentError::AlreadyPaid) => {
                let view = order_view(state, order_id).await?;
                view.paid_by
                    .map(|id| payment_path(&id))
                    .unwrap_or_else(|| order_path(order_id))
            }
            Err(PaymentError::NotFound) => return Err(AppError::refused("payment")),
            Err(PaymentError::Gateway(e)) => {
                tracing::warn!(error = %e, order = %order_id, "the gateway could not open a payment");
                format!("{}?problem=gateway", order_path(order_id))
            }
            Err(PaymentError::Busy) => order_path(order_id),
            Err(e) => return Err(AppError::internal(e)),
        })
    }
}

#[server(endpoint = "payments/order")]
pub async fn load_order(order_id: String) -> Result<OrderView, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    server::order_view(&state, &order_id).await
}

#[server(endpoint = "payments/view")]
pub async fn load_payment(payment_id: String) -> Result<PaymentView, AppError> {
    use crate::features::payments::{engine, store};
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("payment")?;
    let p = engine::owned_payment(&state.db, &account, &payment_id)
        .await
        .map_err(server::not_found)?;
    let order = store::order(state.db.pool(), &p.order_id)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("payment"))?;
    let email = crate::features::accounts::store::email_of(state.db.pool(), &account)
        .await
        .or_unavailable()?
        .unwrap_or_default();
    Ok(PaymentView {
        id: p.id.clone(),
        reference: p.reference.clone(),
        order_id: p.order_id.clone(),
        description: order.description_in(crate::platform::request::language()),
        amount: p.payment.amount,
        state: p.state(),
        failure: p.failure.clone(),
        method: p.method.clone(),
        brand: p.brand.clone(),
        masked: p.masked.clone(),
        paid_at: p.succeeded_at,
        refunded: (p.payment.refunded_minor > 0)
            .then(|| Money::new(p.payment.refunded_minor, p.payment.amount.currency)),
        key: uuid::Uuid::new_v4().to_string(),
        email,
        delivered: state.payments.fulfilments.delivered_page(order.order_ref()),
    })
}

/// The "Pay" button: starts (or continues) the order's payment and sends the browser to the
/// gateway. The amount is the order's, on the server; the form carries only which order and
/// the submission's key.
#[server(endpoint = "payments/pay")]
pub async fn pay(order_id: String, key: String) -> Result<(), AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("payment")?;
    let order = crate::features::payments::engine::ToPay::Named(&order_id);
    let to = server::start_payment(&state, &account, order, key).await?;
    leptos_axum::redirect(&to);
    Ok(())
}

/// The form that pays an order (on the order page, and "Try again" on a failed payment).
#[component]
fn PayForm(
    order_id: String,
    key: String,
    amount: Money,
    #[prop(optional)] again: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="post" action=Pay::url() class="pay-form">
            <input type="hidden" name="order_id" value=order_id />
            <input type="hidden" name="key" value=key />
            <Button>
                {if again { t!(i18n, payments.try_again).into_any() } else { t!(i18n, payments.pay).into_any() }}
                " " <MoneyText amount />
            </Button>
        </form>
    }
}

/// The order's summary: what it is for and the amount.
#[component]
fn OrderSummary(
    description: String,
    amount: Money,
    #[prop(optional)] reference: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <dl class="summary-list">
            <SummaryRow label={t!(i18n, payments.for_label)}>{description}</SummaryRow>
            <SummaryRow label={t!(i18n, payments.amount)}><MoneyText amount /></SummaryRow>
            {reference.map(|r| view! {
                <SummaryRow label={t!(i18n, payments.reference)}><LtrLong>{r}</LtrLong></SummaryRow>
            })}
        </dl>
    }
}

/// `/payments/order/:id`.
#[component]
pub fn OrderPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read_untracked().get("id").unwrap_or_default();
    let order = Resource::new(id, load_order);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let locale = i18n.get_locale_untracked();
                match order.await {
                    Err(AppError::NotFound) => view! { <crate::ui::problem::NotFound /> }.into_any(),
                    Err(_) => view! { <ServiceProblem /> }.into_any(),
                    Ok(o) => {
                        let title = td_string!(locale, payments.order_title).to_string();
                        let gateway_problem = query.read_untracked().get("problem").as_deref() == Some("gateway");
                        view! {
                            <PageTitle text=title.clone() />
                            <h1>{title}</h1>
                            {gateway_problem.then(|| view! {
                                <div class="panel panel--warning" role="alert"><p>{t!(i18n, payments.gateway_unavailable)}</p></div>
                            })}
                            <OrderSummary description=o.description.clone() amount=o.amount />
                            {match o.paid_by.clone() {
                                Some(p) => view! {
                                    <div class="panel panel--success" role="status">
                                        <p>{t!(i18n, payments.already_paid)}</p>
                                        <p><a href=payment_path(&p)>{t!(i18n, payments.see_receipt)}</a></p>
                                    </div>
                                }.into_any(),
                                None => view! {
                                    {o.in_progress.then(|| view! { <p>{t!(i18n, payments.in_progress)}</p> })}
                                    <p>{t!(i18n, payments.pay_lead)}</p>
                                    <PayForm order_id=o.id.clone() key=o.key.clone() amount=o.amount />
                                    <p class="hint">{t!(i18n, payments.methods_hint)}</p>
                                }.into_any(),
                            }}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `/payments/:id`: the receipt once paid, else what happened.
#[component]
pub fn PaymentPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read_untracked().get("id").unwrap_or_default();
    let payment = Resource::new(id, load_payment);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match payment.await {
                    Err(AppError::NotFound) => view! { <crate::ui::problem::NotFound /> }.into_any(),
                    Err(_) => view! { <ServiceProblem /> }.into_any(),
                    Ok(p) => view! { <PaymentOutcome p /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "Waiting for the payment company": the page asks again by itself every 5 seconds, without
/// JavaScript too (a refresh), until the payment is settled. Used by the purchase journey's
/// last page as well.
#[component]
pub fn Waiting(children: Children) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let title = td_string!(locale, payments.waiting_title).to_string();
    view! {
        <PageTitle text=title.clone() />
        <Meta http_equiv="refresh" content="5" />
        <h1>{title}</h1>
        {children()}
    }
}

#[component]
fn PaymentOutcome(p: PaymentView) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    match p.state {
        PaymentState::Succeeded | PaymentState::PartiallyRefunded | PaymentState::Refunded => {
            let title = td_string!(locale, payments.receipt_title).to_string();
            let method = method_text(locale, p.method.as_deref(), p.brand.as_deref(), None);
            let paid_at = p
                .paid_at
                .map(crate::domain::date::utc_time)
                .unwrap_or_default();
            view! {
                <PageTitle text=title.clone() />
                <div class="panel panel--success" role="status">
                    <h1>{title}</h1>
                    <p>{t!(i18n, payments.reference)} " " <strong><LtrLong>{p.reference.clone()}</LtrLong></strong></p>
                </div>
                <dl class="summary-list">
                    <SummaryRow label={t!(i18n, payments.for_label)}>{p.description.clone()}</SummaryRow>
                    <SummaryRow label={t!(i18n, payments.amount)}><MoneyText amount=p.amount /></SummaryRow>
                    <SummaryRow label={t!(i18n, payments.method)}>{method} " " {p.masked.clone().map(|m| view! { <Ltr>{m}</Ltr> })}</SummaryRow>
                    <SummaryRow label={t!(i18n, payments.paid_at)}><Ltr>{paid_at}</Ltr></SummaryRow>
                    {p.refunded.map(|r| view! {
                        <SummaryRow label={t!(i18n, payments.refunded)}><MoneyText amount=r /></SummaryRow>
                    })}
                </dl>
                <p>{t!(i18n, payments.receipt_emailed)} " " <LtrLong>{p.email.clone()}</LtrLong></p>
                {p.delivered.clone().map(|href| view! { <p><a class="button" href=href>{t!(i18n, payments.see_delivered)}</a></p> })}
            }
            .into_any()
        }
        PaymentState::Created | PaymentState::Pending => view! {
            <Waiting>
                <p>{t!(i18n, payments.waiting_body)}</p>
                <OrderSummary description=p.description.clone() amount=p.amount reference=p.reference.clone() />
                <p><a href=payment_path(&p.id)>{t!(i18n, payments.check_again)}</a></p>
            </Waiting>
        }
        .into_any(),
        state => {
            let (title, body) = match (state, p.failure.as_deref()) {
                (PaymentState::Cancelled, _) => (
                    td_string!(locale, payments.cancelled_title),
                    td_string!(locale, payments.cancelled_body),
                ),
                (PaymentState::Expired, _) => (
                    td_string!(locale, payments.expired_title),
                    td_string!(locale, payments.expired_body),
                ),
                (_, Some("insufficient_funds")) => (
                    td_string!(locale, payments.failed_title),
                    td_string!(locale, payments.failed_funds),
                ),
                (_, Some("too_many_codes")) => (
                    td_string!(locale, payments.failed_title),
                    td_string!(locale, payments.failed_codes),
                ),
                (_, Some("declined")) => (
                    td_string!(locale, payments.failed_title),
                    td_string!(locale, payments.failed_declined),
                ),
                _ => (
                    td_string!(locale, payments.failed_title),
                    td_string!(locale, payments.failed_other),
                ),
            };
            let title = title.to_string();
            view! {
                <PageTitle text=title.clone() />
                <div class="panel panel--warning" role="alert">
                    <h1>{title}</h1>
                    <p>{body}</p>
                    <p>{t!(i18n, payments.nothing_taken)}</p>
                </div>
                <OrderSummary description=p.description.clone() amount=p.amount reference=p.reference.clone() />
                <PayForm order_id=p.order_id.clone() key=p.key.clone() amount=p.amount again=true />
                <p><a href=order_path(&p.order_id)>{t!(i18n, payments.back_to_order)}</a></p>
            }
            .into_any()
        }
    }
}

/// `GET /payments/{id}/return`: where the gateway sends the payer back. The address says
/// nothing about the outcome; we ask the gateway, then show the payment's page.
#[cfg(feature = "ssr")]
pub async fn returned(
    axum::extract::State(state): axum::extract::State<crate::platform::state::AppState>,
    axum::extract::Path(payment_id): axum::extract::Path<String>,
    req: axum::extract::Request,
) -> axum::response::Response {
    use super::engine::{self, Applied};
    use axum::response::IntoResponse;
    let account = crate::platform::session::account_of(&req);
    if let Some(account) = account
        && let Ok((payment, kind, subject)) =
            engine::owned_payment_with_order_ref(&state.db, &account, &payment_id).await
    {
        let now = crate::platform::session::now_secs();
        let checked = engine::check_row(&state.payments, &state.db, &payment, "return", now).await;
        if let Err(e) = &checked {
            // The page shows "waiting"; the notification or the poller will settle it.
            tracing::warn!(payment = %payment_id, error = %e, "could not ask the gateway on return");
        }
        // Paid (before the payer came back, by this return's own question, or by the
        // notification that won the race to apply the same news; its transaction fulfilled the
        // order): straight to what was bought (the vignette), which links to the receipt.
        // Otherwise the payment may have been settled meanwhile by its notification: read again.
        let paid = payment.state() == PaymentState::Succeeded
            || matches!(
                checked,
                Ok(Applied::Moved(PaymentState::Succeeded)
                    | Applied::AlreadyIn(PaymentState::Succeeded))
            );
        let page = if paid {
            let order = crate::platform::orders::OrderRef {
                id: &payment.order_id,
                kind: &kind,
                subject: &subject,
            };
            state.payments.fulfilments.delivered_page(order)
        } else {
            delivered_after(&state, &payment_id).await
        };
        if let Some(page) = page {
            return (
                http::StatusCode::SEE_OTHER,
                [(http::header::LOCATION, page)],
            )
                .into_response();
        }
    }
    (
        http::StatusCode::SEE_OTHER,
        [(http::header::LOCATION, payment_path(&payment_id))],
    )
        .into_response()
}

/// The page of what a succeeded payment bought, if its kind has one.
#[cfg(feature = "ssr")]
async fn delivered_after(
    state: &crate::platform::state::AppState,
    payment_id: &str,
) -> Option<String> {
    let order = super::store::order_paid_by(state.db.pool(), payment_id)
        .await
        .ok()??;
    state.payments.fulfilments.delivered_page(order.order_ref())
}

/// The amount of a demo order: a fixed, typical fee, for trying the flow (not an official amount).
#[cfg(feature = "ssr")]
const DEMO_AMOUNT_MINOR: i64 = 200_000;

#[server(endpoint = "payments/demo/enabled")]
pub async fn demo_enabled() -> Result<bool, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    Ok(state.config.demo_payments)
}

/// Creates a demo order for the signed-in account and opens its page.
#[server(endpoint = "payments/demo")]
pub async fn create_demo_order() -> Result<(), AppError> {
    use crate::{
        domain::money::Currency,
        features::payments::{DEMO_KIND, engine},
    };
    let state = expect_context::<crate::platform::state::AppState>();
    if !state.config.demo_payments {
        return Err(AppError::refused("payment"));
    }
    let account = crate::platform::request::owner("payment")?;
    let description = |l: Locale| td_string!(l, payments.demo_description).to_string();
    let order = engine::create_order(
        state.db.writer(),
        &engine::NewOrder {
            account_id: &account,
            kind: DEMO_KIND,
            subject: &uuid::Uuid::new_v4().to_string(),
            description: [
                ("ar", description(Locale::ar)),
                ("fr", description(Locale::fr)),
                ("en", description(Locale::en)),
            ],
            amount: Money::new(DEMO_AMOUNT_MINOR, Currency::Dzd),
        },
        crate::platform::session::now_secs(),
    )
    .await
    .or_unavailable()?;
    leptos_axum::redirect(&order_path(&order.id));
    Ok(())
}

/// `/payments/demo` (development machines: `BAWABA_DEMO_PAYMENTS=on`).
#[component]
pub fn DemoPage() -> impl IntoView {
    let i18n = use_i18n();
    let enabled = Resource::new(|| (), |_| demo_enabled());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match enabled.await {
                    Ok(true) => {
                        let title = td_string!(i18n.get_locale_untracked(), payments.demo_title).to_string();
                        view! {
                            <PageTitle text=title.clone() />
                            <h1>{title}</h1>
                            <p>{t!(i18n, payments.demo_lead)}</p>
                            <form method="post" action=CreateDemoOrder::url()>
                                <Button kind=ButtonKind::Secondary>{t!(i18n, payments.demo_create)}</Button>
                            </form>
                        }.into_any()
                    }
                    Ok(false) => view! { <crate::ui::problem::NotFound /> }.into_any(),
                    Err(_) => view! { <ServiceProblem /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
