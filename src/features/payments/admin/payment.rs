//! `/admin/payments/:id`: one payment's record, its history and flags, refunds and closing a
//! flag.

use super::report::FlagLine;
use super::*;
use crate::ui::text::SummaryRow;
use leptos_router::hooks::use_params_map;

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

#[server(endpoint = "admin/payments/view")]
pub async fn load_admin_payment(payment_id: String) -> Result<AdminPaymentView, AppError> {
    use crate::features::payments::{reconciliation, store};
    let state = expect_context::<crate::platform::state::AppState>();
    crate::features::accounts::staff::administrator(&state).await?;
    let p = store::payment(state.db.pool(), &payment_id)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("payment (administration)"))?;
    let order = store::order(state.db.pool(), &p.order_id)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("payment (administration)"))?;
    let payer = crate::features::accounts::store::email_of(state.db.pool(), &p.account_id)
        .await
        .or_unavailable()?
        .unwrap_or_default();
    #[derive(sqlx::FromRow)]
    struct Raw {
        at: i64,
        actor: String,
        /// The administrator's address when the actor is an account.
        email: Option<String>,
        from_state: String,
        to_state: String,
        amount_minor: Option<i64>,
        reason: Option<String>,
    }
    let raw: Vec<Raw> = sqlx::query_as(
        "SELECT e.at, e.actor, a.email, e.from_state, e.to_state, e.amount_minor, e.reason \
         FROM payment_events e LEFT JOIN accounts a ON a.id = e.actor \
         WHERE e.payment_id = $1 ORDER BY e.at, e.id",
    )
    .bind(&payment_id)
    .fetch_all(state.db.pool())
    .await
    .or_unavailable()?;
    let currency = p.payment.amount.currency;
    let events = raw
        .into_iter()
        .filter_map(|r| {
            Some(EventLine {
                at: r.at,
                by: r.email.unwrap_or(r.actor),
                from: PaymentState::parse(&r.from_state)?,
                to: PaymentState::parse(&r.to_state)?,
                amount: r.amount_minor.map(|m| Money::new(m, currency)),
                reason: r.reason,
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
    use crate::domain::{money::AmountError, payment::TransitionError};
    use crate::features::payments::{
        engine::{self, PaymentError},
        store,
    };
    let state = expect_context::<crate::platform::state::AppState>();
    let admin = crate::features::accounts::staff::administrator(&state).await?;
    let p = store::payment(state.db.pool(), &payment_id)
        .await
        .or_unavailable()?
        .ok_or_else(|| AppError::refused("payment (administration)"))?;
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
    use crate::features::payments::reconciliation;
    let state = expect_context::<crate::platform::state::AppState>();
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
                    Err(AppError::NotFound) => view! { <crate::ui::problem::NotFound /> }.into_any(),
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
    let method = crate::features::payments::pages::method_text(
        locale,
        p.method.as_deref(),
        p.brand.as_deref(),
        None,
    );
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
        <PageTitle text=title.clone() />
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
