//! `/vignette/buy/:vehicle`: the quote explained, the answers it rests on, and "Pay" (the
//! order, then the payment).

use super::*;
use crate::features::vignette::{
    calculator::result_view,
    form::FormText,
    vehicles::{VehicleView, vehicle_path},
};
use crate::ui::form::PageTitle;
use crate::{
    domain::{reference::Campaign, tariff::Outcome},
    error::AppError,
    ui::{
        form::{BackLink, Button},
        text::{Ltr, LtrLong, MoneyText, SummaryRow},
    },
};
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// The quote page: the vehicle, where it stands, and the outcome explained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuoteView {
    pub verified: bool,
    pub vehicle: VehicleView,
    /// The answers the amount depends on, as (FormText key of the label, shown value).
    pub answers: Vec<(String, String)>,
    pub campaign: Option<Campaign>,
    pub outcome: Option<Outcome>,
    pub standing: Standing,
    /// The pay form's idempotency key.
    pub key: String,
}

#[server(endpoint = "vignette/quote")]
pub async fn load_quote(vehicle_id: String) -> Result<QuoteView, AppError> {
    use crate::features::vignette::vehicles::server as vehicles;
    use crate::{domain::reference::format_milli, platform::session};
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("vignette purchase")?;
    let now = session::now_secs();
    let server::Quoted {
        record,
        data,
        campaign,
        outcome,
        bought,
        ..
    } = server::quoted(&state, &account, &vehicle_id, None, now).await?;
    let f = &record.declared.facts;
    let language = crate::platform::request::language();
    let measure = [
        ("hp_label", f.fiscal_hp.map(|v| v.to_string())),
        (
            "weight_label",
            f.gross_weight_kg.map(|kg| {
                let decimal = if language == "en" { '.' } else { ',' };
                format_milli(kg, decimal)
            }),
        ),
        ("seats_label", f.seats.map(|v| v.to_string())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)));
    let mut answers = vec![(
        "category_label".to_string(),
        format!("category_{}", f.plate_category),
    )];
    // A trailer has no fuel (it is not asked).
    if !f.fuel.is_empty() {
        answers.push(("fuel_label".to_string(), format!("fuel_{}", f.fuel)));
    }
    answers.push((
        "year_label".to_string(),
        f.first_registration_year.to_string(),
    ));
    answers.extend(measure);
    // A special status is named by its exemption row, in the reader's language.
    let status = match &f.status {
        None => "status_none".to_string(),
        Some(value) => data
            .statuses()
            .into_iter()
            .find(|e| &e.value == value)
            .map(|e| e.reason.get(language).to_string())
            .unwrap_or_else(|| value.clone()),
    };
    answers.push(("status_label".to_string(), status));
    Ok(QuoteView {
        verified: crate::platform::request::address_confirmed(),
        vehicle: vehicles::view(&record),
        answers,
        standing: server::standing(outcome.as_ref(), bought.as_ref()),
        campaign,
        outcome,
        key: uuid::Uuid::new_v4().to_string(),
    })
}

/// "Pay": the vignette's order (a new one, or the unpaid one for the same vehicle, campaign and
/// amount), then the payment at the gateway. `amount` is what the page showed, in minor units:
/// if the server's amount differs now, nothing is charged and the page says so.
#[server(endpoint = "vignette/buy")]
pub async fn buy(vehicle_id: String, amount: String, key: String) -> Result<(), AppError> {
    use crate::{
        domain::vignette::Subject,
        features::payments::{engine, pages::server::start_payment},
        platform::session,
    };
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("vignette purchase")?;
    let now = session::now_secs();
    let shown = amount.trim().parse::<i64>().ok();
    let server::Quoted {
        record,
        campaign,
        outcome,
        bought,
        unpaid_order,
        ..
    } = server::quoted(&state, &account, &vehicle_id, shown, now).await?;
    let back = quote_path(&vehicle_id);
    let (Some(campaign), Some(Outcome::Due(quote))) = (campaign, outcome) else {
        // Exempt, not subject, or no campaign: the quote page says which.
        leptos_axum::redirect(&back);
        return Ok(());
    };
    let plate = record.declared.plate.to_string();
    if let Some(v) = bought {
        // Bought already (here or by the plate's previous owner): show it, charge nothing.
        leptos_axum::redirect(&if v.account_id == account {
            bought_path(&v.order_id)
        } else {
            back
        });
        return Ok(());
    }
    if shown != Some(quote.total.minor) {
        leptos_axum::redirect(&format!("{back}?changed=1"));
        return Ok(());
    }
    let subject = Subject {
        vehicle_id: record.id.clone(),
        campaign_year: campaign.year,
    }
    .encode();
    // "Pay" pressed again (or in two tabs) continues the unpaid order for the same vignette at
    // the same amount, read with the vehicle, rather than opening a second one. A new order
    // goes to the payment as made, written with it and not read again.
    let open = unpaid_order.filter(|o| {
        o.amount_minor == quote.total.minor && o.currency == quote.total.currency.code()
    });
    let order = match &open {
        Some(o) => engine::ToPay::Named(&o.id),
        None => {
            let description = |l: Locale| {
                td_string!(
                    l,
                    purchase.order_description,
                    year = campaign.year,
                    plate = plate.as_str()
                )
                .to_string()
            };
            let made = engine::new_order(
                &engine::NewOrder {
                    account_id: &account,
                    kind: KIND,
                    subject: &subject,
                    description: [
                        ("ar", description(Locale::ar)),
                        ("fr", description(Locale::fr)),
                        ("en", description(Locale::en)),
                    ],
                    amount: quote.total,
                },
                now,
            );
            engine::ToPay::New(made)
        }
    };
    let to = start_payment(&state, &account, order, key).await?;
    leptos_axum::redirect(&to);
    Ok(())
}

/// `/vignette/buy/:vehicle`: the quote explained, the answers it rests on, and "Pay".
#[component]
pub fn QuotePage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let params = use_params_map();
    let query = use_query_map();
    let id = params.read_untracked().get("vehicle").unwrap_or_default();
    let page = crate::ui::problem::loaded_for(id, load_quote, move |q| {
        let changed = query.read_untracked().get("changed").is_some();
        view! { <Quote q changed locale /> }.into_any()
    });
    view! {
        <BackLink href=PATH />
        {page}
    }
}

#[component]
fn Quote(q: QuoteView, changed: bool, locale: Locale) -> impl IntoView {
    let i18n = use_i18n();
    let text = FormText::build(locale);
    let year = q.campaign.as_ref().map(|c| c.year).unwrap_or_default();
    let title = td_string!(locale, purchase.quote_title, year = year).to_string();
    let explained = q
        .outcome
        .as_ref()
        .map(|o| result_view(o, year, q.campaign.as_ref(), &text, false));
    let answers = q
        .answers
        .iter()
        .map(|(label, value)| {
            // Category, fuel and status values are keys of the form's sentences; a status is
            // named by its exemption row.
            let shown = if value.starts_with("category_")
                || value.starts_with("fuel_")
                || value == "status_none"
            {
                text.get(value)
            } else {
                value.clone()
            };
            view! {
                <SummaryRow label={text.get(label)}>{shown}</SummaryRow>
            }
        })
        .collect_view();
    let plate = q.vehicle.plate.clone();
    let next = match (q.standing.clone(), q.verified) {
        (Standing::Bought { order_id, number }, _) => view! {
            <div class="panel panel--success" role="status">
                <p>{td_string!(locale, purchase.has_vignette, year = year).to_string()} " " <strong><Ltr>{number}</Ltr></strong></p>
                <p><a href=bought_path(&order_id)>{t!(i18n, purchase.see_vignette)}</a></p>
            </div>
        }
        .into_any(),
        (Standing::Due(amount), true) => {
            view! {
                <form method="post" action=Buy::url() class="pay-form">
                    <input type="hidden" name="vehicle_id" value=q.vehicle.id.clone() />
                    <input type="hidden" name="amount" value=amount.minor.to_string() />
                    <input type="hidden" name="key" value=q.key.clone() />
                    <p>{t!(i18n, payments.pay_lead)}</p>
                    <Button>{t!(i18n, payments.pay)} " " <MoneyText amount /></Button>
                </form>
            }
            .into_any()
        }
        (Standing::Due(_), false) => view! {
            <div class="panel panel--info">
                <p>{t!(i18n, vehicles.verify_first)}</p>
                <p><a href=crate::features::accounts::verify::PATH>{t!(i18n, vehicles.verify_link)}</a></p>
            </div>
        }
        .into_any(),
        _ => ().into_any(),
    };
    view! {
        <PageTitle text=title.clone() />
        <h1>{title} " " <span class="visually-hidden">{plate.clone()}</span></h1>
        {changed.then(|| view! {
            <div class="panel panel--warning" role="alert"><p>{t!(i18n, purchase.amount_changed)}</p></div>
        })}
        {q.outcome.is_none().then(|| view! { <p>{t!(i18n, purchase.no_campaign)}</p> })}
        {explained}
        <h2>{t!(i18n, purchase.check_title)}</h2>
        <dl class="summary-list">
            <SummaryRow label={text.get("plate_label")}><Ltr>{plate.clone()}</Ltr></SummaryRow>
            <SummaryRow label={text.get("vin_label")}><LtrLong>{q.vehicle.vin.clone()}</LtrLong></SummaryRow>
            {answers}
        </dl>
        <p><a href=vehicle_path(&q.vehicle.id)>{t!(i18n, purchase.change_answers)}</a></p>
        {next}
    }
}
