//! The vehicle vignette service (Algeria): the start page (the campaign and the tariff read
//! from the database) and the public fee calculator.

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageHeading;
use crate::{
    domain::reference::{Campaign, TariffBasis, TariffFamily, TariffRow, format_milli},
    error::AppError,
    i18n::*,
    ui::problem::ServiceProblem,
    ui::{form::StartButton, text::MoneyText},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod admin;
pub mod calculator;
pub mod document;
pub mod form;
pub mod import;
#[cfg(feature = "ssr")]
pub mod messages;
pub mod purchase;
pub mod reminders;
#[cfg(feature = "ssr")]
pub mod store;
pub mod vehicles;
pub mod verify;

/// The import's template and upload, and the bought vignette's PDF.
#[cfg(feature = "ssr")]
pub fn routes() -> Vec<crate::platform::http::PlainRoute> {
    use crate::platform::http::PlainRoute;
    vec![
        PlainRoute::get(import::TEMPLATE_PATH, import::template),
        PlainRoute::post(import::UPLOAD_PATH, import::upload),
        PlainRoute::get("/vignette/bought/{order}/pdf", purchase::bought::download),
    ]
}

/// The renewal reminders. They are due by the day: every 15 minutes is prompt enough and costs
/// one query per campaign when there is nothing to send.
#[cfg(feature = "ssr")]
pub fn workers(state: &crate::platform::state::AppState) -> Vec<tokio::task::JoinHandle<()>> {
    vec![reminders::server::spawn(
        state.clone(),
        std::time::Duration::from_secs(15 * 60),
    )]
}

/// Minutes a citizen with the registration card at hand needs to buy a vignette (the
/// estimate on the start page).
const MINUTES_TO_COMPLETE: u32 = 5;

/// What the start page shows: the latest campaign and the tariff rows in force for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VignetteFees {
    pub campaign: Option<Campaign>,
    pub tariffs: Vec<TariffRow>,
}

#[server(endpoint = "vignette/fees")]
pub async fn load_vignette_fees() -> Result<VignetteFees, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    store::fees_for_latest_campaign(&state.db)
        .await
        .or_unavailable()
}

#[component]
pub fn StartPage() -> impl IntoView {
    let i18n = use_i18n();
    let fees = Resource::new(|| (), |_| load_vignette_fees());
    view! {
        <PageHeading
            title=td_string!(i18n.get_locale_untracked(), vignette.title)
            description=td_string!(i18n.get_locale_untracked(), vignette.lead)
        />
        <p class="lead">{t!(i18n, vignette.lead)}</p>

        <p><StartButton href=purchase::PATH>{t!(i18n, common.start_now)}</StartButton></p>

        <h2>{t!(i18n, common.what_you_need)}</h2>
        <ul class="list">
            <li>{t!(i18n, vignette.need_registration)}</li>
            <li>{t!(i18n, vignette.need_power)}</li>
            <li>{t!(i18n, vignette.need_payment)}</li>
            <li>{t!(i18n, vignette.need_account)}</li>
        </ul>

        <h2>{t!(i18n, common.steps)}</h2>
        <ol class="steps-list">
            <li>{t!(i18n, vignette.step_vehicle)}</li>
            <li>{t!(i18n, vignette.step_quote)}</li>
            <li>{t!(i18n, vignette.step_check)}</li>
            <li>{t!(i18n, vignette.step_pay)}</li>
            <li>{t!(i18n, vignette.step_receive)}</li>
        </ol>

        <h2>{t!(i18n, common.how_long)}</h2>
        <p>{t!(i18n, vignette.time_estimate, count = move || MINUTES_TO_COMPLETE)}</p>

        <h2>{t!(i18n, common.fees)}</h2>
        <p>{t!(i18n, vignette.fees_lead)}</p>
        <Suspense fallback=move || view! { <p>{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match fees.await {
                    Ok(fees) => view! { <FeesSection fees /> }.into_any(),
                    Err(_) => view! { <ServiceProblem /> }.into_any(),
                }
            })}
        </Suspense>
        <p>{t!(i18n, vignette.exempt_note)}</p>
        <p><a href=calculator::PATH>{t!(i18n, calculator.link)}</a></p>
        <p><a href=verify::PATH>{t!(i18n, verify.link)}</a></p>
    }
}

#[component]
fn FeesSection(fees: VignetteFees) -> impl IntoView {
    let i18n = use_i18n();
    let campaign = fees.campaign.map(|c| {
        let year = c.year;
        let start = c.starts_at.replace('T', " ");
        let end = c.ends_at.replace('T', " ");
        let pct = c.late_surcharge_pct;
        view! {
            <h3>{t!(i18n, vignette.campaign_heading, year = move || year)}</h3>
            <p>
                {t!(
                    i18n,
                    vignette.campaign_period,
                    start = move || view! { <bdi dir="ltr">{start.clone()}</bdi> },
                    end = move || view! { <bdi dir="ltr">{end.clone()}</bdi> }
                )}
                " "
                {t!(i18n, vignette.late_surcharge, pct = move || pct)}
            </p>
        }
    });
    let tables = TariffFamily::ALL
        .into_iter()
        .map(|family| {
            let rows: Vec<TariffRow> = fees
                .tariffs
                .iter()
                .filter(|r| r.family == family)
                .cloned()
                .collect();
            view! { <TariffTable family rows /> }
        })
        .collect_view();
    view! {
        {campaign}
        {tables}
    }
}

#[component]
fn TariffTable(family: TariffFamily, rows: Vec<TariffRow>) -> impl IntoView {
    let i18n = use_i18n();
    let caption = move || match family {
        TariffFamily::Tourism => t_string!(i18n, vignette.family_tourism).to_string(),
        TariffFamily::Utility => t_string!(i18n, vignette.family_utility).to_string(),
        TariffFamily::Passenger => t_string!(i18n, vignette.family_passenger).to_string(),
    };
    let basis = rows.first().map(|r| r.basis).unwrap_or(TariffBasis::Cv);
    let basis_header = move || match basis {
        TariffBasis::Cv => t_string!(i18n, vignette.basis_cv).to_string(),
        TariffBasis::PtcT => t_string!(i18n, vignette.basis_ptc_t).to_string(),
        TariffBasis::Seats => t_string!(i18n, vignette.basis_seats).to_string(),
    };
    let decimal = move || {
        if i18n.get_locale() == Locale::en {
            '.'
        } else {
            ','
        }
    };
    let body = rows
        .into_iter()
        .map(|r| {
            let min = r.band_min_milli;
            let max = r.band_max_milli;
            let band = move || {
                let min = format_milli(min, decimal());
                match max {
                    Some(max) => {
                        let max = format_milli(max, decimal());
                        t!(
                            i18n,
                            vignette.band_range,
                            min = move || min.clone(),
                            max = move || max.clone()
                        )
                        .into_any()
                    }
                    None => t!(i18n, vignette.band_from, min = move || min.clone()).into_any(),
                }
            };
            let (from, to) = (r.age_from, r.age_to);
            let age = move || match to {
                Some(to) => t!(
                    i18n,
                    vignette.age_range,
                    from = move || from,
                    to = move || to
                )
                .into_any(),
                None => t!(i18n, vignette.age_from, from = move || from).into_any(),
            };
            view! {
                <tr>
                    <td>{band}</td>
                    <td>{age}</td>
                    <td class="num"><MoneyText amount=r.amount /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{basis_header}</th>
                        <th scope="col">{t!(i18n, vignette.age)}</th>
                        <th scope="col" class="num">{t!(i18n, vignette.amount)}</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}
