//! `/admin/payments?day=YYYY-MM-DD`: the daily reconciliation report, the comparison of a day
//! with the gateway, and finding a payment by its receipt reference.

use super::*;

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

#[server(endpoint = "admin/payments/report")]
pub async fn load_report(day: Option<String>) -> Result<ReportView, AppError> {
    use crate::domain::date::Date;
    use crate::features::payments::reconciliation::{self, Day};
    let state = expect_context::<crate::platform::state::AppState>();
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
    use crate::features::payments::reconciliation::{self, Day};
    let state = expect_context::<crate::platform::state::AppState>();
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
    let state = expect_context::<crate::platform::state::AppState>();
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
                    Err(AppError::NotFound) => view! { <crate::ui::problem::NotFound /> }.into_any(),
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
                Some(_) => crate::features::payments::pages::method_text(
                    locale,
                    l.method.as_deref(),
                    None,
                    None,
                ),
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
        <PageTitle text=title.clone() />
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
